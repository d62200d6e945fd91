// Incremental (delta) ADS, driven by a raw client that plays Envoy's part.
import http2 from 'node:http2';
import { messageType, TypeUrl } from '@switchyard/protos';
import { SnapshotCache, createXdsServer, type NackEvent } from './index.js';
import { TestAdsClient, decodeAny, type DeltaClientStream, type DeltaResponse } from '../test/ads-test-client.js';
import { fixture } from '../test/fixtures.js';
import { serverPerTest } from '../test/test-server.js';

const FLEET = 'default/gw';
const xds = serverPerTest();

function connect(nodeId = 'envoy-1', cluster = FLEET): DeltaClientStream {
  return xds.client({ node: { id: nodeId, cluster } }).delta();
}

const names = (r: DeltaResponse): string[] => r.resources.map((x) => x.name).sort();
const versions = (r: DeltaResponse): Record<string, string> => Object.fromEntries(r.resources.map((x) => [x.name, x.version]));

/** Envoy's startup: wildcard CDS, endpoints of its clusters, wildcard LDS, its route configuration. */
async function syncAll(s: DeltaClientStream, clusters: string[]): Promise<Record<string, DeltaResponse>> {
  const got: Record<string, DeltaResponse> = {};
  s.request(TypeUrl.Cluster);
  got.cds = await s.next();
  expect(got.cds.type_url).toBe(TypeUrl.Cluster);
  s.request(TypeUrl.ClusterLoadAssignment, { subscribe: clusters });
  s.ack(got.cds);
  got.eds = await s.next();
  expect(got.eds.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  s.ack(got.eds);
  s.request(TypeUrl.Listener);
  got.lds = await s.next();
  expect(got.lds.type_url).toBe(TypeUrl.Listener);
  s.request(TypeUrl.RouteConfiguration, { subscribe: ['http-8080'] });
  s.ack(got.lds);
  got.rds = await s.next();
  expect(got.rds.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(got.rds);
  return got;
}

test('wildcard and named subscriptions get the current resources with per-resource versions', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const s = connect();
  const got = await syncAll(s, ['a', 'b']);
  expect(names(got.cds!)).toEqual(['a', 'b']);
  expect(names(got.eds!)).toEqual(['a', 'b']);
  expect(names(got.lds!)).toEqual(['http-8080']);
  expect(names(got.rds!)).toEqual(['http-8080']);
  for (const r of got.cds!.resources) expect(r.version).toMatch(/^[0-9a-f]{16}$/);
  expect(decodeAny(got.cds!.resources[0]!.resource)).toMatchObject({ type: 'EDS' });
  expect(xds.server.streams()).toEqual([{ fleet: FLEET, nodeId: 'envoy-1', mode: 'delta' }]);
});

test('a wildcard subscription to a type with no resources is answered with an empty set', async () => {
  // A Gateway whose listeners have no routes has no clusters; Envoy still
  // waits for a CDS answer before it warms listeners.
  xds.cache.setFleet(FLEET, { ...fixture({ clusters: [] }), clusters: [], endpoints: [] });
  const s = connect();
  s.request(TypeUrl.Cluster);
  const cds = await s.next();
  expect(cds.type_url).toBe(TypeUrl.Cluster);
  expect(cds.resources).toEqual([]);
  expect(cds.removed_resources).toEqual([]);
  s.ack(cds);
  s.request(TypeUrl.Listener);
  const lds = await s.next();
  expect(lds.type_url).toBe(TypeUrl.Listener);
  expect(names(lds)).toEqual(['http-8080']);
});

test('add, update and remove: only what changed is sent, removals in removed_resources after the routes moved', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const s = connect();
  const before = await syncAll(s, ['a', 'b']);

  // Update: one endpoint assignment changes.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], endpointIp: '10.0.0.9' }));
  const eds = await s.next();
  expect(eds.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(names(eds)).toEqual(['a', 'b']);
  expect(versions(eds).a).not.toBe(versions(before.eds!).a);
  expect(eds.removed_resources).toEqual([]);
  s.ack(eds);

  // Add cluster c (and a route to it): CDS first, carrying only c.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b', 'c'], endpointIp: '10.0.0.9' }));
  const cds = await s.next();
  expect(cds.type_url).toBe(TypeUrl.Cluster);
  expect(names(cds)).toEqual(['c']);
  s.request(TypeUrl.ClusterLoadAssignment, { subscribe: ['c'] });
  s.ack(cds);
  const edsC = await s.next();
  expect(edsC.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(names(edsC)).toEqual(['c']);
  s.ack(edsC);
  const rds = await s.next();
  expect(rds.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(rds);

  // Remove cluster b and its route: the route configuration changes first...
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'c'], endpointIp: '10.0.0.9' }));
  const rds2 = await s.next();
  expect(rds2.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(rds2);
  // ...then b leaves CDS, and (Envoy drops its endpoints itself) nothing is re-sent.
  const cds2 = await s.next();
  expect(cds2.type_url).toBe(TypeUrl.Cluster);
  expect(cds2.resources).toEqual([]);
  expect(cds2.removed_resources).toEqual(['b']);
  s.request(TypeUrl.ClusterLoadAssignment, { unsubscribe: ['b'] });
  s.ack(cds2);
  // Marker: a change elsewhere arrives next, with nothing about b before it.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'c'], endpointIp: '10.0.0.8' }));
  const eds3 = await s.next();
  expect(eds3.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(names(eds3)).toEqual(['a', 'c']);
  expect(eds3.removed_resources).toEqual([]);
});

test('a named subscription to a resource that does not exist is answered in removed_resources, once', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  s.request(TypeUrl.ClusterLoadAssignment, { subscribe: ['a', 'ghost'] });
  const r = await s.next();
  expect(names(r)).toEqual(['a']);
  expect(r.removed_resources).toEqual(['ghost']);
  s.ack(r);
  // It appears later: sent like any other addition.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'ghost'] }));
  const r2 = await s.next();
  expect(names(r2)).toEqual(['ghost']);
});

