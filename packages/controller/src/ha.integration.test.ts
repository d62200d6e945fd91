// Watch recovery, API server restarts and leader election against a real
// kube-apiserver + etcd. Controllers use a minimal translator (harness.ts):
// these tests are about what the controller does with whatever it computes.
import type { Gateway, KubeObject } from '@switchyard/api';
import { TestEnv, eventually } from '../test/testenv/index.js';
import { prepareControllerTest, startController, minimalTranslate, markFleetAvailable, conditionOf, testLogger } from '../test/testenv/harness.js';
import type { RunningController } from './run.js';
import { ObjectStore } from './store.js';
import { Reflector } from './reflector.js';
import { KubeClient } from './rest.js';

const NS = 'ha-test';
const gw = (name: string, listeners = [{ name: 'http', port: 8080, protocol: 'HTTP' }]): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: NS },
  spec: { gatewayClassName: 'switchyard', listeners },
});

async function statusWrites(c: RunningController): Promise<number> {
  const m = await c.metrics.registry.getSingleMetric('switchyard_status_writes_total')!.get();
  return m.values.filter((v) => v.labels.result === 'written').reduce((a, v) => a + v.value, 0);
}

describe('watch recovery and leader election (real kube-apiserver)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.start();
    await prepareControllerTest(env, NS);
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('relists after 410 Gone and turns objects deleted meanwhile into deletions', async () => {
    const client = new KubeClient(env.kubeConfig());
    await env.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stays', namespace: NS } });
    const store = new ObjectStore();
    // The store believes in an object that was deleted while nobody watched,
    // and the watch resumes from a resourceVersion long compacted away.
    store.upsert('/ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', namespace: NS, resourceVersion: '1' } });
    // History before now is compacted and the restarted API server's watch
    // cache starts at the current revision: resuming from '1' gets 410 Gone.
    await env.compactEtcd();
    await env.stopApiServer();
    await env.startApiServer();
    const seen: string[] = [];
    store.changes$.subscribe((c) => seen.push(`${c.type} ${c.key}`));
    const r = new Reflector(
      client,
      { group: '', kind: 'ConfigMap', versions: ['v1'], optional: false },
      'v1',
      `/api/v1/namespaces/${NS}/configmaps`,
      store,
      testLogger(),
      undefined,
      '1',
    );
    r.start();
    try {
      await eventually(() => seen.includes(`deleted ${NS}/ghost`) && seen.includes(`added ${NS}/stays`), { what: 'relist after 410' });
      expect(store.get('', 'ConfigMap', NS, 'ghost')).toBeUndefined();
      // And it keeps watching after the relist.
      await env.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: NS } });
      await eventually(() => store.get('', 'ConfigMap', NS, 'later') !== undefined, { what: 'watch resumed' });
    } finally {
      await r.stop();
    }
  }, 30_000);

  it('two replicas: both serve xDS, only the leader writes status; the other takes over when the leader dies', async () => {
    const a = await startController(env, { translate: minimalTranslate, identity: 'replica-a' });
    const b = await startController(env, { translate: minimalTranslate, identity: 'replica-b' });
    try {
      await env.apply(gw('ha'));
      await eventually(async () => conditionOf(await env.get('gateway.networking.k8s.io/v1', 'Gateway', NS, 'ha'), 'Accepted')?.status === 'True', {
        what: 'Gateway Accepted',
      });
      const leader = a.isLeader() ? a : b;
      const follower = leader === a ? b : a;
      expect(follower.isLeader()).toBe(false);
      const lease = await env.get<KubeObject<{ holderIdentity?: string }>>('coordination.k8s.io/v1', 'Lease', 'switchyard-system', 'switchyard-controller');
      expect(lease?.spec?.holderIdentity).toBe(leader.identity);
      // Both replicas hold the fleet for their Envoys.
      await eventually(() => a.cache.fleetIds().includes(`${NS}/ha`) && b.cache.fleetIds().includes(`${NS}/ha`), { what: 'fleet in both caches' });
      expect(await statusWrites(leader)).toBeGreaterThan(0);
      expect(await statusWrites(follower)).toBe(0);

      // The leader dies without releasing its lease (as in a crash).
      await leader.stop({ drainMs: 0, releaseLease: false });
      const t0 = Date.now();
      await eventually(() => follower.isLeader(), { what: 'takeover', timeoutMs: 10_000 });
      const takeoverMs = Date.now() - t0;
      // Lease 3 s: the follower takes over once the lease has gone unrenewed
      // for its duration, plus at most one retry period (0.3 s). The bound
      // leaves room for a loaded CI machine, not for a missed expiry.
      expect(takeoverMs).toBeGreaterThanOrEqual(1000);
      expect(takeoverMs).toBeLessThan(2 * 3000);
      // The new leader writes: a spec change gets a status at the new generation.
      await env.apply(
        gw('ha', [
          { name: 'http', port: 8080, protocol: 'HTTP' },
          { name: 'http2', port: 8081, protocol: 'HTTP' },
        ]),
      );
      await eventually(
        async () => {
          const g = await env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'ha');
          return conditionOf(g, 'Accepted')?.observedGeneration === g?.metadata.generation && g?.status?.listeners?.length === 2;
        },
        { what: 'status at the new generation from the new leader' },
      );
      expect(await statusWrites(follower)).toBeGreaterThan(0);
    } finally {
      await a.stop({ drainMs: 0 });
      await b.stop({ drainMs: 0 });
    }
  }, 60_000);

  it('a leader that stops gracefully hands over at once', async () => {
    const a = await startController(env, {
      translate: minimalTranslate,
      identity: 'replica-c',
      leaderElection: { leaseDurationMs: 30_000, retryPeriodMs: 200 },
    });
    await eventually(() => a.isLeader(), { what: 'c leads', timeoutMs: 40_000 });
    const b = await startController(env, {
      translate: minimalTranslate,
      identity: 'replica-d',
      leaderElection: { leaseDurationMs: 30_000, retryPeriodMs: 200 },
    });
    try {
      expect(b.isLeader()).toBe(false);
      await a.stop({ drainMs: 0 });
      // Far sooner than the 30 s lease: the released lease is taken on the next retry.
      await eventually(() => b.isLeader(), { what: 'd leads', timeoutMs: 5000 });
    } finally {
      await a.stop({ drainMs: 0 });
      await b.stop({ drainMs: 0 });
    }
  }, 90_000);

  it('converges to the right state across an API server restart in the middle of a series of changes', async () => {
    const c = await startController(env, { translate: minimalTranslate, identity: 'replica-e', leaderElection: { leaseDurationMs: 3000, retryPeriodMs: 300 } });
    try {
      await eventually(() => c.isLeader(), { what: 'e leads', timeoutMs: 40_000 });
      await env.apply(gw('before-1'));
      await env.apply(gw('before-2'));
      await eventually(() => c.cache.fleetIds().includes(`${NS}/before-2`), { what: 'before-2 served' });
      await env.stopApiServer();
      // While the API server is down the controller keeps serving what it has.
      expect(c.cache.fleetIds()).toEqual(expect.arrayContaining([`${NS}/before-1`, `${NS}/before-2`]));
      await env.startApiServer();
      // Changes right after the restart, while the controller is still reconnecting.
      await env.delete(gw('before-1'));
      await env.apply(gw('after-1'));
      await env.apply(gw('before-2', [{ name: 'web', port: 9090, protocol: 'HTTP' }]));
      await eventually(
        () => {
          const ids = c.cache.fleetIds();
          return !ids.includes(`${NS}/before-1`) && ids.includes(`${NS}/after-1`) && ids.includes(`${NS}/before-2`);
        },
        { what: 'xDS cache converged', timeoutMs: 30_000 },
      );
      const svc = await eventually(
        async () => {
          const s = await env.get<KubeObject<{ ports: Array<{ port: number }> }>>('v1', 'Service', NS, 'switchyard-before-2');
          return s?.spec?.ports[0]?.port === 9090 ? s : undefined;
        },
        { what: 'fleet Service updated', timeoutMs: 30_000 },
      );
      expect(svc.spec?.ports.map((p) => p.port)).toEqual([9090]);
      await eventually(() => env.get('apps/v1', 'DaemonSet', NS, 'switchyard-after-1'), { what: 'new fleet created' });
      // The deleted Gateway's fleet: the GC would remove it via ownerReferences; kube-apiserver alone runs no GC, so the controller does.
      await eventually(async () => (await env.get('apps/v1', 'DaemonSet', NS, 'switchyard-before-1')) === undefined, { what: 'old fleet deleted' });
      await markFleetAvailable(env, { namespace: NS, name: 'switchyard-before-2', ingress: { hostname: 'lb.example.net' } });
      const g = await eventually(
        async () => {
          const x = await env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'before-2');
          return conditionOf(x, 'Programmed')?.status === 'True' && conditionOf(x, 'Programmed')?.observedGeneration === x?.metadata.generation ? x : undefined;
        },
        { what: 'before-2 Programmed at its latest generation', timeoutMs: 30_000 },
      );
      expect(g.status?.addresses).toEqual([{ type: 'Hostname', value: 'lb.example.net' }]);
      expect(g.status?.listeners?.map((l) => l.name)).toEqual(['web']);
    } finally {
      await c.stop({ drainMs: 0 });
    }
  }, 120_000);
});
