// Make before break: a listener or route configuration that refers to a
// cluster the client has not yet ACKed (or whose endpoints it subscribed to
// but has not yet ACKed) is held back until it has. Types are visited in the
// order CDS, EDS, SDS, LDS, RDS (ads-stream.ts), so what they wait for goes first.
import { TypeUrl, type ResourceTypeUrl } from '@switchyard/protos';
import { isEncoded, type EncodedResource, type TypeSet, type Versioned } from './encoded-snapshot.js';
import type { Desired } from './desired.js';
import type { TypeState } from './type-state.js';

export const LISTENER_OR_ROUTE = new Set<string>([TypeUrl.Listener, TypeUrl.RouteConfiguration]);

/** What the hold-back check reads of a stream. */
export interface StreamView {
  readonly types: ReadonlyMap<ResourceTypeUrl, TypeState>;
  readonly mode: 'sotw' | 'delta';
  /** The client rejected this version of the resource (then waiting for it would not help). */
  wasRejected(st: TypeState, r: Versioned): boolean;
}

/**
 * Whether a listener or route configuration must wait: it refers to a
 * cluster that is coming (in the desired set) but the client has not ACKed,
 * or to an EDS cluster whose endpoints the client asked for but has not ACKed.
 */
export function heldBack(s: StreamView, r: EncodedResource, desired: ReadonlyMap<ResourceTypeUrl, Desired>): boolean {
  if (!LISTENER_OR_ROUTE.has(r.typeUrl) || r.refs.clusters.length === 0) return false;
  const cds = s.types.get(TypeUrl.Cluster);
  const dCds = desired.get(TypeUrl.Cluster);
  if (!cds || !dCds) return false;
  const eds = s.types.get(TypeUrl.ClusterLoadAssignment);
  const dEds = desired.get(TypeUrl.ClusterLoadAssignment);
  // The common case, checked without walking the references: the client
  // has ACKed exactly the clusters (and endpoints) it should have.
  const settled = (st: TypeState | undefined, d: Desired | undefined): boolean =>
    !st || !d || (!st.inFlight && st.added.size === 0 && st.syncedVersion === d.typeSet.version);
  if (settled(cds, dCds) && settled(eds, dEds)) return false;
  // Next most common: in step except for one delta response in flight. Then
  // only the names that response adds or removes can be unavailable.
  const uc = unavailable(s, cds, dCds);
  const ue = eds && dEds ? unavailable(s, eds, dEds) : [];
  if (uc && ue) {
    const refs = clusterRefSet(r);
    for (const c of uc) {
      const cluster = dCds.get(c);
      if (cluster && refs.has(c) && !s.wasRejected(cds, cluster)) return true;
    }
    if (ue.length > 0 && eds && dEds) {
      const byEndpoints = endpointIndex(dCds.typeSet);
      for (const e of ue) {
        const cla = dEds.get(e);
        if (!cla || s.wasRejected(eds, cla)) continue;
        for (const c of byEndpoints.get(e) ?? []) if (refs.has(c)) return true;
      }
    }
    return false;
  }
  for (const c of r.refs.clusters) {
    const cluster = dCds.get(c);
    if (!cluster) continue; // not coming at all: waiting would not help
    // Available only when ACKed and not being removed by a response in flight.
    if (!cds.accepted.has(c) || !cds.current.has(c)) {
      if (s.wasRejected(cds, cluster)) continue;
      return true;
    }
    // An EDS cluster warms until its endpoints arrive (a route to a warming
    // cluster answers 503). Envoy asks for the endpoints while it processes
    // the cluster update, before its CDS ACK, so by then the name is subscribed.
    if (eds && dEds && isEncoded(cluster)) {
      for (const e of cluster.refs.endpoints) {
        const cla = dEds.get(e);
        if (cla && (!eds.accepted.has(e) || !eds.current.has(e)) && !s.wasRejected(eds, cla)) return true;
      }
    }
  }
  return false;
}

/**
 * Names of a type that may not be available to the client: for a stream
 * in step with the snapshot, the names it subscribed to since and those
 * its in-flight delta response adds or removes; undefined when unknown
 * without a full walk.
 */
function unavailable(s: StreamView, st: TypeState, d: Desired): string[] | undefined {
  if (st.syncedVersion !== d.typeSet.version) return undefined;
  // Newly subscribed names not yet looked at may be coming too.
  const out: string[] = [...st.added];
  if (!st.inFlight) return out;
  if (s.mode !== 'delta') return undefined;
  for (const n of st.inFlight.sent.keys()) if (!st.accepted.has(n)) out.push(n);
  out.push(...st.inFlight.removed);
  return out;
}

const clusterRefSets = new WeakMap<EncodedResource, ReadonlySet<string>>();
function clusterRefSet(r: EncodedResource): ReadonlySet<string> {
  let s = clusterRefSets.get(r);
  if (!s) clusterRefSets.set(r, (s = new Set(r.refs.clusters)));
  return s;
}

// Which clusters use which endpoint assignment, per cluster set (shared by all streams).
const endpointIndexes = new WeakMap<TypeSet, ReadonlyMap<string, string[]>>();
function endpointIndex(clusters: TypeSet): ReadonlyMap<string, string[]> {
  let index = endpointIndexes.get(clusters);
  if (!index) {
    const m = new Map<string, string[]>();
    for (const c of clusters.resources.values()) for (const e of c.refs.endpoints) m.set(e, [...(m.get(e) ?? []), c.name]);
    endpointIndexes.set(clusters, (index = m));
  }
  return index;
}
