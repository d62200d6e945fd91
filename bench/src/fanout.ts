// Benchmark 8: fan-out. One change pushed to N delta streams (each on its own
// connection, as separate Envoys are), timed from the xDS cache update
// (SnapshotCache.setFleet of the already translated resources) until the last
// stream has written its ACK of the new RouteConfiguration. Beside it, in the
// same run and process layout, the floor: the same bytes per stream written
// to the same number of loopback sockets by a minimal sender (floor.ts).
// Half the floor rounds run before the xDS changes and half after, so a load
// change on the shared machine shows up on both sides.
import type { EnvoyResources } from '@switchyard/protos';
import { ClientPool, diffStats } from './client-pool.js';
import { FloorSender } from './floor.js';
import { generateConfig, withRouteMarker } from './generate.js';
import { Pipeline } from './pipeline.js';
import { median, nsToMs, percentile, procCpuMs } from './stats.js';
import { loadXds } from './xds-contract.js';

export interface FanoutArgs {
  readonly routes: number;
  readonly gateways: number;
  readonly streams: number;
  readonly changes: number;
  readonly floorRounds: number;
  /** HTTP/2 window the simulated Envoys advertise. */
  readonly flowControlWindow: number;
  /** The server's write pacing budget (default: the xds package's). */
  readonly writeBudgetBytes?: number;
}

export interface FanoutRow {
  readonly routes: number;
  readonly streams: number;
  readonly flowControlWindow: number;
  readonly writeBudgetBytes: number | undefined;
  readonly changes: number;
  /** CPU time of the simulated Envoys' processes per change (ms, all workers together). */
  readonly clientCpuMsPerChange: number;
  /** DeltaDiscoveryResponse bytes each stream received per change (median). */
  readonly bytesPerStream: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly firstAckP50Ms: number;
  readonly setFleetP50Ms: number;
  readonly serverCpuMsPerChange: number;
  readonly floorP50Ms: number;
  readonly floorMaxMs: number;
  readonly floorMs: number[];
  readonly latenciesMs: number[];
  readonly ratio: number;
  readonly streamErrors: number;
}

/** User + system CPU time of processes, ms. */
const clientCpu = (pids: number[]): number => pids.reduce((sum, pid) => sum + (procCpuMs(pid) ?? 0), 0);

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

export async function runFanout(a: FanoutArgs): Promise<FanoutRow> {
  const xds = await loadXds();
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const fleet = config.fleets[0]!;
  const cache = xds.createCache();
  // Translation happens outside the timed window: the pipeline has no cache,
  // and this benchmark hands the translated fleet over itself.
  const pipeline = new Pipeline(config.objects);
  pipeline.run();
  for (const [f, r] of pipeline.last!.fleets) cache.setFleet(f, r);
  const server = xds.createInsecureServer(cache, a.writeBudgetBytes);
  const port = await server.listen('127.0.0.1', 0);
  const pool = await ClientPool.start({
    target: `127.0.0.1:${port}`,
    mode: 'delta',
    fleets: Array.from({ length: a.streams }, () => fleet),
    streamsPerConnection: 1,
    flowControlWindow: a.flowControlWindow,
  });
  let floor: FloorSender | undefined;
  try {
    if (!(await pool.waitFor('synced', 0, 300_000))) throw new Error(`${a.streams} delta streams did not sync within 5 minutes`);
    if (!(await pool.waitFor('route', 0, 30_000))) throw new Error("the marker route's header value never appeared in a RouteConfiguration");

    const markerKey = config.markerRoute;
    let route = pipeline.get('gateway.networking.k8s.io/v1', 'HTTPRoute', markerKey.namespace, markerKey.name)!;
    let seq = 0;
    const translated = (): EnvoyResources => {
      seq++;
      route = withRouteMarker(route, seq);
      pipeline.apply(route);
      pipeline.run();
      return pipeline.last!.fleets.get(fleet)!;
    };

    // Warm-up change: not timed; gives the bytes one change costs per stream.
    let before = await pool.stats();
    cache.setFleet(fleet, translated());
    if (!(await pool.waitFor('route', seq, 120_000))) throw new Error('the warm-up change did not reach every stream within 2 minutes');
    let after = await pool.stats();
    const warmBytes = diffStats(after, before).bytes / a.streams;
    before = after;

    floor = await FloorSender.start(a.streams, 2);
    const payload = Buffer.alloc(Math.round(warmBytes), 0x61);
    const floorMs: number[] = [];
    const floorRound = async (): Promise<void> => {
      gc();
      floorMs.push(nsToMs((await floor!.round(payload)).lastAckNs));
    };
    for (let i = 0; i < Math.ceil(a.floorRounds / 2); i++) await floorRound();

    const latencies: number[] = [];
    const firstAcks: number[] = [];
    const setFleetMs: number[] = [];
    const perStream: number[] = [];
    let cpuMs = 0;
    let clientCpuMs = 0;
    for (let i = 0; i < a.changes; i++) {
      const resources = translated();
      gc();
      const cpu0 = process.cpuUsage();
      const clientCpu0 = clientCpu(pool.pids());
      const t0 = process.hrtime.bigint();
      cache.setFleet(fleet, resources);
      const t1 = process.hrtime.bigint();
      const reached = await pool.waitFor('route', seq, 120_000);
      const cpu = process.cpuUsage(cpu0);
      if (!reached) throw new Error(`change ${seq} did not reach every stream within 2 minutes`);
      cpuMs += (cpu.user + cpu.system) / 1000;
      clientCpuMs += clientCpu(pool.pids()) - clientCpu0;
      latencies.push(nsToMs(reached.maxAckNs - t0));
      firstAcks.push(nsToMs(reached.minAckNs - t0));
      setFleetMs.push(nsToMs(t1 - t0));
      after = await pool.stats();
      perStream.push(diffStats(after, before).bytes / a.streams);
      before = after;
    }
    for (let i = 0; i < Math.floor(a.floorRounds / 2); i++) await floorRound();
    const final = await pool.stats();
    const p50 = percentile(latencies, 50);
    const floorP50 = percentile(floorMs, 50);
    return {
      routes: a.routes,
      streams: a.streams,
      flowControlWindow: a.flowControlWindow,
      writeBudgetBytes: a.writeBudgetBytes,
      changes: latencies.length,
      clientCpuMsPerChange: clientCpuMs / Math.max(1, latencies.length),
      bytesPerStream: median(perStream),
      p50Ms: p50,
      maxMs: percentile(latencies, 100),
      firstAckP50Ms: percentile(firstAcks, 50),
      setFleetP50Ms: median(setFleetMs),
      serverCpuMsPerChange: cpuMs / Math.max(1, latencies.length),
      floorP50Ms: floorP50,
      floorMaxMs: percentile(floorMs, 100),
      floorMs,
      latenciesMs: latencies,
      ratio: p50 / floorP50,
      streamErrors: final.errors,
    };
  } finally {
    await floor?.close();
    await pool.close();
    await server.close();
  }
}