test('a reconnecting client with current initial_resource_versions gets nothing redundant', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], secret: 'cert' }));
  const s1 = connect();
  const got = await syncAll(s1, ['a', 'b']);
  s1.end();
  const s2 = connect();
  s2.request(TypeUrl.Cluster, { initial: versions(got.cds!) });
  s2.request(TypeUrl.ClusterLoadAssignment, { subscribe: ['a', 'b'], initial: versions(got.eds!) });
  s2.request(TypeUrl.Listener, { initial: versions(got.lds!) });
  s2.request(TypeUrl.RouteConfiguration, { subscribe: ['http-8080'], initial: versions(got.rds!) });
  s2.request(TypeUrl.Secret, { subscribe: ['cert'] }); // marker
  const first = await s2.next();
  expect(first.type_url).toBe(TypeUrl.Secret);
  expect(names(first)).toEqual(['cert']);
});

test('a reconnecting client with an outdated resource gets exactly that resource, and removals of what is gone', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const s1 = connect();
  const got = await syncAll(s1, ['a', 'b']);
  s1.end();
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], endpointIp: '10.0.0.7' }));
  const s2 = connect();
  s2.request(TypeUrl.Cluster, { initial: { ...versions(got.cds!), old: 'deadbeefdeadbeef' } });
  const cds = await s2.next();
  expect(cds.resources).toEqual([]);
  expect(cds.removed_resources).toEqual(['old']);
  s2.ack(cds);
  s2.request(TypeUrl.ClusterLoadAssignment, { subscribe: ['a', 'b'], initial: { a: versions(got.eds!).a!, b: 'outdated' } });
  const eds = await s2.next();
  // Both changed (new endpoint IP); the client's version of neither matches.
  expect(names(eds)).toEqual(['a', 'b']);
});

test('NACK: recorded and reported, not resent; the next snapshot is sent; unsubscribe and wildcard removal', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  await syncAll(s, ['a']);
  const seen: NackEvent[] = [];
  let nacked!: () => void;
  const nackSeen = new Promise<void>((resolve) => (nacked = resolve));
  xds.cache.onNack((e) => (seen.push(e), nacked()));
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-bad' }));
  const rds = await s.next();
  s.nack(rds, 'RouteConfiguration http-8080: invalid');
  await nackSeen;
  expect(seen[0]).toMatchObject({
    fleet: FLEET,
    typeUrl: TypeUrl.RouteConfiguration,
    resourceNames: ['http-8080'],
    message: 'RouteConfiguration http-8080: invalid',
    nonce: rds.nonce,
  });
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-bad', endpointIp: '10.2.2.2' }));
  const eds = await s.next();
  expect(eds.type_url).toBe(TypeUrl.ClusterLoadAssignment); // not the rejected RDS again
  s.ack(eds);
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-good', endpointIp: '10.2.2.2' }));
  const rds2 = await s.next();
  expect(rds2.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(rds2);
  // Unsubscribing the route configuration: later changes to it are not sent.
  s.request(TypeUrl.RouteConfiguration, { unsubscribe: ['http-8080'] });
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-later', endpointIp: '10.3.3.3' }));
  const next = await s.next();
  expect(next.type_url).toBe(TypeUrl.ClusterLoadAssignment);
});

