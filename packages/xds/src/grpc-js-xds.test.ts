// Interoperability with a real, independent xDS client: the XdsClient inside
// @grpc/grpc-js-xds (gRPC's proxyless xDS implementation, state of the world).
// It ACKs what it accepts and NACKs what gRPC cannot use; an Envoy listener
// whose HTTP filters gRPC does not support is such a thing, which gives a
// real NACK round trip.
import xdsClientModule from '@grpc/grpc-js-xds/build/src/xds-client.js';
import clusterTypeModule from '@grpc/grpc-js-xds/build/src/xds-resource-type/cluster-resource-type.js';
import endpointTypeModule from '@grpc/grpc-js-xds/build/src/xds-resource-type/endpoint-resource-type.js';
import listenerTypeModule from '@grpc/grpc-js-xds/build/src/xds-resource-type/listener-resource-type.js';
import { TypeUrl } from '@switchyard/protos';
import { SnapshotCache, createXdsServer, type NackEvent, type XdsServer } from './index.js';
import { fixture } from '../test/fixtures.js';

const { XdsClient, Watcher } = xdsClientModule;
const { ClusterResourceType } = clusterTypeModule;
const { EndpointResourceType } = endpointTypeModule;
const { ListenerResourceType } = listenerTypeModule;

const FLEET = 'default/gw';
let cache: SnapshotCache;
let server: XdsServer;
let client: InstanceType<typeof XdsClient>;

/** Collects a watcher's updates; next() waits for the next one. */
function watcher<T>() {
  const events: Array<{ kind: 'changed'; value: T } | { kind: 'error'; message: string } | { kind: 'absent' }> = [];
  let wake: (() => void) | undefined;
  const push = (e: (typeof events)[number]) => {
    events.push(e);
    wake?.();
  };
  const w = new Watcher<T>({
    onResourceChanged: (value) => push({ kind: 'changed', value }),
    onError: (status) => push({ kind: 'error', message: status.details }),
    onResourceDoesNotExist: () => push({ kind: 'absent' }),
  });
  let read = 0;
  const next = async () => {
    while (read >= events.length) await new Promise<void>((resolve) => (wake = resolve));
    return events[read++]!;
  };
  return { w, next };
}

beforeEach(async () => {
  cache = new SnapshotCache();
  cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  server = createXdsServer({ cache, tls: { insecure: true } });
  const port = await server.listen('127.0.0.1', 0);
  client = new XdsClient({
    xdsServers: [{ server_uri: `127.0.0.1:${port}`, channel_creds: [{ type: 'insecure' }], server_features: [] }],
    node: { id: 'grpc-js-xds', locality: {}, cluster: FLEET },
    authorities: {},
    clientDefaultListenerResourceNameTemplate: '%s',
    serverListenerResourceNameTemplate: null,
    certificateProviders: {},
  });
});

afterEach(async () => {
  // The XdsClient has no public close; cancelling the watches ends its stream use.
  await server.close();
});

test('grpc-js-xds receives and ACKs clusters and endpoints, and follows updates', async () => {
  const cds = watcher<{ name: string }>();
  const eds = watcher<{ endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { address: string } } } }> }> }>();
  ClusterResourceType.startWatch(client, 'a', cds.w);
  EndpointResourceType.startWatch(client, 'a', eds.w);
  const c = await cds.next();
  expect(c).toMatchObject({ kind: 'changed', value: { name: 'a' } });
  const e1 = await eds.next();
  expect(e1.kind).toBe('changed');
  expect(e1.kind === 'changed' && e1.value.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.address).toBe('10.0.0.1');

  cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'], endpointIp: '10.0.0.42' }));
  const e2 = await eds.next();
  expect(e2.kind === 'changed' && e2.value.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.address).toBe('10.0.0.42');
  expect(server.streams()).toEqual([{ fleet: FLEET, nodeId: 'grpc-js-xds', mode: 'sotw' }]);
  expect(server.stats().nacks).toEqual({});
  ClusterResourceType.cancelWatch(client, 'a', cds.w);
  EndpointResourceType.cancelWatch(client, 'a', eds.w);
});

test('grpc-js-xds NACKs an Envoy listener (filters gRPC does not support); the NACK reaches onNack with its message', async () => {
  const nacks: NackEvent[] = [];
  let seen!: () => void;
  const got = new Promise<void>((resolve) => (seen = resolve));
  cache.onNack((e) => {
    nacks.push(e);
    seen();
  });
  const lds = watcher<unknown>();
  ListenerResourceType.startWatch(client, 'http-8080', lds.w);
  await got;
  expect(nacks[0]).toMatchObject({ fleet: FLEET, nodeId: 'grpc-js-xds', typeUrl: TypeUrl.Listener });
  expect(nacks[0]!.message).toMatch(/Listener message validation failed/);
  expect(cache.activeNacks(FLEET)).toHaveLength(1);
  expect(server.stats().nacks[FLEET]).toBe(1);
  ListenerResourceType.cancelWatch(client, 'http-8080', lds.w);
});
