// Envoy's RouteMatch: a path specifier, then every header matcher, every
// query parameter matcher and the gRPC check must hold. Path specifiers look
// at the path without its query string.
import type { RouteMatch } from '@switchyard/protos/generated/envoy/config/route/v3/RouteMatch.js';
import type { HeaderMatcher } from '@switchyard/protos/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { QueryParameterMatcher } from '@switchyard/protos/generated/envoy/config/route/v3/QueryParameterMatcher.js';
import { headerValue, queryParameters, type RouterRequest } from './request.js';
import { InvalidRegexError, matchString, regexFullMatch, regexOf } from './string-matcher.js';

/** How the path matched; path rewrites need it (prefix_rewrite replaces the matched part). */
export type PathMatch =
  | { readonly kind: 'prefix' | 'path_separated_prefix'; readonly matched: string }
  | { readonly kind: 'path'; readonly matched: string }
  | { readonly kind: 'safe_regex'; readonly matched: string }
  | { readonly kind: 'unsupported'; readonly specifier: string };

export type MatchOutcome =
  { readonly matched: true; readonly path: PathMatch; readonly notes: readonly string[] } | { readonly matched: false; readonly notes: readonly string[] };

/**
 * `path` is the path without query, normalized as the connection manager
 * asks; the query comes from `req.query`.
 */
export function matchRoute(m: RouteMatch | null | undefined, req: RouterRequest, path: string): MatchOutcome {
  const notes: string[] = [];
  if (!m) return { matched: false, notes };
  try {
    const pm = matchPath(m, path);
    if (pm === undefined) return { matched: false, notes };
    if (pm.kind === 'unsupported') {
      notes.push(`path specifier ${pm.specifier} is not evaluated; route treated as not matching`);
      return { matched: false, notes };
    }
    for (const h of m.headers ?? []) if (!matchHeader(h, req)) return { matched: false, notes };
    const params = queryParameters(req.query);
    for (const q of m.query_parameters ?? []) if (!matchQueryParameter(q, params)) return { matched: false, notes };
    if (m.grpc && !isGrpc(req)) return { matched: false, notes };
    if ((m.dynamic_metadata ?? []).length > 0) {
      notes.push('dynamic_metadata matchers are not evaluated; route treated as not matching');
      return { matched: false, notes };
    }
    if (m.tls_context) {
      const wantPresented = m.tls_context.presented?.value;
      if (wantPresented !== undefined && wantPresented !== (req.scheme === 'https')) return { matched: false, notes };
      if (m.tls_context.validated?.value !== undefined) notes.push('tls_context.validated is not evaluated');
    }
    const rf = m.runtime_fraction?.default_value;
    if (rf) {
      const pct = fractionPercent(rf.numerator ?? 0, rf.denominator);
      if (pct <= 0) return { matched: false, notes };
      if (pct < 100) notes.push(`route matches only ${pct}% of requests (runtime_fraction); assumed to match`);
    }
    return { matched: true, path: pm, notes };
  } catch (e) {
    if (e instanceof InvalidRegexError) {
      notes.push(`${e.message}; Envoy would reject this route configuration`);
      return { matched: false, notes };
    }
    throw e;
  }
}

function matchPath(m: RouteMatch, path: string): PathMatch | undefined {
  const caseSensitive = m.case_sensitive?.value ?? true;
  const cmp = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  if (m.prefix !== undefined) {
    return cmp(path).startsWith(cmp(m.prefix)) ? { kind: 'prefix', matched: path.slice(0, m.prefix.length) } : undefined;
  }
  if (m.path !== undefined) {
    return cmp(path) === cmp(m.path) ? { kind: 'path', matched: path } : undefined;
  }
  if (m.safe_regex !== undefined && m.safe_regex !== null) {
    // case_sensitive does not apply to regexes.
    return regexFullMatch(regexOf(m.safe_regex), path) ? { kind: 'safe_regex', matched: path } : undefined;
  }
  if (m.path_separated_prefix !== undefined) {
    const p = m.path_separated_prefix;
    const head = cmp(path.slice(0, p.length));
    const ok = head === cmp(p) && (path.length === p.length || path.charAt(p.length) === '/');
    return ok ? { kind: 'path_separated_prefix', matched: path.slice(0, p.length) } : undefined;
  }
  if (m.connect_matcher) return { kind: 'unsupported', specifier: 'connect_matcher' };
  if (m.path_match_policy) return { kind: 'unsupported', specifier: 'path_match_policy' };
  return { kind: 'unsupported', specifier: '(none)' };
}

/** Envoy's HeaderMatcher, including invert_match and treat_missing_header_as_empty. */
export function matchHeader(h: HeaderMatcher, req: RouterRequest): boolean {
  const invert = h.invert_match === true;
  const value = headerValue(req, h.name ?? '');
  if (h.present_match !== undefined) return ((value !== undefined) === h.present_match) !== invert;
  if (value === undefined && h.treat_missing_header_as_empty !== true) return invert;
  const v = value ?? '';
  let matched: boolean;
  if (h.string_match) matched = matchString(h.string_match, v);
  else if (h.exact_match !== undefined) matched = h.exact_match === '' || v === h.exact_match;
  else if (h.safe_regex_match) matched = regexFullMatch(regexOf(h.safe_regex_match), v);
  else if (h.prefix_match !== undefined) matched = v.startsWith(h.prefix_match);
  else if (h.suffix_match !== undefined) matched = v.endsWith(h.suffix_match);
  else if (h.contains_match !== undefined) matched = v.includes(h.contains_match);
  else if (h.range_match) {
    const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
    matched = !Number.isNaN(n) && n >= Number(h.range_match.start ?? 0) && n < Number(h.range_match.end ?? 0);
  } else matched = true; // No specifier: the header only has to be present.
  return matched !== invert;
}

/** Envoy's QueryParameterMatcher: the first value of the named parameter decides. */
export function matchQueryParameter(q: QueryParameterMatcher, params: ReadonlyArray<readonly [string, string]>): boolean {
  const found = params.find(([n]) => n === q.name);
  if (!found) return false;
  if (q.present_match === true) return true;
  if (!q.string_match) return true;
  return matchString(q.string_match, found[1]);
}

function isGrpc(req: RouterRequest): boolean {
  const ct = headerValue(req, 'content-type') ?? '';
  return ct === 'application/grpc' || ct.startsWith('application/grpc+') || ct.startsWith('application/grpc;');
}

export function fractionPercent(numerator: number, denominator: unknown): number {
  const d = denominator === 'TEN_THOUSAND' || denominator === 1 ? 10_000 : denominator === 'MILLION' || denominator === 2 ? 1_000_000 : 100;
  return Math.min(100, (numerator / d) * 100);
}
