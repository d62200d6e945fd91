// State-of-the-world ADS, driven by a raw client that plays Envoy's part.
import { TypeUrl } from '@switchyard/protos';
import type { NackEvent } from './index.js';
import { namesOf, type SotwClientStream, type SotwResponse } from '../test/ads-test-client.js';
import { fixture } from '../test/fixtures.js';
import { serverPerTest } from '../test/test-server.js';

const FLEET = 'default/gw';
const xds = serverPerTest();

function connect(nodeId = 'envoy-1', cluster = FLEET): SotwClientStream {
  return xds.client({ node: { id: nodeId, cluster } }).sotw();
}

/** Brings a stream to the state an Envoy has after startup: everything ACKed. */
async function syncAll(s: SotwClientStream, clusters: string[]): Promise<Record<string, SotwResponse>> {
  const got: Record<string, SotwResponse> = {};
  s.request(TypeUrl.Cluster);
  got.cds = await s.next();
  expect(got.cds.type_url).toBe(TypeUrl.Cluster);
  s.request(TypeUrl.ClusterLoadAssignment, clusters);
  got.eds = await s.next();
  expect(got.eds.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  s.ack(got.cds);
  s.ack(got.eds, clusters);
  s.request(TypeUrl.Listener);
  got.lds = await s.next();
  expect(got.lds.type_url).toBe(TypeUrl.Listener);
  s.request(TypeUrl.RouteConfiguration, ['http-8080']);
  got.rds = await s.next();
  expect(got.rds.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(got.lds);
  s.ack(got.rds, ['http-8080']);
  return got;
}

test('late joiner gets the current snapshot: full CDS/LDS sets, the named EDS/RDS resources', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const s = connect();
  const got = await syncAll(s, ['a']);
  expect(namesOf(got.cds!.resources).sort()).toEqual(['a', 'b']);
  expect(namesOf(got.eds!.resources)).toEqual(['a']);
  expect(namesOf(got.lds!.resources)).toEqual(['http-8080']);
  expect(namesOf(got.rds!.resources)).toEqual(['http-8080']);
  expect(got.cds!.nonce).not.toBe('');
  expect(got.cds!.version_info).not.toBe('');
  expect(xds.server.streams()).toEqual([{ fleet: FLEET, nodeId: 'envoy-1', mode: 'sotw' }]);
});

test('a stream connected before the fleet exists waits, then gets the snapshot', async () => {
  const s = connect();
  s.request(TypeUrl.Cluster);
  // Nothing may arrive yet: an empty set would wipe a running Envoy after a controller restart.
  s.request(TypeUrl.Listener);
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const first = await s.next();
  expect(first.type_url).toBe(TypeUrl.Cluster);
  expect(namesOf(first.resources)).toEqual(['a']);
});

test('routes wait for the clusters and endpoints they use (make before break)', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  await syncAll(s, ['a']);
  // A new cluster c and a route to it.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'c'] }));
  const cds = await s.next();
  expect(cds.type_url).toBe(TypeUrl.Cluster);
  expect(namesOf(cds.resources).sort()).toEqual(['a', 'c']);
  // Like Envoy: while processing the clusters it asks for the new cluster's endpoints, then ACKs.
  s.request(TypeUrl.ClusterLoadAssignment, ['a', 'c'], { version: '', nonce: '' });
  s.ack(cds);
  const eds = await s.next();
  // The route to c must not come before c's endpoints were accepted.
  expect(eds.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(namesOf(eds.resources).sort()).toEqual(['a', 'c']);
  s.ack(eds, ['a', 'c']);
  const rds = await s.next();
  expect(rds.type_url).toBe(TypeUrl.RouteConfiguration);
});

test('a cluster is removed only after the routes that used it are replaced and ACKed', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const s = connect();
  await syncAll(s, ['a', 'b']);
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  // First the route configuration without the route to b...
  const rds = await s.next();
  expect(rds.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(rds, ['http-8080']);
  // ...then, once it is ACKed, the cluster set without b.
  const cds = await s.next();
  expect(cds.type_url).toBe(TypeUrl.Cluster);
  expect(namesOf(cds.resources)).toEqual(['a']);
});

test('only changed types are re-sent; an identical snapshot sends nothing', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  const before = await syncAll(s, ['a']);
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] })); // same content, new objects
  expect(xds.cache.encodeStats().unchanged).toBe(1);
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], endpointIp: '10.0.0.2' }));
  const eds = await s.next();
  // The first response after the identical snapshot is the EDS change: nothing redundant came before it.
  expect(eds.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(eds.version_info).not.toBe(before.eds!.version_info);
});

