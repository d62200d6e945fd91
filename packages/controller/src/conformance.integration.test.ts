// The upstream Gateway API conformance base manifests plus a few conformance
// test manifests, applied to a real kube-apiserver; the controller runs
// in-process with the real translator, as the controller's ServiceAccount.
// We wait for the statuses the conformance suite waits for, then connect as
// an Envoy of a fleet (mTLS with the fleet's own Secret) and check what it
// receives: with xdscheck (go-control-plane validation, references) and with
// a grpc-js ADS client (content, NACK reporting).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gateway, KubeObject, RouteStatus } from '@switchyard/api';
import { CONTROLLER_NAME } from '@switchyard/translator';
import { TypeUrl } from '@switchyard/protos';
import { runXdscheck } from '@switchyard/xds/test/xdscheck.js';
import { decodeAny, type SotwResponse } from '@switchyard/xds/test/ads-test-client.js';
import { TestEnv, eventually, conformanceDir, loadObjects } from '../test/testenv/index.js';
import {
  installControllerRbac,
  startController,
  markFleetAvailable,
  conditionOf,
  fleetAdsClient,
  secretPem,
  XDS_SERVER_NAME,
  type SecretObject,
} from '../test/testenv/harness.js';
import { CONFIG_REJECTED_CONDITION } from './gateway-status.js';
import type { RunningController } from './run.js';

const CLASS = 'switchyard-conformance';
const INFRA = 'gateway-conformance-infra';

function manifests(file: string): KubeObject[] {
  return loadObjects(readFileSync(file, 'utf8').replaceAll('{GATEWAY_CLASS_NAME}', CLASS));
}

const decoded = (r: SotwResponse) => r.resources.map(decodeAny);

