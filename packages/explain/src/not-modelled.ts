// What the model does not evaluate, so an answer can say so instead of
// silently ignoring it: HTTP filters other than the router, CORS and local
// rate limit (Lua, ext_authz — Gateway listener filters and ExternalAuth —,
// JWT, RBAC, wasm, external processing, fault injection, …), and route table fields outside the lists below. docs/explain.md
// has the same lists as a table; keep them together.
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RouteConfiguration } from '@switchyard/protos/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import { CORS_TYPE, EXT_AUTHZ_PER_ROUTE_TYPE, FILTER_CONFIG_TYPE, LOCAL_RATE_LIMIT_TYPE, ROUTER_TYPE } from '@switchyard/protos';

/** HTTP filters (by typed_config @type) whose effect the model evaluates. */
export const MODELLED_HTTP_FILTERS: ReadonlySet<string> = new Set([ROUTER_TYPE, CORS_TYPE, LOCAL_RATE_LIMIT_TYPE]);

// Fields that are evaluated, or cannot change which upstream a request
// reaches or what the client receives (names, stats, tracing decoration).
const ROUTE_CONFIGURATION_FIELDS = new Set([
  'name',
  'virtual_hosts',
  'vhds',
  'ignore_port_in_host_matching',
  'most_specific_header_mutations_wins',
  'request_headers_to_add',
  'request_headers_to_remove',
  'response_headers_to_add',
  'response_headers_to_remove',
  'request_mirror_policies',
  'typed_per_filter_config',
  'validate_clusters',
  'metadata',
  'internal_only_headers',
]);
const VIRTUAL_HOST_FIELDS = new Set([
  'name',
  'domains',
  'routes',
  'require_tls',
  'cors',
  'retry_policy',
  'request_mirror_policies',
  'typed_per_filter_config',
  'request_headers_to_add',
  'request_headers_to_remove',
  'response_headers_to_add',
  'response_headers_to_remove',
  'metadata',
  'virtual_clusters',
  'include_request_attempt_count',
  'include_attempt_count_in_response',
]);
const ROUTE_FIELDS = new Set([
  'name',
  'match',
  'route',
  'redirect',
  'direct_response',
  'filter_action',
  'non_forwarding_action',
  'metadata',
  'decorator',
  'tracing',
  'stat_prefix',
  'typed_per_filter_config',
  'request_headers_to_add',
  'request_headers_to_remove',
  'response_headers_to_add',
  'response_headers_to_remove',
]);
const ROUTE_ACTION_FIELDS = new Set([
  'cluster',
  'cluster_header',
  'weighted_clusters',
  'cluster_not_found_response_code',
  'prefix_rewrite',
  'regex_rewrite',
  'host_rewrite_literal',
  'auto_host_rewrite',
  'host_rewrite_header',
  'host_rewrite_path_regex',
  'timeout',
  'idle_timeout',
  'max_stream_duration',
  'retry_policy',
  'request_mirror_policies',
  'upgrade_configs',
  'rate_limits',
  'cors',
  'hash_policy',
  'priority',
  'metadata_match',
]);

// Client-address criteria: no client address is given, so a chain that has them is taken as matching.
const FILTER_CHAIN_MATCH_FIELDS = new Set(['destination_port', 'server_names', 'transport_protocol', 'application_protocols']);

/** Criteria of the selected filter chain's match that the model does not evaluate. */
export function notModelledFilterChainFields(match: object | null | undefined): string[] {
  return present(match)
    .filter((k) => !FILTER_CHAIN_MATCH_FIELDS.has(k))
    .map((k) => `FilterChainMatch.${k}`);
}

function present(o: object | null | undefined): string[] {
  if (!o) return [];
  return Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k]) => k);
}

/** Where a request's per-filter configs come from, most specific first: route, virtual host, route table. */
export type FilterConfigScopes = ReadonlyArray<{ readonly typed_per_filter_config?: Record<string, unknown> | null } | undefined>;

/**
 * Whether an HTTP filter runs for a request (Envoy's route-based filter
 * chain): the most specific per-filter config naming it decides (a
 * FilterConfig or an ext_authz per-route config by its disabled flag, any
 * other config enables it); without
 * one, the connection manager's disabled flag does.
 */
export function httpFilterRuns(f: { name?: string; disabled?: boolean }, scopes: FilterConfigScopes = []): boolean {
  for (const s of scopes) {
    const c = s?.typed_per_filter_config?.[f.name ?? ''] as { '@type'?: string; disabled?: boolean } | undefined;
    if (!c) continue;
    // FilterConfig's flag, or a filter's own per-route "disabled" (ext_authz: HTTPRoute ExternalAuth).
    return c['@type'] === FILTER_CONFIG_TYPE || c['@type'] === EXT_AUTHZ_PER_ROUTE_TYPE ? c.disabled !== true : true;
  }
  return f.disabled !== true;
}

/** "name (type)" of each HTTP filter running for the request (see httpFilterRuns) that the model does not evaluate. */
export function notModelledHttpFilters(hcm: HttpConnectionManager, scopes: FilterConfigScopes = []): string[] {
  return (hcm.http_filters ?? [])
    .filter((f) => httpFilterRuns(f, scopes))
    .filter((f) => {
      const t = (f.typed_config as { '@type'?: string } | null | undefined)?.['@type'] ?? '';
      return !MODELLED_HTTP_FILTERS.has(t);
    })
    .map((f) => {
      const t = (f.typed_config as { '@type'?: string } | null | undefined)?.['@type'];
      return `HTTP filter ${f.name ?? ''}${t ? ` (${t.slice(t.lastIndexOf('/') + 1)})` : ''}`;
    });
}

/** Route table fields on the request's path the model does not evaluate. */
export function notModelledRouteFields(table: RouteConfiguration, vh: VirtualHost | undefined, route: Route | undefined): string[] {
  const out: string[] = [];
  for (const k of present(table)) if (!ROUTE_CONFIGURATION_FIELDS.has(k)) out.push(`RouteConfiguration.${k}`);
  for (const k of present(vh)) if (!VIRTUAL_HOST_FIELDS.has(k)) out.push(`VirtualHost.${k}`);
  for (const k of present(route)) if (!ROUTE_FIELDS.has(k)) out.push(`Route.${k}`);
  for (const k of present(route?.route)) if (!ROUTE_ACTION_FIELDS.has(k)) out.push(`RouteAction.${k}`);
  return out;
}
