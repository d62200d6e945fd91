// The per-fleet snapshot cache: what the controller sets, what streams serve.
// It knows nothing of streams beyond a change callback per fleet, and nothing
// of where resources come from (controller, files, tests).
import type { EnvoyResources } from '@switchyard/protos';
import { encodeSnapshot, type EncodedSnapshot } from './encoded-snapshot.js';

/** A client rejected a response (DiscoveryRequest.error_detail set). */
export interface NackEvent {
  readonly fleet: string;
  readonly nodeId: string;
  readonly typeUrl: string;
  /** The resources of the rejected response (state of the world: the whole set sent). */
  readonly resourceNames: string[];
  /** error_detail.message from the client. */
  readonly message: string;
  /** The version that was rejected (state of the world: set version; delta: system version). */
  readonly version: string;
  readonly nonce: string;
  /** ISO 8601 time the NACK arrived. */
  readonly at: string;
}

export interface EncodeStats {
  /** setFleet calls that changed something / that changed nothing. */
  readonly updates: number;
  readonly unchanged: number;
  /** Milliseconds spent encoding in the last setFleet call. */
  readonly lastEncodeMs: number;
}

/**
 * What the producers of fleets (the controller's reconciler, standalone mode,
 * the benchmarks) need of a cache. SnapshotCache is the implementation; a
 * producer that uses less narrows it with Pick, and tests pass fakes of that.
 */
export interface FleetCache {
  /** Replaces a fleet's resources; returns whether anything changed (the cache compares them). */
  setFleet(fleet: string, resources: EnvoyResources): boolean;
  deleteFleet(fleet: string): void;
  /** Subscribes to NACKs; returns the unsubscribe function. */
  onNack(listener: (e: NackEvent) => void): () => void;
}

type FleetWatcher = (snapshot: EncodedSnapshot | undefined) => void;

export class SnapshotCache implements FleetCache {
  private readonly fleets = new Map<string, EncodedSnapshot>();
  private readonly watchers = new Map<string, Set<FleetWatcher>>();
  private readonly nackListeners = new Set<(e: NackEvent) => void>();
  // Unresolved NACKs per fleet, keyed by node and type: a later ACK of the
  // same type from the same node, or the node disconnecting, resolves it.
  private readonly nacks = new Map<string, Map<string, NackEvent>>();
  private counters = { updates: 0, unchanged: 0, lastEncodeMs: 0 };

  /**
   * Replaces a fleet's snapshot. Resources are encoded here, once; unchanged
   * resources keep their version and are not re-sent to any stream. Throws on
   * resources that cannot be encoded (see encodeSnapshot), leaving the
   * previous snapshot in place. Returns whether anything changed (false:
   * every resource is as before and no stream is told anything).
   */
  setFleet(fleet: string, resources: EnvoyResources): boolean {
    const start = performance.now();
    const previous = this.fleets.get(fleet);
    const next = encodeSnapshot(fleet, resources, previous);
    this.counters.lastEncodeMs = performance.now() - start;
    if (previous && previous.version === next.version) {
      this.counters.unchanged++;
      return false;
    }
    this.counters.updates++;
    this.fleets.set(fleet, next);
    this.notify(fleet, next);
    return true;
  }

  /**
   * Forgets a fleet. Connected streams keep what they have: nothing is sent
   * until the fleet is set again (an empty push would wipe a running Envoy).
   */
  deleteFleet(fleet: string): void {
    if (!this.fleets.delete(fleet)) return;
    this.nacks.delete(fleet);
    this.notify(fleet, undefined);
  }

  /** The current encoded snapshot of a fleet. */
  snapshot(fleet: string): EncodedSnapshot | undefined {
    return this.fleets.get(fleet);
  }

  fleetIds(): string[] {
    return [...this.fleets.keys()].sort();
  }

  /** Calls fn whenever the fleet's snapshot changes. Returns unsubscribe. */
  watch(fleet: string, fn: FleetWatcher): () => void {
    let set = this.watchers.get(fleet);
    if (!set) this.watchers.set(fleet, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.watchers.get(fleet) === set) this.watchers.delete(fleet);
    };
  }

  onNack(listener: (e: NackEvent) => void): () => void {
    this.nackListeners.add(listener);
    return () => void this.nackListeners.delete(listener);
  }

  /** NACKs not yet resolved by a later ACK, for surfacing on the Gateway. */
  activeNacks(fleet: string): NackEvent[] {
    return [...(this.nacks.get(fleet)?.values() ?? [])].sort((a, b) => (a.nodeId + a.typeUrl).localeCompare(b.nodeId + b.typeUrl));
  }

  encodeStats(): EncodeStats {
    return { ...this.counters };
  }

  /** Called by streams. */
  recordNack(e: NackEvent): void {
    let m = this.nacks.get(e.fleet);
    if (!m) this.nacks.set(e.fleet, (m = new Map<string, NackEvent>()));
    m.set(`${e.nodeId}\u0000${e.typeUrl}`, e);
    for (const l of [...this.nackListeners]) {
      try {
        l(e);
      } catch {
        // A listener's failure must not break the stream that reported the NACK.
      }
    }
  }

  /** Called by streams on an ACK, or with typeUrl undefined when the node's stream ends. */
  resolveNack(fleet: string, nodeId: string, typeUrl?: string): void {
    const m = this.nacks.get(fleet);
    if (!m) return;
    for (const key of [...m.keys()]) {
      const [node, type] = key.split('\u0000');
      if (node === nodeId && (typeUrl === undefined || type === typeUrl)) m.delete(key);
    }
  }

  private notify(fleet: string, snapshot: EncodedSnapshot | undefined): void {
    // Each watcher only computes and queues what its own stream needs next;
    // none waits on a client, so one stalled stream cannot delay the others.
    for (const w of [...(this.watchers.get(fleet) ?? [])]) w(snapshot);
  }
}
