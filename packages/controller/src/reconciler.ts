// The pipeline: watch events -> coalesced batches -> one translation of a
// consistent snapshot -> xDS cache (every replica) -> fleet objects and
// statuses (leader only).
//
// Coalescing: a batch closes 50 ms after the last event (quiet window) or
// 250 ms after its first event (max wait), whichever comes first; passes
// never overlap, and events arriving during a pass cause exactly one more
// pass afterwards. So a single change reaches the xDS cache ~50 ms + one
// translation after the API server sends it, and a continuous stream of
// changes (a rollout touching many EndpointSlices) still reaches Envoy at
// least every 250 ms + one translation, instead of once per event.
//
// Every pass goes through the translator's translateIncremental (the same
// function standalone mode calls), handed the keys of the objects the store
// changed since the previous pass, so it reads only those and copies nothing
// else (its inputs then serve as the pass's consistent snapshot): when only
// EndpointSlices changed (endpoint churn, the commonest change) it refreshes
// ClusterLoadAssignments only; when only routes changed, it rebuilds only the
// virtual hosts they are in (or, when that cannot be confined, the Gateways
// they attach to); otherwise everything. The output equals a full
// translation, and unchanged resources keep their identity, so hashing and
// xDS encoding only touch what changed.
// When no watch event arrived at all (a resync or leadership tick), the
// previous translation is reused as it is.
import { Observable, Subject, merge, map, tap, type OperatorFunction, type Subscription } from 'rxjs';
import type { Logger } from 'pino';
import type { EnvoyResources } from '@switchyard/protos';
import { publishFleets, type FleetCache } from '@switchyard/xds';
import { GATEWAY_GROUP, snapshotOfMaps, type Gateway, type Snapshot } from '@switchyard/api';
import { translateIncremental, type ObjectStatus, type TranslateOptions, type TranslateResult, type Translation } from '@switchyard/translator';
import type { ObjectStore, StoreChange } from './store.js';
import type { StatusWriter } from './status-writer.js';
import { specsFor, type FleetProvisioner } from './fleet-provisioner.js';
import { fleetReadiness, withFleetStatus } from './gateway-status.js';
import { currentRejections } from './nack.js';
import type { EventRecorder } from './events.js';
import type { ControllerMetrics } from './metrics.js';
import { DEFAULT_FLEET, type FleetDefaults } from './fleet.js';

export interface ReconcilerOptions {
  readonly controllerName: string;
  readonly store: ObjectStore;
  /** The reconciler only sets and deletes fleets (NACKs are reported by nack.ts's reportNacks, wired in run.ts). */
  readonly cache: Pick<FleetCache, 'setFleet' | 'deleteFleet'>;
  readonly isLeader: () => boolean;
  /** True once every watched kind has been listed: translating a half-filled cache would withdraw configuration. */
  readonly isSynced: () => boolean;
  readonly statusWriter: StatusWriter;
  readonly provisioner?: FleetProvisioner;
  readonly events?: EventRecorder;
  readonly metrics?: ControllerMetrics;
  readonly log: Logger;
  readonly quietMs?: number;
  readonly maxWaitMs?: number;
  readonly translate?: (s: Snapshot, o: TranslateOptions) => TranslateResult;
  /** Kinds the API server does not serve now (the watcher's discovery); a change translates everything again. */
  readonly unservedKinds?: () => readonly string[];
  readonly fleetDefaults?: FleetDefaults;
  /**
   * A pass also runs this often without any event (default 30 s), so writes
   * that failed (API server away, conflicts) and fleet readiness are retried
   * even when nothing changes. Unchanged output costs no API calls.
   */
  readonly resyncMs?: number;
}

/** Buffers values until `quietMs` pass without one, or `maxWaitMs` after the first, then emits the batch. */
export function coalesce<T>(quietMs: number, maxWaitMs: number): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((sub) => {
      let buf: T[] = [];
      let quiet: NodeJS.Timeout | undefined;
      let max: NodeJS.Timeout | undefined;
      const flush = () => {
        clearTimeout(quiet);
        clearTimeout(max);
        quiet = max = undefined;
        if (buf.length === 0) return;
        const b = buf;
        buf = [];
        sub.next(b);
      };
      const s = source.subscribe({
        next: (v) => {
          buf.push(v);
          clearTimeout(quiet);
          quiet = setTimeout(flush, quietMs);
          max ??= setTimeout(flush, maxWaitMs);
        },
        error: (e: unknown) => sub.error(e),
        complete: () => {
          flush();
          sub.complete();
        },
      });
      return () => {
        s.unsubscribe();
        clearTimeout(quiet);
        clearTimeout(max);
      };
    });
}

/**
 * How a pass got its translation: a full translate; an endpoints-only
 * refresh of the previous one (only EndpointSlices changed); or the previous
 * one as it was (nothing changed since).
 */
export type TranslationKind = 'full' | 'routes' | 'endpoints' | 'unchanged';

