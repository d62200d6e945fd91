// Reads the switchyard.dev filter metadata the translator stamps on every
// Envoy route (its source HTTPRoute/GRPCRoute rule and match) and every
// backend cluster (the Service it stands for). This is how explain names
// Kubernetes objects without depending on resource name formats.
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import { METADATA_NAMESPACE } from '../envoy/metadata.js';
import type { BackendSource, RouteSource } from './types.js';

/**
 * The string fields of metadata.filter_metadata['switchyard.dev']. Accepts
 * the Struct shape of the generated types (`{ fields: { k: { stringValue } } }`),
 * the proto-case variant (`string_value`), and a plain `{ k: 'v' }` object.
 */
export function switchyardMetadata(metadata: Metadata | null | undefined): Record<string, string> | undefined {
  const struct = metadata?.filter_metadata?.[METADATA_NAMESPACE] as unknown;
  if (struct === undefined || struct === null || typeof struct !== 'object') return undefined;
  const out: Record<string, string> = {};
  const fields = (struct as { fields?: unknown }).fields;
  const source = fields !== undefined && fields !== null && typeof fields === 'object' ? (fields as Record<string, unknown>) : (struct as Record<string, unknown>);
  for (const [k, v] of Object.entries(source)) {
    const s = stringOf(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

function stringOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const key of ['stringValue', 'string_value']) if (typeof o[key] === 'string') return o[key];
    for (const key of ['numberValue', 'number_value']) if (typeof o[key] === 'number' || typeof o[key] === 'string') return String(o[key]);
  }
  return undefined;
}

export function routeSourceOf(metadata: Metadata | null | undefined): RouteSource | undefined {
  const m = switchyardMetadata(metadata);
  if (!m || m.kind === undefined || m.name === undefined) return undefined;
  return {
    kind: m.kind,
    namespace: m.namespace ?? '',
    name: m.name,
    rule: intOf(m.rule),
    ...(m.ruleName !== undefined && m.ruleName !== '' ? { ruleName: m.ruleName } : {}),
    match: intOf(m.match),
  };
}

export function backendSourceOf(metadata: Metadata | null | undefined): BackendSource | undefined {
  const m = switchyardMetadata(metadata);
  if (!m || m.kind === undefined || m.name === undefined) return undefined;
  return { kind: m.kind, namespace: m.namespace ?? '', name: m.name, port: intOf(m.port) };
}

function intOf(s: string | undefined): number {
  const n = s === undefined ? NaN : Number(s);
  return Number.isInteger(n) ? n : -1;
}
