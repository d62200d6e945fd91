// Listener from the IR: one per port and transport, a filter chain per
// FilterChainIR. HTTP chains run an HTTP connection manager that takes its
// routes over RDS (ADS) and has the CORS and router filters; WebSocket
// upgrades are allowed (Envoy forwards Upgrade only when a client asks).
// Virtual host matching ignores the Host port (route configuration
// ignore_port_in_host_matching); the backend still sees Host as sent.
import type { Listener } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';
import type { TcpProxy } from '@switchyard/protos/generated/envoy/extensions/filters/network/tcp_proxy/v3/TcpProxy.js';
import type { DownstreamTlsIR, FilterChainIR, HttpFilterChainIR, ListenerIR, RouteExternalAuthIR, TcpProxyFilterChainIR, UdpProxyIR } from '../ir/ir.js';
import { downstreamTlsContext, downstreamTransportSocket } from './tls-context.js';
import { routeMetadata } from './metadata.js';
import type { ObservabilityIR } from '../extensions/ir.js';
import { localRateLimitHttpFilter } from './local-ratelimit.js';
import { preRoutingHttpFilter, routeExternalAuthHttpFilters } from './ext-authz.js';
import { accessLog, decorateConnectionManager } from './observability.js';
import {
  CORS_FILTER,
  CORS_TYPE,
  HCM_TYPE,
  INVALID_TCP_BACKEND_CLUSTER,
  ROUTER_TYPE,
  TCP_PROXY_TYPE,
  TLS_INSPECTOR_TYPE,
  UDP_PROXY_TYPE,
  UDP_ROUTE_TYPE,
} from '@switchyard/protos';

/** Fleet-wide inputs of the HTTP connection managers (extensions/). */
export interface ConnectionManagerOptions {
  /** Route configurations with a rate-limited route: their connection managers need the local rate limit filter. */
  readonly rateLimitedRouteConfigs: ReadonlySet<string>;
  /** Route configurations -> the route rules' ExternalAuth filters their connection managers need. */
  readonly routeExternalAuth?: ReadonlyMap<string, readonly RouteExternalAuthIR[]>;
  readonly observability?: ObservabilityIR;
}

const NO_OPTIONS: ConnectionManagerOptions = { rateLimitedRouteConfigs: new Set() };

