// What one stream knows about one resource type: the client's subscription,
// what it has ACKed, what is in flight, and how far it is in step with the
// fleet's snapshot. Both variants (sotw-stream.ts, delta-stream.ts) keep one
// per type they were asked for.
import type { Versioned } from './encoded-snapshot.js';
import { HeldResources } from './held-resources.js';

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

/** Nothing retained (shared, never mutated). */
export const NO_RETAINED: ReadonlyMap<string, Versioned> = new Map();

/** The state of a type the client has not asked for yet. */
export function newTypeState(): TypeState {
  return {
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
    retained: NO_RETAINED,
    exact: false,
    added: new Set(),
  };
}