describe('conformance manifests with the real translator (real kube-apiserver)', () => {
  let env: TestEnv;
  let ctl: RunningController;
  beforeAll(async () => {
    env = await TestEnv.start();
    await installControllerRbac(env);
    await env.apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: CLASS }, spec: { controllerName: CONTROLLER_NAME } });
    const dir = conformanceDir();
    await env.applyAll(manifests(join(dir, 'base', 'manifests.yaml')));
    for (const t of ['httproute-simple-same-namespace.yaml', 'httproute-invalid-backendref-unknown-kind.yaml', 'httproute-matching.yaml']) {
      await env.applyAll(manifests(join(dir, 'tests', t)));
    }
    ctl = await startController(env);
  }, 180_000);
  afterAll(async () => {
    await ctl?.stop({ drainMs: 0 });
    await env?.stop();
  });

  const getGw = (name: string) => env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', INFRA, name);
  const routeParent = async (name: string) => {
    const r = await env.get<KubeObject<unknown, RouteStatus>>('gateway.networking.k8s.io/v1', 'HTTPRoute', INFRA, name);
    return r?.status?.parents?.find((p) => p.controllerName === CONTROLLER_NAME);
  };

  it('reaches the statuses the conformance suite waits for', async () => {
    await eventually(async () => conditionOf(await env.get('gateway.networking.k8s.io/v1', 'GatewayClass', undefined, CLASS), 'Accepted')?.status === 'True', {
      what: 'GatewayClass Accepted',
    });
    // No kubelet or cloud load balancer here: the test marks the fleet's pods available and gives its Service an address.
    await eventually(() => env.get('apps/v1', 'DaemonSet', INFRA, 'switchyard-same-namespace'), { what: 'fleet DaemonSet' });
    await markFleetAvailable(env, { namespace: INFRA, name: 'switchyard-same-namespace', ingress: { ip: '192.0.2.10' } });
    const gw = await eventually(
      async () => {
        const g = await getGw('same-namespace');
        return conditionOf(g, 'Accepted')?.status === 'True' && conditionOf(g, 'Programmed')?.status === 'True' ? g : undefined;
      },
      { what: 'Gateway same-namespace Accepted and Programmed' },
    );
    expect(gw.status?.addresses).toEqual([{ type: 'IPAddress', value: '192.0.2.10' }]);
    const http = gw.status?.listeners?.find((l) => l.name === 'http');
    expect(http?.conditions.find((c) => c.type === 'Programmed')?.status).toBe('True');
    expect(http?.attachedRoutes).toBeGreaterThanOrEqual(1);

    const ok = await eventually(
      async () => {
        const p = await routeParent('gateway-conformance-infra-test');
        return p?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ? p : undefined;
      },
      { what: 'HTTPRoute Accepted' },
    );
    expect(ok.conditions?.find((c) => c.type === 'ResolvedRefs')?.status).toBe('True');
    const bad = await eventually(() => routeParent('invalid-backend-ref-unknown-kind'), { what: 'invalid route status' });
    expect(bad.conditions?.find((c) => c.type === 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidKind' });
  }, 60_000);

  it('keeps another controller’s entry in a route’s status.parents', async () => {
    const path = `/apis/gateway.networking.k8s.io/v1/namespaces/${INFRA}/httproutes/gateway-conformance-infra-test/status`;
    const route = (await env.get<KubeObject<unknown, RouteStatus>>('gateway.networking.k8s.io/v1', 'HTTPRoute', INFRA, 'gateway-conformance-infra-test'))!;
    const foreign = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'elsewhere' },
      controllerName: 'example.com/other-controller',
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'theirs',
          lastTransitionTime: '2026-01-01T00:00:00Z',
          observedGeneration: route.metadata.generation,
        },
      ],
    };
    await env.admin.replace(path, { ...route, status: { parents: [...(route.status?.parents ?? []), foreign] } });
    // A spec change makes Switchyard rewrite its own entry (new observedGeneration).
    await env.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'gateway-conformance-infra-test', namespace: INFRA },
      spec: { parentRefs: [{ name: 'same-namespace' }], rules: [{ backendRefs: [{ name: 'infra-backend-v1', port: 8080 }] }], hostnames: ['example.com'] },
    });
    const parents = await eventually(
      async () => {
        const r = await env.get<KubeObject<unknown, RouteStatus>>('gateway.networking.k8s.io/v1', 'HTTPRoute', INFRA, 'gateway-conformance-infra-test');
        const ours = r?.status?.parents?.find((p) => p.controllerName === CONTROLLER_NAME);
        return ours?.conditions?.[0]?.observedGeneration === r?.metadata.generation ? r?.status?.parents : undefined;
      },
      { what: 'our parent entry at the new generation' },
    );
    expect(parents.find((p) => p.controllerName === 'example.com/other-controller')?.conditions?.[0]?.message).toBe('theirs');
  }, 30_000);

  it('an Envoy of the fleet (mTLS, fleet Secret) receives a configuration xdscheck accepts, and the rendered bootstrap is valid', async () => {
    const secret = await eventually(() => env.get<SecretObject>('v1', 'Secret', INFRA, 'switchyard-same-namespace-xds'), { what: 'fleet Secret' });
    const dir = env.dir;
    writeFileSync(join(dir, 'fleet-ca.pem'), secretPem(secret, 'ca.crt'));
    writeFileSync(join(dir, 'fleet-cert.pem'), secretPem(secret, 'tls.crt'));
    writeFileSync(join(dir, 'fleet-key.pem'), secretPem(secret, 'tls.key'));
    const r = await runXdscheck([
      '-addr',
      `127.0.0.1:${ctl.xdsPort}`,
      '-mode',
      'delta',
      '-server-name',
      XDS_SERVER_NAME,
      '-ca',
      join(dir, 'fleet-ca.pem'),
      '-cert',
      join(dir, 'fleet-cert.pem'),
      '-key',
      join(dir, 'fleet-key.pem'),
    ]);
    expect(`${r.stdout}${r.stderr}`).toMatch(/\bOK\b/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/listeners\s+[1-9]/);

    const cm = await env.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', INFRA, 'switchyard-same-namespace-bootstrap');
    writeFileSync(join(dir, 'bootstrap.yaml'), cm?.data?.['envoy.yaml'] ?? '');
    const b = await runXdscheck(['-bootstrap', join(dir, 'bootstrap.yaml')]);
    expect(b.code).toBe(0);
  }, 60_000);

  it('follows changes: a route moved to another backend reaches Envoy; a rejected config shows on the Gateway and as an Event', async () => {
    const secret = (await env.get<SecretObject>('v1', 'Secret', INFRA, 'switchyard-same-namespace-xds'))!;
    const client = fleetAdsClient(ctl.xdsPort, secret, 'test-envoy');
    const stream = client.sotw();
    try {
      stream.request(TypeUrl.Cluster);
      let cds = await stream.next(10_000);
      expect(JSON.stringify(decoded(cds))).toContain('infra-backend-v1');
      stream.ack(cds);

      await env.apply({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'gateway-conformance-infra-test', namespace: INFRA },
        spec: { parentRefs: [{ name: 'same-namespace' }], rules: [{ backendRefs: [{ name: 'infra-backend-v3', port: 8080 }] }] },
      });
      for (;;) {
        cds = await stream.next(15_000);
        const text = JSON.stringify(decoded(cds));
        if (text.includes('infra-backend-v3')) break;
        stream.ack(cds);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${ctl.httpPort}/metrics`)).text();
      expect(metrics).toContain(`switchyard_connected_envoys{fleet="${INFRA}/same-namespace"} 1`);
      // This Envoy rejects the update (as a real Envoy would on an invalid resource).
      stream.nack(cds, '', 'cluster infra-backend-v3: simulated rejection');
      const c = await eventually(async () => conditionOf(await getGw('same-namespace'), CONFIG_REJECTED_CONDITION), { what: 'ConfigRejected condition' });
      expect(c).toMatchObject({ status: 'True', reason: 'Rejected' });
      expect(c.message).toContain('simulated rejection');
      expect(c.message).toContain('Cluster');
      const events = await env.admin.list<KubeObject & { reason?: string; type?: string; message?: string }>(`/api/v1/namespaces/${INFRA}/events`);
      expect(events.items.some((e) => e.reason === 'ConfigRejected' && e.type === 'Warning' && (e.message ?? '').includes('simulated rejection'))).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${ctl.httpPort}/metrics`)).text()).toContain(
        `switchyard_xds_nacks_total{fleet="${INFRA}/same-namespace",type="Cluster"} 1`,
      );
    } finally {
      stream.cancel();
      client.close();
    }
  }, 60_000);

  it('graceful shutdown: leadership is released at once, xDS keeps serving during the drain, readiness turns off', async () => {
    const secret = (await env.get<SecretObject>('v1', 'Secret', INFRA, 'switchyard-same-namespace-xds'))!;
    const second = await startController(env, { identity: 'second' });
    const first = ctl;
    try {
      expect(first.isLeader()).toBe(true);
      const stopping = first.stop({ drainMs: 3000 });
      await eventually(() => second.isLeader(), { what: 'second replica leads', timeoutMs: 5000 });
      expect((await fetch(`http://127.0.0.1:${first.httpPort}/readyz`)).status).toBe(503);
      // An Envoy (re)connecting to the draining replica still gets its configuration.
      const client = fleetAdsClient(first.xdsPort, secret, 'late-envoy');
      const stream = client.sotw();
      try {
        stream.request(TypeUrl.Listener);
        expect(decoded(await stream.next(10_000)).length).toBeGreaterThan(0);
      } finally {
        stream.cancel();
        client.close();
      }
      await stopping;
    } finally {
      ctl = second;
    }
  }, 60_000);

  it('a deleted route disappears from its Gateway’s listener count', async () => {
    const before = (await getGw('same-namespace'))?.status?.listeners?.find((l) => l.name === 'http')?.attachedRoutes ?? 0;
    await env.delete({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'gateway-conformance-infra-test', namespace: INFRA } });
    await eventually(async () => (await getGw('same-namespace'))?.status?.listeners?.find((l) => l.name === 'http')?.attachedRoutes === before - 1, {
      what: 'attachedRoutes decremented',
    });
  }, 30_000);
});
