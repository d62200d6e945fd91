// Benchmark 5: churn. 1,000 HTTPRoutes are created and deleted, cycle after
// cycle, against a running controller. Two views:
//
// - In process (the pipeline with a simulated status writer, run with
//   --expose-gc): heap after GC per cycle, and the status writes each step
//   causes, compared with the objects whose status really changed (the new
//   routes and the Gateway whose listener's attachedRoutes changed). After
//   each write the pipeline runs again, as the watch event of a status write
//   makes a controller do, and that pass must write nothing.
// - Standalone (`switchyard serve --from-dir`, the real process): files are
//   written and deleted, RSS is read from /proc after each cycle. Standalone
//   mode has no API server and so writes no status; its /status endpoint is
//   diffed between cycles (ignoring lastTransitionTime) to count the statuses
//   a writer would have had to write.
import fs from 'node:fs';
import path from 'node:path';
import { churnRoutes, generateConfig, withRouteMarker } from './generate.js';
import { ClientPool } from './client-pool.js';
import { canonical, Pipeline } from './pipeline.js';
import { MiB, procMemory } from './stats.js';
import { benchTmpDir, lastFullGcHeapMiB, startStandaloneProcess, writeConfigDir, writeMarker } from './standalone.js';
import { loadXds } from './xds-contract.js';
import { writeFileAtomic, toYaml } from './yaml.js';

export interface ChurnArgs {
  readonly baseRoutes: number;
  readonly churnRoutes: number;
  readonly cycles: number;
}

export interface ChurnStep {
  readonly cycle: number;
  readonly step: 'create' | 'delete';
  readonly writes: number;
  readonly expectedWrites: number;
  /** Writes caused by the re-translation that the status writes' own watch events trigger (should be 0). */
  readonly echoWrites: number;
  readonly byKind: Record<string, number>;
  readonly translateMs: number;
}

export interface ChurnInProcessResult {
  readonly baseRoutes: number;
  readonly churnRoutes: number;
  readonly cycles: number;
  readonly steps: ChurnStep[];
  /** Heap used after GC: before the first cycle, then after each cycle's delete step. */
  readonly heapStartMiB: number;
  readonly heapAfterCycleMiB: number[];
  readonly rssStartMiB: number;
  readonly rssAfterCycleMiB: number[];
  readonly writesMatch: boolean;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  g();
  g();
};

export async function runChurnInProcess(a: ChurnArgs): Promise<ChurnInProcessResult> {
  const xds = await loadXds();
  const config = generateConfig({ gateways: 2, routes: a.baseRoutes, seed: 1 });
  const cache = xds.createCache();
  const pipeline = new Pipeline(config.objects, cache);
  // Converge first: the initial statuses are written (and echo once).
  pipeline.run();
  pipeline.writeStatuses();
  pipeline.run();
  pipeline.writeStatuses();
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  const rssStart = process.memoryUsage().rss;
  const steps: ChurnStep[] = [];
  const heapAfter: number[] = [];
  const rssAfter: number[] = [];

  const step = (cycle: number, kind: 'create' | 'delete', expectedWrites: number): void => {
    const t = pipeline.run();
    const w = pipeline.writeStatuses();
    pipeline.run();
    const echo = pipeline.writeStatuses();
    steps.push({ cycle, step: kind, writes: w.writes, expectedWrites, echoWrites: echo.writes, byKind: w.byKind, translateMs: t.translateMs });
  };

  for (let c = 0; c < a.cycles; c++) {
    const routes = churnRoutes(config, a.churnRoutes, c);
    for (const r of routes) pipeline.apply(r);
    // Really changed: every new route gets its first status, and Gateway
    // gw-0's listener "http" gets a new attachedRoutes count.
    step(c, 'create', routes.length + 1);
    for (const r of routes) pipeline.remove(r);
    // Deleted routes have no status left to write; gw-0's attachedRoutes drops back.
    step(c, 'delete', 1);
    gc();
    heapAfter.push(process.memoryUsage().heapUsed / MiB);
    rssAfter.push(process.memoryUsage().rss / MiB);
  }
  return {
    baseRoutes: a.baseRoutes,
    churnRoutes: a.churnRoutes,
    cycles: a.cycles,
    steps,
    heapStartMiB: heapStart / MiB,
    heapAfterCycleMiB: heapAfter,
    rssStartMiB: rssStart / MiB,
    rssAfterCycleMiB: rssAfter,
    writesMatch: steps.every((s) => s.writes === s.expectedWrites && s.echoWrites === 0),
  };
}

export interface ChurnStandaloneResult {
  readonly baseRoutes: number;
  readonly churnRoutes: number;
  readonly cycles: number;
  readonly streams: number;
  readonly rssStartMiB: number;
  readonly rssAfterCreateMiB: number[];
  readonly rssAfterDeleteMiB: number[];
  readonly peakRssMiB: number;
  /** Live JS heap after the last full GC before the first cycle and after each delete step (--trace-gc). */
  readonly liveHeapStartMiB: number;
  readonly liveHeapAfterDeleteMiB: number[];
  /** Statuses (from /status, lastTransitionTime ignored) that differ from the previous step's. */
  readonly statusChanges: Array<{ cycle: number; step: 'create' | 'delete'; changed: number; expected: number }>;
  readonly createMs: number[];
  readonly deleteMs: number[];
}

