// HTTPRoute: matches (path, headers, query parameters, method), timeouts and
// retry per rule, then the shared rule builder for filters and backends.
import type { HTTPHeaderMatch, HTTPQueryParamMatch, HTTPRoute, HTTPRouteMatch, HTTPRouteRetry, HTTPRouteRule, HTTPRouteTimeouts } from '@switchyard/api';
import type { HeaderMatchIR, HttpMatchIR, PathMatchIR, RetryIR, TimeoutsIR } from '../ir/ir.js';
import type { ClusterTable } from './cluster-table.js';
import { RouteReason } from './conditions.js';
import type { TranslationContext } from './context.js';
import { parseDuration } from './duration.js';
import { HTTP_RULE_FILTERS, headerNameProblem } from './http-filters.js';
import { buildHttpRouteRules, readMatches } from './http-route-rules.js';
import type { FieldProblem, RouteBuild } from './route-build.js';
import type { GatewayIndex } from './route-parents.js';

export function buildHTTPRoute(route: HTTPRoute, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  return buildHttpRouteRules('HTTPRoute', route, gateways, clusters, ctx, (rule: HTTPRouteRule, field, problems) => {
    const matches = parseMatches(rule.matches, `${field}.matches`, ctx, problems);
    const timeouts = parseTimeouts(rule.timeouts, `${field}.timeouts`, problems);
    const retry = parseRetry(rule.retry, `${field}.retry`, problems);
    return { matches, ruleFilters: HTTP_RULE_FILTERS, traffic: 'http', ...(timeouts ? { timeouts } : {}), ...(retry ? { retry } : {}) };
  });
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export function parseMatches(raw: unknown, field: string, ctx: TranslationContext, problems: FieldProblem[]): HttpMatchIR[] {
  return readMatches(raw, field, problems, (m: HTTPRouteMatch, f) => {
    const path = parsePath(m.path, `${f}.path`, ctx, problems);
    const headers = parseNameValueMatches(m.headers, `${f}.headers`, ctx, problems, true);
    const queryParams = parseNameValueMatches(m.queryParams, `${f}.queryParams`, ctx, problems, false);
    if (m.method !== undefined && !METHODS.has(m.method))
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.method: ${String(m.method)} is not an HTTP method` });
    if (!path || !headers || !queryParams) return undefined;
    return { path, headers, queryParams, ...(m.method !== undefined && METHODS.has(m.method) ? { method: m.method } : {}) };
  });
}

function parsePath(p: HTTPRouteMatch['path'], field: string, ctx: TranslationContext, problems: FieldProblem[]): PathMatchIR | undefined {
  const type = p?.type ?? 'PathPrefix';
  const value = p?.value ?? '/';
  if (typeof value !== 'string') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.value must be a string` });
    return undefined;
  }
  switch (type) {
    case 'Exact':
    case 'PathPrefix': {
      // The CRD requires the leading "/" for these two types only; a RegularExpression may start anywhere.
      if (!value.startsWith('/')) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.value must start with "/"` });
        return undefined;
      }
      if (/[?#\x00-\x1f\x7f]/.test(value) || value.includes('//') || /(^|\/)\.\.?(\/|$)/.test(value)) {
        problems.push({
          reason: RouteReason.UnsupportedValue,
          message: `${field}.value "${value}" must be a normalized path without "?", "#", "//", "." or ".." segments`,
        });
        return undefined;
      }
      if (type === 'Exact') return { type, value };
      // "a trailing / is ignored": /abc/ matches like /abc, element by element.
      const trimmed = value.length > 1 ? value.replace(/\/+$/, '') || '/' : value;
      return { type, value: trimmed };
    }
    case 'RegularExpression': {
      const problem = ctx.regexProblem(value);
      if (problem) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.value: ${problem}` });
        return undefined;
      }
      return { type, value };
    }
    default:
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type: ${String(type)} is not Exact, PathPrefix or RegularExpression` });
      return undefined;
  }
}

/** Header and query parameter matches; for equal names only the first entry counts (as the spec says). */
export function parseNameValueMatches(
  raw: unknown,
  field: string,
  ctx: TranslationContext,
  problems: FieldProblem[],
  caseInsensitiveNames: boolean,
): HeaderMatchIR[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} must be a list` });
    return undefined;
  }
  const out: HeaderMatchIR[] = [];
  const seen = new Set<string>();
  let ok = true;
  raw.forEach((h: HTTPHeaderMatch | HTTPQueryParamMatch, i: number) => {
    const f = `${field}[${i}]`;
    const nameProblem = caseInsensitiveNames
      ? headerNameProblem(h?.name)
      : typeof h?.name === 'string' && h.name.length > 0 && !/[\x00-\x20&=#?\x7f]/.test(h.name)
        ? undefined
        : `"${String(h?.name)}" is not a valid query parameter name`;
    if (nameProblem) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.name: ${nameProblem}` });
      ok = false;
      return;
    }
    if (typeof h.value !== 'string') {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.value must be a string` });
      ok = false;
      return;
    }
    const key = caseInsensitiveNames ? h.name.toLowerCase() : h.name;
    if (seen.has(key)) return;
    seen.add(key);
    const type = h.type ?? 'Exact';
    if (type === 'Exact') out.push({ name: h.name, match: { type, value: h.value } });
    else if (type === 'RegularExpression') {
      const problem = ctx.regexProblem(h.value);
      if (problem) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.value: ${problem}` });
        ok = false;
        return;
      }
      out.push({ name: h.name, match: { type, value: h.value } });
    } else {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.type: ${String(type)} is not Exact or RegularExpression` });
      ok = false;
    }
  });
  return ok ? out : undefined;
}