test('two delta streams of different fleets each get only their own resources', async () => {
  xds.cache.setFleet('ns1/gw', fixture({ clusters: ['one'], secret: 'ns1-cert' }));
  xds.cache.setFleet('ns2/gw', fixture({ clusters: ['two'], secret: 'ns2-cert' }));
  const s1 = connect('n1', 'ns1/gw');
  const s2 = connect('n2', 'ns2/gw');
  s1.request(TypeUrl.Secret, { subscribe: ['ns1-cert', 'ns2-cert'] });
  const r1 = await s1.next();
  expect(names(r1)).toEqual(['ns1-cert']);
  expect(r1.removed_resources).toEqual(['ns2-cert']);
  s2.request(TypeUrl.Cluster);
  expect(names(await s2.next())).toEqual(['two']);
});

test('an explicit "*" added to a named subscription; a listener keeps its secret until the listener is gone', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], secret: 'cert' }));
  const s = connect();
  // Named only: just the listener asked for.
  s.request(TypeUrl.Listener, { subscribe: ['https-8443'] });
  const named = await s.next();
  expect(names(named)).toEqual(['https-8443']);
  s.ack(named);
  // Add the wildcard: the rest arrives.
  s.request(TypeUrl.Listener, { subscribe: ['*'] });
  const all = await s.next();
  expect(names(all)).toEqual(['http-8080']);
  s.ack(all);
  s.request(TypeUrl.Secret, { subscribe: ['cert'] });
  const sec = await s.next();
  expect(names(sec)).toEqual(['cert']);
  s.ack(sec);
  // The TLS listener and its secret leave together: the listener goes first,
  // the secret only once that is ACKed.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const lds = await s.next();
  expect(lds.type_url).toBe(TypeUrl.Listener);
  expect(lds.removed_resources).toEqual(['https-8443']);
  s.ack(lds);
  const sds = await s.next();
  expect(sds.type_url).toBe(TypeUrl.Secret);
  expect(sds.removed_resources).toEqual(['cert']);
});

test('deleteFleet sends nothing (no empty push); setting it again brings the stream up to date', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  s.request(TypeUrl.Cluster);
  const first = await s.next();
  s.ack(first);
  xds.cache.deleteFleet(FLEET);
  expect(xds.cache.snapshot(FLEET)).toBeUndefined();
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const next = await s.next();
  // Only the new cluster: nothing was removed in between.
  expect(names(next)).toEqual(['b']);
  expect(next.removed_resources).toEqual([]);
});

test('a client that stops reading holds at most one response per type and never delays another', async () => {
  const many = (ip: string) => fixture({ clusters: Array.from({ length: 200 }, (_, i) => `svc-${i}`), endpointIp: ip });
  xds.cache.setFleet(FLEET, many('10.0.0.1'));
  const stalled = connect('stalled');
  const live = connect('live');
  const all = Array.from({ length: 200 }, (_, i) => `svc-${i}`);
  for (const s of [stalled, live]) {
    s.request(TypeUrl.Cluster);
    s.request(TypeUrl.ClusterLoadAssignment, { subscribe: all });
  }
  stalled.stream.call.pause(); // stops reading: its transport fills up
  let lastEds: DeltaResponse | undefined;
  for (let i = 2; i <= 12; i++) {
    // Drain the live client until it has this round's endpoints.
    for (;;) {
      const r = await live.next();
      live.ack(r);
      if (r.type_url === TypeUrl.ClusterLoadAssignment) {
        lastEds = r;
        break;
      }
    }
    xds.cache.setFleet(FLEET, many(`10.0.0.${i}`));
  }
  // The live client got every round while the other one read nothing.
  expect(lastEds!.resources).toHaveLength(200);
  stalled.stream.call.resume();
  // Unread: at most the first response of each subscribed type (CDS, EDS).
  const first = [await stalled.next(), await stalled.next()];
  expect(first.map((r) => r.type_url).sort()).toEqual([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment].sort());
  expect(stalled.stream.pending()).toBe(0);
  for (const r of first) stalled.ack(r);
  // After its ACKs, it goes straight to the latest endpoints.
  const latest = await stalled.next();
  expect(latest.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  const ip = (r: DeltaResponse) =>
    (decodeAny(r.resources[0]!.resource) as { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string } } } }[] }[] })
      .endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.address;
  expect(ip(latest)).toBe('10.0.0.12');
});

