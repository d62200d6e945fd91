// The CLI as a user runs it: commands in-process with captured output (fast),
// plus the built command spawned once to check the real entry point.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { GATEWAY_API_VERSION } from '@switchyard/api';
import { runCli } from '../test/capture.js';
import { gatewayYaml } from '../test/manifests.js';
import { parseRequest } from './commands/explain.js';
import { LOG_LEVELS } from './logger.js';

const CLI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(CLI_DIR, '..', '..');

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A Gateway with one HTTP listener, a route to a Service, the Service; no EndpointSlice. */
/** The Service web/cart the small examples route to. */
const CART_SERVICE = `---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: web}
spec:
  ports: [{name: http, port: 8080, targetPort: 9090}]
`;

const SMALL = `${gatewayYaml(80)}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /cart}}]
    backendRefs: [{name: cart, port: 8080}]
${CART_SERVICE}`;

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

  it('hands migrate to its module', async () => {
    const r = await runCli(['migrate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('switchyard migrate assess');
  });

  it('version prints the version and the Gateway API release', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['version']);
    expect(r).toEqual({ code: 0, stdout: `switchyard ${pkg.version} (Gateway API v1.7.0, Envoy API v3, Node.js ${process.version})\n`, stderr: '' });
    expect((await runCli(['version', 'extra'])).code).toBe(2);
  });

  it('reports the Gateway API release e2e/go.mod pins (module and conformance module)', () => {
    const goMod = fs.readFileSync(path.join(REPO, 'e2e', 'go.mod'), 'utf8');
    expect([...goMod.matchAll(/^\s*sigs\.k8s\.io\/gateway-api(?:\/conformance)? (v\S+)$/gm)].map((m) => m[1])).toEqual([
      GATEWAY_API_VERSION,
      GATEWAY_API_VERSION,
    ]);
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
    expectOneLineError(
      await runCli(['translate', '-f', '/no/such/dir/routes.yaml']),
      1,
      /^error: \/no\/such\/dir\/routes\.yaml: cannot read file: no such file or directory\n$/,
    );
  });

  it('names file, line and document of bad YAML, exit 1', async () => {
    const file = tmpFile('bad.yaml', `${SMALL}---\nspec: {rules: [\n`);
    const r = await runCli(['translate', '-f', file]);
    expectOneLineError(r, 1, new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: document 5: invalid YAML: .+\\n$`));
  });

  it('names the object and field of an unknown kind or a missing name, exit 1', async () => {
    const unknown = tmpFile('k.yaml', 'apiVersion: gateway.networking.k8s.io/v1\nkind: HttpRoute\nmetadata: {name: shop, namespace: web}\n');
    expectOneLineError(
      await runCli(['translate', '-f', unknown]),
      1,
      /^error: \S+k\.yaml:1: HttpRoute web\/shop: kind: unknown kind "HttpRoute" in gateway\.networking\.k8s\.io\/v1 \(known kinds: .*HTTPRoute.*\)\n$/,
    );
    const noName = tmpFile('n.yaml', SMALL.replace('metadata: {name: shop, namespace: web}', 'metadata: {namespace: web}'));
    expectOneLineError(
      await runCli(['translate', '-f', noName]),
      1,
      /^error: \S+n\.yaml:14: document 3 \(HTTPRoute\): metadata\.name: required field is missing\n$/,
    );
    const noVersion = tmpFile('v.yaml', 'kind: Service\nmetadata: {name: s}\n');
    expectOneLineError(await runCli(['translate', '-f', noVersion]), 1, /^error: \S+v\.yaml:1: document 1: apiVersion: required field is missing\n$/);
  });
});

describe('switchyard translate --add-missing-endpoints', () => {
  it('gives a Service without EndpointSlice one endpoint on 127.0.0.1 per port, and none without the flag', async () => {
    const file = tmpFile('in.yaml', SMALL);
    const endpointsOf = (doc: { fleets: Record<string, { endpoints: unknown[] }> }) => JSON.stringify(doc.fleets['web/gw']?.endpoints ?? []);
    const without = JSON.parse((await runCli(['translate', '-f', file, '-o', 'json'])).stdout) as { fleets: Record<string, { endpoints: unknown[] }> };
    expect(endpointsOf(without)).not.toContain('127.0.0.1');
    const withFlag = JSON.parse((await runCli(['translate', '-f', file, '-o', 'json', '--add-missing-endpoints'])).stdout) as {
      fleets: Record<string, { endpoints: unknown[] }>;
    };
    // The Service's targetPort, as an EndpointSlice would carry it.
    expect(endpointsOf(withFlag)).toContain('{"address":"127.0.0.1","portValue":9090}');
  });
});

describe('switchyard explain', () => {
  const examples = path.join(REPO, 'examples');

  it('shows the route, rule and backend a request reaches', async () => {
    const r = await runCli(['explain', '-f', examples, '--gateway', 'networking/external-gateway', 'GET http://example.com/api/users']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('from HTTPRoute apps/example-route rule 0 match 0');
    expect(r.stdout).toMatch(/100% \(weight 1\) Service apps\/api-service:8080/);
  });

  it('follows headers given with -H, and prints JSON with -o json', async () => {
    const r = await runCli([
      'explain',
      '-f',
      examples,
      '--gateway',
      'networking/external-gateway',
      '-H',
      'X-Canary: true',
      '-o',
      'json',
      'GET http://shop.example.com/',
    ]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as {
      kind: string;
      route: { source: { name: string; rule: number } };
      action: { backends: Array<{ target: { backend: { name: string } } }> };
    };
    expect(e.kind).toBe('route');
    expect(e.route.source).toMatchObject({ name: 'header-routing', rule: 0 });
    expect(e.action.backends.map((b) => b.target.backend.name)).toEqual(['canary-service']);
    const y = await runCli([
      'explain',
      '-f',
      examples,
      '--gateway',
      'networking/external-gateway',
      '-H',
      'X-Canary: true',
      '-o',
      'yaml',
      'GET http://shop.example.com/',
    ]);
    expect(parse(y.stdout)).toEqual(e);
    expectOneLineError(
      await runCli(['explain', '-f', examples, '--gateway', 'networking/external-gateway', '-o', 'xml', 'GET http://x/']),
      2,
      /^error: -o\/--output: expected text, yaml or json, got "xml"\n/,
    );
  });

  it("shows the rewritten path of the guide's URLRewrite example over HTTPS", async () => {
    const r = await runCli([
      'explain',
      '-f',
      examples,
      '--gateway',
      'networking/external-gateway',
      '-o',
      'json',
      'GET https://www.example.com/legacy/orders?id=7',
    ]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as { selection: { listener: string }; action: { backends: Array<{ upstream: { path: string } }> } };
    expect(e.selection.listener).toBe('tcp-443');
    expect(e.action.backends[0]!.upstream.path).toBe('/api/v1/orders?id=7');
  });
});

describe('switchyard explain: YAML null reads as absent, as the API server reads it', () => {
  it('applies a RequestHeaderModifier written with empty set: and remove:', async () => {
    const file = tmpFile(
      'null.yaml',
      `${gatewayYaml(80)}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw}]
  rules:
  - filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        add: [{name: X-Team, value: shop}]
        remove:
    backendRefs: [{name: cart, port: 8080}]
${CART_SERVICE}`,
    );
    const r = await runCli(['explain', '-f', file, '--gateway', 'web/gw', '-o', 'json', 'GET http://shop.example.com/']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as {
      action: { backends: Array<{ target: { backend: { name: string } }; upstream: { headers: Array<[string, string]> } }> };
    };
    expect(e.action.backends.map((b) => b.target.backend.name)).toEqual(['cart']);
    expect(e.action.backends[0]!.upstream.headers).toContainEqual(['x-team', 'shop']);
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
    expect(parseRequest(['post', 'https://shop.example.com:8443'], [], undefined)).toMatchObject({
      port: 8443,
      method: 'POST',
      scheme: 'https',
      host: 'shop.example.com:8443',
      path: '/',
    });
    expect(parseRequest(['https://shop.example.com/a'], [], '9443')).toMatchObject({ port: 9443, method: 'GET', scheme: 'https' });
  });

  it('exits 2 on a bad request, gateway or header', async () => {
    const file = tmpFile('in.yaml', SMALL);
    expectOneLineError(await runCli(['explain', '-f', file, 'GET http://x/']), 2, /^error: explain: --gateway NAMESPACE\/NAME is required\n/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'gw', 'GET http://x/']), 2, /^error: --gateway: expected NAMESPACE\/NAME/);
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/gw', 'GET /cart']), 2, /^error: explain: "\/cart" is not an absolute URL/);
    expectOneLineError(
      await runCli(['explain', '-f', file, '--gateway', 'web/gw', 'GET http://x/', '-H', 'novalue']),
      2,
      /^error: -H: expected 'Name: value', got "novalue"/,
    );
    expectOneLineError(await runCli(['explain', '-f', file, '--gateway', 'web/gw']), 2, /^error: explain: expected one request, 'METHOD URL'/);
  });

  it('says which Gateways exist when the named one has no fleet, exit 1', async () => {
    const file = tmpFile('in.yaml', SMALL);
    expectOneLineError(
      await runCli(['explain', '-f', file, '--gateway', 'web/nope', 'GET http://shop.example.com/']),
      1,
      /^error: --gateway: no Gateway web\/nope \(owned by Switchyard\) in the input; Gateways with a fleet: /,
    );
  });
});

describe('switchyard serve (command line)', () => {
  it('refuses controller flags with --from-dir and standalone flags without it, exit 2', async () => {
    expectOneLineError(
      await runCli(['serve', '--from-dir', '.', '--kubeconfig', 'k']),
      2,
      /^error: serve: --kubeconfig is for the in-cluster controller, not --from-dir\n/,
    );
    expectOneLineError(await runCli(['serve', '--http-address', '127.0.0.1:1']), 2, /^error: serve: --http-address is for --from-dir \(standalone mode\)\n/);
    expectOneLineError(await runCli(['serve', '--from-dir', '.', '--xds-address', 'localhost']), 2, /^error: --xds-address: expected HOST:PORT/);
    expectOneLineError(
      await runCli(['serve', '--log-level', 'loud']),
      2,
      /^error: --log-level: expected one of fatal, error, warn, info, debug, trace, got "loud"\n/,
    );
  });

  it('names a --from-dir that is not a directory, exit 1', async () => {
    expectOneLineError(await runCli(['serve', '--from-dir', '/no/such/dir']), 1, /^error: --from-dir: "\/no\/such\/dir" is not a directory\n$/);
  });

  it('names an address it cannot listen on, exit 1', async () => {
    const busy = net.createServer();
    const port = await new Promise<number>((resolve) => busy.listen(0, '127.0.0.1', () => resolve((busy.address() as net.AddressInfo).port)));
    try {
      const dir = path.dirname(tmpFile('in.yaml', SMALL));
      const r = await runCli(['serve', '--from-dir', dir, '--xds-address', '127.0.0.1:0', '--http-address', `127.0.0.1:${port}`, '--log-level', 'error']);
      expectOneLineError(r, 1, new RegExp(`^error: --http-address 127\\.0\\.0\\.1:${port}: cannot listen: address already in use\\n$`));
    } finally {
      busy.close();
    }
  });

  it('reports a controller that cannot reach a cluster in one line, exit 1', async () => {
    const r = await runCli(['serve', '--kubeconfig', '/no/such/kubeconfig', '--xds-port', '0', '--metrics-port', '0', '--log-level', 'fatal']);
    expectOneLineError(r, 1, /^error: --kubeconfig: "\/no\/such\/kubeconfig": no such file\n$/);
    const kubeconfig = tmpFile('kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const empty = await runCli(['serve', '--kubeconfig', kubeconfig, '--xds-port', '0', '--metrics-port', '0', '--log-level', 'fatal']);
    expectOneLineError(empty, 1, /^error: cannot start the controller: .+\n$/);
  });

  it('takes the arguments the Helm chart starts it with, and the chart offers exactly its log levels', async () => {
    // deploy/deployment.yaml is the chart rendered with its default values.
    const deployment = parse(fs.readFileSync(path.join(REPO, 'deploy', 'deployment.yaml'), 'utf8')) as {
      spec: { template: { spec: { containers: Array<{ args: string[] }> } } };
    };
    const args = deployment.spec.template.spec.containers[0]!.args;
    expect(args[0]).toBe('serve');
    // Every flag parses: the first error is the (missing) cluster, not the command line.
    expectOneLineError(await runCli([...args, '--kubeconfig', '/no/such/kubeconfig']), 1, /^error: --kubeconfig: /);
    const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'charts', 'switchyard', 'values.schema.json'), 'utf8')) as {
      properties: { logLevel: { enum: string[] } };
    };
    expect(schema.properties.logLevel.enum).toEqual([...LOG_LEVELS]);
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
      expect(r.stdout).toMatch(new RegExp(`^switchyard \\d+\\.\\d+\\.\\d+ \\(Gateway API ${GATEWAY_API_VERSION.replace(/\./g, '\\.')}`));
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

  it('serve --from-dir serves the examples until SIGTERM, then exits 0', async () => {
    const child = spawn(process.execPath, [dist, 'serve', '--from-dir', 'examples', '--xds-address', '127.0.0.1:0', '--http-address', '127.0.0.1:0'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The log (JSON lines on stderr) says where it listens.
    let http = '';
    for await (const line of readline.createInterface({ input: child.stderr })) {
      const entry = JSON.parse(line) as { msg: string; http?: string };
      if (entry.msg === 'serving') {
        http = entry.http!;
        break;
      }
    }
    expect(http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${http}/healthz`);
    expect(health.status).toBe(200);
    const status = (await (await fetch(`${http}/status`)).json()) as { errors: unknown[]; statuses: Array<{ kind: string; name: string }> };
    expect(status.errors).toEqual([]);
    expect(status.statuses.some((s) => s.kind === 'HTTPRoute' && s.name === 'example-route')).toBe(true);
    const config = (await (await fetch(`${http}/config`)).json()) as { fleets: Record<string, unknown> };
    expect(Object.keys(config.fleets)).toContain('networking/external-gateway');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
