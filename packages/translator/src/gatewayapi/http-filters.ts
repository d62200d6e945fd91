// HTTPRoute and GRPCRoute filters (spec.rules[].filters and
// backendRefs[].filters) resolved into IR: header modifiers, redirect,
// URL rewrite, mirrors, CORS, ExtensionRef, ExternalAuth (HTTPRoute rules). Problems are sorted into those
// that invalidate the rule (dropped, Accepted/PartiallyInvalid) and
// unresolved references (ResolvedRefs=False).
import type {
  HTTPCORSFilter,
  HTTPHeaderFilter,
  HTTPPathModifier,
  HTTPRequestMirrorFilter,
  HTTPRequestRedirectFilter,
  HTTPRouteFilter,
  HTTPURLRewriteFilter,
} from '@switchyard/api';
import type { ClusterIR, CorsIR, ExternalAuthIR, HeaderModifierIR, HeaderValueIR, MirrorIR, PathRewriteIR } from '../ir/ir.js';
import type { ClusterTable } from './cluster-table.js';
import { RouteReason } from './conditions.js';
import { hostnameProblem } from './hostname.js';
import type { FieldProblem } from './route-build.js';
import type { RouteTraffic } from './backends.js';
import type { LocalRateLimitIR } from '../extensions/ir.js';
import { resolveExtensionRef } from '../extensions/ratelimit.js';
import { resolveExternalAuth } from './externalauth.js';

export interface RedirectSpec {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: PathRewriteIR;
  readonly statusCode: 301 | 302 | 303 | 307 | 308;
}

export interface FilterOutcome {
  requestHeaders?: HeaderModifierIR;
  responseHeaders?: HeaderModifierIR;
  redirect?: RedirectSpec;
  hostRewrite?: string;
  pathRewrite?: PathRewriteIR;
  mirrors: MirrorIR[];
  cors?: CorsIR;
  /** A RateLimit (switchyard.dev) from an ExtensionRef filter. */
  rateLimit?: LocalRateLimitIR;
  /** ExternalAuth: the authorization service and its cluster. */
  externalAuth?: { readonly config: ExternalAuthIR; readonly cluster: ClusterIR };
  /** An unresolvable ExtensionRef or ExternalAuth: the spec requires an error response instead of skipping the filter. */
  fail500: boolean;
  ruleProblems: FieldProblem[];
  refProblems: FieldProblem[];
}

export interface FilterScope {
  readonly routeKind: 'HTTPRoute' | 'GRPCRoute';
  readonly namespace: string;
  /** e.g. "spec.rules[2].filters" */
  readonly field: string;
  readonly traffic: RouteTraffic;
  readonly clusters: ClusterTable;
  /** Filter types allowed here (per kind, and narrower on backendRefs). */
  readonly allowed: ReadonlySet<string>;
}

export const HTTP_RULE_FILTERS = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'URLRewrite',
  'RequestMirror',
  'CORS',
  'ExtensionRef',
  'ExternalAuth',
]);
export const GRPC_RULE_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'ExtensionRef']);
/** On a backendRef only header modifiers make sense per backend (Envoy ClusterWeight carries them). */
export const BACKEND_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'ExtensionRef']);
/**
 * An HTTPRoute backendRef may also rewrite the URL (HTTPRouteBackendURLRewrite). Envoy rewrites per
 * route, not per weighted cluster, so http-rule.ts applies it when the rule has that one backend.
 */
export const HTTP_BACKEND_FILTERS = new Set([...BACKEND_FILTERS, 'URLRewrite']);

const KNOWN_FILTER_TYPES: ReadonlySet<string> = HTTP_RULE_FILTERS;