interface StatusDoc {
  statuses: Array<{ kind: string; namespace?: string; name: string; status: unknown }>;
}

/** Status per object key, with lastTransitionTime stripped (standalone stamps `now` on every translation, having no stored status to keep it from). */
async function fetchStatuses(httpUrl: string): Promise<Map<string, string>> {
  const doc = (await (await fetch(`${httpUrl}/status`)).json()) as StatusDoc;
  const out = new Map<string, string>();
  for (const s of doc.statuses) {
    out.set(
      `${s.kind}/${s.namespace ?? ''}/${s.name}`,
      canonical(JSON.parse(JSON.stringify(s.status), (k, v: unknown) => (k === 'lastTransitionTime' ? undefined : v))),
    );
  }
  return out;
}

function countChanged(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [k, v] of after) if (before.get(k) !== v) n++;
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runChurnStandalone(a: ChurnArgs): Promise<ChurnStandaloneResult> {
  const config = generateConfig({ gateways: 2, routes: a.baseRoutes, seed: 1 });
  const dir = benchTmpDir('churn');
  const markerFile = writeConfigDir(config, dir);
  let marker = config.objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === config.markerRoute.name)!;
  const sa = await startStandaloneProcess(dir, ['--trace-gc']);
  const streams = 10;
  // All streams on gw-0, the marker route's fleet, so every stream sees each step's marker.
  const pool = await ClientPool.start({ target: sa.xdsTarget, mode: 'delta', fleets: Array.from({ length: streams }, () => config.fleets[0]!), workers: 1 });
  try {
    if (!(await pool.waitFor('synced', 0, 300_000))) throw new Error(`streams did not sync: ${sa.stderrTail()}`);
    await sleep(1000);
    const rssStart = procMemory(sa.pid)?.rss ?? Number.NaN;
    const liveHeapStart = lastFullGcHeapMiB(sa.stdoutTail());
    const liveHeapAfterDelete: number[] = [];
    let statuses = await fetchStatuses(sa.httpUrl);
    const rssAfterCreate: number[] = [];
    const rssAfterDelete: number[] = [];
    const statusChanges: ChurnStandaloneResult['statusChanges'] = [];
    const createMs: number[] = [];
    const deleteMs: number[] = [];
    let seq = 0;
    const files = 10;
    const perFile = Math.ceil(a.churnRoutes / files);
    // The marker route is rewritten last in each step; when the streams have
    // it, the controller has read every file written before it.
    const settle = async (): Promise<number> => {
      seq++;
      marker = withRouteMarker(marker, seq);
      writeMarker(markerFile, marker);
      const t0 = process.hrtime.bigint();
      const reached = await pool.waitFor('route', seq, 120_000);
      if (!reached) throw new Error(`change ${seq} did not reach the streams: ${sa.stderrTail()}`);
      return Number(reached.maxAckNs - t0) / 1e6;
    };
    for (let c = 0; c < a.cycles; c++) {
      const routes = churnRoutes(config, a.churnRoutes, c);
      const t0 = performance.now();
      for (let f = 0; f < files; f++) writeFileAtomic(path.join(dir, `churn-${f}.yaml`), toYaml(routes.slice(f * perFile, (f + 1) * perFile)));
      await settle();
      createMs.push(performance.now() - t0);
      rssAfterCreate.push((procMemory(sa.pid)?.rss ?? Number.NaN) / MiB);
      let next = await fetchStatuses(sa.httpUrl);
      // Really changed: each new route, Gateway gw-0 (attachedRoutes), and the
      // marker route (its generation, hence observedGeneration, went up).
      statusChanges.push({ cycle: c, step: 'create', changed: countChanged(statuses, next), expected: routes.length + 2 });
      statuses = next;
      const t1 = performance.now();
      for (let f = 0; f < files; f++) fs.rmSync(path.join(dir, `churn-${f}.yaml`));
      await settle();
      deleteMs.push(performance.now() - t1);
      await sleep(200);
      rssAfterDelete.push((procMemory(sa.pid)?.rss ?? Number.NaN) / MiB);
      liveHeapAfterDelete.push(lastFullGcHeapMiB(sa.stdoutTail()));
      next = await fetchStatuses(sa.httpUrl);
      statusChanges.push({ cycle: c, step: 'delete', changed: countChanged(statuses, next), expected: 2 });
      statuses = next;
    }
    return {
      baseRoutes: a.baseRoutes,
      churnRoutes: a.churnRoutes,
      cycles: a.cycles,
      streams,
      rssStartMiB: rssStart / MiB,
      rssAfterCreateMiB: rssAfterCreate,
      rssAfterDeleteMiB: rssAfterDelete,
      peakRssMiB: (procMemory(sa.pid)?.peak ?? Number.NaN) / MiB,
      liveHeapStartMiB: liveHeapStart,
      liveHeapAfterDeleteMiB: liveHeapAfterDelete,
      statusChanges,
      createMs,
      deleteMs,
    };
  } finally {
    await pool.close();
    await sa.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
