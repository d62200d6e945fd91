// `switchyard explain` on any Envoy's configuration: a config dump file, or
// what a running Switchyard serves a fleet over xDS (plaintext and mTLS), and
// the https:// SNI / Host split. Answers are compared with `explain -f` on
// the Gateway API objects they came from.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TranslateResult } from '@switchyard/translator';
import { createCa, createXdsServer, fleetIdentity, issueCertificate, SnapshotCache, type CertificateAndKey, type XdsServer } from '@switchyard/xds';
import { configDumpOf } from '@switchyard/explain/test/config-dumps.js';
import { loadObjects } from '../load-objects.js';
import { runCli } from '../../test/capture.js';
import { REPO_ROOT } from '../../test/doc-examples.js';
import { parseRequest } from './explain.js';
import { runTranslator } from './translate.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const FLEET = 'networking/external-gateway';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-explain-sources-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};
const questions: string[][] = [
  ['GET http://example.com/api/users'],
  ['GET http://example.com/api/users', '-H', 'X-Canary: true'],
  ['POST http://example.com/nowhere'],
  ['GET http://example.com:9999/'],
];

let fleets: TranslateResult['fleets'];
beforeAll(async () => {
  const { objects, errors } = await loadObjects([EXAMPLES]);
  expect(errors).toEqual([]);
  fleets = runTranslator(objects).fleets;
});

