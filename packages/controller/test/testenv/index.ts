// A real Kubernetes control plane for tests: etcd and kube-apiserver from
// e2e/bin (built by e2e/scripts/build-tools.sh), started on loopback ports the
// way controller-runtime's envtest does. No kubelet, scheduler or controller
// manager runs, so nothing reconciles Deployments, DaemonSets or garbage
// collection: tests that need "pods available" or "load balancer assigned"
// patch those statuses through the API themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@switchyard/api';
import { KubeClient, isNotFound } from '../../src/rest.js';
import { Discovery } from '../../src/discovery.js';
import { E2E_BIN, REPO_ROOT, goModuleDir } from '../../../../e2e/go-module.js';

export { REPO_ROOT };

/** Users the token file defines: an admin in system:masters, and the controller's ServiceAccount identity (subject to RBAC). */
export const ADMIN_USER = 'admin';
export const CONTROLLER_SA = { namespace: 'switchyard-system', name: 'switchyard' } as const;

export interface TestEnvOptions {
  /** Install the Gateway API CRDs (experimental channel, a superset of standard). Default true. */
  readonly gatewayApiCrds?: boolean;
  /**
   * Serve certificates.k8s.io ClusterTrustBundle (beta and off by default in
   * Kubernetes 1.36: feature gate plus v1beta1 runtime-config). Default true;
   * false is a cluster without the API.
   */
  readonly clusterTrustBundles?: boolean;
}

/** The kube-apiserver flags that turn on certificates.k8s.io/v1beta1 ClusterTrustBundle (Kubernetes 1.33-1.36). */
export const CLUSTER_TRUST_BUNDLE_FLAGS = ['--feature-gates=ClusterTrustBundle=true', '--runtime-config=certificates.k8s.io/v1beta1/clustertrustbundles=true'];

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function gatewayApiDir(): string {
  return goModuleDir('sigs.k8s.io/gateway-api');
}
export function conformanceDir(): string {
  return goModuleDir('sigs.k8s.io/gateway-api/conformance');
}

/** The switchyard.dev CRDs the project ships (deploy/crds/), in file name order. */
export function switchyardCrds(): KubeObject[] {
  const dir = join(REPO_ROOT, 'deploy', 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => loadObjects(readFileSync(join(dir, f), 'utf8')));
}

/** Parses a multi-document YAML file into Kubernetes objects, skipping empty documents. */
export function loadObjects(text: string): KubeObject[] {
  // Plain YAML parsing: client-node's loadAllYaml maps into its typed models
  // and renames fields such as x-kubernetes-list-type.
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is KubeObject => !!o && typeof o === 'object' && 'kind' in o);
}

function kill(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      res();
    });
    p.kill('SIGTERM');
  });
}

export class TestEnv {
  private etcd: ChildProcess | undefined;
  private apiserver: ChildProcess | undefined;
  private readonly tokens = new Map<string, string>();
  private apiserverLog: string[] = [];
  readonly admin: KubeClient;
  readonly discovery: Discovery;

  private constructor(
    readonly dir: string,
    readonly etcdPort: number,
    readonly etcdPeerPort: number,
    readonly port: number,
    private readonly apiServerFlags: readonly string[] = [],
  ) {
    this.tokens.set(ADMIN_USER, 'admin-token');
    this.tokens.set(`system:serviceaccount:${CONTROLLER_SA.namespace}:${CONTROLLER_SA.name}`, 'controller-token');
    this.admin = new KubeClient(this.kubeConfig());
    this.discovery = new Discovery(this.admin);
  }

