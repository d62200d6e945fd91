// The kinds the controller watches: the rows of @switchyard/api's KINDS that
// carry `watch` (adding a kind is one line there). The watch, the snapshot
// and the RBAC test all read this view.
import { KINDS, type KindFacts } from '@switchyard/api';

export interface WatchedKind {
  readonly group: string;
  readonly kind: string;
  /** Versions in order of preference; the first one the API server serves is watched. */
  readonly versions: readonly string[];
  /** The controller runs without an optional kind, and starts watching once the API server serves it. */
  readonly optional: boolean;
  /** Watch only objects with these labels (the fleet objects Switchyard itself created). */
  readonly labelSelector?: string;
  /** Watch only objects matching this field selector. */
  readonly fieldSelector?: string;
}

const table: readonly KindFacts[] = KINDS;

export const WATCHED_KINDS: readonly WatchedKind[] = table.flatMap(({ group, kind, versions, watch }) =>
  watch ? [{ group, kind, ...watch, versions: watch.versions ?? versions }] : [],
);
