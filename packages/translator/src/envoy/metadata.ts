// The metadata every emitted Route and Cluster carries under
// filter_metadata['switchyard.dev'], so tools (explain, humans reading a
// config dump) can trace a resource back to the object that made it without
// parsing names.
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import { METADATA_NAMESPACE } from '@switchyard/protos';
import type { BackendSource, RouteSource } from '../ir/ir.js';

function wrap(fields: Record<string, { stringValue: string }>): Metadata {
  return { filter_metadata: { [METADATA_NAMESPACE]: { fields } } };
}

// Keys are written in sorted order (kind, match, name, namespace, rule, ruleName) so equal
// sources give equal bytes; built directly because this runs once per Envoy route.
export function routeMetadata(s: RouteSource): Metadata {
  const fields: Record<string, { stringValue: string }> = {
    kind: { stringValue: s.kind },
    match: { stringValue: String(s.match) },
    name: { stringValue: s.name },
    namespace: { stringValue: s.namespace },
    rule: { stringValue: String(s.rule) },
  };
  if (s.ruleName !== undefined) fields['ruleName'] = { stringValue: s.ruleName };
  return wrap(fields);
}

export function clusterMetadata(b: BackendSource): Metadata {
  return wrap({ kind: { stringValue: b.kind }, name: { stringValue: b.name }, namespace: { stringValue: b.namespace }, port: { stringValue: String(b.port) } });
}