export interface PassResult {
  readonly fleets: number;
  readonly pushed: number;
  readonly leader: boolean;
  readonly translation: TranslationKind;
}

function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class Reconciler {
  private readonly kick$ = new Subject<void>();
  private sub: Subscription | undefined;
  private received = 0;
  /** Per kind ("group/Kind"), the keys ("namespace/name") of the objects changed since `last` was translated. */
  private changed = new Map<string, Set<string>>();
  /** The latest translation, of the store as it was before `changed` changed. */
  private last: TranslateResult | undefined;
  /** The latest translateIncremental pass, with the inputs it compared against (when `last` came from it). */
  private translation: Translation | undefined;
  /** The unservedKinds the latest translation was given (sorted). */
  private unservedKinds: readonly string[] = [];
  /** trigger() was called since the last pass: its write stage must run (leadership, resync, readiness). */
  private triggered = false;
  /** The resources last handed to the cache, per fleet. */
  private readonly pushed = new Map<string, EnvoyResources>();
  private readonly lastChange = new Map<string, number>();
  private pendingWrite: WriteJob | undefined;
  private resync: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** Emits after every pass (for logs and tests that want to wait for quiescence). */
  readonly passes$ = new Subject<PassResult>();

  constructor(private readonly o: ReconcilerOptions) {}

  start(): void {
    const quiet = this.o.quietMs ?? 50;
    const maxWait = this.o.maxWaitMs ?? 250;
    this.sub = merge(
      this.o.store.changes$.pipe(
        tap((c: StoreChange) => {
          let keys = this.changed.get(c.kind);
          if (!keys) this.changed.set(c.kind, (keys = new Set<string>()));
          keys.add(c.key);
          this.received++;
          this.o.metrics?.queueDepth.set(this.received);
        }),
        map(() => undefined),
      ),
      this.kick$,
    )
      .pipe(coalesce(quiet, maxWait))
      // A pass is synchronous (translation and the cache push; writes go to their own stage), so passes never overlap.
      .subscribe({ next: () => this.pass(), error: (e: unknown) => this.o.log.error({ err: String(e) }, 'reconcile pipeline failed') });
    this.trigger();
    this.resync = setInterval(() => this.trigger(), this.o.resyncMs ?? 30_000);
    this.resync.unref();
  }

  /** Requests a pass (leadership changed, sync finished, a timer for fleet readiness). */
  trigger(): void {
    this.triggered = true;
    this.kick$.next();
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    this.sub?.unsubscribe();
    this.pendingWrite = undefined;
    await this.writing;
    this.passes$.complete();
  }

  private pass(): void {
    const startedWith = this.received;
    const t0 = process.hrtime.bigint();
    try {
      if (!this.o.isSynced()) return;
      const r = this.reconcileOnce();
      this.passes$.next(r);
    } catch (e) {
      this.o.log.error({ err: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'reconcile pass failed');
    } finally {
      this.o.metrics?.reconcileDuration.observe({ stage: 'translate' }, Number(process.hrtime.bigint() - t0) / 1e9);
      this.received -= startedWith;
      this.o.metrics?.queueDepth.set(this.received);
      // Events a store emitted while this pass ran (it reads the changed keys once): one more pass covers them all.
      if (this.received > 0) setImmediate(() => this.kick$.next());
    }
  }

  private reconcileOnce(): PassResult {
    const { log } = this.o;
    // Translation is synchronous from here: no event can slip in between
    // reading the changed keys and reading the store.
    const changed = this.changed;
    this.changed = new Map();
    const now = nowRfc3339();
    let result: TranslateResult;
    let translation: TranslationKind;
    let snapshot: Snapshot;
    try {
      ({ result, translation, snapshot } = this.translate(changed, now));
    } catch (e) {
      this.last = undefined; // the next pass translates in full
      throw e;
    }
    this.last = result;
    if (translation !== 'unchanged') this.o.metrics?.translations.inc({ kind: translation });

    // xDS: every replica serves every fleet.
    const { changed: pushedFleets, removed } = publishFleets(this.o.cache, this.pushed, result.fleets);
    for (const fleet of pushedFleets) {
      this.lastChange.set(fleet, Date.now());
      this.o.metrics?.pushes.inc({ fleet });
    }
    for (const fleet of removed) {
      this.lastChange.delete(fleet);
      log.info({ fleet }, 'fleet removed from xDS cache');
    }
    const pushed = pushedFleets.length;

    const leader = this.o.isLeader();
    this.o.metrics?.leader.set(leader ? 1 : 0);
    // Fleet objects and statuses are API calls (slow next to translation):
    // they run in their own serialized stage, always on the latest pass, so
    // the next change is translated and pushed to Envoy without waiting.
    // An endpoints-only pass changes none of their inputs (statuses, Gateways,
    // fleet workloads) unless a NACK is on record (a push clears it): under
    // endpoint churn the leader then does not re-compare every status per pass.
    const triggered = this.triggered;
    this.triggered = false;
    if (leader && (translation !== 'endpoints' || triggered || currentRejections(snapshot, new Map()).size > 0)) this.queueWrite({ snapshot, result, now });
    log.debug({ fleets: result.fleets.size, pushed, leader, translation }, 'reconciled');
    return { fleets: result.fleets.size, pushed, leader, translation };
  }

  /** The translation, and a snapshot of what it read that later events do not change (for the write stage). */
  private translate(
    changed: ReadonlyMap<string, ReadonlySet<string>>,
    now: string,
  ): { result: TranslateResult; translation: TranslationKind; snapshot: Snapshot } {
    const { controllerName } = this.o;
    // An API that appeared or went away (a ClusterTrustBundle API turned on)
    // changes what references resolve to without any object changing:
    // translateIncremental needs the same options every pass, so start over.
    const unservedKinds = [...(this.o.unservedKinds?.() ?? [])].sort();
    const servedChanged = unservedKinds.join(',') !== this.unservedKinds.join(',');
    this.unservedKinds = unservedKinds;
    const options = { controllerName, now, unservedKinds };
    if (this.o.translate) {
      const snapshot = this.o.store.snapshot();
      return { result: this.o.translate(snapshot, options), translation: 'full', snapshot };
    }
    // No watch event since the last pass (a resync, leadership): nothing to compare.
    if (changed.size === 0 && !servedChanged && this.translation && this.last === this.translation.detail)
      return { result: this.last, translation: 'unchanged', snapshot: snapshotOfMaps(this.translation.inputs) };
    // translateIncremental reads the changed objects (all of them on a first
    // or full pass) and translates only as much as they touch (the same
    // function standalone mode uses). It reads the store's live maps now,
    // synchronously, and keeps a copy of what it read as its inputs.
    const previous = !servedChanged && this.last === this.translation?.detail ? this.translation : undefined;
    const { translation, pass } = translateIncremental(previous, this.o.store.liveSnapshot(), options, changed);
    this.translation = translation;
    return { result: translation.detail, translation: pass, snapshot: snapshotOfMaps(translation.inputs) };
  }

  private queueWrite(job: WriteJob): void {
    this.pendingWrite = job;
    if (this.writing) return;
    this.writing = (async () => {
      while (this.pendingWrite) {
        const next = this.pendingWrite;
        this.pendingWrite = undefined;
        if (!this.o.isLeader()) continue;
        const t0 = process.hrtime.bigint();
        try {
          await this.write(next);
        } catch (e) {
          this.o.log.error({ err: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'status/fleet write failed');
        } finally {
          this.o.metrics?.reconcileDuration.observe({ stage: 'write' }, Number(process.hrtime.bigint() - t0) / 1e9);
        }
      }
      this.writing = undefined;
    })();
  }

  private async write({ snapshot, result, now }: WriteJob): Promise<void> {
    const { controllerName } = this.o;
    const specs = specsFor(snapshot, controllerName, this.o.fleetDefaults ?? DEFAULT_FLEET);
    // Why a fleet's Service could not be applied in this pass (a refused static cluster IP is reported on the Gateway).
    const serviceErrors = new Map<string, string>();
    if (this.o.provisioner) {
      const pr = await this.o.provisioner.reconcile(snapshot, specs);
      this.o.metrics?.fleetObjectsApplied.inc(pr.applied);
      for (const e of pr.errors) {
        this.o.metrics?.fleetErrors.inc({ fleet: e.fleet });
        if (e.message.includes('/services/')) serviceErrors.set(e.fleet, e.message);
        const [ns, name] = e.fleet.split('/');
        const gw = snapshot.get(GATEWAY_GROUP, 'Gateway', ns, name ?? '');
        if (gw) void this.o.events?.record(gw, { type: 'Warning', reason: 'ProvisioningFailed', message: e.message });
      }
    }
    const bySpec = new Map(specs.map((s) => [s.fleet, s]));
    const rejections = currentRejections(snapshot, this.lastChange);
    const statuses: ObjectStatus[] = result.statuses.map((s) => {
      if (s.kind !== 'Gateway') return s;
      const fleet = `${s.namespace ?? ''}/${s.name}`;
      const spec = bySpec.get(fleet);
      const gw = snapshot.get<Gateway>(GATEWAY_GROUP, 'Gateway', s.namespace, s.name);
      if (!spec || !gw) return s;
      return { ...s, status: withFleetStatus(gw, s.status ?? {}, spec, fleetReadiness(spec, snapshot, serviceErrors.get(fleet)), rejections.get(fleet), now) };
    });
    // Stale parent/ancestor entries of ours are already gone from these: the
    // translator computes a status for every route and policy that carries one.
    await this.o.statusWriter.writeAll(statuses, snapshot);
  }
}

interface WriteJob {
  readonly snapshot: Snapshot;
  readonly result: TranslateResult;
  readonly now: string;
}
