// One ADS stream: the xDS protocol state of one connected Envoy, in either
// variant. The stream decides what to send next from three things only: the
// fleet's latest snapshot, what the client has subscribed to, and what the
// client has (ACKed) or is about to have (in flight). It never queues
// snapshots: whenever it may send, it computes the difference between the
// latest snapshot and the client's state, so a slow client simply skips the
// intermediate snapshots (latest wins, bounded memory).
//
// Flow control is per type: at most one response per type is in flight; the
// next one goes out after the client ACKs or NACKs it. Make before break:
//  - types are visited in order CDS, EDS, SDS, LDS, RDS;
//  - a listener or route configuration that refers to a cluster the client
//    has not yet ACKed (or whose endpoints it subscribed to but has not yet
//    ACKed) is held back until it has;
//  - a cluster, endpoint assignment or secret that left the snapshot is kept
//    (not removed) while a listener, route or cluster the client has or is
//    about to have still refers to it.
import type { Logger } from 'pino';
import { RESOURCE_TYPE_ORDER, TypeUrl, type ResourceTypeUrl } from '@switchyard/protos';
import { emptyTypeSet, isEncoded, setVersion, type EncodedResource, type EncodedSnapshot, type TypeSet, type Versioned } from './encoded-snapshot.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { XdsStats } from './stats.js';
import { encodeDeltaDiscoveryResponse, encodeDiscoveryResponse } from './wire.js';
import { HeldResources } from './held-resources.js';

export type StreamMode = 'sotw' | 'delta';

export interface StreamContext {
  readonly fleet: string;
  readonly nodeId: string;
  readonly cache: SnapshotCache;
  readonly stats: XdsStats;
  readonly logger: Logger;
  readonly controlPlane: Buffer;
  /** Writes one encoded response; false means the transport is full (wait for resume()). */
  readonly write: (response: Buffer) => boolean;
}

/** The fields of a DiscoveryRequest the server uses. */
export interface SotwRequest {
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly resourceNames: readonly string[];
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

/** The fields of a DeltaDiscoveryRequest the server uses. */
export interface DeltaRequest {
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialResourceVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

interface InFlight {
  readonly nonce: string;
  readonly version: string;
  /** SotW: the complete set sent. Delta: the resources added or updated. */
  readonly sent: ReadonlyMap<string, Versioned>;
  /** Delta: names sent in removed_resources. */
  readonly removed: readonly string[];
}

interface TypeState {
  subscribed: boolean;
  wildcard: boolean;
  /** First request had no names: wildcard until the client names resources. */
  legacyWildcard: boolean;
  names: ReadonlySet<string>;
  /** What the client has applied, by its ACKs. */
  accepted: HeldResources;
  /** accepted plus the response in flight: what the client will have. */
  current: HeldResources;
  acceptedVersion: string;
  currentVersion: string;
  inFlight?: InFlight;
  /** SotW: the set version the client rejected; not re-sent until the snapshot changes. */
  rejectedVersion?: string;
  /** Delta: resource versions the client rejected. */
  rejected: Map<string, string>;
  /** Delta: subscribed names already reported absent in removed_resources. */
  toldAbsent: Set<string>;
  /** SotW reconnect: the version_info of the client's first request, until a snapshot exists to compare. */
  claimedVersion?: string;
  /**
   * The TypeSet version the client is fully in step with (for the current
   * subscription, with `retained` kept): lets an unchanged type cost nothing
   * and a changed one cost only its changed names.
   */
  syncedVersion?: string;
  /** Resources that left the snapshot but are kept because something still refers to them. */
  retained: ReadonlyMap<string, Versioned>;
  /** Delta: the client holds exactly the synced TypeSet's resources. */
  exact: boolean;
}

const LISTENER_OR_ROUTE = new Set<string>([TypeUrl.Listener, TypeUrl.RouteConfiguration]);
const RETAINABLE = new Set<string>([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret]);
const KNOWN_TYPES = new Set<string>(RESOURCE_TYPE_ORDER);
const NONE: ReadonlyMap<string, Versioned> = new Map();

/** The resources the client should have of one type, per the latest snapshot, its subscription, and what is retained. */
class Desired {
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

function syncMode(st: TypeState, typeSet: TypeSet): SyncMode {
  if (st.syncedVersion === typeSet.version) return 'same';
  if (st.syncedVersion !== undefined && st.syncedVersion === typeSet.base?.version) return 'incremental';
  return 'full';
}

export abstract class AdsStream {
  abstract readonly mode: StreamMode;
  protected readonly types = new Map<ResourceTypeUrl, TypeState>();
  private nonceCounter = 0;
  private blocked = false;
  private closed = false;
  private readonly unwatch: () => void;

