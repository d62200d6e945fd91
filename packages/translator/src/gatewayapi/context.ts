// What every resolution step reads: the snapshot plus the indexes built once
// per translation (so no step scans all objects of a kind per route).
import { GATEWAY_GROUP, SERVICE_NAME_LABEL, kindKey, type EndpointSlice, type KubeObject, type ReferenceGrant, type Snapshot } from '@switchyard/api';
import type { KindServed, ReferenceAllowed } from '../tls/references.js';
import { re2Problem, type RegexValidator } from './regex.js';

export interface TranslationContext {
  readonly snapshot: Snapshot;
  readonly controllerName: string;
  readonly regexProblem: RegexValidator;
  /** Labels of a namespace; a namespace missing from the snapshot has only its kubernetes.io/metadata.name label. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>>;
  /** EndpointSlices of a Service (by the kubernetes.io/service-name label), sorted by name. */
  endpointSlices(namespace: string, service: string): readonly EndpointSlice[];
  /**
   * Whether a ReferenceGrant in the target namespace allows `from` to refer to the target.
   * A function property, not a method: the TLS resolvers are handed it on its own.
   */
  readonly referenceAllowed: ReferenceAllowed;
  /** Whether the cluster serves a kind (TranslateOptions.unservedKinds); a function property like referenceAllowed. */
  readonly kindServed: KindServed;
}

// The slice index is a function of the list alone; a snapshot that hands out the same list again
// (incremental passes translating a few routes against unchanged EndpointSlices) reuses it.
const sliceIndexes = new WeakMap<readonly EndpointSlice[], ReadonlyMap<string, readonly EndpointSlice[]>>();

function sliceIndex(list: readonly EndpointSlice[]): ReadonlyMap<string, readonly EndpointSlice[]> {
  const known = sliceIndexes.get(list);
  if (known) return known;
  const slices = new Map<string, EndpointSlice[]>();
  for (const s of list) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || typeof svc !== 'string') continue;
    const key = `${s.metadata.namespace ?? ''}/${svc}`;
    let l = slices.get(key);
    if (!l) slices.set(key, (l = []));
    l.push(s);
  }
  sliceIndexes.set(list, slices);
  return slices;
}

/** `unservedKinds`: "group/Kind" keys the cluster's API server does not serve (see TranslateOptions). */
export function createContext(snapshot: Snapshot, controllerName: string, unservedKinds: readonly string[] = []): TranslationContext {
  const unserved = new Set(unservedKinds);
  const slices = sliceIndex(snapshot.list<EndpointSlice>('discovery.k8s.io', 'EndpointSlice'));

  // ReferenceGrants indexed by target namespace; the v1beta1 and v1 kinds share the group.
  const grants = new Map<string, ReferenceGrant[]>();
  for (const g of snapshot.list<ReferenceGrant>(GATEWAY_GROUP, 'ReferenceGrant')) {
    const ns = g.metadata.namespace ?? '';
    let l = grants.get(ns);
    if (!l) grants.set(ns, (l = []));
    l.push(g);
  }

  return {
    snapshot,
    controllerName,
    regexProblem: re2Problem,
    namespaceLabels(namespace) {
      const ns = snapshot.get<KubeObject>('', 'Namespace', undefined, namespace);
      const labels = ns?.metadata.labels && typeof ns.metadata.labels === 'object' ? ns.metadata.labels : {};
      return { 'kubernetes.io/metadata.name': namespace, ...labels };
    },
    endpointSlices(namespace, service) {
      return slices.get(`${namespace}/${service}`) ?? [];
    },
    kindServed: (group, kind) => !unserved.has(kindKey(group, kind)),
    referenceAllowed(from, to) {
      if (from.namespace === to.namespace) return true;
      for (const g of grants.get(to.namespace) ?? []) {
        const spec = g.spec;
        if (!spec || !Array.isArray(spec.from) || !Array.isArray(spec.to)) continue;
        const fromOk = spec.from.some((f) => f && f.group === from.group && f.kind === from.kind && f.namespace === from.namespace);
        if (!fromOk) continue;
        const toOk = spec.to.some(
          (t) => t && (t.group ?? '') === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name),
        );
        if (toOk) return true;
      }
      return false;
    },
  };
}