test('NACK is recorded, reported, counted, and not answered with a resend', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  const before = await syncAll(s, ['a']);
  const nacks: NackEvent[] = [];
  let nacked!: () => void;
  const nackSeen = new Promise<void>((resolve) => (nacked = resolve));
  const unsubscribe = xds.cache.onNack((e) => (nacks.push(e), nacked()));
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-v2' }));
  const rds = await s.next();
  expect(rds.type_url).toBe(TypeUrl.RouteConfiguration);
  s.nack(rds, before.rds!.version_info, 'route: bad regex', ['http-8080']);
  await nackSeen;
  // Then a change of another type: if the server re-sent the rejected RDS, it would arrive first.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-v2', endpointIp: '10.9.9.9' }));
  const next = await s.next();
  expect(next.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  expect(nacks).toEqual([
    expect.objectContaining({
      fleet: FLEET,
      nodeId: 'envoy-1',
      typeUrl: TypeUrl.RouteConfiguration,
      resourceNames: ['http-8080'],
      message: 'route: bad regex',
      version: rds.version_info,
      nonce: rds.nonce,
    }),
  ]);
  expect(xds.cache.activeNacks(FLEET)).toHaveLength(1);
  expect(xds.server.stats().nacks[FLEET]).toBe(1);
  s.ack(next, ['a']);
  // A new snapshot with a different route configuration is sent, and its ACK resolves the NACK.
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-v3', endpointIp: '10.9.9.9' }));
  const fixed = await s.next();
  expect(fixed.type_url).toBe(TypeUrl.RouteConfiguration);
  s.ack(fixed, ['http-8080']);
  unsubscribe();
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], routeTag: '-v3', endpointIp: '10.1.1.1' }));
  await s.next(); // the ACK above was processed before this push
  expect(xds.cache.activeNacks(FLEET)).toEqual([]);
});

test('a reconnecting client that has the current versions gets nothing redundant', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], secret: 'cert' }));
  const s1 = connect();
  const got = await syncAll(s1, ['a']);
  s1.end();
  const s2 = connect('envoy-1');
  s2.request(TypeUrl.Cluster, [], { version: got.cds!.version_info });
  s2.request(TypeUrl.ClusterLoadAssignment, ['a'], { version: got.eds!.version_info });
  s2.request(TypeUrl.Listener, [], { version: got.lds!.version_info });
  s2.request(TypeUrl.RouteConfiguration, ['http-8080'], { version: got.rds!.version_info });
  // A marker: a new subscription is answered; anything redundant would have come first.
  s2.request(TypeUrl.Secret, ['cert']);
  const first = await s2.next();
  expect(first.type_url).toBe(TypeUrl.Secret);
  expect(namesOf(first.resources)).toEqual(['cert']);
});

test('unknown resource names and stale nonces are ignored', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  const s = connect();
  s.request(TypeUrl.ClusterLoadAssignment, ['a', 'nope']);
  const eds = await s.next();
  expect(namesOf(eds.resources)).toEqual(['a']);
  s.request(TypeUrl.ClusterLoadAssignment, ['a'], { nonce: 'stale-nonce' });
  s.request('type.googleapis.com/envoy.service.runtime.v3.Runtime', ['x']);
  s.request(TypeUrl.Cluster);
  const cds = await s.next();
  expect(cds.type_url).toBe(TypeUrl.Cluster);
});

test('two fleets are isolated (insecure mode selects the fleet by node.cluster)', async () => {
  xds.cache.setFleet('ns1/gw', fixture({ clusters: ['one'] }));
  xds.cache.setFleet('ns2/gw', fixture({ clusters: ['two'] }));
  const s1 = connect('n1', 'ns1/gw');
  const s2 = connect('n2', 'ns2/gw');
  s1.request(TypeUrl.Cluster);
  s2.request(TypeUrl.Cluster);
  expect(namesOf((await s1.next()).resources)).toEqual(['one']);
  expect(namesOf((await s2.next()).resources)).toEqual(['two']);
  xds.cache.setFleet('ns2/gw', fixture({ clusters: ['two', 'three'] }));
  xds.cache.setFleet('ns1/gw', fixture({ clusters: ['one', 'uno'] }));
  // s1 has not ACKed; once it does, it gets only its own fleet's update.
  expect(xds.server.stats().streams).toEqual({ 'ns1/gw': { sotw: 1, delta: 0 }, 'ns2/gw': { sotw: 1, delta: 0 } });
});

test('insecure mode refuses a node without a fleet in node.cluster', async () => {
  const s = connect('n', 'not-a-fleet');
  s.request(TypeUrl.Cluster);
  const status = await s.status;
  expect(status.code).toBe(3); // INVALID_ARGUMENT
  expect(status.details).toMatch(/node\.cluster/);
});

test('a stalled stream does not delay another, and resumes with the latest snapshot only', async () => {
  xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], endpointIp: '10.0.0.1' }));
  const stalled = connect('stalled');
  const live = connect('live');
  stalled.request(TypeUrl.ClusterLoadAssignment, ['a']);
  const first = await stalled.next(); // never ACKed (yet)
  live.request(TypeUrl.ClusterLoadAssignment, ['a']);
  let r = await live.next();
  for (const ip of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) {
    live.ack(r, ['a']);
    xds.cache.setFleet(FLEET, fixture({ clusters: ['a'], endpointIp: ip }));
    r = await live.next();
    expect(r.type_url).toBe(TypeUrl.ClusterLoadAssignment);
  }
  // The stalled client finally ACKs its first response: it gets the latest state, not the three in between.
  stalled.ack(first, ['a']);
  const latest = await stalled.next();
  expect(latest.version_info).toBe(r.version_info);
  expect(JSON.stringify(latest.resources.map((x) => x.value.toString('base64')))).toBe(JSON.stringify(r.resources.map((x) => x.value.toString('base64'))));
});
