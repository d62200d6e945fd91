// Benchmark 2: change propagation. A configuration of R HTTPRoutes is loaded
// into the in-process pipeline (store -> translate -> xDS cache -> ADS server),
// N simulated Envoys of the marker route's fleet connect over gRPC, and the
// marker route is changed again and again. Each change is timed from the
// moment it enters the pipeline until every stream has received the new
// RouteConfiguration and written its ACK; bytes received are counted per
// change, beside the encoded size of the resources that really changed.
import { encodeMessage, RESOURCE_FIELDS, resourceName, TypeUrl } from '@switchyard/protos';
import type { EnvoyResources } from '@switchyard/protos';
import type { AdsMode } from './ads-client.js';
import { ClientPool, diffStats, type PoolStats } from './client-pool.js';
import { withRouteMarker } from './generate.js';
import { startLoadedServer } from './pipeline.js';
import { median, nsToMs, percentile } from './stats.js';

export interface PropagationArgs {
  readonly routes: number;
  /** Gateways the routes spread over; every stream belongs to Gateway 0's fleet (the marker's). */
  readonly gateways: number;
  readonly streams: number;
  readonly mode: AdsMode;
  readonly changes: number;
  /** Stop changing after this long even if fewer changes were made (SotW to 1,000 streams is slow). */
  readonly budgetMs: number;
  /** How many of the first changes also measure the encoded size of what changed (costs a full encode each). */
  readonly sizeSamples: number;
}

export interface PropagationRow {
  readonly routes: number;
  readonly gateways: number;
  /** HTTPRoutes on the fleet the streams belong to. */
  readonly fleetRoutes: number;
  readonly streams: number;
  readonly mode: AdsMode;
  readonly changes: number;
  readonly timeouts: number;
  readonly initialSyncMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** First stream's ACK (the pipeline plus one delivery), p50. */
  readonly firstAckP50Ms: number;
  readonly translateP50Ms: number;
  readonly setFleetP50Ms: number;
  /** Bytes received per stream per change (median). */
  readonly bytesPerStream: number;
  /** Encoded size of the resources whose bytes changed (median over the sampled changes). */
  readonly changedResourceBytes: number;
  readonly changedResources: number;
  /** Encoded size of the virtual hosts whose bytes changed (median over the sampled changes). */
  readonly changedVirtualHostBytes: number;
  /** Encoded size of the RouteConfiguration(s) in the fleet, for scale. */
  readonly routeConfigurationBytes: number;
  readonly bytesRatio: number;
  readonly byType: Record<string, { responsesPerStream: number; resourcesPerStream: number; bytesPerStream: number }>;
  /** Server process CPU (translate + encode + serve) per change, ms. */
  readonly serverCpuMsPerChange: number;
  readonly streamErrors: number;
  readonly latenciesMs: number[];
}

/** Encoded bytes of every resource of a fleet, by type and name. */
function encodedSizes(resources: EnvoyResources): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [field, typeUrl] of RESOURCE_FIELDS) {
    for (const r of resources[field]) out.set(`${typeUrl}|${resourceName(r)}`, Buffer.from(encodeMessage(typeUrl, r)));
  }
  return out;
}

/**
 * Encoded bytes of every virtual host: the smallest unit Envoy can receive
 * on its own (VHDS), which shows how much of a RouteConfiguration a one-route
 * change really touches.
 */
function virtualHostSizes(resources: EnvoyResources): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const rc of resources.routes) {
    for (const vh of rc.virtual_hosts ?? []) out.set(`${rc.name}|${vh.name}`, Buffer.from(encodeMessage('envoy.config.route.v3.VirtualHost', vh)));
  }
  return out;
}

function changedBytes(before: Map<string, Buffer>, after: Map<string, Buffer>): { bytes: number; count: number } {
  let bytes = 0;
  let count = 0;
  for (const [k, v] of after) {
    const prev = before.get(k);
    if (!prev || !prev.equals(v)) {
      bytes += v.length;
      count++;
    }
  }
  return { bytes, count };
}