  constructor(protected readonly ctx: StreamContext) {
    this.unwatch = ctx.cache.watch(ctx.fleet, () => this.pump());
  }

  /** The transport drained after write() returned false. */
  resume(): void {
    this.blocked = false;
    this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.ctx.cache.resolveNack(this.ctx.fleet, this.ctx.nodeId);
  }

  protected state(typeUrl: ResourceTypeUrl): TypeState {
    let st = this.types.get(typeUrl);
    if (!st) {
      st = {
        subscribed: false,
        wildcard: false,
        legacyWildcard: false,
        names: new Set(),
        accepted: new HeldResources(),
        current: new HeldResources(),
        acceptedVersion: '',
        currentVersion: '',
        rejected: new Map(),
        toldAbsent: new Set(),
        retained: NONE,
        exact: false,
      };
      this.types.set(typeUrl, st);
    }
    return st;
  }

  protected knownType(typeUrl: string): typeUrl is ResourceTypeUrl {
    if (KNOWN_TYPES.has(typeUrl)) return true;
    this.ctx.logger.debug({ typeUrl }, 'xds: request for a type this server does not serve; ignored');
    return false;
  }

  protected nextNonce(): string {
    return (++this.nonceCounter).toString(36);
  }

  protected ack(typeUrl: ResourceTypeUrl): void {
    this.ctx.stats.acked(this.ctx.fleet);
    this.ctx.cache.resolveNack(this.ctx.fleet, this.ctx.nodeId, typeUrl);
  }

  protected nack(typeUrl: ResourceTypeUrl, inFlight: InFlight, message: string): void {
    const e = {
      fleet: this.ctx.fleet,
      nodeId: this.ctx.nodeId,
      typeUrl,
      resourceNames: [...inFlight.sent.keys(), ...inFlight.removed],
      message,
      version: inFlight.version,
      nonce: inFlight.nonce,
      at: new Date().toISOString(),
    };
    this.ctx.stats.nacked(this.ctx.fleet);
    this.ctx.logger.warn({ fleet: e.fleet, nodeId: e.nodeId, typeUrl, version: e.version, nonce: e.nonce, resources: e.resourceNames.length, message }, 'xds: client rejected configuration (NACK)');
    this.ctx.cache.recordNack(e);
  }

  protected send(typeUrl: ResourceTypeUrl, response: Buffer, resources: number): void {
    this.ctx.stats.pushed(typeUrl, resources, response.length);
    if (!this.ctx.write(response)) this.blocked = true;
  }

  /** Sends whatever the client should get next. Cheap when nothing changed. */
  pump(): void {
    if (this.closed || this.blocked) return;
    const snapshot = this.ctx.cache.snapshot(this.ctx.fleet);
    // No snapshot yet (controller starting) or any more (fleet deleted): send
    // nothing rather than an empty set that would wipe the Envoy's config.
    if (!snapshot) return;
    const desired = new Map<ResourceTypeUrl, Desired>();
    for (const t of RESOURCE_TYPE_ORDER) {
      const st = this.types.get(t);
      if (!st?.subscribed) continue;
      desired.set(t, this.desiredFor(t, st, snapshot, desired));
    }
    for (const t of RESOURCE_TYPE_ORDER) {
      const st = this.types.get(t);
      const d = desired.get(t);
      if (!st || !d || st.inFlight) continue;
      this.sendType(t, st, d, (r) => this.heldBack(r, desired));
      if (this.blocked) return;
    }
  }

