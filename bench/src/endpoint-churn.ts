// Benchmark 3: endpoint churn. While N Envoys of the fleet are connected, one
// EndpointSlice (the churn slice) changes every few milliseconds, as during a
// rolling restart. The pipeline coalesces: whenever it is free it translates
// the latest state (a change arriving while a translation runs waits for the
// next one), as the controller's pipeline does. Measured: for each change,
// the time until every stream has ACKed a ClusterLoadAssignment carrying that
// change or a later one; the server process's CPU; bytes received by type
// (only the one affected ClusterLoadAssignment should travel).
import type { AdsMode } from './ads-client.js';
import { ClientPool, diffStats } from './client-pool.js';
import { withEndpointMarker } from './generate.js';
import { startLoadedServer } from './pipeline.js';
import { median, nsToMs, percentile, procCpuMs } from './stats.js';

export interface EndpointChurnArgs {
  readonly routes: number;
  /** Gateways the routes spread over; every stream belongs to Gateway 0's fleet (the marker's). */
  readonly gateways: number;
  readonly streams: number;
  readonly mode: AdsMode;
  readonly intervalMs: number;
  readonly durationMs: number;
}

/** The benchmark's arguments, and what it measured. */
export interface EndpointChurnRow extends EndpointChurnArgs {
  readonly changes: number;
  /** Pipeline runs (each covers all changes since the previous run). */
  readonly translations: number;
  /** Runs by kind: a full translation, or the endpoints-only refresh. */
  readonly translationKinds: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly translateP50Ms: number;
  /** Server process CPU over the churn, as a share of one core. */
  readonly serverCpuPct: number;
  /** Client worker processes' CPU over the churn, share of one core (they share the 2 cores). */
  readonly clientCpuPct: number;
  readonly bytesPerStreamPerPush: number;
  readonly byType: Record<string, { responses: number; resourcesPerResponse: number; bytesPerStream: number }>;
  readonly onlyAffectedAssignment: boolean;
  readonly streamErrors: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runEndpointChurn(a: EndpointChurnArgs): Promise<EndpointChurnRow> {
  const { config, fleet, pipeline, server, port } = await startLoadedServer(a.gateways, a.routes);
  const pool = await ClientPool.start({ target: `127.0.0.1:${port}`, mode: a.mode, fleets: Array.from({ length: a.streams }, () => fleet) });
  if (!(await pool.waitFor('synced', 0, 300_000))) throw new Error('streams did not sync within 5 minutes');
  if (!(await pool.waitFor('endpoint', 0, 30_000))) throw new Error("the churn slice's marker endpoint (10.255.0.0) never appeared in a ClusterLoadAssignment");

  const sliceKey = config.churnSlice;
  let slice = pipeline.get('discovery.k8s.io/v1', 'EndpointSlice', sliceKey.namespace, sliceKey.name)!;
  let seq = 0;
  const changedAt: bigint[] = [0n];
  let dirty = false;
  const translateMs: number[] = [];
  const translationKinds: Record<string, number> = {};

  const before = await pool.stats();
  const clientCpu0 = pool.pids().map((p) => procCpuMs(p) ?? 0);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();

  // The outside world: one EndpointSlice update every intervalMs. Like watch
  // events queued on the API server connection while the controller is busy,
  // the updates due by now are applied whenever the pipeline gets control,
  // each timed from when it was due (when it reached the controller).
  const t0 = process.hrtime.bigint();
  const intervalNs = BigInt(Math.round(a.intervalMs * 1e6));
  const totalChanges = Math.floor(a.durationMs / a.intervalMs);
  const deliver = (): void => {
    const now = process.hrtime.bigint();
    while (seq < totalChanges && t0 + BigInt(seq + 1) * intervalNs <= now) {
      seq++;
      slice = withEndpointMarker(slice, seq);
      pipeline.apply(slice);
      changedAt[seq] = t0 + BigInt(seq) * intervalNs;
      dirty = true;
    }
  };

  // The pipeline: translate the latest state whenever free, then yield to I/O.
  while (seq < totalChanges || dirty) {
    deliver();
    if (dirty) {
      dirty = false;
      const t = pipeline.run();
      translateMs.push(t.translateMs);
      translationKinds[t.translation] = (translationKinds[t.translation] ?? 0) + 1;
    }
    await sleep(1);
  }
  const lastSeq = seq;
  const done = await pool.waitFor('endpoint', lastSeq, 120_000);
  const wallMs = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  const clientCpuMs = pool.pids().reduce((sum, p, i) => sum + ((procCpuMs(p) ?? 0) - (clientCpu0[i] ?? 0)), 0);
  const after = await pool.stats();
  const events = await pool.events('endpoint');
  await pool.close();
  await server.close();
  if (!done) throw new Error(`streams did not all receive endpoint change ${lastSeq} within 2 minutes`);

  // Latency of change k: the latest, over streams, of the first ACK that
  // carried k or a later change.
  const worst: bigint[] = new Array<bigint>(lastSeq + 1).fill(0n);
  const missing: boolean[] = new Array<boolean>(lastSeq + 1).fill(false);
  for (const stream of events) {
    // Events are in ACK order with non-decreasing sequence numbers.
    let j = 0;
    for (let k = 1; k <= lastSeq; k++) {
      while (j < stream.length && stream[j]![0] < k) j++;
      const e = stream[j];
      if (!e) missing[k] = true;
      else if (e[1] > worst[k]!) worst[k] = e[1];
    }
  }
  const latencies: number[] = [];
  for (let k = 1; k <= lastSeq; k++) if (!missing[k]) latencies.push(nsToMs(worst[k]! - changedAt[k]!));

  const d = diffStats(after, before);
  const byType: EndpointChurnRow['byType'] = {};
  for (const [k, c] of Object.entries(d.byType)) {
    byType[k] = { responses: c.responses, resourcesPerResponse: c.resources / c.responses, bytesPerStream: c.bytes / a.streams };
  }
  const pushes = (d.byType['EDS']?.responses ?? 0) / a.streams;
  const eds = d.byType['EDS'];
  return {
    routes: a.routes,
    gateways: a.gateways,
    streams: a.streams,
    mode: a.mode,
    intervalMs: a.intervalMs,
    durationMs: a.durationMs,
    changes: lastSeq,
    translations: translateMs.length,
    translationKinds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    translateP50Ms: median(translateMs),
    serverCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / wallMs,
    clientCpuPct: (100 * clientCpuMs) / wallMs,
    bytesPerStreamPerPush: pushes > 0 ? d.bytes / a.streams / pushes : Number.NaN,
    byType,
    onlyAffectedAssignment: Object.keys(d.byType).every((k) => k === 'EDS') && eds !== undefined && eds.resources === eds.responses,
    streamErrors: after.errors,
  };
}