export function applyFilters(filters: unknown, scope: FilterScope): FilterOutcome {
  const out: FilterOutcome = { mirrors: [], fail500: false, ruleProblems: [], refProblems: [] };
  if (filters === undefined || filters === null) return out;
  if (!Array.isArray(filters)) {
    out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${scope.field} must be a list` });
    return out;
  }
  const seen = new Set<string>();
  filters.forEach((raw: unknown, i: number) => {
    const field = `${scope.field}[${i}]`;
    const f = raw as HTTPRouteFilter;
    if (!f || typeof f !== 'object' || typeof f.type !== 'string') {
      out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type is required` });
      return;
    }
    if (!KNOWN_FILTER_TYPES.has(f.type)) {
      // The guide's RequestRateLimit filter has a Switchyard equivalent: say which.
      const hint = (f.type as string) === 'RequestRateLimit' ? ' (for rate limits use an ExtensionRef to a switchyard.dev RateLimit)' : '';
      out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type: ${f.type} is not a known filter type${hint}` });
      return;
    }
    if (!scope.allowed.has(f.type)) {
      out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type: ${f.type} is not supported here by Switchyard` });
      return;
    }
    // Filters other than RequestMirror may appear at most once per list.
    if (f.type !== 'RequestMirror' && f.type !== 'ExtensionRef') {
      if (seen.has(f.type)) {
        out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}: ${f.type} may appear only once` });
        return;
      }
      seen.add(f.type);
    }
    switch (f.type) {
      case 'RequestHeaderModifier':
        out.requestHeaders = headerModifier(f.requestHeaderModifier, `${field}.requestHeaderModifier`, true, out.ruleProblems);
        break;
      case 'ResponseHeaderModifier':
        out.responseHeaders = headerModifier(f.responseHeaderModifier, `${field}.responseHeaderModifier`, false, out.ruleProblems);
        break;
      case 'RequestRedirect':
        out.redirect = redirect(f.requestRedirect, `${field}.requestRedirect`, out.ruleProblems);
        break;
      case 'URLRewrite':
        urlRewrite(f.urlRewrite, `${field}.urlRewrite`, out);
        break;
      case 'RequestMirror': {
        const m = mirror(f.requestMirror, `${field}.requestMirror`, scope, out);
        if (m) out.mirrors.push(m);
        break;
      }
      case 'CORS':
        out.cors = cors(f.cors, `${field}.cors`, out.ruleProblems);
        break;
      case 'ExternalAuth': {
        const from = { kind: scope.routeKind, namespace: scope.namespace };
        const r = resolveExternalAuth(f.externalAuth, `${field}.externalAuth`, (ref, traffic, at) => scope.clusters.resolve(ref, from, traffic, at));
        if (r.kind === 'invalid') out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: r.message });
        else if (r.kind === 'unresolved') {
          out.refProblems.push({ reason: r.reason, message: `${r.message}; matching requests get 500` });
          out.fail500 = true;
        } else out.externalAuth = { config: r.externalAuth, cluster: r.cluster };
        break;
      }
      case 'ExtensionRef': {
        // Switchyard's filter kinds live in extensions/ (RateLimit today).
        const r = resolveExtensionRef(
          f.extensionRef,
          field,
          scope.namespace,
          scope.clusters.ctx.snapshot,
          scope.allowed === BACKEND_FILTERS || scope.allowed === HTTP_BACKEND_FILTERS,
        );
        if (!r.ok) {
          out.refProblems.push({ reason: RouteReason[r.reason], message: r.message });
          out.fail500 = true;
        } else if (out.rateLimit) {
          out.ruleProblems.push({
            reason: RouteReason.IncompatibleFilters,
            message: `${field}.extensionRef: a rule takes at most one RateLimit (${out.rateLimit.name} is already set)`,
          });
        } else out.rateLimit = r.rateLimit;
        break;
      }
    }
  });
  if (out.redirect && (out.hostRewrite !== undefined || out.pathRewrite)) {
    out.ruleProblems.push({ reason: RouteReason.IncompatibleFilters, message: `${scope.field}: RequestRedirect and URLRewrite cannot be used together` });
  }
  return out;
}

// RFC 7230 token.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// No control characters (Envoy rejects NUL, CR, LF in header values).
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;

export function headerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) return `"${String(name)}" is not a valid header name`;
  return undefined;
}

function headerModifier(h: HTTPHeaderFilter | undefined, field: string, request: boolean, problems: FieldProblem[]): HeaderModifierIR | undefined {
  if (!h || typeof h !== 'object') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} is required for this filter type` });
    return undefined;
  }
  const values = (list: unknown, sub: string): HeaderValueIR[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.${sub} must be a list` });
      return [];
    }
    const out: HeaderValueIR[] = [];
    const names = new Set<string>();
    list.forEach((v: { name?: unknown; value?: unknown }, i) => {
      const p =
        headerNameProblem(v?.name) ??
        (typeof v?.value !== 'string' || !HEADER_VALUE.test(v.value) ? 'value must be a string without control characters' : undefined) ??
        reservedHeader(v.name as string, request);
      if (p) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.${sub}[${i}]: ${p}` });
        return;
      }
      const lower = (v.name as string).toLowerCase();
      if (names.has(lower)) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.${sub}[${i}]: header ${String(v.name)} appears twice` });
        return;
      }
      names.add(lower);
      out.push({ name: v.name as string, value: v.value as string });
    });
    return out;
  };
  const set = values(h.set, 'set');
  const add = values(h.add, 'add');
  const remove: string[] = [];
  if (h.remove !== undefined) {
    if (!Array.isArray(h.remove)) problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.remove must be a list` });
    else
      h.remove.forEach((n, i) => {
        const p = headerNameProblem(n) ?? reservedHeader(n, request);
        if (p) problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.remove[${i}]: ${p}` });
        else remove.push(n);
      });
  }
  return { set, add, remove };
}

/** Envoy refuses to modify pseudo-headers and Host through header mutations. */
function reservedHeader(name: string, request: boolean): string | undefined {
  const lower = name.toLowerCase();
  if (lower.startsWith(':')) return `pseudo-header ${name} cannot be modified`;
  if (request && lower === 'host') return 'Host cannot be modified by a header filter; use URLRewrite.hostname';
  return undefined;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

function redirect(r: HTTPRequestRedirectFilter | undefined, field: string, problems: FieldProblem[]): RedirectSpec | undefined {
  if (!r || typeof r !== 'object') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} is required for this filter type` });
    return undefined;
  }
  const statusCode = r.statusCode ?? 302;
  if (!REDIRECT_CODES.has(statusCode)) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.statusCode: ${String(statusCode)} is not one of 301, 302, 303, 307, 308` });
    return undefined;
  }
  if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.scheme: ${String(r.scheme)} is not http or https` });
    return undefined;
  }
  if (r.hostname !== undefined) {
    const p = typeof r.hostname === 'string' && !r.hostname.startsWith('*') ? hostnameProblem(r.hostname) : 'must be a precise hostname';
    if (p) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.hostname: ${p}` });
      return undefined;
    }
  }
  if (r.port !== undefined && !(Number.isInteger(r.port) && r.port >= 1 && r.port <= 65535)) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.port: ${String(r.port)} is not a port number` });
    return undefined;
  }
  const path = r.path === undefined ? undefined : pathModifier(r.path, `${field}.path`, problems);
  if (r.path !== undefined && !path) return undefined;
  return {
    statusCode: statusCode as RedirectSpec['statusCode'],
    ...(r.scheme !== undefined ? { scheme: r.scheme } : {}),
    ...(r.hostname !== undefined ? { hostname: r.hostname } : {}),
    ...(r.port !== undefined ? { port: r.port } : {}),
    ...(path ? { path } : {}),
  };
}