  protected abstract sendType(typeUrl: ResourceTypeUrl, st: TypeState, desired: Desired, held: (r: EncodedResource) => boolean): void;

  private desiredFor(t: ResourceTypeUrl, st: TypeState, snapshot: EncodedSnapshot, earlier: ReadonlyMap<ResourceTypeUrl, Desired>): Desired {
    const typeSet = snapshot.types.get(t) ?? emptyTypeSet(t);
    if (!RETAINABLE.has(t)) return new Desired(typeSet, st, NONE);
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
    if (candidates.size === 0) return new Desired(typeSet, st, NONE);
    const referenced = this.referencedNames(t, earlier);
    const retained = new Map<string, Versioned>();
    for (const n of candidates) if (referenced.has(n)) retained.set(n, (st.current.get(n) ?? st.accepted.get(n))!);
    return new Desired(typeSet, st, retained.size === 0 ? NONE : retained);
  }

  /** Names of type t that what the client has or will have still refers to. */
  private referencedNames(t: ResourceTypeUrl, earlier: ReadonlyMap<ResourceTypeUrl, Desired>): Set<string> {
    const out = new Set<string>();
    const fromHeld = (types: ResourceTypeUrl[], pick: (r: EncodedResource) => readonly string[]): void => {
      for (const ty of types) {
        const st = this.types.get(ty);
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

  /**
   * Whether a listener or route configuration must wait: it refers to a
   * cluster that is coming (in the desired set) but the client has not ACKed,
   * or to an EDS cluster whose endpoints the client asked for but has not ACKed.
   */
  private heldBack(r: EncodedResource, desired: ReadonlyMap<ResourceTypeUrl, Desired>): boolean {
    if (!LISTENER_OR_ROUTE.has(r.typeUrl) || r.refs.clusters.length === 0) return false;
    const cds = this.types.get(TypeUrl.Cluster);
    const dCds = desired.get(TypeUrl.Cluster);
    if (!cds || !dCds) return false;
    const eds = this.types.get(TypeUrl.ClusterLoadAssignment);
    const dEds = desired.get(TypeUrl.ClusterLoadAssignment);
    // The common case, checked without walking the references: the client
    // has ACKed exactly the clusters (and endpoints) it should have.
    const settled = (st: TypeState | undefined, d: Desired | undefined): boolean => !st || !d || (!st.inFlight && st.syncedVersion === d.typeSet.version);
    if (settled(cds, dCds) && settled(eds, dEds)) return false;
    // Next most common: in step except for one delta response in flight. Then
    // only the names that response adds or removes can be unavailable.
    const uc = this.unavailable(cds, dCds);
    const ue = eds && dEds ? this.unavailable(eds, dEds) : [];
    if (uc && ue) {
      const refs = clusterRefSet(r);
      for (const c of uc) {
        const cluster = dCds.get(c);
        if (cluster && refs.has(c) && !this.wasRejected(cds, cluster)) return true;
      }
      if (ue.length > 0 && eds && dEds) {
        const byEndpoints = endpointIndex(dCds.typeSet);
        for (const e of ue) {
          const cla = dEds.get(e);
          if (!cla || this.wasRejected(eds, cla)) continue;
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
        if (this.wasRejected(cds, cluster)) continue;
        return true;
      }
      // An EDS cluster warms until its endpoints arrive (a route to a warming
      // cluster answers 503). Envoy asks for the endpoints while it processes
      // the cluster update, before its CDS ACK, so by then the name is subscribed.
      if (eds && dEds && isEncoded(cluster)) {
        for (const e of cluster.refs.endpoints) {
          const cla = dEds.get(e);
          if (cla && (!eds.accepted.has(e) || !eds.current.has(e)) && !this.wasRejected(eds, cla)) return true;
        }
      }
    }
    return false;
  }

  /**
   * Names of a type that may not be available to the client: for a delta
   * stream in step with the snapshot, those its in-flight response adds (new
   * names) or removes; undefined when unknown without a full walk.
   */
  private unavailable(st: TypeState, d: Desired): string[] | undefined {
    if (st.syncedVersion !== d.typeSet.version) return undefined;
    if (!st.inFlight) return [];
    if (this.mode !== 'delta') return undefined;
    const out: string[] = [];
    for (const n of st.inFlight.sent.keys()) if (!st.accepted.has(n)) out.push(n);
    out.push(...st.inFlight.removed);
    return out;
  }

  protected abstract wasRejected(st: TypeState, r: Versioned): boolean;
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

/** State of the world: complete sets for LDS/CDS, the subscribed names for the others. */
export class SotwStream extends AdsStream {
  readonly mode = 'sotw' as const;
  // The set version of a named subset is memoised per (TypeSet, names) so an
  // unchanged type costs nothing when another type changes.
  private readonly memo = new Map<ResourceTypeUrl, { typeSet: TypeSet; names: ReadonlySet<string>; map: ReadonlyMap<string, Versioned>; version: string }>();

  onRequest(req: SotwRequest): void {
    if (!this.knownType(req.typeUrl)) return;
    const t = req.typeUrl;
    const st = this.state(t);
    if (req.responseNonce !== '') {
      const f = st.inFlight;
      if (f && req.responseNonce === f.nonce) {
        st.inFlight = undefined;
        if (req.errorDetail) {
          st.current = st.accepted.clone();
          st.currentVersion = st.acceptedVersion;
          st.rejectedVersion = f.version;
          st.syncedVersion = undefined;
          this.nack(t, f, req.errorDetail.message);
        } else {
          st.accepted = st.current.clone();
          st.acceptedVersion = st.currentVersion;
          st.rejectedVersion = undefined;
          this.ack(t);
        }
      }
      // A request answering an older response (stale nonce) is not treated as
      // an ACK or NACK, and nothing is sent in answer to it while the newer
      // response is in flight; its resource names are still the client's
      // latest interest (requests arrive in order), so they are taken.
    }
    if (req.responseNonce === '' && !st.subscribed && req.versionInfo !== '') {
      st.claimedVersion = req.versionInfo;
    }
    const names = req.resourceNames;
    if (!st.subscribed) {
      st.subscribed = true;
      st.legacyWildcard = names.length === 0;
    } else if (names.length > 0) {
      st.legacyWildcard = false;
    }
    const wildcard = (st.legacyWildcard && names.length === 0) || names.includes('*');
    const explicit = names.filter((n) => n !== '*');
    if (wildcard !== st.wildcard || explicit.length !== st.names.size || explicit.some((n) => !st.names.has(n))) {
      st.wildcard = wildcard;
      st.names = new Set(explicit);
      st.syncedVersion = undefined;
    }
    this.pump();
  }

  protected wasRejected(st: TypeState): boolean {
    // The client rejected the last set of this type and nothing newer is on its way.
    return st.rejectedVersion !== undefined && !st.inFlight;
  }

  protected sendType(t: ResourceTypeUrl, st: TypeState, d: Desired, held: (r: EncodedResource) => boolean): void {
    if (st.syncedVersion === d.typeSet.version && sameKeys(st.retained, d.retained)) return;
    let map: ReadonlyMap<string, Versioned>;
    let version: string;
    if (d.whole) {
      map = d.typeSet.resources;
      version = d.typeSet.version;
    } else {
      const m = this.memo.get(t);
      if (m && d.retained.size === 0 && m.typeSet === d.typeSet && m.names === st.names && !st.wildcard) {
        map = m.map;
        version = m.version;
      } else {
        map = new Map(d.entries());
        version = setVersion(map.values());
        if (d.retained.size === 0 && !st.wildcard) this.memo.set(t, { typeSet: d.typeSet, names: st.names, map, version });
      }
    }
    if (st.claimedVersion !== undefined) {
      // Reconnect: the client already has this exact set; send nothing.
      if (st.claimedVersion === version) {
        st.accepted = new HeldResources(map);
        st.current = new HeldResources(map);
        st.acceptedVersion = st.currentVersion = version;
      }
      st.claimedVersion = undefined;
    }
    const settle = (): void => {
      st.syncedVersion = d.typeSet.version;
      st.retained = d.retained;
    };
    if (version === st.currentVersion || version === st.rejectedVersion) return settle();
    if (LISTENER_OR_ROUTE.has(t)) {
      for (const [name, r] of map) if (st.current.get(name)?.version !== r.version && isEncoded(r) && held(r)) return;
    }
    const nonce = this.nextNonce();
    const resources: Buffer[] = [];
    for (const r of map.values()) if (isEncoded(r)) resources.push(r.any);
    const response = encodeDiscoveryResponse({ versionInfo: version, resources, typeUrl: t, nonce, controlPlane: this.ctx.controlPlane });
    st.inFlight = { nonce, version, sent: map, removed: [] };
    st.current = new HeldResources(map);
    st.currentVersion = version;
    settle();
    this.send(t, response, resources.length);
  }
}

function everyKey(m: ReadonlyMap<string, unknown>, test: (k: string) => boolean): boolean {
  for (const k of m.keys()) if (!test(k)) return false;
  return true;
}

function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

/** Incremental (delta) xDS: only added or changed resources, and removed_resources. */
export class DeltaStream extends AdsStream {
  readonly mode = 'delta' as const;

  onRequest(req: DeltaRequest): void {
    if (!this.knownType(req.typeUrl)) return;
    const t = req.typeUrl;
    const st = this.state(t);
    const f = st.inFlight;
    if (req.responseNonce !== '' && f && req.responseNonce === f.nonce) {
      st.inFlight = undefined;
      if (req.errorDetail) {
        // The client keeps what it had before this response; removals are
        // taken as applied. Rejected versions are not re-sent until they change.
        st.current = st.accepted.clone();
        for (const n of f.removed) st.current.delete(n);
        st.accepted = st.current.clone();
        for (const [n, v] of f.sent) st.rejected.set(n, v.version);
        st.syncedVersion = undefined;
        this.nack(t, f, req.errorDetail.message);
      } else {
        // One response per type is in flight, so the client now holds exactly `current`.
        st.accepted = st.current.clone();
        this.ack(t);
      }
    }
    // Subscription changes ride on every request, ACK or not, and are never repeated.
    if (!st.subscribed) {
      st.subscribed = true;
      if (req.subscribe.length === 0) st.wildcard = st.legacyWildcard = true;
      const snapshotSet = this.ctx.cache.snapshot(this.ctx.fleet)?.types.get(t);
      for (const [name, version] of Object.entries(req.initialResourceVersions)) {
        // Reconnect: what the client already has. Keep our encoded copy when it
        // is the same version, so references (make before break) stay known.
        const ours = snapshotSet?.resources.get(name);
        const v: Versioned = ours && ours.version === version ? ours : { name, version };
        st.accepted.set(name, v);
        st.current.set(name, v);
      }
    }
    let changed = false;
    const names = new Set(st.names);
    for (const n of req.subscribe) {
      if (n === '*') {
        changed ||= !st.wildcard;
        st.wildcard = true;
      } else if (!names.has(n)) {
        names.add(n);
        changed = true;
      }
    }
    for (const n of req.unsubscribe) {
      if (n === '*') {
        changed ||= st.wildcard;
        st.wildcard = st.legacyWildcard = false;
      } else if (names.delete(n)) {
        changed = true;
        st.toldAbsent.delete(n);
      }
    }
    if (changed) {
      st.names = names;
      st.syncedVersion = undefined;
      // The client forgets what it no longer subscribes to; it needs no removal.
      if (!st.wildcard) for (const m of [st.current, st.accepted]) for (const n of [...m.keys()]) if (!names.has(n)) m.delete(n);
    }
    this.pump();
  }

  protected wasRejected(st: TypeState, r: Versioned): boolean {
    return st.rejected.get(r.name) === r.version;
  }

  protected sendType(t: ResourceTypeUrl, st: TypeState, d: Desired, held: (r: EncodedResource) => boolean): void {
    const mode = syncMode(st, d.typeSet);
    const retainedSame = sameKeys(st.retained, d.retained);
    if (mode === 'same' && retainedSame) return;
    // The names to look at: all of them, or only those that changed since
    // the set the client is in step with (and those no longer retained).
    let candidates: Iterable<string>;
    if (mode === 'full') {
      const all = new Set<string>(st.current.keys());
      for (const [n] of d.entries()) all.add(n);
      for (const n of st.names) all.add(n);
      candidates = all;
    } else {
      const some = new Set<string>();
      if (mode === 'incremental') {
        for (const n of d.typeSet.base!.changed) some.add(n);
        for (const n of d.typeSet.base!.removed) some.add(n);
      }
      if (!retainedSame) for (const n of st.retained.keys()) if (!d.retained.has(n)) some.add(n);
      candidates = some;
    }
    const updates: EncodedResource[] = [];
    const removed: string[] = [];
    let complete = true;
    // Will the client hold exactly the snapshot's set of this type? Then its
    // state can share the snapshot's map (see HeldResources).
    let exact: boolean;
    if (d.retained.size > 0) exact = false;
    else if (st.wildcard) exact = true;
    else if (mode === 'full') exact = everyKey(d.typeSet.resources, (n) => st.names.has(n));
    else exact = st.exact && (mode === 'same' || d.typeSet.base!.changed.every((n) => st.names.has(n)));
    for (const name of candidates) {
      const r = d.get(name);
      const cur = st.current.get(name);
      if (r) {
        if (cur?.version === r.version) {
          if (cur !== r) st.current.set(name, r); // same content: share the snapshot's object
          continue;
        }
        if (!isEncoded(r)) continue; // kept from the client's own report: it has it
        if (st.rejected.get(name) === r.version) {
          exact = false; // rejected: wait for a change
          continue;
        }
        if (LISTENER_OR_ROUTE.has(t) && held(r)) {
          complete = false;
          continue;
        }
        updates.push(r);
      } else if (cur) {
        removed.push(name);
      } else if (st.names.has(name) && !st.toldAbsent.has(name)) {
        // A named subscription to a resource that does not exist: say so once
        // (xDS: the incremental protocol signals absence through removed_resources).
        removed.push(name);
        st.toldAbsent.add(name);
      }
    }
    if (complete) {
      st.syncedVersion = d.typeSet.version;
      st.retained = d.retained;
    } else {
      st.syncedVersion = undefined;
    }
    st.exact = complete && exact;
    if (updates.length === 0 && removed.length === 0) {
      // In step with the snapshot: share its map instead of holding a copy.
      if (complete && exact) st.current.reset(d.typeSet.resources);
      return;
    }
    for (const r of updates) st.toldAbsent.delete(r.name);
    const nonce = this.nextNonce();
    const snapshotVersion = this.ctx.cache.snapshot(this.ctx.fleet)?.version ?? '';
    const response = encodeDeltaDiscoveryResponse({
      systemVersionInfo: snapshotVersion,
      resources: updates.map((r) => r.delta),
      typeUrl: t,
      removedResources: removed,
      nonce,
      controlPlane: this.ctx.controlPlane,
    });
    const sent = new Map<string, Versioned>(updates.map((r) => [r.name, r]));
    st.inFlight = { nonce, version: snapshotVersion, sent, removed };
    for (const r of updates) st.current.set(r.name, r);
    for (const n of removed) st.current.delete(n);
    if (complete && exact) st.current.reset(d.typeSet.resources);
    this.send(t, response, updates.length);
  }
}