export async function runPropagation(a: PropagationArgs): Promise<PropagationRow> {
  const { config, fleet, pipeline, server, port } = await startLoadedServer(a.gateways, a.routes);

  const pool = await ClientPool.start({ target: `127.0.0.1:${port}`, mode: a.mode, fleets: Array.from({ length: a.streams }, () => fleet) });
  const syncStart = process.hrtime.bigint();
  const synced = await pool.waitFor('synced', 0, 300_000);
  if (!synced) throw new Error(`${a.streams} ${a.mode} streams did not receive Clusters, Listeners, endpoints and routes within 5 minutes`);
  if (!(await pool.waitFor('route', 0, 30_000))) throw new Error("the marker route's header value (x-bench-seq) never appeared in a RouteConfiguration");
  const initialSyncMs = nsToMs(synced.maxAckNs - syncStart);

  const markerKey = config.markerRoute;
  let route = pipeline.get('gateway.networking.k8s.io/v1', 'HTTPRoute', markerKey.namespace, markerKey.name)!;
  let seq = 0;
  const change = (): void => {
    seq++;
    route = withRouteMarker(route, seq);
    pipeline.apply(route);
  };

  // The budget covers the warm-up and the measured changes: with the
  // RouteConfiguration re-sent whole to every stream, a change to 1,000
  // streams can take a long time on 2 cores, and the run must end.
  const started = performance.now();
  const remaining = (): number => a.budgetMs - (performance.now() - started);
  // One warm-up change, not recorded (the first push after sync).
  change();
  pipeline.run();
  if (!(await pool.waitFor('route', seq, Math.max(remaining(), 30_000))))
    throw new Error(`the warm-up change did not reach every stream within the ${a.budgetMs / 1000} s budget`);

  const latencies: number[] = [];
  const firstAcks: number[] = [];
  const translateMs: number[] = [];
  const setFleetMs: number[] = [];
  const perStreamBytes: number[] = [];
  const changed: Array<{ bytes: number; count: number }> = [];
  const changedVh: number[] = [];
  const typeTotals: Record<string, { responses: number; resources: number; bytes: number }> = {};
  let timeouts = 0;
  let cpuMs = 0;
  let sizesBefore = a.sizeSamples > 0 ? encodedSizes(pipeline.last!.fleets.get(fleet)!) : undefined;
  let vhBefore = a.sizeSamples > 0 ? virtualHostSizes(pipeline.last!.fleets.get(fleet)!) : undefined;
  let routeConfigurationBytes = 0;
  for (const [k, v] of sizesBefore ?? []) if (k.startsWith(TypeUrl.RouteConfiguration)) routeConfigurationBytes += v.length;
  let before: PoolStats = await pool.stats();
  for (let i = 0; i < a.changes && remaining() > 0; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    change();
    const timings = pipeline.run();
    const reached = await pool.waitFor('route', seq, Math.max(remaining(), 30_000));
    const cpu = process.cpuUsage(cpu0);
    cpuMs += (cpu.user + cpu.system) / 1000;
    if (!reached) {
      timeouts++;
      break;
    }
    latencies.push(nsToMs(reached.maxAckNs - t0));
    firstAcks.push(nsToMs(reached.minAckNs - t0));
    translateMs.push(timings.translateMs);
    setFleetMs.push(timings.setFleetMs);
    const after = await pool.stats();
    const d = diffStats(after, before);
    before = after;
    perStreamBytes.push(d.bytes / a.streams);
    for (const [k, c] of Object.entries(d.byType)) {
      const t = (typeTotals[k] ??= { responses: 0, resources: 0, bytes: 0 });
      t.responses += c.responses;
      t.resources += c.resources;
      t.bytes += c.bytes;
    }
    if (sizesBefore && vhBefore && changed.length < a.sizeSamples) {
      const sizesAfter = encodedSizes(pipeline.last!.fleets.get(fleet)!);
      const vhAfter = virtualHostSizes(pipeline.last!.fleets.get(fleet)!);
      changed.push(changedBytes(sizesBefore, sizesAfter));
      changedVh.push(changedBytes(vhBefore, vhAfter).bytes);
      sizesBefore = changed.length < a.sizeSamples ? sizesAfter : undefined;
      vhBefore = changed.length < a.sizeSamples ? vhAfter : undefined;
    }
  }
  const final = await pool.stats();
  await pool.close();
  await server.close();

  const n = latencies.length;
  const changedMedian = median(changed.map((c) => c.bytes));
  const bytesPerStream = median(perStreamBytes);
  const byType: PropagationRow['byType'] = {};
  for (const [k, t] of Object.entries(typeTotals)) {
    byType[k] = { responsesPerStream: t.responses / a.streams / n, resourcesPerStream: t.resources / a.streams / n, bytesPerStream: t.bytes / a.streams / n };
  }
  return {
    routes: a.routes,
    gateways: a.gateways,
    fleetRoutes: config.objects.filter(
      (o) => o.kind === 'HTTPRoute' && ((o.spec as { parentRefs?: Array<{ name: string }> }).parentRefs ?? []).some((p) => p.name === 'gw-0'),
    ).length,
    streams: a.streams,
    mode: a.mode,
    changes: n,
    timeouts,
    initialSyncMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    firstAckP50Ms: percentile(firstAcks, 50),
    translateP50Ms: median(translateMs),
    setFleetP50Ms: median(setFleetMs),
    bytesPerStream,
    changedResourceBytes: changedMedian,
    changedResources: median(changed.map((c) => c.count)),
    changedVirtualHostBytes: median(changedVh),
    routeConfigurationBytes,
    bytesRatio: bytesPerStream / changedMedian,
    byType,
    serverCpuMsPerChange: cpuMs / Math.max(1, n + timeouts),
    streamErrors: final.errors,
    latenciesMs: latencies,
  };
}
