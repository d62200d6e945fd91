// Benchmark 1: full translation of a generated configuration, time and peak
// memory, beside the time to protobuf-encode the very same output (the floor:
// any translator must at least build these objects, and encoding is about the
// cost of walking them once). Runs in its own process per size, with
// --expose-gc, so the memory numbers belong to that size alone.
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS, type EnvoyResources } from '@switchyard/protos';
import { translate, type TranslateResult } from '@switchyard/translator';
import { generateConfig } from './generate.js';
import { median, MiB } from './stats.js';

export interface TranslationArgs {
  readonly routes: number;
  readonly gateways: number;
  readonly repeats: number;
}

export interface TranslationRow {
  readonly routes: number;
  readonly gateways: number;
  readonly objects: number;
  readonly generateMs: number;
  readonly snapshotMs: number;
  /** Median translate() time over the repeats (after a warm-up on a small config). */
  readonly translateMs: number;
  readonly translateRuns: number[];
  /** Median CPU time of translate(): on a shared machine, wall time also counts waiting for a core. */
  readonly translateCpuMs: number;
  readonly encodeMs: number;
  readonly encodeRuns: number[];
  readonly encodeCpuMs: number;
  /** translateCpuMs / encodeCpuMs. */
  readonly ratio: number;
  readonly output: OutputCounts;
  /** Heap used by the input objects (after GC). */
  readonly inputHeapMiB: number;
  /** Heap growth from just before translate() to just after (before GC): output plus garbage not yet collected. */
  readonly translateHeapGrowthMiB: number;
  /** Heap still used by the output after GC. */
  readonly outputHeapMiB: number;
  /** RSS just before the first measured translation, and the process's peak RSS after it. */
  readonly rssBeforeMiB: number;
  readonly peakRssMiB: number;
  readonly statuses: number;
  /** HTTPRoutes whose every parent has Accepted=True and ResolvedRefs=True: the generator's routes are meant to be valid. */
  readonly routesAccepted: number;
}

export interface OutputCounts {
  fleets: number;
  listeners: number;
  routeConfigurations: number;
  virtualHosts: number;
  envoyRoutes: number;
  clusters: number;
  clusterLoadAssignments: number;
  encodedBytes: number;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc');
  g();
  g();
};

/** Encodes every resource of every fleet, as the xDS server must; returns total bytes. */
export function encodeAll(fleets: ReadonlyMap<string, EnvoyResources>): number {
  let bytes = 0;
  for (const resources of fleets.values()) {
    for (const [field, typeUrl] of RESOURCE_FIELDS) {
      for (const r of resources[field]) bytes += encodeMessage(typeUrl, r).length;
    }
  }
  return bytes;
}

export function countOutput(result: TranslateResult, encodedBytes: number): OutputCounts {
  const c: OutputCounts = {
    fleets: result.fleets.size,
    listeners: 0,
    routeConfigurations: 0,
    virtualHosts: 0,
    envoyRoutes: 0,
    clusters: 0,
    clusterLoadAssignments: 0,
    encodedBytes,
  };
  for (const r of result.fleets.values()) {
    c.listeners += r.listeners.length;
    c.routeConfigurations += r.routes.length;
    for (const rc of r.routes) {
      c.virtualHosts += rc.virtual_hosts?.length ?? 0;
      for (const vh of rc.virtual_hosts ?? []) c.envoyRoutes += vh.routes?.length ?? 0;
    }
    c.clusters += r.clusters.length;
    c.clusterLoadAssignments += r.endpoints.length;
  }
  return c;
}

/** CPU time (user + system, all threads of this process) in ms since `from`. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
}

function timeTranslate(objects: readonly KubeObject[]): { snapshotMs: number; translateMs: number; translateCpuMs: number; result: TranslateResult } {
  const t0 = performance.now();
  const snapshot = snapshotOf(objects);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const result = translate(snapshot, { now: '2026-06-01T00:00:00Z' });
  const translateCpuMs = cpuMsSince(cpu);
  const t2 = performance.now();
  return { snapshotMs: t1 - t0, translateMs: t2 - t1, translateCpuMs, result };
}

export function runTranslation(a: TranslationArgs): TranslationRow {
  // Warm up the JIT on a small configuration, so the measured runs compare
  // steady-state code at every size (a long-running controller is warm).
  {
    const warm = generateConfig({ gateways: 2, routes: 500, seed: 99 });
    for (let i = 0; i < 3; i++) encodeAll(timeTranslate(warm.objects).result.fleets);
  }
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const g0 = performance.now();
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const generateMs = performance.now() - g0;
  gc();
  const before = process.memoryUsage();
  const inputHeapMiB = (before.heapUsed - heap0) / MiB;

  const first = timeTranslate(config.objects);
  const afterTranslate = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  let result: TranslateResult | undefined = first.result;
  gc();
  const outputHeapMiB = (process.memoryUsage().heapUsed - before.heapUsed) / MiB;

  const translateRuns = [first.translateMs];
  const translateCpuRuns = [first.translateCpuMs];
  const snapshotRuns = [first.snapshotMs];
  for (let i = 1; i < a.repeats; i++) {
    result = undefined; // let the previous output go, as a controller would
    gc();
    const r = timeTranslate(config.objects);
    translateRuns.push(r.translateMs);
    translateCpuRuns.push(r.translateCpuMs);
    snapshotRuns.push(r.snapshotMs);
    result = r.result;
  }
  const output = result ?? first.result;
  const encodeRuns: number[] = [];
  const encodeCpuRuns: number[] = [];
  let encodedBytes = 0;
  for (let i = 0; i < a.repeats; i++) {
    gc();
    const t = performance.now();
    const cpu = process.cpuUsage();
    encodedBytes = encodeAll(output.fleets);
    encodeCpuRuns.push(cpuMsSince(cpu));
    encodeRuns.push(performance.now() - t);
  }
  const translateMs = median(translateRuns);
  const encodeMs = median(encodeRuns);
  const translateCpuMs = median(translateCpuRuns);
  const encodeCpuMs = median(encodeCpuRuns);
  return {
    routes: a.routes,
    gateways: a.gateways,
    objects: config.objects.length,
    generateMs,
    snapshotMs: median(snapshotRuns),
    translateMs,
    translateRuns,
    translateCpuMs,
    encodeMs,
    encodeRuns,
    encodeCpuMs,
    ratio: encodedBytes > 0 ? translateCpuMs / encodeCpuMs : Number.NaN,
    output: countOutput(output, encodedBytes),
    inputHeapMiB,
    translateHeapGrowthMiB: (afterTranslate.heapUsed - before.heapUsed) / MiB,
    outputHeapMiB,
    rssBeforeMiB: before.rss / MiB,
    peakRssMiB: peakRss / MiB,
    statuses: output.statuses.length,
    routesAccepted: acceptedRoutes(output),
  };
}

interface RouteStatusShape {
  parents?: Array<{ conditions?: Array<{ type: string; status: string }> }>;
}

function acceptedRoutes(result: TranslateResult): number {
  let n = 0;
  for (const s of result.statuses) {
    if (s.kind !== 'HTTPRoute') continue;
    const parents = (s.status as RouteStatusShape | undefined)?.parents ?? [];
    const ok = (p: NonNullable<RouteStatusShape['parents']>[number], type: string): boolean =>
      (p.conditions ?? []).some((c) => c.type === type && c.status === 'True');
    if (parents.length > 0 && parents.every((p) => ok(p, 'Accepted') && ok(p, 'ResolvedRefs'))) n++;
  }
  return n;
}
