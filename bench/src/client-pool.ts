// The parent's handle on the simulated Envoys: forks 1-2 worker processes
// (the machine has 2 cores; more processes would only contend), splits the
// streams between them and combines their answers.
import { fork, type ChildProcess } from 'node:child_process';
import type { AdsMode, MarkerEvent, StreamCounters, TypeCounters } from './ads-client.js';
import type { FromWorker, ToWorker, WaitKind } from './client-worker.js';

export interface PoolOptions {
  readonly target: string;
  readonly mode: AdsMode;
  /** The fleet of each stream (its length is the number of streams). */
  readonly fleets: readonly string[];
  readonly workers?: number;
  readonly streamsPerConnection?: number;
  /** HTTP/2 initial stream and connection window the clients advertise (default: Envoy's, as `connect` in grpc-h2.ts). */
  readonly flowControlWindow?: number;
}

export interface Reached {
  /** Latest first-ACK time over all streams (process.hrtime.bigint clock, shared by processes on one machine). */
  readonly maxAckNs: bigint;
  readonly minAckNs: bigint;
}

export interface PoolStats extends StreamCounters {
  readonly streams: number;
  readonly closed: number;
}

/**
 * BENCH_CLIENT_CPU_PROF=DIR profiles the simulated Envoys: each worker runs
 * under `node --cpu-prof` and writes its profile to DIR when it exits
 * (summarize with `node bench/dist/profile.js --summarize FILE`).
 */
function profileArgs(): string[] {
  const dir = process.env['BENCH_CLIENT_CPU_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

class Worker {
  private readonly handlers = new Set<(m: FromWorker) => void>();
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (m: FromWorker) => {
      if (m.type === 'fatal') process.stderr.write(`client worker failed: ${m.message}\n`);
      for (const h of [...this.handlers]) h(m);
    });
  }
  send(m: ToWorker): void {
    this.proc.send(m);
  }
  next<T extends FromWorker['type']>(
    type: T,
    pred: (m: Extract<FromWorker, { type: T }>) => boolean = () => true,
    timeoutMs = 600_000,
  ): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.handlers.delete(h);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${type}`));
      }, timeoutMs);
      const h = (m: FromWorker): void => {
        if (m.type === 'fatal') {
          clearTimeout(timer);
          this.handlers.delete(h);
          reject(new Error(m.message));
        } else if (m.type === type && pred(m as Extract<FromWorker, { type: T }>)) {
          clearTimeout(timer);
          this.handlers.delete(h);
          resolve(m as Extract<FromWorker, { type: T }>);
        }
      };
      this.handlers.add(h);
    });
  }
}

export class ClientPool {
  private waitId = 0;
  private constructor(private readonly workers: Worker[]) {}

  static async start(o: PoolOptions): Promise<ClientPool> {
    const count = Math.max(1, Math.min(o.workers ?? (o.fleets.length > 200 ? 2 : 1), o.fleets.length));
    const workers: Worker[] = [];
    for (let w = 0; w < count; w++) {
      const proc = fork(new URL('./client-worker.js', import.meta.url), [], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: [...process.execArgv, ...profileArgs()],
      });
      workers.push(new Worker(proc));
    }
    const pool = new ClientPool(workers);
    await Promise.all(
      workers.map((w, i) => {
        const fleets = o.fleets.filter((_, k) => k % count === i);
        const started = w.next('started');
        w.send({
          type: 'start',
          target: o.target,
          mode: o.mode,
          fleets,
          idPrefix: `bench-${o.mode}-w${i}`,
          streamsPerConnection: o.streamsPerConnection ?? 25,
          flowControlWindow: o.flowControlWindow,
        });
        return started;
      }),
    );
    return pool;
  }

  /** Resolves when every stream has ACKed a response satisfying the wait; undefined on timeout. */
  async waitFor(kind: WaitKind, seq: number, timeoutMs: number): Promise<Reached | undefined> {
    const id = ++this.waitId;
    try {
      const answers = await Promise.all(
        this.workers.map((w) => {
          const p = w.next('reached', (m) => m.id === id, timeoutMs);
          w.send({ type: 'await', id, kind, seq });
          return p;
        }),
      );
      let maxAckNs = 0n;
      let minAckNs = -1n;
      for (const a of answers) {
        if (a.maxAckNs > maxAckNs) maxAckNs = a.maxAckNs;
        if (minAckNs < 0n || a.minAckNs < minAckNs) minAckNs = a.minAckNs;
      }
      return { maxAckNs, minAckNs: minAckNs < 0n ? 0n : minAckNs };
    } catch {
      return undefined;
    }
  }

  async stats(): Promise<PoolStats> {
    const answers = await Promise.all(
      this.workers.map((w) => {
        const p = w.next('stats');
        w.send({ type: 'stats' });
        return p;
      }),
    );
    const sum = { bytes: 0, byType: {} as Record<string, TypeCounters>, errors: 0, streams: 0, closed: 0 };
    for (const a of answers) {
      sum.bytes += a.counters.bytes;
      sum.errors += a.counters.errors;
      sum.streams += a.streams;
      sum.closed += a.closed;
      for (const [k, c] of Object.entries(a.counters.byType)) {
        const t = (sum.byType[k] ??= { bytes: 0, responses: 0, resources: 0, resourceBytes: 0 });
        t.bytes += c.bytes;
        t.responses += c.responses;
        t.resources += c.resources;
        t.resourceBytes += c.resourceBytes;
      }
    }
    return sum;
  }

  async events(kind: 'route' | 'endpoint'): Promise<MarkerEvent[][]> {
    const answers = await Promise.all(
      this.workers.map((w) => {
        const p = w.next('events');
        w.send({ type: 'events', kind });
        return p;
      }),
    );
    return answers.flatMap((a) => a.events);
  }

  /** CPU time the client workers used, for telling client load from server load. */
  pids(): number[] {
    return this.workers.map((w) => w.proc.pid ?? 0);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.proc.exitCode !== null) return resolve();
            const timer = setTimeout(() => {
              w.proc.kill('SIGKILL');
              resolve();
            }, 5000);
            w.proc.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.send({ type: 'close' });
          }),
      ),
    );
  }
}

/** Subtracts two stats snapshots (bytes and counts received in between). */
export function diffStats(after: PoolStats, before: PoolStats): PoolStats {
  const byType: Record<string, TypeCounters> = {};
  for (const [k, a] of Object.entries(after.byType)) {
    const b = before.byType[k] ?? { bytes: 0, responses: 0, resources: 0, resourceBytes: 0 };
    const d = {
      bytes: a.bytes - b.bytes,
      responses: a.responses - b.responses,
      resources: a.resources - b.resources,
      resourceBytes: a.resourceBytes - b.resourceBytes,
    };
    if (d.responses > 0) byType[k] = d;
  }
  return { bytes: after.bytes - before.bytes, byType, errors: after.errors - before.errors, streams: after.streams, closed: after.closed };
}
