// Switchyard's conventions in the Envoy resources it writes, in one place:
// the translator's emitters write them and the Envoy model (@switchyard/explain)
// reads them by the same constants, so the two cannot drift apart. This is a
// leaf module: it imports nothing but generated types.
import type { Metadata } from './generated/envoy/config/core/v3/Metadata.js';

/**
 * Every emitted Route and Cluster carries its source object under
 * metadata.filter_metadata['switchyard.dev'], so tools (explain, humans reading
 * a config dump) can trace a resource back to it without parsing names.
 */
export const METADATA_NAMESPACE = 'switchyard.dev';

/**
 * The cluster an HTTP route's weighted share points at when its backendRef is
 * invalid. It is deliberately never defined, so Envoy answers with the route's
 * cluster_not_found_response_code (500).
 */
export const INVALID_BACKEND_CLUSTER = 'switchyard_invalid_backend';

/** The defined, endpoint-less cluster a TCP/UDP share goes to when its backend is invalid (the connection is closed). */
export const INVALID_TCP_BACKEND_CLUSTER = 'switchyard_invalid_tcp_backend';

/**
 * The string fields of metadata.filter_metadata['switchyard.dev']. Accepts
 * the Struct shape of the generated types (`{ fields: { k: { stringValue } } }`),
 * the proto-case variant (`string_value`), and a plain `{ k: 'v' }` object
 * (proto3 JSON, as in a config dump).
 */
export function readMetadata(metadata: Metadata | null | undefined): Record<string, string> | undefined {
  const struct = metadata?.filter_metadata?.[METADATA_NAMESPACE] as unknown;
  if (struct === undefined || struct === null || typeof struct !== 'object') return undefined;
  const out: Record<string, string> = {};
  const fields = (struct as { fields?: unknown }).fields;
  const source =
    fields !== undefined && fields !== null && typeof fields === 'object' ? (fields as Record<string, unknown>) : (struct as Record<string, unknown>);
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
