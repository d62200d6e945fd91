// Envoy's CORS filter (envoy.filters.http.cors), applied with the policy the
// matched route carries: a preflight from an allowed origin is answered by
// Envoy itself (200 with the access-control-* headers); an actual request
// from an allowed origin goes upstream and its response gains
// access-control-allow-origin (and -credentials, -expose-headers).
import type { StringMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/StringMatcher.js';
import { CORS_FILTER } from '@switchyard/protos';
import type { FilterConfigRef, HeaderList } from './types.js';
import { matchString } from './string-matcher.js';
import { fractionPercent } from './route-match.js';
import { headerValue, type RouterRequest } from './request.js';

/** What the CORS filter does with this request. */
export type CorsOutcome =
  /** A preflight from an allowed origin: Envoy answers it, the request never reaches a backend. */
  | { readonly kind: 'preflight'; readonly status: 200; readonly responseHeaders: HeaderList }
  /** An actual request from an allowed origin: these headers are added to the backend's response. */
  | { readonly kind: 'actual'; readonly responseHeaders: HeaderList }
  /**
   * The origin is not allowed: the request passes through untouched, except a
   * preflight when forward_not_matching_preflights is false, which Envoy
   * answers itself with a bare 200.
   */
  | {
      readonly kind: 'not-allowed';
      readonly preflight: boolean;
      readonly answeredByEnvoy: boolean;
      /** What Envoy's own 200 carries when it answers: every preflight header but access-control-allow-origin. */
      readonly responseHeaders: HeaderList;
    };

interface CorsPolicyFields {
  allow_origin_string_match?: StringMatcher[];
  allow_methods?: string;
  allow_headers?: string;
  expose_headers?: string;
  max_age?: string;
  allow_credentials?: { value?: boolean } | null;
  filter_enabled?: { default_value?: { numerator?: number; denominator?: unknown } | null } | null;
  forward_not_matching_preflights?: { value?: boolean } | null;
}

/**
 * `filterConfigs` are the route's per-filter configs, most specific first;
 * the CORS filter uses the first one for it. Undefined when the connection
 * manager has no CORS filter, or no policy applies.
 */
export function evaluateCors(httpFilters: readonly string[], filterConfigs: readonly FilterConfigRef[], req: RouterRequest): CorsOutcome | undefined {
  if (!httpFilters.includes(CORS_FILTER)) return undefined;
  const ref = filterConfigs.find((f) => f.filter === CORS_FILTER);
  if (!ref) return undefined;
  const p = ref.config as CorsPolicyFields;
  const enabled = p.filter_enabled?.default_value;
  if (enabled && fractionPercent(enabled.numerator ?? 0, enabled.denominator) <= 0) return undefined;
  const origin = headerValue(req, 'origin');
  if (origin === undefined || origin === '') return undefined;
  const preflight = req.method === 'OPTIONS' && (headerValue(req, 'access-control-request-method') ?? '') !== '';
  // Envoy treats a matcher that accepts the literal "*" as "any origin".
  const allowed = (p.allow_origin_string_match ?? []).some((m) => matchString(m, '*') || matchString(m, origin));
  const credentials = p.allow_credentials?.value === true;
  if (!allowed) {
    const answeredByEnvoy = preflight && p.forward_not_matching_preflights?.value === false;
    return { kind: 'not-allowed', preflight, answeredByEnvoy, responseHeaders: answeredByEnvoy ? preflightHeaders(p, req, credentials) : [] };
  }
  const headers: Array<[string, string]> = [['access-control-allow-origin', origin]];
  if (preflight) {
    // Envoy's answer passes the filter's own encode step, which adds expose_headers as for any allowed origin.
    const expose: HeaderList = p.expose_headers ? [['access-control-expose-headers', p.expose_headers]] : [];
    return { kind: 'preflight', status: 200, responseHeaders: [...headers, ...preflightHeaders(p, req, credentials), ...expose] };
  }
  if (credentials) headers.push(['access-control-allow-credentials', 'true']);
  if (p.expose_headers) headers.push(['access-control-expose-headers', p.expose_headers]);
  return { kind: 'actual', responseHeaders: headers };
}

/**
 * The headers of a preflight answer besides access-control-allow-origin.
 * Envoy echoes the request's access-control-request-method (-headers) when
 * allow_methods (allow_headers) is exactly "*": what the Gateway API asks
 * with credentials, where a browser would read "*" as a literal name.
 */
function preflightHeaders(p: CorsPolicyFields, req: RouterRequest, credentials: boolean): HeaderList {
  const headers: Array<[string, string]> = [];
  if (credentials) headers.push(['access-control-allow-credentials', 'true']);
  const echo = (configured: string, asked: string): string => (configured === '*' ? (headerValue(req, asked) ?? '') : configured);
  if (p.allow_methods) headers.push(['access-control-allow-methods', echo(p.allow_methods, 'access-control-request-method')]);
  if (p.allow_headers) headers.push(['access-control-allow-headers', echo(p.allow_headers, 'access-control-request-headers')]);
  if (p.max_age) headers.push(['access-control-max-age', p.max_age]);
  return headers;
}
