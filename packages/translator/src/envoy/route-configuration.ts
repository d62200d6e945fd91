// RouteConfiguration from the IR: one per HTTP port, one virtual host per
// hostname, routes already in precedence order. How Gateway API semantics
// map onto Envoy:
// - PathPrefix is element-wise, so it becomes path_separated_prefix ("/" stays prefix "/").
// - Every regex is google_re2 (validated by the translator before it gets here).
// - ReplacePrefixMatch/ReplaceFullPath become regex_rewrite (prefix_rewrite
//   cannot express "/prefix" -> "/" without a double slash).
// - A weighted share whose backend is invalid points at INVALID_BACKEND_CLUSTER,
//   which is never defined, with cluster_not_found_response_code 500.
// - Header values go through Envoy's formatter, so a literal "%" is written "%%".
import { CORS_FILTER, CORS_POLICY_TYPE, INVALID_BACKEND_CLUSTER, type RouteConfiguration } from '@switchyard/protos';
import type { CorsPolicy } from '@switchyard/protos/generated/envoy/extensions/filters/http/cors/v3/CorsPolicy.js';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RouteAction } from '@switchyard/protos/generated/envoy/config/route/v3/RouteAction.js';
import type { RouteMatch } from '@switchyard/protos/generated/envoy/config/route/v3/RouteMatch.js';
import type { HeaderMatcher } from '@switchyard/protos/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { QueryParameterMatcher } from '@switchyard/protos/generated/envoy/config/route/v3/QueryParameterMatcher.js';
import type { RedirectAction } from '@switchyard/protos/generated/envoy/config/route/v3/RedirectAction.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import type { HeaderValueOption } from '@switchyard/protos/generated/envoy/config/core/v3/HeaderValueOption.js';
import type { RegexMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/RegexMatcher.js';
import type { RegexMatchAndSubstitute } from '@switchyard/protos/generated/envoy/type/matcher/v3/RegexMatchAndSubstitute.js';
import type { StringMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/StringMatcher.js';
import type { CorsIR, HeaderModifierIR, HttpMatchIR, HttpRouteIR, MirrorIR, PathMatchIR, RetryIR, RouteConfigIR, StringMatchIR } from '../ir/ir.js';
import { durationMs } from './duration.js';
import { routeMetadata } from './metadata.js';
import { applyRateLimit } from './local-ratelimit.js';
import { enablePreRoutingFilters, noRouteMatched, routeExternalAuthOff, routeExternalAuthOn, routeExternalAuths } from './ext-authz.js';

export function routeConfiguration(rc: RouteConfigIR): RouteConfiguration {
  const auths = routeExternalAuths(rc);
  const virtualHosts = rc.virtualHosts.map((vh): VirtualHost => {
    const out: VirtualHost = { name: vh.name, domains: [vh.hostname], routes: vh.routes.map(route) };
    if (vh.preRoutingFilters && vh.preRoutingFilters.length > 0) out.typed_per_filter_config = enablePreRoutingFilters(vh.preRoutingFilters);
    if ((vh.preRoutingFilters && vh.preRoutingFilters.length > 0) || auths.length > 0) out.routes!.push(noRouteMatched());
    return out;
  });
  if (auths.length > 0 && !rc.virtualHosts.some((vh) => vh.hostname === '*'))
    virtualHosts.push({ name: 'no-virtual-host', domains: ['*'], routes: [noRouteMatched()] });
  return {
    name: rc.name,
    virtual_hosts: virtualHosts,
    ...(auths.length > 0 ? { typed_per_filter_config: routeExternalAuthOff(auths) } : {}),
    // Clusters are pushed before routes (make-before-break); a missing one must not reject the whole config.
    validate_clusters: { value: false },
    // "example.com:8080" selects the "example.com" virtual host; Host itself is forwarded unchanged.
    ignore_port_in_host_matching: true,
  };
}

function route(r: HttpRouteIR): Route {
  const s = r.source;
  const out: Route = {
    name: `${s.kind.toLowerCase()}/${s.namespace}/${s.name}/rule/${s.rule}/match/${s.match}`,
    match: routeMatch(r.match),
    metadata: routeMetadata(s),
  };
  if (r.requestHeaders) Object.assign(out, headerMods(r.requestHeaders, 'request'));
  if (r.responseHeaders) Object.assign(out, headerMods(r.responseHeaders, 'response'));
  if (r.cors) out.typed_per_filter_config = { [CORS_FILTER]: corsPolicy(r.cors) };
  if (r.externalAuth) out.typed_per_filter_config = { ...out.typed_per_filter_config, ...routeExternalAuthOn(r.externalAuth) };
  const a = r.action;
  switch (a.kind) {
    case 'direct':
      out.direct_response = { status: a.status };
      break;
    case 'redirect': {
      const redirect: RedirectAction = { response_code: REDIRECT_CODE[a.statusCode] };
      if (a.scheme) redirect.scheme_redirect = a.scheme;
      if (a.hostname) redirect.host_redirect = a.hostname;
      if (a.port) redirect.port_redirect = a.port;
      if (a.path?.type === 'ReplaceFullPath') redirect.path_redirect = a.path.value;
      else if (a.path?.type === 'ReplacePrefixMatch') redirect.regex_rewrite = prefixRewrite(r.match.path, a.path.value);
      out.redirect = redirect;
      break;
    }
    case 'forward': {
      const ra: RouteAction = {};
      const plain = a.backends.length === 1 && a.backends[0]!.cluster !== null && !a.backends[0]!.requestHeaders && !a.backends[0]!.responseHeaders;
      if (plain) ra.cluster = a.backends[0]!.cluster as string;
      else {
        ra.weighted_clusters = {
          clusters: a.backends.map((b) => ({
            name: b.cluster ?? INVALID_BACKEND_CLUSTER,
            weight: { value: b.weight },
            ...(b.requestHeaders ? headerMods(b.requestHeaders, 'request') : {}),
            ...(b.responseHeaders ? headerMods(b.responseHeaders, 'response') : {}),
          })),
        };
        if (a.backends.some((b) => b.cluster === null)) ra.cluster_not_found_response_code = 'INTERNAL_SERVER_ERROR';
      }
      if (a.hostRewrite !== undefined) ra.host_rewrite_literal = a.hostRewrite;
      if (a.pathRewrite)
        ra.regex_rewrite = a.pathRewrite.type === 'ReplaceFullPath' ? fullPathRewrite(a.pathRewrite.value) : prefixRewrite(r.match.path, a.pathRewrite.value);
      if (a.timeouts?.requestMs !== undefined) ra.timeout = durationMs(a.timeouts.requestMs);
      else if (a.timeouts?.backendRequestMs !== undefined) ra.timeout = durationMs(a.timeouts.backendRequestMs);
      if (a.retry || a.timeouts?.backendRequestMs !== undefined) ra.retry_policy = retryPolicy(a.retry, a.timeouts?.backendRequestMs);
      if (a.mirrors.length > 0) ra.request_mirror_policies = a.mirrors.map(mirrorPolicy);
      out.route = ra;
      break;
    }
  }
  if (r.rateLimit) applyRateLimit(out, r.rateLimit);
  return out;
}

const REDIRECT_CODE = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
} as const;

export function regex(value: string): RegexMatcher {
  return { google_re2: {}, regex: value };
}

function routeMatch(m: HttpMatchIR): RouteMatch {
  const out: RouteMatch = pathMatch(m.path);
  const headers: HeaderMatcher[] = m.headers.map((h) => ({ name: h.name.toLowerCase(), string_match: stringMatch(h.match) }));
  if (m.method !== undefined) headers.push({ name: ':method', string_match: { exact: m.method } });
  if (headers.length > 0) out.headers = headers;
  if (m.queryParams.length > 0) out.query_parameters = m.queryParams.map((q): QueryParameterMatcher => ({ name: q.name, string_match: stringMatch(q.match) }));
  return out;
}

function pathMatch(p: PathMatchIR): RouteMatch {
  switch (p.type) {
    case 'Exact':
      return { path: p.value };
    case 'PathPrefix':
      return p.value === '/' ? { prefix: '/' } : { path_separated_prefix: p.value };
    case 'RegularExpression':
      return { safe_regex: regex(p.value) };
  }
}

function stringMatch(m: StringMatchIR): StringMatcher {
  return m.type === 'Exact' ? { exact: m.value } : { safe_regex: regex(m.value) };
}

function escapeRe2(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function fullPathRewrite(value: string): RegexMatchAndSubstitute {
  return { pattern: regex('^/.*$'), substitution: value };
}

/**
 * ReplacePrefixMatch: the matched prefix P (element-wise, no trailing "/")
 * is replaced by R (trailing "/" dropped); the rest of the path follows.
 * "/prefix/one" -> "/one" turns "/prefix/one/two" into "/one/two"; R = "/"
 * turns "/strip" into "/" and "/strip/x" into "/x".
 */
export function prefixRewrite(match: PathMatchIR, replacement: string): RegexMatchAndSubstitute {
  const p = match.value === '/' ? '' : match.value.replace(/\/+$/, '');
  const r = replacement.replace(/\/+$/, '');
  if (r === '') return { pattern: regex(`^${escapeRe2(p)}/*(.*)$`), substitution: '/\\1' };
  return { pattern: regex(`^${escapeRe2(p)}(/.*)?$`), substitution: `${r}\\1` };
}

function escapeFormatter(v: string): string {
  return v.replace(/%/g, '%%');
}

function headerMods(
  m: HeaderModifierIR,
  which: 'request' | 'response',
): Pick<Route, 'request_headers_to_add' | 'request_headers_to_remove' | 'response_headers_to_add' | 'response_headers_to_remove'> {
  const add: HeaderValueOption[] = [
    ...m.set.map((h): HeaderValueOption => ({ header: { key: h.name, value: escapeFormatter(h.value) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...m.add.map((h): HeaderValueOption => ({ header: { key: h.name, value: escapeFormatter(h.value) }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  const out: Pick<Route, 'request_headers_to_add' | 'request_headers_to_remove' | 'response_headers_to_add' | 'response_headers_to_remove'> = {};
  if (which === 'request') {
    if (add.length > 0) out.request_headers_to_add = add;
    if (m.remove.length > 0) out.request_headers_to_remove = [...m.remove];
  } else {
    if (add.length > 0) out.response_headers_to_add = add;
    if (m.remove.length > 0) out.response_headers_to_remove = [...m.remove];
  }
  return out;
}

function retryPolicy(r: RetryIR | undefined, perTryMs: number | undefined): NonNullable<RouteAction['retry_policy']> {
  // The spec (v1.7): with a retry stanza, retry when the backend did not process the request — the
  // connection could not be made, the stream was refused, or it was reset before the request went
  // out — and on the codes. A reset after the request was sent is not retried (unsafe for non-idempotent requests).
  const on = ['connect-failure', 'refused-stream', 'reset-before-request'];
  if (r && r.codes.length > 0) on.push('retriable-status-codes');
  return {
    // Without a retry stanza the policy only carries the per-try (backend request) timeout.
    retry_on: r ? on.join(',') : '',
    num_retries: { value: r ? r.attempts : 0 },
    ...(r && r.codes.length > 0 ? { retriable_status_codes: [...r.codes] } : {}),
    ...(r?.backoffMs !== undefined ? { retry_back_off: { base_interval: durationMs(r.backoffMs) } } : {}),
    ...(perTryMs !== undefined && perTryMs > 0 ? { per_try_timeout: durationMs(perTryMs) } : {}),
  };
}

function mirrorPolicy(m: MirrorIR): NonNullable<RouteAction['request_mirror_policies']>[number] {
  const { numerator, denominator } = m.fraction;
  if (numerator >= denominator) return { cluster: m.cluster };
  const fraction =
    denominator === 100
      ? { numerator, denominator: 'HUNDRED' as const }
      : denominator === 10_000
        ? { numerator, denominator: 'TEN_THOUSAND' as const }
        : { numerator: Math.round((numerator * 1_000_000) / denominator), denominator: 'MILLION' as const };
  return { cluster: m.cluster, runtime_fraction: { default_value: fraction } };
}

/** Origin patterns: "*" any; "https://*.example.com" one or more labels in place of "*"; otherwise exact. */
function corsPolicy(c: CorsIR): CorsPolicy & { '@type': string } {
  const origins: StringMatcher[] = c.allowOrigins.map((o) => {
    if (o === '*') return { safe_regex: regex('.*') };
    // "*" stands for one or more DNS labels.
    if (o.includes('*')) return { safe_regex: regex(o.split('*').map(escapeRe2).join('[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*')) };
    return { exact: o };
  });
  return {
    '@type': CORS_POLICY_TYPE,
    allow_origin_string_match: origins,
    ...(c.allowMethods.length > 0 ? { allow_methods: c.allowMethods.join(',') } : {}),
    ...(c.allowHeaders.length > 0 ? { allow_headers: c.allowHeaders.join(',') } : {}),
    ...(c.exposeHeaders.length > 0 ? { expose_headers: c.exposeHeaders.join(',') } : {}),
    max_age: String(c.maxAgeSeconds),
    allow_credentials: { value: c.allowCredentials },
    // A preflight from an origin not allowed is answered by Envoy (without CORS headers), not forwarded.
    forward_not_matching_preflights: { value: false },
  };
}
