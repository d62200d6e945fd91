// Standalone mode as a user runs it: a directory of manifests, an Envoy-like
// xDS client on the loopback port, the HTTP endpoint, and file edits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { TypeUrl } from '@switchyard/protos';
import type { Metadata } from '@switchyard/protos/generated/envoy/config/core/v3/Metadata.js';
import { readMetadata } from '@switchyard/protos';
import { createXdsServer, SnapshotCache } from '@switchyard/xds';
import { runXdscheck } from '@switchyard/xds/test/xdscheck.js';
import { TestAdsClient, decodeAny, type SotwSubscription } from '@switchyard/xds/test/ads-test-client.js';
import { fileURLToPath } from 'node:url';
import { gatewayYaml } from '../../test/manifests.js';
import { startStandalone, type Standalone, type StandaloneOptions } from './index.js';

const GATEWAY = gatewayYaml(8080);

const service = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: web}
spec:
  ports: [{name: http, port: 80, targetPort: ${port}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: web, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${port}, protocol: TCP}]
`;

const route = (backends: string[]) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw}]
  rules:
${backends.map((b) => `  - matches: [{path: {type: PathPrefix, value: /${b}}}]\n    backendRefs: [{name: ${b}, port: 80}]`).join('\n')}
`;

async function getJson(port: number, p: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Standalone mode on loopback ports chosen by the system, plaintext xDS, no logs. */
function start(dir: string, o: Pick<StandaloneOptions, 'debounceMs' | 'pollMs'>): Promise<Standalone> {
  return startStandalone({
    dir,
    xdsAddress: { host: '127.0.0.1', port: 0 },
    httpAddress: { host: '127.0.0.1', port: 0 },
    logger: pino({ level: 'silent' }),
    xds: { createCache: () => new SnapshotCache(), createServer: (cache, logger) => createXdsServer({ cache, tls: { insecure: true }, logger }) },
    ...o,
  });
}

const backendsOf = (clusters: Record<string, unknown>[]) => clusters.map((c) => readMetadata(c.metadata as Metadata | undefined)?.name).sort();

describe('serve --from-dir', () => {
  let dir: string;
  let standalone: Standalone;
  let ads: TestAdsClient | undefined;
  let subscription: SotwSubscription | undefined;

  /** An Envoy of the web/gw fleet watching its clusters, ACKing each update. */
  function subscribeClusters(): SotwSubscription {
    ads = new TestAdsClient({ port: standalone.xdsPort, node: { id: 'envoy-1', cluster: 'web/gw' } });
    subscription = ads.subscribe(TypeUrl.Cluster);
    return subscription;
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-standalone-'));
    fs.writeFileSync(path.join(dir, 'gateway.yaml'), GATEWAY + service('cart', 9101) + service('search', 9102));
    fs.writeFileSync(path.join(dir, 'route.yaml'), route(['cart']));
    standalone = await start(dir, { debounceMs: 20, pollMs: 200 });
  });

  afterEach(async () => {
    subscription?.cancel();
    ads?.close();
    subscription = undefined;
    ads = undefined;
    await standalone.close();
  });

  it('serves the Gateway fleet over xDS and pushes the new config when a file changes', async () => {
    const client = subscribeClusters();
    const first = await client.next();
    expect(backendsOf(first.resources)).toEqual(['cart']);

    fs.writeFileSync(path.join(dir, 'route.yaml'), route(['cart', 'search']));
    const second = await client.until((u) => u.resources.length === 2);
    expect(backendsOf(second.resources)).toEqual(['cart', 'search']);
    expect(second.version).not.toBe(first.version);

    const config = await getJson(standalone.httpPort, '/config?fleet=web/gw');
    expect(config.status).toBe(200);
    const fleet = (config.body.fleets as Record<string, { clusters: Array<Record<string, unknown>>; listeners: unknown[] }>)['web/gw']!;
    expect(fleet.clusters).toHaveLength(2);
    expect(fleet.clusters[0]!['@type']).toBe(TypeUrl.Cluster);
  });

  it('an EndpointSlice edit reaches a delta Envoy as one ClusterLoadAssignment, refreshed without a full translation', async () => {
    ads = new TestAdsClient({ port: standalone.xdsPort, node: { id: 'envoy-1', cluster: 'web/gw' } });
    const delta = ads.delta();
    try {
      for (const t of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Secret]) delta.request(t);
      // The initial answers: one per type (wildcard), each ACKed.
      const types = new Set<string>();
      while (types.size < 5) {
        const r = await delta.next();
        types.add(r.type_url);
        delta.ack(r);
      }
      const before = (await getJson(standalone.httpPort, '/status')).body.translations as { full: number; routes: number; endpoints: number };

      // The file is re-parsed as a whole; only the cart EndpointSlice in it differs.
      const file = path.join(dir, 'gateway.yaml');
      const text = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(
        file,
        text.replace(
          'endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]',
          'endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}, {addresses: [127.0.0.2], conditions: {ready: true}}]',
        ),
      );
      const r = await delta.next();
      expect([r.type_url, r.resources.length, r.removed_resources]).toEqual([TypeUrl.ClusterLoadAssignment, 1, []]);
      const cla = decodeAny(r.resources[0]!.resource) as {
        cluster_name: string;
        endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { address: string } } } }> }>;
      };
      expect(cla.cluster_name).toContain('cart');
      expect(cla.endpoints.flatMap((l) => l.lb_endpoints.map((e) => e.endpoint.address.socket_address.address))).toEqual(['127.0.0.1', '127.0.0.2']);
      delta.ack(r);
      expect((await getJson(standalone.httpPort, '/status')).body.translations).toEqual({
        full: before.full,
        routes: before.routes,
        endpoints: before.endpoints + 1,
      });

      // A route edit translates its Gateway again (not everything), and its update is the next response (nothing else travelled before it).
      fs.writeFileSync(path.join(dir, 'route.yaml'), route(['cart', 'search']));
      const next = await delta.next();
      expect(next.type_url).toBe(TypeUrl.Cluster);
      expect((await getJson(standalone.httpPort, '/status')).body.translations).toEqual({
        full: before.full,
        routes: before.routes + 1,
        endpoints: before.endpoints + 1,
      });
    } finally {
      delta.cancel();
    }
  });

  it('reports a bad file in /status and keeps serving the last good objects', async () => {
    const client = subscribeClusters();
    expect(backendsOf((await client.next()).resources)).toEqual(['cart']);
    const generation = standalone.state().generation;

    // An editor's half-written save of the route file.
    fs.writeFileSync(path.join(dir, 'route.yaml'), 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: shop\n');
    // And a new file with an object that has no name.
    fs.writeFileSync(path.join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {namespace: web}\n');
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      status = (await getJson(standalone.httpPort, '/status')).body;
      if ((status.errors as unknown[]).length === 2) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((status.errors as Array<{ text: string; servingLastGood: boolean }>).map((e) => [e.text.replace(dir + path.sep, ''), e.servingLastGood])).toEqual([
      ['extra.yaml:1: document 1 (Service): metadata.name: required field is missing', false],
      [expect.stringMatching(/^route\.yaml:\d+: document 1: invalid YAML: /), true],
    ]);
    expect(standalone.state().generation).toBeGreaterThan(generation);
    const route = (status.statuses as Array<{ kind: string; name: string }>).find((s) => s.kind === 'HTTPRoute');
    expect(route?.name).toBe('shop');
    // The route still reaches cart: the last good version of route.yaml is served.
    const config = await getJson(standalone.httpPort, '/config?fleet=web/gw');
    const clusters = (config.body.fleets as Record<string, { clusters: Array<Record<string, unknown>> }>)['web/gw']!.clusters;
    expect(clusters).toHaveLength(1);
  });

  it('sees every save without polling: files replaced by rename, rewritten in place, and in a new subdirectory', async () => {
    await standalone.close();
    standalone = await start(dir, { debounceMs: 20, pollMs: 0 });
    const client = subscribeClusters();
    expect(backendsOf((await client.next()).resources)).toEqual(['cart']);
    const file = path.join(dir, 'route.yaml');
    const replace = (text: string) => {
      fs.writeFileSync(path.join(dir, '.route.yaml.tmp'), text);
      fs.renameSync(path.join(dir, '.route.yaml.tmp'), file);
    };
    // Saved as editors do (a new file renamed over the old), twice: the second save replaces a file that was itself renamed in.
    replace(route(['cart', 'search']));
    expect(backendsOf((await client.until((u) => u.resources.length === 2)).resources)).toEqual(['cart', 'search']);
    replace(route(['search']));
    expect(backendsOf((await client.until((u) => u.resources.length === 1)).resources)).toEqual(['search']);
    fs.writeFileSync(file, route(['cart']));
    expect(backendsOf((await client.until((u) => backendsOf(u.resources)[0] === 'cart')).resources)).toEqual(['cart']);
    // A subdirectory created after start, then a file written into it.
    fs.mkdirSync(path.join(dir, 'more'));
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(path.join(dir, 'more', 'route.yaml'), route(['cart', 'search']).replace('name: shop', 'name: shop2'));
    expect(backendsOf((await client.until((u) => u.resources.length === 2)).resources)).toEqual(['cart', 'search']);
  });

  it('keeps serving when the directory itself disappears, and reports it', async () => {
    const before = standalone.state().result.fleets.get('web/gw');
    const moved = `${dir}-moved`;
    fs.renameSync(dir, moved);
    try {
      const state = await standalone.reload();
      expect(state.errors.map((e) => [e.file, e.message, e.servingLastGood])).toEqual([[dir, 'cannot read file: no such file or directory', true]]);
      expect(state.result.fleets.get('web/gw')).toEqual(before);
    } finally {
      fs.renameSync(moved, dir);
    }
    expect((await standalone.reload()).errors).toEqual([]);
  });

  it('answers /healthz, 404 for an unknown fleet or path, 405 for other methods', async () => {
    const health = await fetch(`http://127.0.0.1:${standalone.httpPort}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const noFleet = await getJson(standalone.httpPort, '/config?fleet=web/other');
    expect(noFleet.status).toBe(404);
    expect(noFleet.body.error).toBe('no fleet "web/other"; fleets: web/gw');
    expect((await getJson(standalone.httpPort, '/nope')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${standalone.httpPort}/config`, { method: 'POST' })).status).toBe(405);
  });
});

