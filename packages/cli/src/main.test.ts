// The CLI as a user runs it: commands in-process with captured output (fast),
// plus the built command spawned once to check the real entry point.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { runCli } from './testing/capture.js';
import { parseRequest } from './commands/explain.js';

const CLI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(CLI_DIR, '..', '..');

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A Gateway with one HTTP listener, a route to a Service, the Service; no EndpointSlice. */
const SMALL = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: switchyard.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web}
spec:
  gatewayClassName: switchyard
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{name: cart, port: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: web}
spec:
  ports: [{name: http, port: 8080, targetPort: 9090}]
`;

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(pattern);
  // Never a stack trace.
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('switchyard (dispatch)', () => {
  it('prints usage and exits 2 without a command or with an unknown one', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: switchyard COMMAND');
    const unknown = await runCli(['tranlsate']);
    expectOneLineError(unknown, 2, /^error: unknown command "tranlsate"/);
  });

  it('prints help on --help, exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['serve', 'translate', 'explain', 'migrate', 'version']) expect(r.stdout).toContain(`  ${c}`);
    expect((await runCli(['translate', '--help'])).stdout).toContain('--add-missing-endpoints');
    expect((await runCli(['explain', '-h'])).stdout).toContain('--gateway NAMESPACE/NAME');
    expect((await runCli(['serve', '--help'])).stdout).toContain('--from-dir DIR');
  });

  it('version prints the version and the Gateway API release', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['version']);
    expect(r).toEqual({ code: 0, stdout: `switchyard ${pkg.version} (Gateway API v1.6.3, Envoy API v3, Node.js ${process.version})\n`, stderr: '' });
    expect((await runCli(['version', 'extra'])).code).toBe(2);
  });
});

describe('switchyard translate', () => {
  it('prints one YAML document with fleets and statuses', async () => {
    const r = await runCli(['translate', '-f', tmpFile('in.yaml', SMALL)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = parse(r.stdout) as { fleets: Record<string, unknown>; statuses: unknown[] };
    expect(Object.keys(doc).sort()).toEqual(['fleets', 'statuses']);
    expect(typeof doc.fleets).toBe('object');
    expect(Array.isArray(doc.statuses)).toBe(true);
  });

  it('prints JSON with -o json and reads - from stdin', async () => {
    const r = await runCli(['translate', '-f', '-', '-o', 'json'], SMALL);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(['fleets', 'statuses']);
  });

  it('gives the same bytes for the same input', async () => {
    const file = tmpFile('in.yaml', SMALL);
    process.env.SOURCE_DATE_EPOCH = '1700000000';
    try {
      const a = await runCli(['translate', '-f', file, '--add-missing-endpoints']);
      const b = await runCli(['translate', '-f', file, '--add-missing-endpoints']);
      expect(a.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });

  it('exits 2 on a bad command line', async () => {
    expectOneLineError(await runCli(['translate']), 2, /^error: translate: at least one -f FILE is required\n/);
    expectOneLineError(await runCli(['translate', '-f', 'x.yaml', '--frobnicate']), 2, /^error: Unknown option '--frobnicate'\.\n/);
    expectOneLineError(await runCli(['translate', '-f', 'x.yaml', '-o', 'xml']), 2, /^error: -o\/--output: expected yaml or json, got "xml"\n/);
  });

  it('names the file of an unreadable path, exit 1', async () => {
    expectOneLineError(await runCli(['translate', '-f', '/no/such/dir/routes.yaml']), 1, /^error: \/no\/such\/dir\/routes\.yaml: cannot read file: no such file or directory\n$/);
  });

  it('names file, line and document of bad YAML, exit 1', async () => {
    const file = tmpFile('bad.yaml', `${SMALL}---\nspec: {rules: [\n`);
    const r = await runCli(['translate', '-f', file]);
    expectOneLineError(r, 1, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: document 5: invalid YAML: .+\\n$`));
  });

  it('names the object and field of an unknown kind or a missing name, exit 1', async () => {
    const unknown = tmpFile('k.yaml', 'apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: {name: shop, namespace: web}\n');
    expectOneLineError(await runCli(['translate', '-f', unknown]), 1, /^error: \S+k\.yaml:1: HttpRoute web\/shop: kind: unknown kind "HttpRoute" in gateway\.networking\.k8s\.io\/v1 \(known kinds: .*HTTPRoute.*\)\n$/);
    const noName = tmpFile('n.yaml', SMALL.replace('metadata: {name: shop, namespace: web}', 'metadata: {namespace: web}'));
    expectOneLineError(await runCli(['translate', '-f', noName]), 1, /^error: \S+n\.yaml:14: document 3 \(HTTPRoute\): metadata\.name: required field is missing\n$/);
    const noVersion = tmpFile('v.yaml', 'kind: Service\nmetadata: {name: s}\n');
    expectOneLineError(await runCli(['translate', '-f', noVersion]), 1, /^error: \S+v\.yaml:1: document 1: apiVersion: required field is missing\n$/);
  });
});

