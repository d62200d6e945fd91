// What a stream should send, per type: the resources the client should have
// by the latest snapshot and its subscription, plus those that left the
// snapshot but are retained because something the client has (or is about to
// have) still refers to them. A cluster, endpoint assignment or secret that
// left the snapshot is kept (not removed) while a listener, route or cluster
// the client has or is about to have still refers to it.
import { TypeUrl, type ResourceTypeUrl } from '@switchyard/protos';
import { emptyTypeSet, isEncoded, type EncodedResource, type EncodedSnapshot, type TypeSet, type Versioned } from './encoded-snapshot.js';
import { NO_RETAINED, type TypeState } from './type-state.js';

const RETAINABLE = new Set<string>([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret]);

/** The resources the client should have of one type, per the latest snapshot, its subscription, and what is retained. */
export class Desired {
  constructor(
    readonly typeSet: TypeSet,
    private readonly st: TypeState,
    readonly retained: ReadonlyMap<string, Versioned>,
  ) {}

  /** Wildcard with nothing retained: exactly typeSet.resources. */
  get whole(): boolean {
    return this.st.wildcard && this.retained.size === 0;
  }

  inScope(name: string): boolean {
    return this.st.wildcard || this.st.names.has(name);
  }

  get(name: string): Versioned | undefined {
    return this.retained.get(name) ?? (this.inScope(name) ? this.typeSet.resources.get(name) : undefined);
  }

  *entries(): Iterable<[string, Versioned]> {
    if (this.st.wildcard) yield* this.typeSet.resources;
    else
      for (const n of this.st.names) {
        const r = this.typeSet.resources.get(n);
        if (r) yield [n, r];
      }
    yield* this.retained;
  }
}

/** How a stream can bring a type up to date. */
type SyncMode = 'same' | 'incremental' | 'full';

export function syncMode(st: TypeState, typeSet: TypeSet): SyncMode {
  if (st.syncedVersion === typeSet.version) return 'same';
  if (st.syncedVersion !== undefined && st.syncedVersion === typeSet.base?.version) return 'incremental';
  return 'full';
}

/**
 * The desired set of type t for a stream whose type states are `types`;
 * `earlier` holds the desired sets of the types before t in
 * RESOURCE_TYPE_ORDER (what the client is about to have).
 */
export function desiredFor(
  t: ResourceTypeUrl,
  st: TypeState,
  snapshot: EncodedSnapshot,
  earlier: ReadonlyMap<ResourceTypeUrl, Desired>,
  types: ReadonlyMap<ResourceTypeUrl, TypeState>,
): Desired {
  const typeSet = snapshot.types.get(t) ?? emptyTypeSet(t);
  if (!RETAINABLE.has(t)) return new Desired(typeSet, st, NO_RETAINED);
  const inScope = (name: string): boolean => st.wildcard || st.names.has(name);
  // Gone from the snapshot but held by the client: candidates to keep.
  const candidates = new Set<string>();
  const consider = (name: string): void => {
    if (!typeSet.resources.has(name) && inScope(name) && (st.current.has(name) || st.accepted.has(name))) candidates.add(name);
  };
  for (const n of st.retained.keys()) consider(n);
  const mode = st.inFlight ? 'full' : syncMode(st, typeSet);
  if (mode === 'incremental') for (const n of typeSet.base!.removed) consider(n);
  else if (mode === 'full') for (const m of [st.current, st.accepted]) for (const n of m.keys()) consider(n);
  if (candidates.size === 0) return new Desired(typeSet, st, NO_RETAINED);
  const referenced = referencedNames(t, earlier, types);
  const retained = new Map<string, Versioned>();
  for (const n of candidates) if (referenced.has(n)) retained.set(n, (st.current.get(n) ?? st.accepted.get(n))!);
  return new Desired(typeSet, st, retained.size === 0 ? NO_RETAINED : retained);
}

/** Names of type t that what the client has or will have still refers to. */
function referencedNames(t: ResourceTypeUrl, earlier: ReadonlyMap<ResourceTypeUrl, Desired>, types: ReadonlyMap<ResourceTypeUrl, TypeState>): Set<string> {
  const out = new Set<string>();
  const fromHeld = (tys: ResourceTypeUrl[], pick: (r: EncodedResource) => readonly string[]): void => {
    for (const ty of tys) {
      const st = types.get(ty);
      if (!st) continue;
      for (const m of [st.current, st.accepted]) for (const v of m.values()) if (isEncoded(v)) for (const n of pick(v)) out.add(n);
    }
  };
  const fromDesired = (ty: ResourceTypeUrl, pick: (r: EncodedResource) => readonly string[]): void => {
    const d = earlier.get(ty);
    if (d) for (const [, v] of d.entries()) if (isEncoded(v)) for (const n of pick(v)) out.add(n);
    fromHeld([ty], pick);
  };
  if (t === TypeUrl.Cluster) fromHeld([TypeUrl.Listener, TypeUrl.RouteConfiguration], (r) => r.refs.clusters);
  else if (t === TypeUrl.ClusterLoadAssignment) fromDesired(TypeUrl.Cluster, (r) => r.refs.endpoints);
  else if (t === TypeUrl.Secret) {
    fromHeld([TypeUrl.Listener], (r) => r.refs.secrets);
    fromDesired(TypeUrl.Cluster, (r) => r.refs.secrets);
  }
  return out;
}

export function everyKey(m: ReadonlyMap<string, unknown>, test: (k: string) => boolean): boolean {
  for (const k of m.keys()) if (!test(k)) return false;
  return true;
}

export function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}