function parseTimeouts(t: HTTPRouteTimeouts | undefined, field: string, problems: FieldProblem[]): TimeoutsIR | undefined {
  if (t === undefined || t === null) return undefined;
  const out: { requestMs?: number; backendRequestMs?: number } = {};
  if (t.request !== undefined) {
    const ms = parseDuration(t.request);
    if (ms === undefined)
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.request: "${String(t.request)}" is not a duration like 10s or 500ms` });
    else out.requestMs = ms;
  }
  if (t.backendRequest !== undefined) {
    const ms = parseDuration(t.backendRequest);
    if (ms === undefined)
      problems.push({
        reason: RouteReason.UnsupportedValue,
        message: `${field}.backendRequest: "${String(t.backendRequest)}" is not a duration like 10s or 500ms`,
      });
    else out.backendRequestMs = ms;
  }
  if (
    out.requestMs !== undefined &&
    out.backendRequestMs !== undefined &&
    out.requestMs !== 0 &&
    (out.backendRequestMs === 0 || out.backendRequestMs > out.requestMs)
  ) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.backendRequest must not be longer than ${field}.request` });
  }
  return out.requestMs === undefined && out.backendRequestMs === undefined ? undefined : out;
}

function parseRetry(r: HTTPRouteRetry | undefined, field: string, problems: FieldProblem[]): RetryIR | undefined {
  if (r === undefined || r === null) return undefined;
  const codes = r.codes ?? [];
  if (!Array.isArray(codes) || !codes.every((c) => Number.isInteger(c) && c >= 400 && c <= 599)) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.codes must be HTTP status codes 400-599` });
    return undefined;
  }
  const attempts = r.attempts ?? 1;
  // The CRD sets no maximum; Envoy's num_retries is a uint32.
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > 0xffffffff) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.attempts must be a non-negative integer` });
    return undefined;
  }
  let backoffMs: number | undefined;
  if (r.backoff !== undefined) {
    backoffMs = parseDuration(r.backoff);
    if (backoffMs === undefined || backoffMs === 0) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.backoff: "${String(r.backoff)}" is not a positive duration` });
      return undefined;
    }
  }
  return { codes: [...new Set(codes)].sort((a, b) => a - b), attempts, ...(backoffMs !== undefined ? { backoffMs } : {}) };
}