describe('switchyard explain (command line)', () => {
  it('parses METHOD URL, ports and headers as a client sends them', () => {
    expect(parseRequest(['GET http://shop.example.com/cart?id=1'], ['X-Canary: true', 'host: other.example.com'], undefined)).toEqual({
      port: 80,
      method: 'GET',
      scheme: 'http',
      host: 'other.example.com',
      path: '/cart?id=1',
      headers: [['x-canary', 'true']],
    });
    expect(parseRequest(['post', 'https://shop.example.com:8443'], [], undefined)).toMatchObject({ port: 8443, method: 'POST', scheme: 'https', host: 'shop.example.com:8443', path: '/' });
    expect(parseRequest(['https://shop.example.com/a'], [], '9443')).toMatchObject({ port: 9443, method: 'GET', scheme: 'https' });
  });

  it('exits 2 on a bad request, gateway or header', async () => {
    const file = tmpFile('in.yaml', SMALL);
    expectOneLineError(await runCli(['explain', '-f', file, 'GET http://x/']), 2, /^error: explain: --gateway NAMESPACE\/NAME is required\n/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'gw', 'GET http://x/']), 2, /^error: --gateway: expected NAMESPACE\/NAME/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/gw', 'GET /cart']), 2, /^error: explain: "\/cart" is not an absolute URL/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/gw', 'GET http://x/', '-H', 'novalue']), 2, /^error: -H: expected 'Name: value', got "novalue"/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/gw']), 2, /^error: explain: expected one request, 'METHOD URL'/);
  });

  it('says which Gateways exist when the named one has no fleet, exit 1', async () => {
    const file = tmpFile('in.yaml', SMALL);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/nope', 'GET http://shop.example.com/']), 1, /^error: --gateway: no Gateway web\/nope \(owned by Switchyard\) in the input; Gateways with a fleet: /);
  });
});

describe('the built command', () => {
  const bin = path.join(CLI_DIR, 'bin', 'switchyard.js');
  const dist = path.join(CLI_DIR, 'dist', 'main.js');

  beforeAll(() => {
    if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npx tsc -b\` (npm test builds first)`);
  });

  it('runs through the committed bin and through dist/main.js', () => {
    for (const entry of [bin, dist]) {
      const r = spawnSync(process.execPath, [entry, 'version'], { cwd: REPO, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^switchyard \d+\.\d+\.\d+ \(Gateway API v1\.6\.3/);
      expect(r.status).toBe(0);
    }
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(dist, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('exits 1 with one line for a user error, 2 for a usage error', () => {
    const bad = spawnSync(process.execPath, [dist, 'translate', '-f', 'no-such-file.yaml'], { cwd: REPO, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('error: no-such-file.yaml: cannot read file: no such file or directory\n');
    const usage = spawnSync(process.execPath, [dist, 'translate'], { cwd: REPO, encoding: 'utf8' });
    expect(usage.status).toBe(2);
  });
});
