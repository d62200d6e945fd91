// The sources Switchyard's translator stamps in the switchyard.dev filter
// metadata of every Envoy route (its HTTPRoute/GRPCRoute rule and match) and
// every backend cluster (the Service it stands for). This is how explain
// names Kubernetes objects without depending on resource name formats; on
// resources from any other control plane they are simply absent.
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import { readMetadata } from '@switchyard/protos';
import type { BackendSource, RouteSource } from './types.js';

export function routeSourceOf(metadata: Metadata | null | undefined): RouteSource | undefined {
  const m = readMetadata(metadata);
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
  const m = readMetadata(metadata);
  if (!m || m.kind === undefined || m.name === undefined) return undefined;
  return { kind: m.kind, namespace: m.namespace ?? '', name: m.name, port: intOf(m.port) };
}

function intOf(s: string | undefined): number {
  const n = s === undefined ? NaN : Number(s);
  return Number.isInteger(n) ? n : -1;
}
