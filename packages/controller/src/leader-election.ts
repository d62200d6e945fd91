// Lease-based leader election (coordination.k8s.io/v1), the same protocol
// client-go's leaderelection package speaks, so `kubectl get lease` reads
// naturally. Every replica serves xDS; only the leader writes status, Events
// and fleet objects.
//
// Expiry is judged by when this replica last *saw the lease record change*
// (not by the holder's renewTime), as client-go does: clocks of different
// nodes may disagree, but each replica's own monotonic clock does not.
import { BehaviorSubject } from 'rxjs';
import type { Logger } from 'pino';
import type { KubeObject } from '@switchyard/api';
import { isConflict, isNotFound, type KubeClient } from './rest.js';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (pod name); must be unique among replicas. */
  readonly identity: string;
  /** How long a lease is valid without renewal. Default 15 s. */
  readonly leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down. Default 2/3 of the lease duration. */
  readonly renewDeadlineMs?: number;
  /** How often to try to acquire or renew. Default 1/7.5 of the lease duration (2 s for 15 s). */
  readonly retryPeriodMs?: number;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}
type Lease = KubeObject<LeaseSpec, never>;

/** RFC 3339 with microseconds, the MicroTime format Lease fields require. */
function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  /** True while this replica holds the lease. */
  readonly leading$ = new BehaviorSubject<boolean>(false);
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: KubeClient,
    private readonly o: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    this.leaseMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? Math.floor((this.leaseMs * 2) / 3);
    this.retryMs = o.retryPeriodMs ?? Math.max(100, Math.floor(this.leaseMs / 7.5));
  }

  get isLeader(): boolean {
    return this.leading$.value;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases/${encodeURIComponent(this.o.name)}`;
  }

  start(): void {
    this.stopped = false;
    const loop = () => {
      this.tick = this.tryAcquireOrRenew()
        .catch((e: unknown) => this.log.warn({ err: String(e) }, 'leader election: lease update failed'))
        .then(() => {
          if (this.isLeader && Date.now() - this.lastRenew > this.renewDeadlineMs) {
            this.log.warn({ lease: this.o.name }, 'leader election: could not renew within the renew deadline; stepping down');
            this.leading$.next(false);
          }
          if (!this.stopped) this.timer = setTimeout(loop, this.retryMs);
        });
    };
    loop();
  }

  /**
   * Stops electing; a leader releases the lease so another replica takes over
   * at once. With release=false the lease is left to expire, as after a crash.
   */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.tick;
    if (this.isLeader) {
      this.leading$.next(false);
    }
    if (release && this.lastRenew > 0) {
      try {
        const lease = await this.client.get<Lease>(this.path);
        if (lease.spec?.holderIdentity === this.o.identity) {
          await this.client.replace(this.path, {
            ...lease,
            spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(), acquireTime: null },
          });
          this.log.info({ lease: this.o.name }, 'leader election: released the lease');
        }
      } catch (e) {
        this.log.warn({ err: String(e) }, 'leader election: release failed; the lease expires on its own');
      }
    }
    this.leading$.complete();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    if (this.stopped) return;
    const now = new Date();
    const seconds = Math.max(1, Math.ceil(this.leaseMs / 1000));
    const lease = await this.client.getOrUndefined<Lease>(this.path);
    if (!lease) {
      try {
        await this.client.create(`/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec: { holderIdentity: this.o.identity, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        this.becameLeader();
      } catch (e) {
        if (isNotFound(e)) throw new Error(`cannot create Lease ${this.o.namespace}/${this.o.name}: namespace ${this.o.namespace} not found`);
        if (!isConflict(e)) throw e; // a conflict: another replica created it first
      }
      return;
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
    if (!this.observed || this.observed.record !== record) this.observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const ours = holder === this.o.identity;
    const durationMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
    const expired = !holder || Date.now() - this.observed.at > durationMs;
    if (!ours && !expired) {
      if (this.isLeader) this.leading$.next(false);
      return;
    }
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.o.identity,
        leaseDurationSeconds: seconds,
        renewTime: microTime(now),
        acquireTime: ours ? (spec.acquireTime ?? microTime(now)) : microTime(now),
        leaseTransitions: ours ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      // PUT with the read resourceVersion: if another replica wrote in
      // between, the API server answers 409 and we simply lose this round.
      const stored = await this.client.replace<Lease>(this.path, next);
      const s = stored.spec ?? {};
      this.observed = { record: JSON.stringify([s.holderIdentity, s.renewTime, s.leaseDurationSeconds]), at: Date.now() };
      if (!ours) this.log.info({ lease: this.o.name, previous: holder || null }, 'leader election: acquired the lease');
      this.becameLeader();
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
  }

  private becameLeader(): void {
    this.lastRenew = Date.now();
    if (!this.isLeader) this.leading$.next(true);
  }
}
