// ExternalAuth in Envoy terms: the ext_authz HTTP filter
// (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz), talking to the
// authorization service's cluster over gRPC (Envoy's ext_authz protocol) or
// plain HTTP (2xx allows).
//
// Pre-routing filters (Gateway listener filters) sit first in the connection
// manager, disabled; a virtual host enables the ones of its listener with a
// FilterConfig, in the order the listener lists them. Envoy decides which
// disabled filters run from the route chosen when the request arrives, and
// a request matching no route would have none: so such a virtual host ends
// with a catch-all 404 route (what Envoy answers without a route anyway).
// After the filters, clear_route_cache makes Envoy choose the route again
// from the request as the filters left it: route matching once, after the
// last filter. The virtual host, chosen by Host/:authority, stays: those two
// headers are the only ones an authorization service may not change
// (decoder_header_mutation_rules drops such a mutation and goes on).
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { ExtAuthz } from '@switchyard/protos/generated/envoy/extensions/filters/http/ext_authz/v3/ExtAuthz.js';
import type { ExtAuthzPerRoute } from '@switchyard/protos/generated/envoy/extensions/filters/http/ext_authz/v3/ExtAuthzPerRoute.js';
import type { HttpFilter } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpFilter.js';
import type { ListStringMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/ListStringMatcher.js';
import { EXT_AUTHZ_PER_ROUTE_TYPE, EXT_AUTHZ_TYPE, FILTER_CONFIG_TYPE } from '@switchyard/protos';
import type { ExternalAuthIR, PreRoutingFilterIR, RouteConfigIR, RouteExternalAuthIR } from '../ir/ir.js';

/** Headers an authorization service cannot set on the request: the mutation is ignored, the request goes on. */
export const PROTECTED_HEADERS = '^(host|:authority|:status|content-length|transfer-encoding|connection|keep-alive|proxy-connection|upgrade|te|trailer)$';

/** How long Envoy waits for the authorization service before answering 403 (Envoy's ext_authz default is 200ms). */
const CHECK_TIMEOUT = { seconds: '10', nanos: 0 };

/** `preRouting`: a listener filter, after which the route is chosen again. */
export function extAuthzConfig(a: ExternalAuthIR, preRouting: boolean): ExtAuthz & { '@type': string } {
  const out: ExtAuthz & { '@type': string } = {
    '@type': EXT_AUTHZ_TYPE,
    transport_api_version: 'V3',
    // Listener filters: the route is chosen again after the check, from the request as the service left it.
    // A route's own filter runs once its route is chosen, and changes nothing about that choice.
    ...(preRouting ? { clear_route_cache: true } : {}),
    // Any header but Host and :authority may change (path and method included: route matching may use
    // them). Nor may the framing headers and :status of an HTTP service's answer, which describe that
    // answer, not the request it allows (an empty allowedResponseHeaders copies every header).
    decoder_header_mutation_rules: {
      allow_all_routing: { value: true },
      disallow_expression: { google_re2: {}, regex: PROTECTED_HEADERS },
    },
  };
  if (a.allowedHeaders.length > 0) out.allowed_headers = exactNames(a.allowedHeaders);
  if (a.forwardBodyMaxBytes) out.with_request_body = { max_request_bytes: a.forwardBodyMaxBytes, allow_partial_message: true };
  if (a.protocol === 'GRPC') {
    out.grpc_service = { envoy_grpc: { cluster_name: a.cluster, authority: a.authority }, timeout: CHECK_TIMEOUT };
  } else {
    out.http_service = {
      server_uri: { uri: `http://${a.authority}`, cluster: a.cluster, timeout: CHECK_TIMEOUT },
      ...(a.pathPrefix ? { path_prefix: a.pathPrefix } : {}),
      authorization_response: {
        // Empty list: every header of the allowing response (Host and :authority are refused above).
        allowed_upstream_headers: a.allowedResponseHeaders.length > 0 ? exactNames(a.allowedResponseHeaders) : { patterns: [{ safe_regex: { regex: '.*' } }] },
      },
    };
  }
  return out;
}

function exactNames(names: readonly string[]): ListStringMatcher {
  return { patterns: names.map((n) => ({ exact: n, ignore_case: true })) };
}

/** The connection manager's copy of a pre-routing filter: disabled until a virtual host enables it. */
export function preRoutingHttpFilter(f: PreRoutingFilterIR): HttpFilter {
  switch (f.kind) {
    case 'ExternalAuth':
      return { name: f.name, typed_config: extAuthzConfig(f.externalAuth, true), disabled: true };
  }
}

/**
 * typed_per_filter_config of a virtual host running these filters. The
 * FilterConfig carries a per-route config that changes nothing (empty
 * check settings), only so that it is a complete message.
 */
export function enablePreRoutingFilters(names: readonly string[]): Record<string, { '@type': string }> {
  const out: Record<string, { '@type': string }> = {};
  for (const name of names) {
    // Every pre-routing filter is an ext_authz (PreRoutingFilterIR).
    const perRoute: ExtAuthzPerRoute & { '@type': string } = { '@type': EXT_AUTHZ_PER_ROUTE_TYPE, check_settings: {} };
    out[name] = { '@type': FILTER_CONFIG_TYPE, config: perRoute, disabled: false } as { '@type': string };
  }
  return out;
}

// HTTPRoute rules' ExternalAuth: one ext_authz instance per rule, after the
// CORS filter (preflights are answered first) and enabled in the connection
// manager. The route table turns every instance off
// (ExtAuthzPerRoute.disabled) and the rule's routes turn theirs back on.
// Unlike FilterConfig's disabled flag, which Envoy reads once from the route
// chosen when the request arrives, ext_authz reads its per-route config when
// it runs, from the route chosen after the listener filters: a listener
// filter that changes the request so that it matches a rule with
// ExternalAuth cannot bypass the rule's check. A request that matches no
// route would have no per-route config and be checked by every instance, so
// each virtual host of such a table ends with the catch-all 404 route, and
// the table gets a "*" virtual host (404 only) if it has none.

/** The connection manager's copies of the route rules' ExternalAuth filters. */
export function routeExternalAuthHttpFilters(auths: readonly RouteExternalAuthIR[]): HttpFilter[] {
  return auths.map((a) => ({ name: a.name, typed_config: extAuthzConfig(a.config, false) }));
}

/** A route table's typed_per_filter_config: every rule's ext_authz off unless its route turns it on. */
export function routeExternalAuthOff(auths: readonly RouteExternalAuthIR[]): Record<string, { '@type': string }> {
  const out: Record<string, { '@type': string }> = {};
  for (const a of auths) out[a.name] = { '@type': EXT_AUTHZ_PER_ROUTE_TYPE, disabled: true } as ExtAuthzPerRoute & { '@type': string };
  return out;
}

/** A route's typed_per_filter_config entry turning its rule's ext_authz on. */
export function routeExternalAuthOn(a: RouteExternalAuthIR): Record<string, { '@type': string }> {
  return { [a.name]: { '@type': EXT_AUTHZ_PER_ROUTE_TYPE, check_settings: {} } as ExtAuthzPerRoute & { '@type': string } };
}

/** The rules' ExternalAuth filters a route table uses, each once, in route order. */
export function routeExternalAuths(rc: RouteConfigIR): RouteExternalAuthIR[] {
  const out = new Map<string, RouteExternalAuthIR>();
  for (const vh of rc.virtualHosts)
    for (const r of vh.routes) if (r.externalAuth && !out.has(r.externalAuth.name)) out.set(r.externalAuth.name, r.externalAuth);
  return [...out.values()];
}

/** The last route of a virtual host with pre-routing filters (so every request has a route, and its filters run) or a table with rule ExternalAuth. */
export function noRouteMatched(): Route {
  return { name: 'switchyard/no-matching-route', match: { prefix: '/' }, direct_response: { status: 404 } };
}
