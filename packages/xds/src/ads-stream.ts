// One ADS stream: the xDS protocol state of one connected Envoy, shared by
// both variants (sotw-stream.ts, delta-stream.ts). The stream decides what to send next from three things only: the
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
import { emptyTypeSet, isEncoded, type EncodedResource, type EncodedSnapshot, type TypeSet, type Versioned } from './encoded-snapshot.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { XdsStats } from './stats.js';
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

export interface InFlight {
  readonly nonce: string;
  readonly version: string;
  /** SotW: the complete set sent. Delta: the resources added or updated. */
  readonly sent: ReadonlyMap<string, Versioned>;
  /** Delta: names sent in removed_resources. */
  readonly removed: readonly string[];
}

export interface TypeState {
  subscribed: boolean;
  wildcard: boolean;
  /** First request had no names: wildcard until the client names resources. */
  legacyWildcard: boolean;
  /** Explicitly subscribed names (SotW replaces the set when it changes; delta edits it). */
  names: Set<string>;
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
  /** Delta: a response of this type has been sent on this stream. */
  answered?: boolean;
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
  /** Delta: names subscribed since the stream was last in step, still to look at. */
  added: Set<string>;
}

let lastNonce = 0;
/** Nonces are unique in the process, so one response can go to many streams. */
function newNonce(): string {
  return (++lastNonce).toString(36);
}

// Responses shared between the streams of a fleet, per snapshot (dropped with
// it). Bounded, so streams in many different states cannot pin much memory.
const SHARED_MAX_ENTRIES = 256;
const SHARED_MAX_BYTES = 64 * 1024 * 1024;
const SHARED_MAX_PER_STREAM = 10_000;
const sharedResponses = new WeakMap<EncodedSnapshot, { entries: Map<string, { buf: Buffer; nonce: string }>; bytes: number }>();

export const LISTENER_OR_ROUTE = new Set<string>([TypeUrl.Listener, TypeUrl.RouteConfiguration]);
const RETAINABLE = new Set<string>([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret]);
const KNOWN_TYPES = new Set<string>(RESOURCE_TYPE_ORDER);
const NONE: ReadonlyMap<string, Versioned> = new Map();

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

export abstract class AdsStream {
  abstract readonly mode: StreamMode;
  protected readonly types = new Map<ResourceTypeUrl, TypeState>();
  private blocked = false;
  // Shared responses this stream was sent since the snapshot last changed.
  private sharedFor: EncodedSnapshot | undefined;
  private readonly sharedSent = new Set<string>();
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
        added: new Set(),
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

  /**
   * A response for this stream, built once per snapshot and key and shared
   * with every other stream of the fleet that needs the same bytes (same
   * type, same changes): a thousand streams then cost one encode and no
   * per-stream copy. Its nonce is unique in the process; a stream that
   * needs the same response a second time (say it unsubscribed and
   * subscribed again) gets a fresh copy, so a nonce names one response on a
   * stream.
   */
  protected response(key: string, build: (nonce: string) => Buffer): { buf: Buffer; nonce: string } {
    const snapshot = this.ctx.cache.snapshot(this.ctx.fleet);
    if (snapshot !== this.sharedFor) {
      this.sharedFor = snapshot;
      this.sharedSent.clear();
    }
    // A stream churning subscriptions under one snapshot stops sharing rather
    // than remembering ever more nonces.
    let shared = snapshot && this.sharedSent.size < SHARED_MAX_PER_STREAM ? sharedResponses.get(snapshot) : undefined;
    // Streams of different servers on one cache may report different control planes.
    key = `${this.ctx.controlPlane.toString('latin1')}\n${key}`;
    const hit = shared?.entries.get(key);
    if (hit && !this.sharedSent.has(hit.nonce)) {
      this.sharedSent.add(hit.nonce);
      return hit;
    }
    const nonce = newNonce();
    const out = { buf: build(nonce), nonce };
    if (snapshot && !hit && this.sharedSent.size < SHARED_MAX_PER_STREAM) {
      this.sharedSent.add(nonce);
      if (!shared) sharedResponses.set(snapshot, (shared = { entries: new Map(), bytes: 0 }));
      if (shared.entries.size < SHARED_MAX_ENTRIES && shared.bytes + out.buf.length <= SHARED_MAX_BYTES) {
        shared.entries.set(key, out);
        shared.bytes += out.buf.length;
      }
    }
    return out;
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
    this.ctx.logger.warn(
      { fleet: e.fleet, nodeId: e.nodeId, typeUrl, version: e.version, nonce: e.nonce, resources: e.resourceNames.length, message },
      'xds: client rejected configuration (NACK)',
    );
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
    const settled = (st: TypeState | undefined, d: Desired | undefined): boolean =>
      !st || !d || (!st.inFlight && st.added.size === 0 && st.syncedVersion === d.typeSet.version);
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
   * Names of a type that may not be available to the client: for a stream
   * in step with the snapshot, the names it subscribed to since and those
   * its in-flight delta response adds or removes; undefined when unknown
   * without a full walk.
   */
  private unavailable(st: TypeState, d: Desired): string[] | undefined {
    if (st.syncedVersion !== d.typeSet.version) return undefined;
    // Newly subscribed names not yet looked at may be coming too.
    const out: string[] = [...st.added];
    if (!st.inFlight) return out;
    if (this.mode !== 'delta') return undefined;
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
