import { jest } from '@jest/globals';
import { Subject, firstValueFrom } from 'rxjs';
import { pino } from 'pino';
import type { KubeObject, Snapshot } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { CONTROLLER_NAME, type ObjectStatus } from '@switchyard/translator';
import { coalesce, Reconciler } from './reconciler.js';
import { ObjectStore } from './store.js';
import { ControllerMetrics } from './metrics.js';
import type { StatusWriter } from './status-writer.js';

describe('coalesce', () => {
  afterEach(() => jest.useRealTimers());
  it('turns a burst into one batch, closes a batch at the max wait under a steady stream, and starts a new batch after a quiet gap', () => {
    jest.useFakeTimers();
    const src = new Subject<number>();
    const batches: number[][] = [];
    src.pipe(coalesce(50, 250)).subscribe((b) => batches.push(b));
    for (let i = 0; i < 5; i++) src.next(i);
    jest.advanceTimersByTime(49);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    // A steady stream (one event every 40 ms) never goes quiet: the max wait closes the batch.
    for (let i = 0; i < 10; i++) {
      src.next(100 + i);
      jest.advanceTimersByTime(40);
    }
    expect(batches.length).toBe(2);
    expect(batches[1]).toEqual([100, 101, 102, 103, 104, 105, 106]);
    jest.advanceTimersByTime(1000);
    expect(batches[2]).toEqual([107, 108, 109]);
  });
});