describe('serve --from-dir examples/', () => {
  const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'examples');
  let standalone: Standalone;

  beforeAll(async () => {
    standalone = await start(examples, { pollMs: 0 });
  });

  afterAll(async () => {
    await standalone.close();
  });

  // xdscheck connects as an Envoy node of the fleet, takes the whole
  // configuration, validates it as Envoy would and ACKs.
  it.each([
    ['networking/external-gateway', 'delta'],
    ['networking/external-gateway', 'sotw'],
    ['default/multi-cert-gateway', 'sotw'],
    ['default/tcp-gateway', 'sotw'],
    ['default/udp-gateway', 'delta'],
    // Listener filters: ext_authz filters and per-virtual-host FilterConfig.
    ['networking/authenticated-gateway', 'delta'],
  ])(
    'serves %s an Envoy accepts (%s)',
    async (fleet, mode) => {
      const r = await runXdscheck([
        '-addr',
        `127.0.0.1:${standalone.xdsPort}`,
        '-mode',
        mode,
        '-node-cluster',
        fleet,
        '-expect-listeners',
        String(standalone.state().result.fleets.get(fleet)!.listeners.length),
      ]);
      expect(`${r.stdout}${r.stderr}`).toMatch(/OK\n$/);
      expect(r.code).toBe(0);
    },
    300_000,
  );
});
