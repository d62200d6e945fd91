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
//  - a listener or route configuration waits for the clusters and endpoints
//    it refers to (make-before-break.ts);
//  - a resource that left the snapshot is retained while something the
//    client has still refers to it (desired.ts).
import type { Logger } from 'pino';
import { RESOURCE_TYPE_ORDER, type ResourceTypeUrl } from '@switchyard/protos';
import type { EncodedResource, Versioned } from './encoded-snapshot.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { XdsStats } from './stats.js';
import { desiredFor, type Desired } from './desired.js';
import { heldBack, type StreamView } from './make-before-break.js';
import { SharedResponses } from './shared-responses.js';
import { newTypeState, type InFlight, type TypeState } from './type-state.js';
import { GRPC_MESSAGE_PREFIX_BYTES } from './wire.js';

export type StreamMode = 'sotw' | 'delta';

export interface StreamContext {
  readonly fleet: string;
  readonly nodeId: string;
  readonly cache: SnapshotCache;
  readonly stats: XdsStats;
  readonly logger: Logger;
  readonly controlPlane: Buffer;
  /**
   * Writes one encoded response, framed as a gRPC message (wire.ts) and
   * possibly shared with other streams; false means the transport is full
   * (wait for resume()).
   */
  readonly write: (response: Buffer) => boolean;
}

const KNOWN_TYPES = new Set<string>(RESOURCE_TYPE_ORDER);

export abstract class AdsStream {
  abstract readonly mode: StreamMode;
  protected readonly types = new Map<ResourceTypeUrl, TypeState>();
  private blocked = false;
  private readonly shared = new SharedResponses();
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
    if (!st) this.types.set(typeUrl, (st = newTypeState()));
    return st;
  }

  protected knownType(typeUrl: string): typeUrl is ResourceTypeUrl {
    if (KNOWN_TYPES.has(typeUrl)) return true;
    this.ctx.logger.debug({ typeUrl }, 'xds: request for a type this server does not serve; ignored');
    return false;
  }

  /** A response for this stream, shared with the fleet's other streams that need the same bytes (shared-responses.ts). */
  protected response(key: string, build: (nonce: string) => Buffer): { buf: Buffer; nonce: string } {
    // Streams of different servers on one cache may report different control planes.
    return this.shared.response(this.ctx.cache.snapshot(this.ctx.fleet), `${this.ctx.controlPlane.toString('latin1')}\n${key}`, build);
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
    this.ctx.stats.pushed(typeUrl, resources, response.length - GRPC_MESSAGE_PREFIX_BYTES);
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
      desired.set(t, desiredFor(t, st, snapshot, desired, this.types));
    }
    const view: StreamView = { types: this.types, mode: this.mode, wasRejected: (st, r) => this.wasRejected(st, r) };
    for (const t of RESOURCE_TYPE_ORDER) {
      const st = this.types.get(t);
      const d = desired.get(t);
      if (!st || !d || st.inFlight) continue;
      this.sendType(t, st, d, (r) => heldBack(view, r, desired));
      if (this.blocked) return;
    }
  }

  protected abstract sendType(typeUrl: ResourceTypeUrl, st: TypeState, desired: Desired, held: (r: EncodedResource) => boolean): void;

  protected abstract wasRejected(st: TypeState, r: Versioned): boolean;
}
