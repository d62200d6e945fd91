// Measures the server side of a change reaching many delta streams, in
// process (no sockets): encode, per-stream diff and response encoding, with
// clients that ACK at once. Run after `npx tsc -b`:
//   node packages/xds/bench/fanout.mjs [streams=1000] [clusters=1000] [routes=10000]
import { pino } from 'pino';
import { SnapshotCache } from '../dist/index.js';
import { DeltaStream } from '../dist/delta-stream.js';
import { XdsStats } from '../dist/stats.js';
import { TypeUrl } from '@switchyard/protos';

const N = Number(process.argv[2] ?? 1000);
const CLUSTERS = Number(process.argv[3] ?? 1000);
const ROUTES = Number(process.argv[4] ?? 10000);
const VHOSTS = Math.max(1, Math.floor(ROUTES / 10));
const ADS = { ads: {}, resource_api_version: 'V3' };

function fleet(tag = '', ip = '10.0.0.1') {
  const clusters = [];
  const endpoints = [];
  for (let i = 0; i < CLUSTERS; i++) {
    const name = `ns/svc-${i}:80`;
    clusters.push({ name, type: 'EDS', eds_cluster_config: { eds_config: ADS }, connect_timeout: { seconds: 1 } });
    endpoints.push({
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: i === 0 ? ip : '10.0.0.1', port_value: 80 } } } }] }],
    });
  }
  const virtual_hosts = [];
  for (let v = 0, r = 0; v < VHOSTS; v++) {
    const routes = [];
    for (let k = 0; k < ROUTES / VHOSTS; k++, r++)
      routes.push({ match: { prefix: `/p${k}${r === 0 ? tag : ''}` }, route: { cluster: `ns/svc-${r % CLUSTERS}:80` } });
    virtual_hosts.push({ name: `vh-${v}`, domains: [`h${v}.example.com`], routes });
  }
  const hcm = {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: 'http',
      rds: { route_config_name: 'http-80', config_source: ADS },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
    },
  };
  return {
    listeners: [{ name: 'http-80', address: { socket_address: { address: '0.0.0.0', port_value: 80 } }, filter_chains: [{ filters: [hcm] }] }],
    routes: [{ name: 'http-80', virtual_hosts }],
    clusters,
    endpoints,
    secrets: [],
  };
}

const cache = new SnapshotCache();
let t = performance.now();
cache.setFleet('ns/gw', fleet());
console.log(`first encode (${CLUSTERS} clusters, ${ROUTES} routes in ${VHOSTS} virtual hosts): ${(performance.now() - t).toFixed(0)} ms`);

const stats = new XdsStats();
const logger = pino({ level: 'silent' });
let pending = 0;
let done;
let bytes = 0;
const streams = [];
for (let i = 0; i < N; i++) {
  const s = new DeltaStream({
    fleet: 'ns/gw',
    nodeId: `n${i}`,
    cache,
    stats,
    logger,
    controlPlane: Buffer.alloc(0),
    write: (b) => {
      bytes += b.length;
      // A fast client: ACK on the next microtask.
      const inFlight = [...s.types.entries()].filter(([, st]) => st.inFlight).map(([typeUrl, st]) => [typeUrl, st.inFlight.nonce]);
      queueMicrotask(() => {
        for (const [typeUrl, nonce] of inFlight) s.onRequest({ typeUrl, subscribe: [], unsubscribe: [], initialResourceVersions: {}, responseNonce: nonce });
      });
      if (--pending === 0 && done) done();
      return true;
    },
  });
  streams.push(s);
}
const clusterNames = Array.from({ length: CLUSTERS }, (_, i) => `ns/svc-${i}:80`);
const req = (typeUrl, subscribe = []) => ({ typeUrl, subscribe, unsubscribe: [], initialResourceVersions: {}, responseNonce: '' });
t = performance.now();
pending = Infinity;
for (const s of streams) {
  s.onRequest(req(TypeUrl.Cluster));
  s.onRequest(req(TypeUrl.ClusterLoadAssignment, clusterNames));
  s.onRequest(req(TypeUrl.Listener));
  s.onRequest(req(TypeUrl.RouteConfiguration, ['http-80']));
}
await new Promise((r) => setTimeout(r, 50));
console.log(`initial sync of ${N} delta streams: ${(performance.now() - t).toFixed(0)} ms, ${(bytes / 1048576).toFixed(1)} MiB written`);

async function change(label, make) {
  const samples = [];
  for (let rep = 0; rep < 7; rep++) {
    const resources = make(rep);
    bytes = 0;
    pending = N;
    const all = new Promise((resolve) => (done = resolve));
    const t0 = performance.now();
    cache.setFleet('ns/gw', resources);
    const encodeMs = cache.encodeStats().lastEncodeMs;
    await all;
    done = undefined;
    samples.push([performance.now() - t0, encodeMs]);
    await new Promise((r) => setTimeout(r, 5));
  }
  samples.sort((a, b) => a[0] - b[0]);
  const med = samples[3];
  console.log(
    `${label}: setFleet until all ${N} streams wrote: median ${med[0].toFixed(0)} ms (encode ${med[1].toFixed(0)} ms), max ${samples[6][0].toFixed(0)} ms; ${(bytes / 1024).toFixed(0)} KiB written`,
  );
}
await change('one route changed', (i) => fleet(`-v${i}`));
await change('one endpoint changed', (i) => fleet('-v6', `10.1.0.${i}`));
globalThis.gc?.();
console.log(`heap used ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB${globalThis.gc ? ' (after GC)' : ''}`);
process.exit(0);
