// HTTPExternalAuthFilter (ExternalAuth), the payload shared by Gateway
// listener filters (listenerfilters.ts) and HTTPRoute rule filters
// (http-filters.ts): its shape checked again for objects from files, its
// backendRef resolved to the authorization service's cluster, and the
// ExternalAuthIR the ext_authz emitter reads.
import type { BackendObjectReference, HTTPExternalAuthFilter } from '@switchyard/api';
import type { ClusterIR, ExternalAuthIR } from '../ir/ir.js';
import type { BackendResolution, RouteTraffic } from './backends.js';

export type ExternalAuthResult =
  /** A shape the CRDs refuse. */
  | { readonly kind: 'invalid'; readonly message: string }
  /** The backendRef does not resolve (reason: the ResolvedRefs reason). */
  | { readonly kind: 'unresolved'; readonly reason: string; readonly message: string }
  | { readonly kind: 'resolved'; readonly externalAuth: ExternalAuthIR; readonly cluster: ClusterIR };

// The CRD's pattern for http.path.
const AUTH_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * `at` names the externalAuth field (e.g. "spec.rules[0].filters[1].externalAuth");
 * `resolve` resolves a backendRef for the referring object.
 */
export function resolveExternalAuth(
  v: unknown,
  at: string,
  resolve: (ref: BackendObjectReference, traffic: RouteTraffic, field: string) => BackendResolution,
): ExternalAuthResult {
  const shape = externalAuthShapeProblem(v, at);
  if (shape) return { kind: 'invalid', message: shape };
  const ea = v as HTTPExternalAuthFilter;
  const r = resolve(ea.backendRef, ea.protocol === 'GRPC' ? 'grpc' : 'http', `${at}.backendRef`);
  if (!r.ok) return { kind: 'unresolved', reason: r.reason, message: r.message };
  return { kind: 'resolved', externalAuth: externalAuthIR(ea, r.cluster), cluster: r.cluster };
}

/** What the CRD's schema and CEL rules refuse, checked again for objects from files. */
function externalAuthShapeProblem(v: unknown, at: string): string | undefined {
  if (!v || typeof v !== 'object') return `${at} must be specified for ExternalAuth filter.type`;
  const ea = v as Partial<Record<keyof HTTPExternalAuthFilter, unknown>>;
  if (ea.protocol !== 'GRPC' && ea.protocol !== 'HTTP') return `${at}.protocol: ${String(ea.protocol)} is not GRPC or HTTP`;
  if (!ea.backendRef || typeof ea.backendRef !== 'object') return `${at}.backendRef is required`;
  if (ea.protocol === 'GRPC' && ea.http !== undefined) return `${at}: protocol must be 'HTTP' when http is set`;
  if (ea.protocol === 'HTTP' && ea.grpc !== undefined) return `${at}: protocol must be 'GRPC' when grpc is set`;
  const lists: Array<[unknown, string]> = [
    [(ea.grpc as { allowedHeaders?: unknown } | undefined)?.allowedHeaders, 'grpc.allowedHeaders'],
    [(ea.http as { allowedHeaders?: unknown } | undefined)?.allowedHeaders, 'http.allowedHeaders'],
    [(ea.http as { allowedResponseHeaders?: unknown } | undefined)?.allowedResponseHeaders, 'http.allowedResponseHeaders'],
  ];
  for (const [list, name] of lists) {
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || list.length > 64) return `${at}.${name} must be a list of at most 64 header names`;
    const bad = list.findIndex((h) => typeof h !== 'string' || !HEADER_NAME.test(h));
    if (bad >= 0) return `${at}.${name}[${bad}]: ${JSON.stringify(list[bad])} is not a header name`;
  }
  const path = (ea.http as { path?: unknown } | undefined)?.path;
  if (path !== undefined && path !== '' && (typeof path !== 'string' || path.length > 1024 || !AUTH_PATH.test(path)))
    return `${at}.http.path: ${JSON.stringify(path)} is not a valid path`;
  const max = (ea.forwardBody as { maxSize?: unknown } | undefined)?.maxSize;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 0x7fffffff))
    return `${at}.forwardBody.maxSize must be a non-negative 32-bit integer`;
  return undefined;
}

function externalAuthIR(ea: HTTPExternalAuthFilter, cluster: ClusterIR): ExternalAuthIR {
  const lower = (l: readonly string[] | undefined) => [...new Set((l ?? []).map((h) => h.toLowerCase()))];
  const b = cluster.backend;
  const path = ea.protocol === 'HTTP' ? ea.http?.path : undefined;
  const max = ea.forwardBody?.maxSize;
  return {
    protocol: ea.protocol,
    cluster: cluster.name,
    authority: `${b.name}.${b.namespace}:${b.port}`,
    allowedHeaders: lower(ea.protocol === 'GRPC' ? ea.grpc?.allowedHeaders : ea.http?.allowedHeaders),
    // The prefix is joined to the request path, which starts with "/".
    ...(path ? { pathPrefix: (path.startsWith('/') ? path : `/${path}`).replace(/\/+$/, '') } : {}),
    allowedResponseHeaders: ea.protocol === 'HTTP' ? lower(ea.http?.allowedResponseHeaders) : [],
    ...(max ? { forwardBodyMaxBytes: max } : {}),
  };
}
