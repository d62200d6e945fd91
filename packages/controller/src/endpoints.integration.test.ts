// Endpoint churn end to end (real kube-apiserver, real translator): an
// EndpointSlice change reaches a connected Envoy (delta ADS, mTLS with the
// fleet's Secret) as exactly one ClusterLoadAssignment update and nothing
// else, and the controller took the endpoints-only path to get there.
import type { KubeObject } from '@switchyard/api';
import { TypeUrl } from '@switchyard/protos';
import { decodeAny, type TestAdsClient, type DeltaClientStream, type DeltaResponse } from '@switchyard/xds/test/ads-test-client.js';
import { TestEnv, eventually } from '../test/testenv/index.js';
import { prepareControllerTest, startController, fleetAdsClient, httpGateway, type SecretObject } from '../test/testenv/harness.js';
import type { RunningController } from './run.js';

const NS = 'endpoints-test';
const G = 'gateway.networking.k8s.io';
const TYPES = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Secret];

const service = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 9000 }] },
});
const slice = (service: string, ips: string[]): KubeObject =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
  }) as KubeObject;

interface ClaView {
  cluster_name?: string;
  endpoints?: Array<{ lb_endpoints?: Array<{ endpoint?: { address?: { socket_address?: { address?: string } } } }> }>;
}
const addresses = (cla: ClaView) => (cla.endpoints ?? []).flatMap((l) => (l.lb_endpoints ?? []).map((e) => e.endpoint?.address?.socket_address?.address));

describe('endpoint churn (real kube-apiserver)', () => {
  let env: TestEnv;
  let ctl: RunningController;
  let client: TestAdsClient | undefined;
  let stream: DeltaClientStream | undefined;
  beforeAll(async () => {
    env = await TestEnv.start();
    await prepareControllerTest(env, NS);
    await env.apply(httpGateway(NS, 'gw'));
    for (const name of ['cart', 'search']) {
      await env.apply(service(name));
      await env.apply(slice(name, ['10.0.0.1']));
      await env.apply({
        apiVersion: `${G}/v1`,
        kind: 'HTTPRoute',
        metadata: { name, namespace: NS },
        spec: { parentRefs: [{ name: 'gw' }], hostnames: [`${name}.example.com`], rules: [{ backendRefs: [{ name, port: 80 }] }] },
      });
    }
    ctl = await startController(env);
  }, 180_000);
  afterAll(async () => {
    stream?.cancel();
    client?.close();
    await ctl?.stop({ drainMs: 0 });
    await env?.stop();
  });

  const translations = async (kind: 'full' | 'endpoints') => (await ctl.metrics.translations.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

  it('an EndpointSlice change reaches a delta Envoy as one ClusterLoadAssignment update, computed without a full translation', async () => {
    const secret = await eventually(() => env.get<SecretObject>('v1', 'Secret', NS, 'switchyard-gw-xds'), { what: 'fleet Secret' });
    client = fleetAdsClient(ctl.xdsPort, secret, 'envoy-1');
    const s = (stream = client.delta());
    // Wildcard subscriptions to every type; each answer ACKed, until both routes' clusters have their endpoints.
    for (const t of TYPES) s.request(t);
    const held = new Map<string, ClaView>();
    const take = (r: DeltaResponse) => {
      s.ack(r);
      if (r.type_url === TypeUrl.ClusterLoadAssignment) for (const x of r.resources) held.set(x.name, decodeAny(x.resource));
    };
    while ([...held.keys()].filter((n) => n.includes('cart') || n.includes('search')).length < 2) take(await s.next(15_000));
    const claOf = (svc: string) => [...held.keys()].find((n) => n.includes(svc))!;

    // Settle: the fleet's provisioning and status writes feed back as watch
    // events and full passes; wait until the controller has gone quiet.
    let full = await translations('full');
    for (let stable = 0; stable < 3;) {
      await new Promise((r) => setTimeout(r, 400));
      const n = await translations('full');
      stable = n === full ? stable + 1 : 0;
      full = n;
    }
    // Take (and ACK) what is still queued from the initial answers.
    while (s.stream.pending() > 0) take(await s.next());
    const endpointsBefore = await translations('endpoints');

    const expectOnly = async (svc: string, ips: string[]): Promise<DeltaResponse> => {
      const r = await s.next(15_000);
      expect({ type: r.type_url, names: r.resources.map((x) => x.name), removed: r.removed_resources }).toEqual({
        type: TypeUrl.ClusterLoadAssignment,
        names: [claOf(svc)],
        removed: [],
      });
      expect(addresses(decodeAny(r.resources[0]!.resource) as ClaView)).toEqual(ips);
      s.ack(r);
      return r;
    };
    await env.apply(slice('cart', ['10.0.0.1', '10.0.0.2']));
    await expectOnly('cart', ['10.0.0.1', '10.0.0.2']);
    // A second change, to the other Service: its update is the very next
    // response, so nothing else travelled after the first.
    await env.apply(slice('search', ['10.0.1.7']));
    await expectOnly('search', ['10.0.1.7']);

    expect(await translations('endpoints')).toBeGreaterThanOrEqual(endpointsBefore + 1);
    expect(await translations('full')).toBe(full);
    const metrics = await (await fetch(`http://127.0.0.1:${ctl.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_translations_total\{kind="endpoints"\} [1-9]/m);
  }, 90_000);

  it('a Service change is translated in full; endpoints changed with it still arrive', async () => {
    const s = stream!;
    const full = await translations('full');
    await env.apply({ ...service('cart'), metadata: { name: 'cart', namespace: NS, labels: { touched: 'yes' } } });
    await env.apply(slice('cart', ['10.0.0.3']));
    const r = await s.next(15_000);
    expect(r.type_url).toBe(TypeUrl.ClusterLoadAssignment);
    expect(addresses(decodeAny(r.resources[0]!.resource) as ClaView)).toEqual(['10.0.0.3']);
    s.ack(r);
    await eventually(async () => (await translations('full')) > full, { what: 'a full translation after the Service change' });
  }, 60_000);
});