test('controller restart: Envoy reconnects before the first snapshot, which then brings nothing it already has', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], secret: 'cert' }));
  const s1 = connect();
  const got = await syncAll(s1, ['a', 'b']);
  s1.end();
  // A new controller: empty cache, same objects translated a moment later.
  const restarted = new SnapshotCache();
  const server2 = createXdsServer({ cache: restarted, tls: { insecure: true } });
  const port2 = await server2.listen('127.0.0.1', 0);
  const c = new TestAdsClient({ port: port2, node: { id: 'envoy-1', cluster: FLEET } });
  try {
    const s2 = c.delta();
    s2.request(TypeUrl.Cluster, { initial: versions(got.cds!) });
    s2.request(TypeUrl.ClusterLoadAssignment, { subscribe: ['a', 'b'], initial: versions(got.eds!) });
    s2.request(TypeUrl.Listener, { initial: versions(got.lds!) });
    s2.request(TypeUrl.RouteConfiguration, { subscribe: ['http-8080'], initial: versions(got.rds!) });
    // The stream is registered before the snapshot is set (the requests were processed).
    while (server2.streams().length === 0) await new Promise((r) => setTimeout(r, 10));
    restarted.setFleet(FLEET, fixture({ clusters: ['a', 'b'], secret: 'cert' }));
    s2.request(TypeUrl.Secret, { subscribe: ['cert'] }); // marker
    const first = await s2.next();
    expect(first.type_url).toBe(TypeUrl.Secret);
  } finally {
    c.close();
    await server2.close();
  }
});

describe('with writes paced one at a time (a one-byte budget)', () => {
  let cache: SnapshotCache;
  let server: ReturnType<typeof createXdsServer>;
  let port = 0;
  const clients: TestAdsClient[] = [];
  beforeEach(async () => {
    cache = new SnapshotCache();
    server = createXdsServer({ cache, tls: { insecure: true }, writePacing: { budgetBytes: 1, slowMs: 200 } });
    port = await server.listen('127.0.0.1', 0);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });
  const paced = (nodeId: string): DeltaClientStream => {
    const c = new TestAdsClient({ port, node: { id: nodeId, cluster: FLEET } });
    clients.push(c);
    return c.delta();
  };

  test('every stream of a fleet syncs, and all get the one shared response (same nonce, same bytes)', async () => {
    cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
    const streams = Array.from({ length: 20 }, (_, i) => paced(`envoy-${i}`));
    const got = await Promise.all(streams.map((s) => syncAll(s, ['a', 'b'])));
    for (const g of got) {
      expect(g.rds!.nonce).toBe(got[0]!.rds!.nonce);
      expect(g.rds!.resources[0]!.resource.value.equals(got[0]!.rds!.resources[0]!.resource.value)).toBe(true);
    }
    cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], endpointIp: '10.0.0.9' }));
    const next = await Promise.all(streams.map((s) => s.next()));
    expect(new Set(next.map((r) => r.nonce)).size).toBe(1);
    expect(next.every((r) => r.type_url === TypeUrl.ClusterLoadAssignment)).toBe(true);
  });

  test('a client that advertises no flow-control window does not hold up the others beyond slowMs', async () => {
    cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
    // A raw HTTP/2 client with a zero window: the server can send it no
    // data, so its first response's write never finishes.
    const session = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: 0 } });
    const stalled = session.request({
      ':method': 'POST',
      ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    const t = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
    const req = Buffer.from(t.encode(t.fromObject({ node: { id: 'stalled', cluster: FLEET }, type_url: TypeUrl.Cluster })).finish());
    const frame = Buffer.alloc(5 + req.length);
    frame.writeUInt32BE(req.length, 1);
    req.copy(frame, 5);
    stalled.write(frame);
    try {
      await waitUntil(() => server.streams().some((s) => s.nodeId === 'stalled'));
      const live = paced('live');
      const got = await syncAll(live, ['a', 'b']);
      expect(names(got.rds!)).toEqual(['http-8080']);
    } finally {
      stalled.close();
      session.close();
    }
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
