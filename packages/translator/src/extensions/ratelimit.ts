// RateLimit (switchyard.dev/v1alpha1) used from an HTTPRoute or GRPCRoute
// rule through an ExtensionRef filter. Resolution only: the reference, the
// object and its spec become a LocalRateLimitIR on the rule's routes
// (envoy/local-ratelimit.ts turns that into Envoy config).
//
// The spec says a custom filter that cannot be resolved MUST NOT be skipped:
// requests it would have processed get an HTTP error. So every failure here
// is "unresolved": the rule answers 500 and ResolvedRefs=False names the
// field (BackendNotFound for a missing object, InvalidKind for a kind
// Switchyard does not define, UnsupportedValue for a spec the CRD would
// have refused but a file can still carry).
import { SWITCHYARD_GROUP, type RateLimit, type RateLimitSpec, type Snapshot } from '@switchyard/api';
import type { LocalRateLimitIR } from './ir.js';

export const RATE_LIMIT_KIND = 'RateLimit';

export type ExtensionRefResult =
  | { readonly ok: true; readonly rateLimit: LocalRateLimitIR }
  | { readonly ok: false; readonly reason: 'InvalidKind' | 'BackendNotFound' | 'UnsupportedValue'; readonly message: string };

const FILL_INTERVAL = { Second: 1, Minute: 60, Hour: 3600 } as const;
// RFC 7230 token, as the CRD's pattern.
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MAX = 1_000_000_000;

/**
 * Resolves one ExtensionRef filter (`field` is e.g. "spec.rules[0].filters[1]").
 * `onBackendRef`: the filter sits in a backendRef's filters, where a rate
 * limit has no meaning of its own (Envoy limits routes, not weighted shares).
 */
export function resolveExtensionRef(ref: unknown, field: string, namespace: string, snapshot: Snapshot, onBackendRef: boolean): ExtensionRefResult {
  const r = (ref && typeof ref === 'object' ? ref : {}) as { group?: unknown; kind?: unknown; name?: unknown };
  const group = typeof r.group === 'string' ? r.group : '';
  const kind = typeof r.kind === 'string' ? r.kind : String(r.kind);
  const name = typeof r.name === 'string' ? r.name : '';
  if (group !== SWITCHYARD_GROUP || kind !== RATE_LIMIT_KIND) {
    return {
      ok: false,
      reason: 'InvalidKind',
      message: `${field}.extensionRef: ${group || 'core'}/${kind} ${name || String(r.name)} is not a filter kind Switchyard supports (switchyard.dev/RateLimit); matching requests get 500`,
    };
  }
  if (onBackendRef) {
    return {
      ok: false,
      reason: 'InvalidKind',
      message: `${field}.extensionRef: a RateLimit applies to a whole rule; move it to the rule's filters (matching requests get 500 until then)`,
    };
  }
  const obj = name ? snapshot.get<RateLimit>(SWITCHYARD_GROUP, RATE_LIMIT_KIND, namespace, name) : undefined;
  if (!obj)
    return { ok: false, reason: 'BackendNotFound', message: `${field}.extensionRef: RateLimit ${namespace}/${name} not found; matching requests get 500` };
  const spec = obj.spec;
  const problem = rateLimitSpecProblem(spec);
  if (problem)
    return { ok: false, reason: 'UnsupportedValue', message: `${field}.extensionRef: RateLimit ${namespace}/${name}: ${problem}; matching requests get 500` };
  const s = spec as RateLimitSpec;
  const burst = s.burst ?? 0;
  return {
    ok: true,
    rateLimit: {
      name: `${namespace}/${name}`,
      maxTokens: s.requests + burst,
      tokensPerFill: s.requests,
      fillIntervalSeconds: FILL_INTERVAL[s.unit],
      key: !s.key ? { type: 'None' } : s.key.type === 'Header' ? { type: 'Header', header: s.key.header.toLowerCase() } : { type: 'ClientAddress' },
    },
  };
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= MAX;

/** What the CRD refuses, checked again for objects that come from files. Names the field. */
export function rateLimitSpecProblem(spec: unknown): string | undefined {
  if (!spec || typeof spec !== 'object') return 'spec is required';
  const s = spec as Partial<Record<keyof RateLimitSpec, unknown>>;
  if (!isInt(s.requests, 1)) return `spec.requests must be an integer 1-${MAX}`;
  if (typeof s.unit !== 'string' || !(s.unit in FILL_INTERVAL)) return `spec.unit must be Second, Minute or Hour`;
  if (s.burst !== undefined && !isInt(s.burst, 0)) return `spec.burst must be an integer 0-${MAX}`;
  if (s.requests + (s.burst ?? 0) > 0xffffffff) return 'spec.requests + spec.burst must fit in 32 bits';
  if (s.key !== undefined) {
    if (!s.key || typeof s.key !== 'object') return 'spec.key must be an object';
    const k = s.key as { type?: unknown; header?: unknown };
    if (k.type === 'Header') {
      if (typeof k.header !== 'string' || !HEADER_NAME.test(k.header) || k.header.length > 256)
        return 'spec.key.header must be a header name when spec.key.type is Header';
    } else if (k.type === 'ClientAddress') {
      if (k.header !== undefined) return 'spec.key.header is only allowed when spec.key.type is Header';
    } else return 'spec.key.type must be ClientAddress or Header';
  }
  return undefined;
}
