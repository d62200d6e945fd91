// Small builders for hand-made Envoy resources in explain's tests: just
// enough shape to be valid Envoy config (the tests encode them to prove it),
// with the switchyard.dev metadata the translator stamps.
import type { EnvoyResources, Listener, RouteConfiguration, Cluster, ClusterLoadAssignment } from '@switchyard/protos';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RouteMatch } from '@switchyard/protos/generated/envoy/config/route/v3/RouteMatch.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';

export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function switchyardMeta(fields: Record<string, string>): Metadata {
  return { filter_metadata: { 'switchyard.dev': { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) } } };
}

export function routeMeta(name: string, rule: number, match = 0, extra: Record<string, string> = {}): Metadata {
  return switchyardMeta({ kind: 'HTTPRoute', namespace: 'default', name, rule: String(rule), match: String(match), ...extra });
}

export function hcm(routeConfigName: string, extra: Partial<HttpConnectionManager> = {}): HttpConnectionManager & { '@type': string } {
  return {
    '@type': HCM_TYPE,
    stat_prefix: 'http',
    rds: { route_config_name: routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
    ...extra,
  };
}

export function httpChain(config: HttpConnectionManager & { '@type': string }, extra: Partial<FilterChain> = {}): FilterChain {
  return { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: config }], ...extra };
}

export function listener(name: string, port: number, chains: FilterChain[]): Listener {
  return { name, address: { socket_address: { address: '0.0.0.0', port_value: port } }, filter_chains: chains };
}

export function httpListener(port: number, routeConfigName = `http-${port}`, extra: Partial<HttpConnectionManager> = {}): Listener {
  return listener(`listener-${port}`, port, [httpChain(hcm(routeConfigName, extra))]);
}

export function routeTable(name: string, virtualHosts: VirtualHost[], extra: Partial<RouteConfiguration> = {}): RouteConfiguration {
  return { name, virtual_hosts: virtualHosts, ...extra };
}

export function vhost(name: string, domains: string[], routes: Route[], extra: Partial<VirtualHost> = {}): VirtualHost {
  return { name, domains, routes, ...extra };
}

export function toCluster(cluster: string, match: RouteMatch, extra: Partial<Route> = {}): Route {
  return { match, route: { cluster }, ...extra };
}

export function cluster(name: string, backend?: { kind?: string; namespace?: string; name: string; port: number }): Cluster {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: { seconds: 5 },
    ...(backend
      ? {
          metadata: switchyardMeta({
            kind: backend.kind ?? 'Service',
            namespace: backend.namespace ?? 'default',
            name: backend.name,
            port: String(backend.port),
          }),
        }
      : {}),
  };
}

export function loadAssignment(clusterName: string, addresses: string[]): ClusterLoadAssignment {
  return {
    cluster_name: clusterName,
    endpoints: [{ lb_endpoints: addresses.map((a) => ({ endpoint: { address: { socket_address: { address: a, port_value: 8080 } } } })) }],
  };
}

export function fleet(parts: Partial<EnvoyResources>): EnvoyResources {
  return { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [], ...parts };
}
