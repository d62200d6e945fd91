// What can be checked here of the kind e2e and the conformance runner, which
// need Docker and internet to run: the scripts pass shellcheck, the Makefile
// targets exist, the e2e manifests are what Switchyard accepts, and the Go
// conformance runner vets, builds and passes its own unit test.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { runXdscheck } from '@switchyard/xds/test/xdscheck.js';
import { runCli } from '../test/capture.js';
import type { RenderedTranslation } from './render.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KIND_DIR = path.join(REPO, 'e2e', 'kind');
const scripts = fs
  .readdirSync(KIND_DIR)
  .filter((f) => f.endsWith('.sh'))
  .sort();

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** What the go command said, less its progress reports on module downloads. */
function goDiagnostics(output: string): string {
  return output
    .split('\n')
    .filter((line) => !/^go: (downloading|finding|extracting) /.test(line))
    .join('\n');
}

/** shellcheck from PATH (e2e/scripts/build-tools.sh installs Debian's package where it can). */
function findShellcheck(): string | undefined {
  return spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim() || undefined;
}

describe('e2e/kind scripts', () => {
  it('are all there and executable', () => {
    expect(scripts).toEqual(['conformance.sh', 'deploy.sh', 'e2e.sh', 'kind-down.sh', 'kind-up.sh', 'lib.sh']);
    for (const s of scripts.filter((f) => f !== 'lib.sh')) expect(fs.statSync(path.join(KIND_DIR, s)).mode & 0o111).not.toBe(0);
  });

  const shellcheck = findShellcheck();
  (shellcheck ? it : it.skip)(
    'pass shellcheck',
    async () => {
      const r = await run(shellcheck!, ['-x', '-S', 'style', ...scripts], KIND_DIR);
      expect(r.output).toBe('');
      expect(r.code).toBe(0);
    },
    300_000,
  );
  if (!shellcheck) {
    it('pass shellcheck (skipped: shellcheck is not installed; build-tools.sh installs it as root with apt-get)', () => undefined);
  }

  (shellcheck ? it : it.skip)(
    'and the scripts they and the local cluster use (chart install and check, deploy/ rendering, tool builds, local conformance) pass shellcheck',
    async () => {
      const e2eScripts = fs
        .readdirSync(path.join(REPO, 'e2e', 'scripts'))
        .filter((f) => f.endsWith('.sh'))
        .map((f) => `e2e/scripts/${f}`);
      expect(e2eScripts).toEqual(expect.arrayContaining(['e2e/scripts/install-chart.sh', 'e2e/scripts/chart-local.sh', 'e2e/scripts/conformance-local.sh']));
      const r = await run(shellcheck!, ['-S', 'style', ...e2eScripts, 'charts/render-deploy.sh'], REPO);
      expect(r.output).toBe('');
      expect(r.code).toBe(0);
    },
    300_000,
  );

  it('are what the Makefile targets run', () => {
    const makefile = fs.readFileSync(path.join(REPO, 'Makefile'), 'utf8');
    for (const [target, script] of [
      ['kind-up', 'kind-up.sh'],
      ['deploy', 'deploy.sh'],
      ['e2e', 'e2e.sh'],
      ['conformance', 'conformance.sh'],
      ['kind-down', 'kind-down.sh'],
    ] as const) {
      expect(makefile).toMatch(new RegExp(`^${target}:.*\\n\\tbash e2e/kind/${script.replace('.', '\\.')}$`, 'm'));
    }
  });

  it('use a kind config kind accepts', () => {
    const config = parse(fs.readFileSync(path.join(REPO, 'kind-config.yaml'), 'utf8')) as { kind: string; apiVersion: string; nodes: Array<{ role: string }> };
    expect([config.kind, config.apiVersion]).toEqual(['Cluster', 'kind.x-k8s.io/v1alpha4']);
    expect(config.nodes.filter((n) => n.role === 'control-plane')).toHaveLength(1);
  });
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
  const workspaces = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

  it('builds every workspace package and ships its dist in the runtime stage', () => {
    const [build, runtime] = dockerfile.split(/^FROM /m).slice(1) as [string, string];
    for (const ws of workspaces) {
      expect(build).toContain(`COPY ${ws}/package.json ${ws}/`);
      expect(runtime).toContain(`COPY --from=build /src/${ws}/dist ${ws}/dist`);
    }
  });

  it("builds the product alone: the command's packages, whose dist/ holds no tests", () => {
    expect(dockerfile).toMatch(/^RUN npm run build:product/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build:product']).toBe('npm run gen -w @switchyard/protos && tsc -b packages/cli');
    for (const ws of workspaces) {
      const tsconfig = fs.readFileSync(path.join(REPO, ws, 'tsconfig.json'), 'utf8');
      expect({ ws, excludesTests: tsconfig.includes('"exclude": ["src/**/*.test.ts"]') }).toEqual({ ws, excludesTests: true });
    }
  });

  it('runs `switchyard serve` as a non-root user, as deploy/ expects', () => {
    const runtime = dockerfile.split(/^FROM /m).pop()!;
    expect(runtime).toMatch(/^USER 65532:65532$/m);
    expect(runtime).toContain('ENTRYPOINT ["/nodejs/bin/node", "/app/packages/cli/dist/main.js"]');
    expect(runtime).toContain('CMD ["serve"]');
    // The controller reads the fleet bootstrap template from /app/envoy.
    expect(runtime).toMatch(/^COPY envoy envoy$/m);
    // deploy/ is rendered from the chart (charts/render-deploy.sh).
    const deployment = parse(fs.readFileSync(path.join(REPO, 'deploy', 'deployment.yaml'), 'utf8')) as {
      spec: { template: { spec: { securityContext: { runAsUser: number }; containers: Array<{ args: string[] }> } } };
    };
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(65532);
    expect(deployment.spec.template.spec.containers[0]!.args[0]).toBe('serve');
  });
});

describe('e2e/kind/manifests/e2e.yaml', () => {
  it('gives the e2e Gateway a programmed fleet with every listener, and its routes every rule', async () => {
    // `make deploy` creates the GatewayClass switchyard (the chart's, the
    // same as the examples'); e2e.sh creates the TLS Secret e2e-tls (here:
    // the examples' *.example.com one).
    const gatewayClass = path.join(REPO, 'examples', '00-switchyard-gatewayclass.yaml');
    const secrets = parseAllDocuments(fs.readFileSync(path.join(REPO, 'examples', '91-tls-secrets.yaml'), 'utf8')).map(
      (d) => d.toJS() as { metadata: { name: string; namespace: string } },
    );
    const wildcard = secrets.find((s) => s.metadata.name === 'wildcard-tls')!;
    const secretFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-')), 'e2e-tls.yaml');
    fs.writeFileSync(secretFile, stringify({ ...wildcard, metadata: { name: 'e2e-tls', namespace: 'switchyard-e2e' } }));
    const r = await runCli([
      'translate',
      '-f',
      gatewayClass,
      '-f',
      secretFile,
      '-f',
      path.join(KIND_DIR, 'manifests', 'e2e.yaml'),
      '--add-missing-endpoints',
      '-o',
      'json',
    ]);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as RenderedTranslation;
    expect(Object.keys(doc.fleets)).toEqual(['switchyard-e2e/e2e']);
    type Conditions = Array<{ type: string; status: string; reason: string }>;
    const statusOf = (kind: string) =>
      doc.statuses.find((x) => x.kind === kind && x.name === 'e2e')?.status as {
        conditions?: Conditions;
        listeners?: Array<{ name: string; conditions: Conditions }>;
        parents?: Array<{ conditions: Conditions }>;
      };
    const is = (conds: Conditions | undefined, type: string) => conds?.find((c) => c.type === type)?.status;
    const gateway = statusOf('Gateway');
    expect(is(gateway.conditions, 'Programmed')).toBe('True');
    expect(gateway.listeners?.map((l) => [l.name, is(l.conditions, 'Programmed'), is(l.conditions, 'ResolvedRefs')])).toEqual([
      ['http', 'True', 'True'],
      ['https', 'True', 'True'],
      ['tcp', 'True', 'True'],
    ]);
    for (const kind of ['HTTPRoute', 'TCPRoute']) {
      const parents = statusOf(kind).parents!;
      expect([kind, parents.map((p) => [is(p.conditions, 'Accepted'), is(p.conditions, 'ResolvedRefs')])]).toEqual([kind, [['True', 'True']]]);
    }
    const out = path.join(path.dirname(secretFile), 'translate.json');
    fs.writeFileSync(out, r.stdout);
    const check = await runXdscheck(['-file', out]);
    expect(`${check.stdout}${check.stderr}`).toMatch(/OK\n$/);
  }, 300_000);
});

describe('e2e/conformance (Go)', () => {
  it('vets, builds, and passes its own tests (the suite itself skips without a cluster)', async () => {
    const e2e = path.join(REPO, 'e2e');
    // Judged by exit code and diagnostics: on a machine whose module cache
    // is empty, the go command first reports the modules it downloads.
    const vet = await run('go', ['vet', './conformance/'], e2e);
    expect(goDiagnostics(vet.output)).toBe('');
    expect(vet.code).toBe(0);
    const test = await run('go', ['test', '-count=1', '-v', './conformance/'], e2e);
    expect(test.output).toMatch(/--- PASS: TestApplySwitchyardDefaults/);
    expect(test.output).toMatch(/--- SKIP: TestConformance/);
    expect(test.code).toBe(0);
  }, 600_000);
});
