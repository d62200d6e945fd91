// The metadata every emitted Route and Cluster carries under
// filter_metadata['switchyard.dev'], so tools (explain, humans reading a
// config dump) can trace a resource back to the object that made it without
// parsing names.
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import type { BackendSource, RouteSource } from '../ir/ir.js';

export const METADATA_NAMESPACE = 'switchyard.dev';

function struct(fields: Record<string, string>): Metadata {
  const out: Record<string, { stringValue: string }> = {};
  for (const k of Object.keys(fields).sort()) out[k] = { stringValue: fields[k] as string };
  return { filter_metadata: { [METADATA_NAMESPACE]: { fields: out } } };
}

export function routeMetadata(s: RouteSource): Metadata {
  return struct({
    kind: s.kind,
    namespace: s.namespace,
    name: s.name,
    rule: String(s.rule),
    ...(s.ruleName !== undefined ? { ruleName: s.ruleName } : {}),
    match: String(s.match),
  });
}

export function clusterMetadata(b: BackendSource): Metadata {
  return struct({ kind: b.kind, namespace: b.namespace, name: b.name, port: String(b.port) });
}

/** Reads the string fields back (for tests and tools working on emitted resources). */
export function readMetadata(m: Metadata | null | undefined): Record<string, string> | undefined {
  const s = m?.filter_metadata?.[METADATA_NAMESPACE];
  if (!s?.fields) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.fields)) if (typeof v?.stringValue === 'string') out[k] = v.stringValue;
  return out;
}