  static async start(o: TestEnvOptions = {}): Promise<TestEnv> {
    // Ports are found free and only then bound by etcd and kube-apiserver, so
    // a test file running in another worker can take one in between: a lost
    // bind race starts again on new ports instead of failing the test file.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestEnv.startOnce(o);
      } catch (e) {
        if (attempt >= 3 || !(e instanceof Error) || !e.message.includes('address already in use')) throw e;
      }
    }
  }

  private static async startOnce(o: TestEnvOptions): Promise<TestEnv> {
    for (const b of ['etcd', 'kube-apiserver']) {
      if (!existsSync(join(E2E_BIN, b))) throw new Error(`${join(E2E_BIN, b)} is missing: run \`npm run build:tools\` (bash e2e/scripts/build-tools.sh)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-testenv-'));
    const flags = o.clusterTrustBundles === false ? [] : CLUSTER_TRUST_BUNDLE_FLAGS;
    const env = new TestEnv(dir, await freePort(), await freePort(), await freePort(), flags);
    try {
      env.writeFiles();
      await env.startEtcd();
      await env.startApiServer();
      if (o.gatewayApiCrds !== false) await env.installGatewayApiCrds();
    } catch (e) {
      await env.stop();
      throw e;
    }
    return env;
  }

  private writeFiles(): void {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    // Static tokens: simpler than client certificates and still real
    // authentication; the ServiceAccount-named user lets tests check the
    // shipped RBAC rules against the real authorizer.
    const lines = [...this.tokens.entries()].map(([user, token]) =>
      user === ADMIN_USER
        ? `${token},${user},${user},"system:masters"`
        : `${token},${user},${user},"system:serviceaccounts,system:serviceaccounts:${CONTROLLER_SA.namespace},system:authenticated"`,
    );
    writeFileSync(join(this.dir, 'tokens.csv'), lines.join('\n') + '\n');
  }

  private async startEtcd(): Promise<void> {
    const url = `http://127.0.0.1:${this.etcdPort}`;
    const peer = `http://127.0.0.1:${this.etcdPeerPort}`;
    this.etcd = spawn(
      join(E2E_BIN, 'etcd'),
      [
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--unsafe-no-fsync',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.etcd.stderr?.resume();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.etcd.exitCode !== null) throw new Error(`etcd exited with code ${this.etcd.exitCode}`);
      try {
        const r = await fetch(`${url}/health`);
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await sleep(100);
    }
    throw new Error('etcd did not become healthy within 30s');
  }

  /** Starts (or restarts) kube-apiserver on the same port and etcd, and waits for /readyz. */
  async startApiServer(): Promise<void> {
    if (this.apiserver && this.apiserver.exitCode === null) return;
    this.apiserverLog = [];
    this.apiserver = spawn(
      join(E2E_BIN, 'kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
        `--cert-dir=${join(this.dir, 'certs')}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${this.port}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${join(this.dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        ...this.apiServerFlags,
        '--v=0',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.apiserver.stderr?.on('data', (d: Buffer) => {
      this.apiserverLog.push(d.toString('utf8'));
      if (this.apiserverLog.length > 200) this.apiserverLog.shift();
    });
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.apiserver.exitCode !== null)
        throw new Error(`kube-apiserver exited with code ${this.apiserver.exitCode}:\n${this.apiserverLog.join('').slice(-4000)}`);
      if (await this.ready()) return;
      await sleep(200);
    }
    throw new Error(`kube-apiserver not ready within 90s:\n${this.apiserverLog.join('').slice(-4000)}`);
  }

  private ready(): Promise<boolean> {
    return new Promise((res) => {
      const req = https.get(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/readyz',
          rejectUnauthorized: false,
          headers: { Authorization: `Bearer ${this.tokens.get(ADMIN_USER)}` },
          timeout: 2000,
        },
        (r) => {
          r.resume();
          res(r.statusCode === 200);
        },
      );
      req.on('error', () => res(false));
      req.on('timeout', () => {
        req.destroy();
        res(false);
      });
    });
  }

  /**
   * Compacts etcd's history up to its current revision, as etcd's periodic
   * compaction does in a real cluster: watches resuming from an older
   * resourceVersion then get 410 Gone.
   */
  async compactEtcd(): Promise<void> {
    const base = `http://127.0.0.1:${this.etcdPort}`;
    const r = await fetch(`${base}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64'), limit: 1 }) });
    const { header } = (await r.json()) as { header: { revision: string } };
    const c = await fetch(`${base}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: header.revision, physical: true }) });
    if (!c.ok) throw new Error(`etcd compaction failed: ${c.status} ${await c.text()}`);
  }

  /** Stops kube-apiserver only (etcd and its data stay), to test watch recovery. */
  async stopApiServer(): Promise<void> {
    await kill(this.apiserver);
    this.apiserver = undefined;
  }

  async stop(): Promise<void> {
    await kill(this.apiserver);
    await kill(this.etcd);
    this.apiserver = this.etcd = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A kubeconfig for a user of the token file (admin by default). */
  kubeConfig(user: string = ADMIN_USER): KubeConfig {
    const token = this.tokens.get(user);
    if (!token) throw new Error(`unknown test user ${user}`);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'testenv', server: `https://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: user, token }],
      contexts: [{ name: 'testenv', cluster: 'testenv', user }],
      currentContext: 'testenv',
    });
    return kc;
  }

  /** The ServiceAccount user the shipped RBAC in deploy/ binds. */
  controllerUser(): string {
    return `system:serviceaccount:${CONTROLLER_SA.namespace}:${CONTROLLER_SA.name}`;
  }

  /** Writes a kubeconfig file (for tools that want a path) and returns its path. */
  writeKubeconfig(user: string = ADMIN_USER): string {
    const p = join(this.dir, `kubeconfig-${user.replace(/[^a-z0-9]/gi, '_')}`);
    writeFileSync(p, this.kubeConfig(user).exportConfig());
    return p;
  }

  /** Server-side apply as the admin; returns the object as stored. */
  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, o: { dryRun?: boolean; fieldManager?: string } = {}): Promise<T> {
    const r = await this.discovery.require(obj.apiVersion, obj.kind);
    // As kubectl does: a namespaced object without a namespace goes to "default".
    if (r.namespaced && !obj.metadata.namespace) obj = { ...obj, metadata: { ...obj.metadata, namespace: 'default' } };
    const path = await this.discovery.objectPath(obj);
    return this.admin.patch<T>(path, 'apply', obj, { fieldManager: o.fieldManager ?? 'testenv', force: 'true', ...(o.dryRun ? { dryRun: 'All' } : {}) });
  }

  async applyAll(objs: readonly KubeObject[], o: { dryRun?: boolean } = {}): Promise<void> {
    // Namespaces and CRDs first, so objects inside them can be created.
    const rank = (k: string) => (k === 'Namespace' || k === 'CustomResourceDefinition' ? 0 : 1);
    for (const obj of [...objs].sort((a, b) => rank(a.kind) - rank(b.kind))) await this.apply(obj, o);
  }

  async delete(obj: KubeObject): Promise<void> {
    await this.admin.delete(await this.discovery.objectPath(obj));
  }

  async get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    const path = `${await this.discovery.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`;
    try {
      return await this.admin.get<T>(path);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async installGatewayApiCrds(): Promise<void> {
    const dir = join(gatewayApiDir(), 'config', 'crd', 'experimental');
    const crds = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .flatMap((f) => loadObjects(readFileSync(join(dir, f), 'utf8')))
      .filter((o) => o.kind === 'CustomResourceDefinition');
    await this.installCrds(crds);
  }

  /** Applies CRDs and waits until each is Established (served). */
  async installCrds(crds: readonly KubeObject[]): Promise<void> {
    for (const c of crds) await this.apply(c);
    const deadline = Date.now() + 60_000;
    for (const c of crds) {
      for (;;) {
        const got = await this.admin.get<KubeObject<unknown, { conditions?: Array<{ type: string; status: string }> }>>(
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.metadata.name}`,
        );
        if (got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')) break;
        if (Date.now() > deadline) throw new Error(`CRD ${c.metadata.name} not Established within 60s`);
        await sleep(100);
      }
    }
    this.discovery.reset();
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails with the last observation. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  o: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${o.what ?? 'condition'}${last instanceof Error ? `: ${String(last)}` : last ? `: ${JSON.stringify(last)}` : ''}`);
    await sleep(150);
  }
}