describe('explain --config-dump', () => {
  it('gives the same answers as explain -f on the objects the dump was made from', async () => {
    const dump = file('dump.json', JSON.stringify(configDumpOf(fleets.get(FLEET)!)));
    for (const q of questions) {
      const fromObjects = await runCli(['explain', '-f', EXAMPLES, '--gateway', FLEET, ...q]);
      const fromDump = await runCli(['explain', '--config-dump', dump, ...q]);
      expect(fromObjects.code).toBe(0);
      expect(fromDump.code).toBe(0);
      expect(fromDump.stdout.replace(/^Input notes:\n(  - .*\n)*/, '')).toBe(fromObjects.stdout);
    }
  });

  it('reads YAML too, names endpoints without Switchyard metadata, and says what was skipped', async () => {
    const yaml = file(
      'dump.yaml',
      `configs:
- "@type": type.googleapis.com/envoy.admin.v3.ListenersConfigDump
  static_listeners:
  - listener:
      "@type": type.googleapis.com/envoy.config.listener.v3.Listener
      name: front
      address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }
      filter_chains:
      - filters:
        - name: envoy.filters.network.http_connection_manager
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
            stat_prefix: front
            http_filters:
            - name: envoy.filters.http.ext_authz
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz }
            - name: envoy.filters.http.router
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
            route_config:
              name: front-routes
              virtual_hosts:
              - { name: all, domains: ["*"], routes: [{ name: to-app, match: { prefix: / }, route: { cluster: app } }] }
- "@type": type.googleapis.com/envoy.admin.v3.ClustersConfigDump
  static_clusters:
  - cluster:
      "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
      name: app
      type: STATIC
      load_assignment:
        cluster_name: app
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 10.0.0.5, port_value: 3000 } } } }] }]
- "@type": type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump
`,
    );
    const r = await runCli(['explain', '--config-dump', yaml, 'GET http://shop.example.com:8080/cart']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Input notes:
  - configs[2]: type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump is not modelled; skipped
Listener front, filter chain filter_chains[0]
Route configuration front-routes, virtual host all
Route #0 to-app
Forward to:
  100% (weight 1) cluster app [1 endpoint: 10.0.0.5:3000]
Timeout: 15s (Envoy default)
Not modelled by explain (the outcome may differ):
  - HTTP filter envoy.filters.http.ext_authz (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz)
`);
    const json = await runCli(['explain', '--config-dump', yaml, '-o', 'json', 'GET http://x:8080/']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'route',
      inputNotes: [expect.stringContaining('ScopedRoutesConfigDump')],
      notModelled: [expect.stringContaining('ext_authz')],
    });
  });

  it('rejects what is not a config dump in one line, exit 1', async () => {
    const r = await runCli(['explain', '--config-dump', path.join(EXAMPLES, '02-gateway.yaml'), 'GET http://example.com/']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--config-dump .*02-gateway.yaml: expected an Envoy config dump .* found an object with "apiVersion", "kind", "metadata", "spec"/);
    const missing = await runCli(['explain', '--config-dump', path.join(tmp, 'nope.json'), 'GET http://example.com/']);
    expect(missing.stderr).toContain('nope.json: no such file');
    expect(missing.code).toBe(1);
    const usage = await runCli(['explain', '--config-dump', 'x.json', '-f', EXAMPLES, 'GET http://example.com/']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('-f/--gateway and --config-dump are alternatives; give one');
  });
});

describe('explain --xds', () => {
  let ca: CertificateAndKey;
  let servers: XdsServer[] = [];
  const start = async (tls: Parameters<typeof createXdsServer>[0]['tls']) => {
    const cache = new SnapshotCache();
    for (const [id, res] of fleets) cache.setFleet(id, res);
    const server = createXdsServer({ cache, tls });
    servers.push(server);
    return `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  };
  beforeAll(async () => {
    ca = await createCa('explain test CA');
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  it('explains what a plaintext server (standalone mode) serves the fleet, as explain -f does', async () => {
    const address = await start({ insecure: true });
    for (const q of questions) {
      const fromObjects = await runCli(['explain', '-f', EXAMPLES, '--gateway', FLEET, ...q]);
      const live = await runCli(['explain', '--xds', address, '--insecure', '--fleet', FLEET, ...q]);
      expect(live).toEqual(fromObjects);
    }
  });

  it("connects with the fleet's mTLS identity; a plaintext client is refused", async () => {
    const server = await issueCertificate(ca, { commonName: 'xds', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    const address = await start({ caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem });
    const client = await issueCertificate(ca, { commonName: 'envoy', uris: [fleetIdentity(FLEET)], usage: 'client' });
    const tls = ['--xds-cert', file('cert.pem', client.certPem), '--xds-key', file('key.pem', client.keyPem), '--xds-ca', file('ca.pem', ca.certPem)];
    const live = await runCli(['explain', '--xds', address, '--fleet', FLEET, ...tls, 'GET http://example.com/api/users']);
    expect(live.stderr).toBe('');
    expect(live.stdout).toContain('from HTTPRoute apps/example-route');
    const plain = await runCli(['explain', '--xds', address, '--insecure', '--fleet', FLEET, '--port', '80', 'GET http://example.com/']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^error: --xds 127\.0\.0\.1:\d+: /);
  });

  it('says what is wrong with the command line before connecting', async () => {
    const noFleet = await runCli(['explain', '--xds', '127.0.0.1:1', '--insecure', 'GET http://example.com/']);
    expect(noFleet.code).toBe(2);
    expect(noFleet.stderr).toContain('--xds needs --fleet NAMESPACE/NAME');
    const noTls = await runCli(['explain', '--xds', '127.0.0.1:1', '--fleet', FLEET, 'GET http://example.com/']);
    expect(noTls.stderr).toContain('or --insecure for a plaintext server');
    const refused = await runCli(['explain', '--xds', '127.0.0.1:1', '--insecure', '--fleet', FLEET, 'GET http://example.com/']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--xds 127.0.0.1:1: cannot connect');
  });
});

describe('https:// requests: SNI and Host as curl has them', () => {
  it('takes the TLS server name from the URL and :authority from a Host header', () => {
    expect(parseRequest(['GET https://a.example.com/x'], ['Host: b.example.com'], undefined)).toMatchObject({
      scheme: 'https',
      sni: 'a.example.com',
      host: 'b.example.com',
      port: 443,
    });
    expect(parseRequest(['GET https://a.example.com:8443/x'], [], undefined, 'c.example.com')).toMatchObject({
      sni: 'c.example.com',
      host: 'a.example.com:8443',
      port: 8443,
    });
    expect(parseRequest(['GET http://a.example.com/x'], ['Host: b'], undefined)).not.toHaveProperty('sni');
    expect(() => parseRequest(['GET http://a.example.com/x'], [], undefined, 'b')).toThrow('--sni: only for https:// requests');
  });
});