describe('Reconciler: endpoints-only passes', () => {
  const G = 'gateway.networking.k8s.io';
  let rv = 0;
  const obj = (o: Omit<KubeObject, 'metadata'> & { metadata: KubeObject['metadata'] }): KubeObject => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: String(++rv) },
  });
  const slice = (ips: string[]) =>
    obj({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'app', name: 'cart-1', labels: { 'kubernetes.io/service-name': 'cart' } },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
    } as KubeObject);
  const svc = obj({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'app', name: 'cart' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 9000 }] },
  });
  const kindOf = (o: KubeObject) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`;

  let store: ObjectStore;
  let reconciler: Reconciler;
  let metrics: ControllerMetrics;
  const pushes: Array<{ fleet: string; resources: EnvoyResources }> = [];
  let leader = false;
  let statusWrites = 0; // writeAll calls: the leader's write stage ran
  const written: Array<{ statuses: readonly ObjectStatus[]; snapshot: Snapshot }> = [];
  let unserved: string[] = [];
  beforeEach(async () => {
    pushes.length = 0;
    written.length = 0;
    unserved = [];
    leader = false;
    statusWrites = 0;
    store = new ObjectStore();
    metrics = new ControllerMetrics({ processMetrics: false });
    for (const o of [
      obj({ apiVersion: `${G}/v1`, kind: 'GatewayClass', metadata: { name: 'sy' }, spec: { controllerName: CONTROLLER_NAME } }),
      obj({
        apiVersion: `${G}/v1`,
        kind: 'Gateway',
        metadata: { namespace: 'app', name: 'gw' },
        spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      }),
      obj({
        apiVersion: `${G}/v1`,
        kind: 'HTTPRoute',
        metadata: { namespace: 'app', name: 'cart' },
        spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'cart', port: 80 }] }] },
      }),
      svc,
      slice(['10.0.0.1']),
    ])
      store.upsert(kindOf(o), o);
    reconciler = new Reconciler({
      controllerName: CONTROLLER_NAME,
      store,
      cache: { setFleet: (fleet, resources) => pushes.push({ fleet, resources }) > 0, deleteFleet: () => undefined },
      isLeader: () => leader,
      isSynced: () => true,
      unservedKinds: () => unserved,
      statusWriter: {
        writeAll: (statuses: readonly ObjectStatus[], snapshot: Snapshot) => {
          written.push({ statuses, snapshot });
          return Promise.resolve((statusWrites++, 0));
        },
      } as unknown as StatusWriter,
      metrics,
      log: pino({ level: 'silent' }),
      quietMs: 5,
      maxWaitMs: 20,
      resyncMs: 60_000,
    });
    const first = firstValueFrom(reconciler.passes$);
    reconciler.start();
    expect((await first).translation).toBe('full');
  });
  afterEach(async () => reconciler.stop());

  const nextPass = async (change: () => void) => {
    const p = firstValueFrom(reconciler.passes$);
    change();
    return p;
  };
  const translations = async () => Object.fromEntries((await metrics.translations.get()).values.map((v): [string, number] => [String(v.labels.kind), v.value]));

  it('a route change is a routes pass over the changed keys; the write stage sees the store as it was at the pass, not later events', async () => {
    leader = true;
    const route = (path: string) =>
      obj({
        apiVersion: `${G}/v1`,
        kind: 'HTTPRoute',
        metadata: { namespace: 'app', name: 'cart' },
        spec: {
          parentRefs: [{ name: 'gw' }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: 'cart', port: 80 }] }],
        },
      });
    const pass = await nextPass(() => store.upsert(`${G}/HTTPRoute`, route('/a')));
    expect(pass).toMatchObject({ translation: 'routes', pushed: 1 });
    const paths = (r: EnvoyResources) => JSON.stringify(r.routes.flatMap((rc) => rc.virtual_hosts!.flatMap((vh) => vh.routes!.map((x) => x.match))));
    expect(paths(pushes.at(-1)!.resources)).toContain('"/a"');
    await new Promise((r) => setTimeout(r, 20));
    const write = written.at(-1)!;
    // A later event (not yet translated) does not change what the pending write reads.
    store.upsert(`${G}/HTTPRoute`, route('/b'));
    expect(JSON.stringify(write.snapshot.get(G, 'HTTPRoute', 'app', 'cart')?.spec)).toContain('"/a"');
    expect(write.statuses.filter((s) => s.kind === 'HTTPRoute').map((s) => s.name)).toEqual(['cart']);
    const next = await nextPass(() => undefined);
    expect(next).toMatchObject({ translation: 'routes' });
    expect(paths(pushes.at(-1)!.resources)).toContain('"/b"');
  });

  it('an EndpointSlice change is an endpoints-only pass whose push reuses every resource but the changed ClusterLoadAssignment', async () => {
    expect(pushes).toHaveLength(1);
    const before = pushes[0]!.resources;
    const pass = await nextPass(() => store.upsert('discovery.k8s.io/EndpointSlice', slice(['10.0.0.1', '10.0.0.2'])));
    expect(pass).toMatchObject({ translation: 'endpoints', pushed: 1 });
    expect(await translations()).toEqual({ full: 1, endpoints: 1 });
    const after = pushes[1]!.resources;
    for (const f of ['listeners', 'routes', 'clusters', 'secrets'] as const) expect(after[f]).toBe(before[f]);
    expect(after.endpoints.flatMap((e) => e.endpoints?.[0]?.lb_endpoints?.map((l) => l.endpoint?.address?.socket_address?.address) ?? [])).toEqual([
      '10.0.0.1',
      '10.0.0.2',
    ]);

    // A pass with nothing changed (resync, leadership) reuses the translation and pushes nothing.
    const idle = await nextPass(() => reconciler.trigger());
    expect(idle).toMatchObject({ translation: 'unchanged', pushed: 0 });
    expect(pushes).toHaveLength(2);
  });

  it('the leader skips the write stage on endpoints-only passes, unless triggered or a NACK is on record (a push clears it)', async () => {
    leader = true;
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'unchanged' });
    expect(statusWrites).toBe(1);
    expect(await nextPass(() => store.upsert('discovery.k8s.io/EndpointSlice', slice(['10.0.0.5'])))).toMatchObject({ translation: 'endpoints', pushed: 1 });
    expect(statusWrites).toBe(1);
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'unchanged' });
    expect(statusWrites).toBe(2);

    const rejection = {
      typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      resourceNames: ['x'],
      message: 'bad',
      nodeId: 'envoy-1',
      at: new Date().toISOString(),
    };
    const nack = obj({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'app', name: 'gw.nack', annotations: { 'switchyard.dev/rejection': JSON.stringify(rejection) } },
      reason: 'ConfigRejected',
      involvedObject: { kind: 'Gateway', namespace: 'app', name: 'gw' },
    } as KubeObject);
    expect(await nextPass(() => store.upsert('/Event', nack))).toMatchObject({ translation: 'full' });
    expect(statusWrites).toBe(3);
    expect(await nextPass(() => store.upsert('discovery.k8s.io/EndpointSlice', slice(['10.0.0.6'])))).toMatchObject({ translation: 'endpoints', pushed: 1 });
    expect(statusWrites).toBe(4);
  });

  it('translates in full when the kinds the API server serves change, though no object did (an API turned on or off)', async () => {
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'unchanged' });
    unserved = ['certificates.k8s.io/ClusterTrustBundle'];
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'full' });
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'unchanged' });
    unserved = [];
    expect(await nextPass(() => reconciler.trigger())).toMatchObject({ translation: 'full' });
  });

  it('translates in full when anything besides EndpointSlices changed in the batch', async () => {
    // A route change refreshEndpoints alone could not see (its Service and port are still there).
    const pass = await nextPass(() => {
      store.upsert('discovery.k8s.io/EndpointSlice', slice(['10.0.0.3']));
      store.upsert(
        `${G}/HTTPRoute`,
        obj({
          apiVersion: `${G}/v1`,
          kind: 'HTTPRoute',
          metadata: { namespace: 'app', name: 'cart' },
          spec: { parentRefs: [{ name: 'gw' }], hostnames: ['cart.example.com'], rules: [{ backendRefs: [{ name: 'cart', port: 80 }] }] },
        }),
      );
    });
    expect(pass.translation).toBe('full');
    expect(await translations()).toEqual({ full: 2 });
    expect(JSON.stringify(pushes.at(-1)!.resources.routes)).toContain('cart.example.com');
  });
});
