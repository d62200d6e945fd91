// Envoy resources for the xDS tests: one HTTP listener using RDS, one route
// configuration routing a path prefix per cluster, EDS clusters with their
// endpoint assignments, and optionally a TLS listener whose certificate
// comes over SDS.
import type { EnvoyResources } from '@switchyard/protos';

export interface FixtureOptions {
  /** Clusters (EDS) with one endpoint each. */
  readonly clusters: readonly string[];
  /** Clusters the route configuration routes to (default: all). */
  readonly routeTo?: readonly string[];
  /** Endpoint address per cluster (default 10.0.0.1). */
  readonly endpointIp?: string;
  /** Adds a TLS listener whose certificate is this SDS secret. */
  readonly secret?: string;
  /** Suffix making the route configuration differ without changing references. */
  readonly routeTag?: string;
}

const ADS_SOURCE = { ads: {}, resource_api_version: 'V3' as const };

export function fixture(o: FixtureOptions): EnvoyResources {
  const routeTo = o.routeTo ?? o.clusters;
  const hcm = (routeConfig: string) => ({
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: routeConfig,
      rds: { route_config_name: routeConfig, config_source: ADS_SOURCE },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
    },
  });
  const listeners = [
    {
      name: 'http-8080',
      address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
      filter_chains: [{ filters: [hcm('http-8080')] }],
    },
  ];
  const secrets = [];
  if (o.secret) {
    listeners.push({
      name: 'https-8443',
      address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
      filter_chains: [
        {
          filters: [hcm('http-8080')],
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
              common_tls_context: { tls_certificate_sds_secret_configs: [{ name: o.secret, sds_config: ADS_SOURCE }] },
            },
          },
        } as never,
      ],
    });
    secrets.push({
      name: o.secret,
      tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: 'KEY' } },
    });
  }
  return {
    listeners,
    routes: [
      {
        name: 'http-8080',
        virtual_hosts: [
          {
            name: `all${o.routeTag ?? ''}`,
            domains: ['*'],
            routes: routeTo.map((c) => ({ match: { prefix: `/${c}` }, route: { cluster: c } })),
          },
        ],
      },
    ],
    clusters: o.clusters.map((c) => ({
      name: c,
      type: 'EDS' as const,
      eds_cluster_config: { eds_config: ADS_SOURCE },
      connect_timeout: { seconds: 1 },
    })),
    endpoints: o.clusters.map((c) => ({
      cluster_name: c,
      endpoints: [
        {
          locality: { zone: 'zone-a' },
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: o.endpointIp ?? '10.0.0.1', port_value: 80 } } } }],
        },
      ],
    })),
    secrets,
  };
}
