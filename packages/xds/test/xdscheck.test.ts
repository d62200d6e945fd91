// xdscheck, the stand-in for "Envoy accepts this": against the server in both
// ADS variants (with mTLS and in insecure mode) and on resource files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toProto3Json, RESOURCE_FIELDS, type EnvoyResources } from '@switchyard/protos';
import { SnapshotCache, createCa, createXdsServer, fleetIdentity, issueCertificate, type XdsServer } from '../src/index.js';
import { ensureXdscheck, runXdscheck } from './xdscheck.js';
import { fixture } from './fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'xdscheck-test-'));

// A fresh checkout without `npm run build:tools` builds xdscheck here, once.
beforeAll(() => ensureXdscheck(), 300_000);
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

function asJson(r: EnvoyResources): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [field, typeUrl] of RESOURCE_FIELDS) out[field] = r[field].map((x) => toProto3Json(typeUrl, x));
  return out;
}

describe('against the server', () => {
  let cache: SnapshotCache;
  let secure: XdsServer;
  let plain: XdsServer;
  let securePort: number;
  let plainPort: number;
  let files: { ca: string; cert: string; key: string; otherCert: string; otherKey: string };

  beforeAll(async () => {
    const ca = await createCa('xdscheck test CA');
    const server = await issueCertificate(ca, { commonName: 'xds', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    const fleet = await issueCertificate(ca, { commonName: 'gw', uris: [fleetIdentity('default/gw')], usage: 'client' });
    const other = await issueCertificate(ca, { commonName: 'other', uris: [fleetIdentity('other/gw')], usage: 'client' });
    files = {
      ca: file('ca.pem', ca.certPem),
      cert: file('fleet.pem', fleet.certPem),
      key: file('fleet-key.pem', fleet.keyPem),
      otherCert: file('other.pem', other.certPem),
      otherKey: file('other-key.pem', other.keyPem),
    };
    cache = new SnapshotCache();
    cache.setFleet('default/gw', fixture({ clusters: ['a', 'b'], secret: 'tls-cert' }));
    cache.setFleet('other/gw', fixture({ clusters: ['x'], routeTo: ['x', 'missing'] }));
    secure = createXdsServer({ cache, tls: { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem } });
    plain = createXdsServer({ cache, tls: { insecure: true } });
    securePort = await secure.listen('127.0.0.1', 0);
    plainPort = await plain.listen('127.0.0.1', 0);
  });

  afterAll(async () => {
    await secure.close();
    await plain.close();
  });

  test.each(['sotw', 'delta'])(
    '%s over mTLS: every resource arrives, validates and resolves; ACKed',
    async (mode) => {
      const r = await runXdscheck([
        '-addr',
        `127.0.0.1:${securePort}`,
        '-mode',
        mode,
        '-node-id',
        `check-${mode}`,
        '-ca',
        files.ca,
        '-cert',
        files.cert,
        '-key',
        files.key,
        '-expect-listeners',
        '2',
        '-expect-clusters',
        '2',
        '-timeout',
        '40s',
      ]);
      expect(r.stdout).not.toContain('timed out');
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/listeners\s+2\n\s+routes\s+1\n\s+clusters\s+2\n\s+endpoints\s+2\n\s+secrets\s+1\n/);
      expect(r.stdout.trim().endsWith('OK')).toBe(true);
      expect(r.code).toBe(0);
      // xdscheck exits right after sending its last ACKs: wait until the server has read them.
      for (let i = 0; i < 100 && (secure.stats().acks['default/gw'] ?? 0) < 5; i++) await new Promise((r) => setTimeout(r, 50));
      expect(secure.stats().acks['default/gw']).toBeGreaterThanOrEqual(5);
    },
    60_000,
  );

  test.each(['sotw', 'delta'])('%s in insecure mode: a route to a missing cluster is reported', async (mode) => {
    const r = await runXdscheck(['-addr', `127.0.0.1:${plainPort}`, '-mode', mode, '-node-cluster', 'other/gw', '-timeout', '20s']);
    expect(r.stdout).toContain('PROBLEM route "http-8080" refers to cluster "missing", which does not exist');
    expect(r.code).toBe(1);
  });

  test('a client certificate of another fleet gets that fleet only, not the one it claims', async () => {
    const r = await runXdscheck([
      '-addr',
      `127.0.0.1:${securePort}`,
      '-mode',
      'delta',
      '-node-cluster',
      'default/gw',
      '-ca',
      files.ca,
      '-cert',
      files.otherCert,
      '-key',
      files.otherKey,
      '-timeout',
      '20s',
    ]);
    expect(r.stdout).toMatch(/clusters\s+1\n/);
    expect(r.stdout).not.toContain('tls-cert');
    expect(r.stdout).toContain('"missing"');
  });

  test.each(['sotw', 'delta'])('%s: an invalid resource is NACKed by xdscheck, and the NACK reaches the cache', async (mode) => {
    const bad = fixture({ clusters: ['a'] });
    // Envoy requires a cluster's connect_timeout to be positive.
    const broken = { ...bad, clusters: [{ ...bad.clusters[0]!, connect_timeout: { seconds: -1 } }] };
    cache.setFleet('broken/gw', broken);
    const seen: string[] = [];
    const off = cache.onNack((e) => seen.push(`${e.fleet} ${e.typeUrl} ${e.message}`));
    const r = await runXdscheck(['-addr', `127.0.0.1:${plainPort}`, '-mode', mode, '-node-cluster', 'broken/gw', '-timeout', '20s']);
    off();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PROBLEM cluster "a": .*ConnectTimeout/);
    expect(seen).toEqual([expect.stringMatching(/^broken\/gw type.googleapis.com\/envoy.config.cluster.v3.Cluster cluster "a": .*ConnectTimeout/)]);
  });

  test('no client certificate: the stream is refused', async () => {
    const r = await runXdscheck(['-addr', `127.0.0.1:${securePort}`, '-mode', 'sotw', '-ca', files.ca, '-timeout', '20s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/xdscheck: /);
  });
});

describe('-file mode', () => {
  test('valid resources pass; the CLI translate shape with several fleets is read too', async () => {
    const good = asJson(fixture({ clusters: ['a'], secret: 's' }));
    let r = await runXdscheck(['-file', file('good.json', JSON.stringify(good))]);
    expect(r.stdout).toContain('OK');
    expect(r.code).toBe(0);
    r = await runXdscheck(['-file', file('fleets.json', JSON.stringify({ fleets: { 'ns/one': good, 'ns/two': asJson(fixture({ clusters: ['b'] })) } }))]);
    expect(r.stdout).toMatch(/fleet ns\/one\n[\s\S]*fleet ns\/two\n/);
    expect(r.code).toBe(0);
  });

  test('YAML input (what `switchyard translate` prints by default)', async () => {
    const yaml = [
      'clusters:',
      '- "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster',
      '  name: static',
      '  type: STATIC',
      '  connectTimeout: 1s',
      '  loadAssignment:',
      '    clusterName: static',
      '    endpoints:',
      '    - lbEndpoints:',
      '      - endpoint: { address: { socketAddress: { address: 10.0.0.1, portValue: 80 } } }',
      '',
    ].join('\n');
    const r = await runXdscheck(['-file', file('doc.yaml', yaml)]);
    expect(r.stdout).toMatch(/clusters\s+1\n/);
    expect(r.code).toBe(0);
  });

  test('validation rules inside typed_config, missing endpoints and secrets are each reported', async () => {
    const bad = asJson(fixture({ clusters: ['a', 'b'], secret: 's' }));
    bad.endpoints = bad.endpoints!.filter((e) => (e as { clusterName: string }).clusterName !== 'b');
    bad.secrets = [];
    // HttpConnectionManager requires a stat_prefix of at least one character.
    const hcm = (bad.listeners![0] as { filterChains: { filters: { typedConfig: Record<string, unknown> }[] }[] }).filterChains[0]!.filters[0]!.typedConfig;
    hcm.statPrefix = '';
    const r = await runXdscheck(['-file', file('bad.json', JSON.stringify(bad))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('PROBLEM cluster "b" is EDS but endpoint assignment "b" does not exist');
    expect(r.stdout).toContain('PROBLEM listener "https-8443" refers to secret "s", which does not exist');
    expect(r.stdout).toMatch(
      /PROBLEM listener "http-8080": type.googleapis.com\/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager: .*StatPrefix/,
    );
  });

  test('the reserved invalid-backend cluster is accepted only with a 500 cluster_not_found_response_code', async () => {
    const doc = asJson(fixture({ clusters: ['a'] }));
    const route = (doc.routes![0] as { virtualHosts: { routes: { route: Record<string, unknown> }[] }[] }).virtualHosts[0]!.routes[0]!.route;
    delete route.cluster;
    route.weightedClusters = {
      clusters: [
        { name: 'a', weight: 50 },
        { name: 'switchyard_invalid_backend', weight: 50 },
      ],
    };
    let r = await runXdscheck(['-file', file('invalid-backend-bad.json', JSON.stringify(doc))]);
    expect(r.stdout).toContain('refers to cluster "switchyard_invalid_backend", which does not exist');
    expect(r.code).toBe(1);
    route.clusterNotFoundResponseCode = 'INTERNAL_SERVER_ERROR';
    r = await runXdscheck(['-file', file('invalid-backend-ok.json', JSON.stringify(doc))]);
    expect(r.stdout).toContain('OK');
    expect(r.code).toBe(0);
  });
});
