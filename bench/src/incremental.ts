// Benchmark 7: one HTTPRoute changed with 10,000 loaded, in the controller's
// data path (bench/src/pipeline.ts: the store, translateIncremental, the xDS
// cache's setFleet): the time from the change entering the pipeline until
// the new resources are in the cache. No streams: what travels to Envoys,
// and how long that takes, is benchmark 2.
import type { KubeObject } from '@switchyard/api';
import { generateConfig } from './generate.js';
import { Pipeline } from './pipeline.js';
import { Prng } from './prng.js';
import { percentile } from './stats.js';
import { loadXds } from './xds-contract.js';

export interface IncrementalArgs {
  readonly routes: number;
  readonly gateways: number;
  readonly changes: number;
}

export interface IncrementalRow {
  readonly routes: number;
  readonly gateways: number;
  readonly changes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time of the process (user + system, GC threads included) per change: what the load inflates less. */
  readonly cpuP50Ms: number;
  readonly cpuP99Ms: number;
  readonly translateP50Ms: number;
  readonly setFleetP50Ms: number;
  /** Passes by kind (routes: only the touched Gateways translated again). */
  readonly passes: Record<string, number>;
  /** Fleets handed to the cache per change (median). */
  readonly pushedP50: number;
  readonly fullTranslateMs: number;
}

/** The route with its first rule's request timeout set to `seq` seconds: a change Envoy sees. */
function withTimeout(route: KubeObject, seq: number): KubeObject {
  const spec = structuredClone(route.spec) as { rules: Array<{ timeouts?: { request?: string } }> };
  spec.rules[0]!.timeouts = { request: `${(seq % 50) + 1}s` };
  return { ...route, metadata: { ...route.metadata, generation: (route.metadata.generation ?? 1) + 1 }, spec };
}

export async function runIncremental(a: IncrementalArgs): Promise<IncrementalRow> {
  const xds = await loadXds();
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const pipeline = new Pipeline(config.objects, xds.createCache());
  const first = pipeline.run();
  const routes = config.objects.filter((o) => o.kind === 'HTTPRoute');
  const prng = new Prng(7);
  const total: number[] = [];
  const cpu: number[] = [];
  const translate: number[] = [];
  const setFleet: number[] = [];
  const pushed: number[] = [];
  const passes: Record<string, number> = {};
  // The first changes warm the JIT up; they are not counted.
  const warmUp = 5;
  for (let i = 0; i < a.changes + warmUp; i++) {
    const pick = routes[prng.int(0, routes.length - 1)]!;
    const current = pipeline.get(pick.apiVersion, pick.kind, pick.metadata.namespace, pick.metadata.name)!;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    pipeline.apply(withTimeout(current, i));
    const t = pipeline.run();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i < warmUp) continue;
    total.push(ms);
    cpu.push((c.user + c.system) / 1000);
    translate.push(t.translateMs);
    setFleet.push(t.setFleetMs);
    pushed.push(t.pushed);
    passes[t.translation] = (passes[t.translation] ?? 0) + 1;
  }
  return {
    routes: a.routes,
    gateways: a.gateways,
    changes: a.changes,
    p50Ms: percentile(total, 50),
    p99Ms: percentile(total, 99),
    maxMs: Math.max(...total),
    cpuP50Ms: percentile(cpu, 50),
    cpuP99Ms: percentile(cpu, 99),
    translateP50Ms: percentile(translate, 50),
    setFleetP50Ms: percentile(setFleet, 50),
    passes,
    pushedP50: percentile(pushed, 50),
    fullTranslateMs: first.translateMs + first.setFleetMs,
  };
}
