// Listener from the IR: one per port and transport, a filter chain per
// FilterChainIR. HTTP chains run an HTTP connection manager that takes its
// routes over RDS (ADS) and has the CORS and router filters; WebSocket
// upgrades are allowed (Envoy forwards Upgrade only when a client asks).
// The port is stripped from Host before routing, so virtual host domains
// and redirect Locations never depend on a client's Host port.
import type { Listener } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';
import type { FilterChainIR, HttpFilterChainIR, ListenerIR } from '../ir/ir.js';
import { CORS_FILTER_NAME } from './route-configuration.js';

export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';

export function listener(l: ListenerIR): Listener {
  return {
    name: l.name,
    address: { socket_address: { protocol: l.transport, address: '0.0.0.0', port_value: l.port } },
    filter_chains: l.filterChains.map(filterChain),
  };
}

function filterChain(c: FilterChainIR): FilterChain {
  switch (c.kind) {
    case 'http':
      return httpFilterChain(c);
  }
}

function httpFilterChain(c: HttpFilterChainIR): FilterChain {
  const hcm: HttpConnectionManager & { '@type': string } = {
    '@type': HCM_TYPE,
    stat_prefix: c.name,
    codec_type: 'AUTO',
    rds: { route_config_name: c.routeConfigName, config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [
      { name: CORS_FILTER_NAME, typed_config: { '@type': CORS_TYPE } },
      { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } },
    ],
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    strip_any_host_port: true,
    use_remote_address: { value: true },
  };
  return {
    name: c.name,
    ...(c.serverNames ? { filter_chain_match: { server_names: [...c.serverNames] } } : {}),
    filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }],
  };
}