export function listener(l: ListenerIR, o: ConnectionManagerOptions = NO_OPTIONS): Listener {
  const out: Listener = {
    name: l.name,
    address: { socket_address: { protocol: l.transport, address: '0.0.0.0', port_value: l.port } },
    filter_chains: l.filterChains.map((c) => filterChain(c, o)),
  };
  // SNI and ALPN are only known to filter chain matching when the TLS
  // inspector has read the ClientHello (Envoy no longer adds it by itself).
  if (l.tlsInspector) out.listener_filters = [{ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': TLS_INSPECTOR_TYPE } }];
  if (l.udpProxy) {
    out.udp_listener_config = {};
    out.listener_filters = [{ name: 'envoy.filters.udp_listener.udp_proxy', typed_config: udpProxy(l.udpProxy) }];
  }
  return out;
}

function filterChain(c: FilterChainIR, o: ConnectionManagerOptions): FilterChain {
  switch (c.kind) {
    case 'http':
      return httpFilterChain(c, o);
    case 'tcp_proxy':
      return tcpProxyFilterChain(c, o);
  }
}

function filterChainMatch(
  serverNames: readonly string[] | undefined,
  tls: DownstreamTlsIR | undefined,
  tlsPort: boolean,
): FilterChain['filter_chain_match'] | undefined {
  const m: NonNullable<FilterChain['filter_chain_match']> = {};
  if (serverNames && serverNames.length > 0) m.server_names = [...serverNames];
  // On a TLS port every chain expects a ClientHello; plain-text bytes match no chain and are closed.
  if (tls || tlsPort) m.transport_protocol = 'tls';
  return Object.keys(m).length > 0 ? m : undefined;
}

function downstreamTls(t: DownstreamTlsIR): FilterChain['transport_socket'] {
  return downstreamTransportSocket(
    downstreamTlsContext({
      certificateSecretNames: t.certificateSecrets,
      ...(t.alpnProtocols ? { alpnProtocols: t.alpnProtocols } : {}),
      ...(t.clientValidation ? { clientValidation: { caSecretName: t.clientValidation.caSecret, mode: t.clientValidation.mode } } : {}),
    }),
  );
}

/**
 * TLSRoute / TCPRoute: tcp_proxy to weighted clusters. An invalid backend's
 * share goes to INVALID_TCP_BACKEND_CLUSTER, a defined cluster without
 * endpoints, so Envoy closes those connections (the TCP analogue of the 500
 * an HTTP route answers). Unlike HTTP routes, tcp_proxy has no
 * cluster_not_found_response_code, so the cluster must exist.
 */
function tcpProxyFilterChain(c: TcpProxyFilterChainIR, o: ConnectionManagerOptions): FilterChain {
  const shares = c.backends.filter((b) => b.weight > 0);
  const tcp: TcpProxy & { '@type': string } = { '@type': TCP_PROXY_TYPE, stat_prefix: c.name };
  const names = shares.map((b) => b.cluster ?? INVALID_TCP_BACKEND_CLUSTER);
  if (shares.length === 1) tcp.cluster = names[0]!;
  else if (shares.length === 0) tcp.cluster = INVALID_TCP_BACKEND_CLUSTER;
  else tcp.weighted_clusters = { clusters: shares.map((b, i) => ({ name: names[i]!, weight: b.weight })) };
  // One line per connection (HTTP-only fields print "-").
  if (o.observability?.accessLog) tcp.access_log = [accessLog(o.observability.accessLog)];
  const match = filterChainMatch(c.serverNames, c.tls, c.serverNames !== undefined || c.tls !== undefined);
  return {
    name: c.name,
    ...(match ? { filter_chain_match: match } : {}),
    ...(c.source ? { metadata: routeMetadata(c.source) } : {}),
    ...(c.tls ? { transport_socket: downstreamTls(c.tls) } : {}),
    filters: [{ name: 'envoy.filters.network.tcp_proxy', typed_config: tcp }],
  };
}

function udpProxy(u: UdpProxyIR): { '@type': string } {
  // The deprecated `cluster` field is replaced by a matcher whose
  // on_no_match action is the route; it carries no other rules.
  return {
    '@type': UDP_PROXY_TYPE,
    stat_prefix: u.name,
    matcher: { on_no_match: { action: { name: 'route', typed_config: { '@type': UDP_ROUTE_TYPE, cluster: u.cluster } } } },
  } as { '@type': string };
}

function httpFilterChain(c: HttpFilterChainIR, o: ConnectionManagerOptions): FilterChain {
  const hcm: HttpConnectionManager & { '@type': string } = {
    '@type': HCM_TYPE,
    stat_prefix: c.name,
    codec_type: 'AUTO',
    rds: { route_config_name: c.routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [
      // Pre-routing (Gateway listener) filters first: they run before any route filter.
      ...(c.preRoutingFilters ?? []).map(preRoutingHttpFilter),
      { name: CORS_FILTER, typed_config: { '@type': CORS_TYPE } },
      // Route rules' ExternalAuth: on, each route table turns off those its route does not use.
      ...routeExternalAuthHttpFilters(o.routeExternalAuth?.get(c.routeConfigName) ?? []),
      // Disabled here; rate-limited routes enable it with their own bucket.
      ...(o.rateLimitedRouteConfigs.has(c.routeConfigName) ? [localRateLimitHttpFilter()] : []),
      { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } },
    ],
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    // Envoy's edge recommendations: route on the RFC 3986-normalized path with repeated slashes
    // merged, so "/admin/../public" or "//admin" cannot slip past a prefix match.
    normalize_path: { value: true },
    merge_slashes: true,
    use_remote_address: { value: true },
  };
  decorateConnectionManager(hcm, o.observability);
  const match = filterChainMatch(c.serverNames, c.tls, false);
  return {
    name: c.name,
    ...(match ? { filter_chain_match: match } : {}),
    ...(c.tls ? { transport_socket: downstreamTls(c.tls) } : {}),
    filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }],
  };
}