function urlRewrite(r: HTTPURLRewriteFilter | undefined, field: string, out: FilterOutcome): void {
  if (!r || typeof r !== 'object') {
    out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field} is required for this filter type` });
    return;
  }
  if (r.hostname !== undefined) {
    const p = typeof r.hostname === 'string' && !r.hostname.startsWith('*') ? hostnameProblem(r.hostname) : 'must be a precise hostname';
    if (p) out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.hostname: ${p}` });
    else out.hostRewrite = r.hostname;
  }
  if (r.path !== undefined) {
    const p = pathModifier(r.path, `${field}.path`, out.ruleProblems);
    if (p) out.pathRewrite = p;
  }
}

function pathModifier(m: HTTPPathModifier, field: string, problems: FieldProblem[]): PathRewriteIR | undefined {
  if (!m || typeof m !== 'object') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} must be an object` });
    return undefined;
  }
  const valid = (v: unknown): v is string => typeof v === 'string' && v.startsWith('/') && !/[?#\x00-\x1f\x7f]/.test(v) && v.length <= 1024;
  if (m.type === 'ReplaceFullPath') {
    if (!valid(m.replaceFullPath)) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.replaceFullPath must be an absolute path without ? or #` });
      return undefined;
    }
    return { type: 'ReplaceFullPath', value: m.replaceFullPath };
  }
  if (m.type === 'ReplacePrefixMatch') {
    if (!valid(m.replacePrefixMatch)) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.replacePrefixMatch must be an absolute path without ? or #` });
      return undefined;
    }
    return { type: 'ReplacePrefixMatch', value: m.replacePrefixMatch };
  }
  problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type: ${String(m.type)} is not ReplaceFullPath or ReplacePrefixMatch` });
  return undefined;
}

function mirror(m: HTTPRequestMirrorFilter | undefined, field: string, scope: FilterScope, out: FilterOutcome): MirrorIR | undefined {
  if (!m || typeof m !== 'object' || !m.backendRef || typeof m.backendRef !== 'object') {
    out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.backendRef is required` });
    return undefined;
  }
  let numerator = 100;
  let denominator = 100;
  if (m.percent !== undefined && m.fraction !== undefined) {
    out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}: only one of percent and fraction may be set` });
    return undefined;
  }
  if (m.percent !== undefined) {
    if (!Number.isInteger(m.percent) || m.percent < 0 || m.percent > 100) {
      out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.percent must be an integer 0-100` });
      return undefined;
    }
    numerator = m.percent;
  } else if (m.fraction !== undefined) {
    const n = m.fraction?.numerator;
    const d = m.fraction?.denominator ?? 100;
    if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d <= 0 || n > d) {
      out.ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.fraction must have 0 <= numerator <= denominator and denominator > 0` });
      return undefined;
    }
    numerator = n;
    denominator = d;
  }
  const r = scope.clusters.resolve(m.backendRef, { kind: scope.routeKind, namespace: scope.namespace }, scope.traffic, `${field}.backendRef`);
  if (!r.ok) {
    out.refProblems.push({ reason: r.reason, message: r.message });
    return undefined;
  }
  if (numerator === 0) return undefined; // mirrors nothing
  return { cluster: r.cluster.name, fraction: { numerator, denominator } };
}

const ORIGIN = /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?)$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']);

function cors(c: HTTPCORSFilter | undefined, field: string, problems: FieldProblem[]): CorsIR | undefined {
  if (!c || typeof c !== 'object') {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} is required for this filter type` });
    return undefined;
  }
  const list = (v: unknown, sub: string, ok: (s: string) => boolean): string[] | undefined => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && ok(s))) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.${sub} has an invalid entry` });
      return undefined;
    }
    return [...new Set(v as string[])];
  };
  const allowOrigins = list(c.allowOrigins, 'allowOrigins', (s) => ORIGIN.test(s));
  const allowMethods = list(c.allowMethods, 'allowMethods', (s) => METHODS.has(s));
  const allowHeaders = list(c.allowHeaders, 'allowHeaders', (s) => s === '*' || HEADER_NAME.test(s));
  const exposeHeaders = list(c.exposeHeaders, 'exposeHeaders', (s) => s === '*' || HEADER_NAME.test(s));
  if (!allowOrigins || !allowMethods || !allowHeaders || !exposeHeaders) return undefined;
  const maxAge = c.maxAge ?? 5;
  if (!Number.isInteger(maxAge) || maxAge < 1) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.maxAge must be a positive integer` });
    return undefined;
  }
  const allowCredentials = c.allowCredentials === true;
  // With credentials a browser reads "*" in Access-Control-Expose-Headers as a
  // header named "*", and the spec says the gateway cannot send it: only the named headers are exposed.
  const exposed = allowCredentials ? exposeHeaders.filter((h) => h !== '*') : exposeHeaders;
  return { allowOrigins, allowCredentials, allowMethods, allowHeaders, exposeHeaders: exposed, maxAgeSeconds: maxAge };
}
