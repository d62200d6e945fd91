// The Helm chart (charts/switchyard), as a user meets it: `helm lint`; values
// the schema refuses, named by their path; deploy/ rendered from the chart;
// default and non-default values rendered and checked by a server-side
// dry-run on a real kube-apiserver; then a real `helm install`, `upgrade`,
// `rollback` and `uninstall` there (objects only: no kubelet runs the pods).
import { expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { GatewayClass, KubeObject } from '@switchyard/api';
import { CONTROLLER_NAME } from '@switchyard/translator';
import { TestEnv, loadObjects, REPO_ROOT } from '../test/testenv/index.js';
import { chartDir, helm, helmScript, renderChart } from '../test/testenv/helm.js';
import type { PodDisruptionBudget, ServiceObject, Workload } from '../test/workload-objects.js';
import { DEFAULT_DRAIN_MS, LEASE_NAME, XDS_SERVICE_NAME, XDS_SERVICE_PORT } from './run.js';

/** Every value changed from its default (what a platform team's values file looks like). */
const NON_DEFAULT_VALUES = `
image: {repository: registry.example.com/platform/switchyard, tag: 0.1.0-rc.1, pullPolicy: Always}
imagePullSecrets: [{name: registry-credentials}]
replicas: 3
logLevel: debug
xds: {port: 18443}
metrics: {port: 9090}
resources:
  requests: {cpu: 250m, memory: 256Mi}
  limits: {cpu: "1", memory: 2Gi}
nodeSelector: {kubernetes.io/os: linux}
tolerations: [{key: dedicated, operator: Equal, value: gateway, effect: NoSchedule}]
affinity:
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]}]
priorityClassName: system-cluster-critical
podAnnotations: {example.com/team: platform}
spreadAcrossNodes: false
topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app.kubernetes.io/name: switchyard}}}
podDisruptionBudget: {minAvailable: 2}
networkPolicy: {enabled: false}
serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}
gatewayClass:
  name: switchyard-internal
  proxyConfig:
    create: true
    name: internal-fleet
    spec:
      workload: {kind: Deployment, replicas: 3}
      service: {type: ClusterIP}
      logLevel: warning
namespace: {create: true}
`;

/** Kinds from other projects' CRDs that cannot be installed here (no network): checked for shape only. */
const THIRD_PARTY_GROUPS = new Set(['monitoring.coreos.com']);

/** A rendered object of a kind, read field by field as a user reads YAML (T: the fields the test reads). */
function find<T extends KubeObject = KubeObject>(objs: readonly KubeObject[], kind: string, name?: string): T {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind} ${name ?? ''} in the rendered chart (${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`);
  return o as T;
}

/** Files under dir, as paths relative to it. */
function filesUnder(dir: string, top = dir): string[] {
  return readdirSync(dir)
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f), top) : [relative(top, join(dir, f))]))
    .sort();
}

describe('charts/switchyard without a cluster', () => {
  it('passes helm lint --strict with default and non-default values', async () => {
    const plain = await helm(['lint', '--strict', chartDir]);
    expect(plain.stderr + plain.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(plain.code).toBe(0);
    const custom = await helm(['lint', '--strict', chartDir], { values: NON_DEFAULT_VALUES });
    expect(custom.stderr + custom.stdout).toMatch(/0 chart\(s\) failed/);
    expect(custom.code).toBe(0);
  }, 60_000);

  it.each([
    ['an unknown top-level key', 'replica: 3\n', /at '': additional properties 'replica' not allowed/],
    ['an unknown nested key', 'xds: {prot: 18443}\n', /at '\/xds': additional properties 'prot' not allowed/],
    [
      'a misspelt key deep down',
      'gatewayClass: {proxyConfig: {enable: true}}\n',
      /at '\/gatewayClass\/proxyConfig': additional properties 'enable' not allowed/,
    ],
    ['a wrong type', 'replicas: two\n', /at '\/replicas': got string, want integer/],
    ['a value outside its set', 'logLevel: verbose\n', /at '\/logLevel': value must be one of/],
    ['a port out of range', 'metrics: {port: 70000}\n', /at '\/metrics\/port': maximum: got 70,000, want 65,535/],
    ['a name Kubernetes refuses', 'gatewayClass: {name: Switchyard_Public}\n', /at '\/gatewayClass\/name': '\S+' does not match pattern/],
  ])('refuses %s, naming its path', async (_what, values, message) => {
    const r = await helm(['template', 'switchyard', chartDir], { values });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('is what deploy/ holds (charts/render-deploy.sh; run `npm run render:deploy` after editing the chart)', () => {
    const out = mkdtempSync(join(tmpdir(), 'switchyard-deploy-'));
    try {
      execFileSync('bash', [join(REPO_ROOT, 'charts', 'render-deploy.sh'), out], { stdio: ['ignore', 'ignore', 'pipe'] });
      const deploy = join(REPO_ROOT, 'deploy');
      expect(filesUnder(deploy)).toEqual(filesUnder(out));
      for (const f of filesUnder(out)) {
        const shipped = readFileSync(join(deploy, f), 'utf8');
        if (shipped !== readFileSync(join(out, f), 'utf8'))
          throw new Error(`deploy/${f} differs from the chart's rendering: edit charts/switchyard, then run \`npm run render:deploy\``);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('names the Gateway API release pinned in e2e/go.mod, and the README installs that release', () => {
    const pinned = execFileSync('go', ['list', '-m', '-f', '{{.Version}}', 'sigs.k8s.io/gateway-api'], {
      cwd: join(REPO_ROOT, 'e2e'),
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    }).trim();
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { annotations: Record<string, string> };
    expect(chart.annotations['switchyard.dev/gateway-api-version']).toBe(pinned);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const installs = [...readme.matchAll(/gateway-api\/releases\/download\/([^/]+)\//g)].map((m) => m[1]);
    expect(installs.length).toBeGreaterThan(0);
    expect(new Set(installs)).toEqual(new Set([pinned]));
  });

  it('renders objects that agree with what the controller expects of them', async () => {
    const objs = await renderChart();
    // Fleets dial XDS_SERVICE_NAME.<namespace>.svc:XDS_SERVICE_PORT (written into their bootstrap).
    const xds = find<ServiceObject>(objs, 'Service', XDS_SERVICE_NAME);
    expect(xds.metadata.namespace).toBe('switchyard-system');
    expect(xds.spec.ports).toEqual([{ name: 'xds', port: XDS_SERVICE_PORT, targetPort: 'xds', protocol: 'TCP' }]);
    // The Lease the replicas elect a leader with may be read and renewed.
    const role = find<KubeObject & { rules: Array<{ resourceNames?: string[]; verbs: string[] }> }>(objs, 'Role', 'switchyard-leader-election');
    expect(role.rules.find((r) => r.resourceNames)).toEqual(expect.objectContaining({ resourceNames: [LEASE_NAME], verbs: ['get', 'update'] }));
    // An upgrade never takes a replica away before its successor is ready,
    // and a stopping replica is given time to drain its xDS streams.
    const deployment = find<Workload>(objs, 'Deployment', 'switchyard');
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(DEFAULT_DRAIN_MS);
    expect(deployment.spec.template.spec.containers[0]?.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(find(objs, 'GatewayClass', 'switchyard').spec).toEqual({ controllerName: CONTROLLER_NAME });
    // No Namespace and no ServiceMonitor unless asked for; CRDs from crds/.
    expect(objs.filter((o) => o.kind === 'Namespace' || o.kind === 'ServiceMonitor')).toEqual([]);
    expect(objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name)).toEqual([
      'proxyconfigs.switchyard.dev',
      'ratelimits.switchyard.dev',
    ]);
  });

  it('renders every non-default value where it takes effect', async () => {
    const objs = await renderChart({ values: NON_DEFAULT_VALUES, namespace: 'gateway-system' });
    const pod = find<Workload>(objs, 'Deployment', 'switchyard').spec.template;
    const container = pod.spec.containers[0]!;
    expect(find<Workload>(objs, 'Deployment', 'switchyard').spec.replicas).toBe(3);
    expect(container.image).toBe('registry.example.com/platform/switchyard:0.1.0-rc.1');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.args).toEqual(['serve', '--xds-port=18443', '--metrics-port=9090', '--log-level=debug']);
    expect(container.ports).toEqual([
      { name: 'xds', containerPort: 18443, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '2Gi' } });
    expect(pod.metadata.annotations).toEqual({ 'example.com/team': 'platform' });
    expect(pod.spec).toMatchObject({
      priorityClassName: 'system-cluster-critical',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gateway', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: expect.any(Object) },
    });
    expect(pod.spec.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone']);
    expect(find(objs, 'ServiceAccount', 'switchyard')).toMatchObject({ imagePullSecrets: [{ name: 'registry-credentials' }] });
    // Fleets still dial port 18000 on the Service; it forwards to the new container port by name.
    expect(find<ServiceObject>(objs, 'Service', XDS_SERVICE_NAME).spec.ports[0]).toMatchObject({ port: XDS_SERVICE_PORT, targetPort: 'xds' });
    expect(find<ServiceObject>(objs, 'Service', 'switchyard-metrics').spec.ports[0]).toMatchObject({ port: 9090, targetPort: 'metrics' });
    expect(find<PodDisruptionBudget>(objs, 'PodDisruptionBudget', 'switchyard').spec.minAvailable).toBe(2);
    expect(objs.some((o) => o.kind === 'NetworkPolicy')).toBe(false);
    expect(find(objs, 'ServiceMonitor', 'switchyard')).toMatchObject({
      metadata: { labels: { release: 'prometheus' } },
      spec: { endpoints: [{ port: 'metrics', interval: '15s' }] },
    });
    expect(find(objs, 'Namespace', 'gateway-system').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(find(objs, 'GatewayClass', 'switchyard-internal').spec).toEqual({
      controllerName: CONTROLLER_NAME,
      parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'internal-fleet', namespace: 'gateway-system' },
    });
    expect(find(objs, 'ProxyConfig', 'internal-fleet')).toMatchObject({
      metadata: { namespace: 'gateway-system' },
      spec: { workload: { kind: 'Deployment', replicas: 3 } },
    });
  });

  it('documents every value of the schema in the chart README, and no value the schema lacks', () => {
    interface Schema {
      properties?: Record<string, Schema>;
      additionalProperties?: unknown;
    }
    // Closed objects are documented key by key; anything else (a Kubernetes
    // type such as resources or affinity, a list, a map) as one value.
    const leaves = (node: Schema, path: string): string[] =>
      node.properties && node.additionalProperties === false && path !== 'resources'
        ? Object.entries(node.properties).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k))
        : [path];
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as Schema;
    const inSchema = leaves(schema, '').filter((p) => p !== 'global');
    // Table rows: | `a.b`, `.c` | default | meaning |, where `.c` is a sibling of the key before it.
    const readme = readFileSync(join(chartDir, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((row) => {
      let parent = '';
      return [...row[1]!.matchAll(/`([^`]+)`/g)].map(([, key]) => {
        const full = key!.startsWith('.') ? `${parent}${key}` : key!;
        parent = full.slice(0, full.lastIndexOf('.'));
        return full;
      });
    });
    expect([...documented].sort()).toEqual([...inSchema].sort());
  });

  it('leaves out the PodDisruptionBudget with one replica (it would block every node drain)', async () => {
    const objs = await renderChart({ values: 'replicas: 1\n' });
    expect(find<Workload>(objs, 'Deployment', 'switchyard').spec.replicas).toBe(1);
    expect(objs.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });
});

describe('charts/switchyard on a real kube-apiserver', () => {
  let env: TestEnv;
  let kubeconfig: string;
  beforeAll(async () => {
    env = await TestEnv.start();
    kubeconfig = env.writeKubeconfig();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  /** Installs CRDs and namespaces for real (a dry-run needs them served), then dry-runs every other object. */
  async function dryRun(objs: readonly KubeObject[]): Promise<string[]> {
    await env.installCrds(objs.filter((o) => o.kind === 'CustomResourceDefinition'));
    for (const ns of new Set(objs.flatMap((o) => (o.kind === 'Namespace' ? [o.metadata.name] : o.metadata.namespace ? [o.metadata.namespace] : [])))) {
      await env.apply(objs.find((o) => o.kind === 'Namespace' && o.metadata.name === ns) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
    const checked: string[] = [];
    for (const o of objs) {
      if (o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace') continue;
      if (THIRD_PARTY_GROUPS.has(o.apiVersion.split('/')[0]!) && !(await env.discovery.resource(o.apiVersion, o.kind))) continue;
      try {
        await env.apply(o, { dryRun: true });
      } catch (e) {
        throw new Error(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      checked.push(`${o.kind}/${o.metadata.name}`);
    }
    return checked;
  }

  it('accepts the default rendering (server-side dry-run)', async () => {
    const checked = await dryRun(await renderChart());
    expect(checked).toEqual(
      expect.arrayContaining([
        'Deployment/switchyard',
        'Service/switchyard-xds',
        'ClusterRole/switchyard-controller',
        'GatewayClass/switchyard',
        'NetworkPolicy/switchyard',
        'PodDisruptionBudget/switchyard',
      ]),
    );
  }, 60_000);

  it('accepts the non-default rendering (server-side dry-run), the ProxyConfig checked by its CRD', async () => {
    const checked = await dryRun(await renderChart({ values: NON_DEFAULT_VALUES, namespace: 'gateway-system' }));
    expect(checked).toEqual(expect.arrayContaining(['Deployment/switchyard', 'GatewayClass/switchyard-internal', 'ProxyConfig/internal-fleet']));
  }, 60_000);

  it('refuses a ProxyConfig spec the CRD refuses, naming the field', async () => {
    const objs = await renderChart({ values: 'gatewayClass: {proxyConfig: {create: true, spec: {workload: {kind: Sidecar}}}}\n' });
    await expect(dryRun(objs)).rejects.toThrow(/ProxyConfig switchyard-system\/switchyard-default: .*spec\.workload\.kind/);
  }, 60_000);

  async function get<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined> {
    return env.get<T>(apiVersion, kind, namespace, name);
  }

  it('helm install with a bad values file fails naming the key, and applies nothing', async () => {
    const r = await helm(['install', 'switchyard', chartDir, '--namespace', 'bad-values', '--create-namespace'], {
      kubeconfig,
      values: 'replicas: 2\nlogLevel: info\nmetric: {port: 9090}\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/at '': additional properties 'metric' not allowed/);
    expect(await get('v1', 'Namespace', undefined, 'bad-values')).toBeUndefined();
    const list = await helm(['list', '--all-namespaces', '--short'], { kubeconfig });
    expect(list.stdout.trim()).toBe('');
  }, 60_000);

  it('helm install, upgrade, rollback and uninstall keep the leader Lease and the stored custom objects', async () => {
    const ns = 'helm-lifecycle';
    const install = await helm(['install', 'switchyard', chartDir, '--namespace', ns, '--create-namespace'], { kubeconfig });
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toMatch(/experimental-install\.yaml/); // NOTES: the Gateway API CRDs' install command
    const before = await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard');
    expect(before?.spec.replicas).toBe(2);
    expect(await get('gateway.networking.k8s.io/v1', 'GatewayClass', undefined, 'switchyard')).toBeDefined();

    // What a running installation holds: the leader's Lease and users' custom objects.
    const lease = await env.apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE_NAME, namespace: ns },
      spec: { holderIdentity: 'switchyard-6d9f-abcde', leaseDurationSeconds: 15 },
    });
    await env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await env.apply({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'RateLimit',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { requests: 10, unit: 'Second' },
    });

    const upgrade = await helm(['upgrade', 'switchyard', chartDir, '--namespace', ns], {
      kubeconfig,
      values: 'replicas: 3\nlogLevel: debug\nimage: {tag: 0.1.1}\ngatewayClass: {proxyConfig: {create: true, spec: {logLevel: warning}}}\n',
    });
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    const after = await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard');
    expect(after?.spec.replicas).toBe(3);
    expect(after?.spec.selector).toEqual(before?.spec.selector);
    expect(after?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/switchyard-dev/switchyard:0.1.1');
    expect((await get<GatewayClass>('gateway.networking.k8s.io/v1', 'GatewayClass', undefined, 'switchyard'))?.spec?.parametersRef).toEqual({
      group: 'switchyard.dev',
      kind: 'ProxyConfig',
      name: 'switchyard-default',
      namespace: ns,
    });
    expect((await get('coordination.k8s.io/v1', 'Lease', ns, LEASE_NAME))?.metadata.resourceVersion).toBe(lease.metadata.resourceVersion);
    expect(await get('switchyard.dev/v1alpha1', 'RateLimit', 'shop', 'api')).toBeDefined();

    const rollback = await helm(['rollback', 'switchyard', '1', '--namespace', ns], { kubeconfig });
    expect(rollback.code).toBe(0);
    expect((await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard'))?.spec.replicas).toBe(2);
    expect(await get('switchyard.dev/v1alpha1', 'ProxyConfig', ns, 'switchyard-default')).toBeUndefined();

    // Helm never deletes what crds/ installed: the CRDs and every stored object stay.
    const uninstall = await helm(['uninstall', 'switchyard', '--namespace', ns], { kubeconfig });
    expect(uninstall.code).toBe(0);
    expect(await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard')).toBeUndefined();
    expect(await get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'ratelimits.switchyard.dev')).toBeDefined();
    expect(await get('switchyard.dev/v1alpha1', 'RateLimit', 'shop', 'api')).toBeDefined();
    expect((await get('coordination.k8s.io/v1', 'Lease', ns, LEASE_NAME))?.metadata.resourceVersion).toBe(lease.metadata.resourceVersion);
  }, 180_000);

  it('takes over an installation from deploy/ once its objects carry the release label and annotations (the chart README)', async () => {
    const ns = 'switchyard-system';
    const files = ['serviceaccount', 'rbac', 'deployment', 'service', 'pdb', 'networkpolicy'].map((f) => join(REPO_ROOT, 'deploy', `${f}.yaml`));
    const objs = files.flatMap((f) => loadObjects(readFileSync(f, 'utf8')));
    await env.applyAll([...loadObjects(readFileSync(join(REPO_ROOT, 'deploy', 'namespace.yaml'), 'utf8')), ...objs]);

    const refused = await helm(['install', 'switchyard', chartDir, '--namespace', ns], { kubeconfig });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/exists and cannot be imported into the current release/);

    // kubectl label -f ... app.kubernetes.io/managed-by=Helm; kubectl annotate -f ... meta.helm.sh/release-{name,namespace}=...
    for (const o of objs) {
      await env.admin.patch(await env.discovery.objectPath(o), 'merge', {
        metadata: {
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'switchyard', 'meta.helm.sh/release-namespace': ns },
        },
      });
    }
    const deploymentBefore = await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard');
    // --server-side=false: kubectl's field manager keeps owning the fields it
    // applied, so Helm's server-side apply would conflict on the first
    // upgrade that changes one (even --force-conflicts only shares fields
    // whose values agree). A client-side release, which later upgrades keep,
    // merges as Helm 3 did.
    const adopted = await helm(['install', 'switchyard', chartDir, '--namespace', ns, '--server-side=false'], { kubeconfig });
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    // Same objects, not recreated: the Deployment keeps its uid, so no pod restarts.
    const deploymentAfter = await get<Workload>('apps/v1', 'Deployment', ns, 'switchyard');
    expect(deploymentAfter?.metadata.uid).toBe(deploymentBefore?.metadata.uid);
    expect(deploymentAfter?.spec.template).toEqual(deploymentBefore?.spec.template);
    const list = await helm(['list', '--namespace', ns, '--short'], { kubeconfig });
    expect(list.stdout.trim()).toBe('switchyard');
  }, 180_000);

  it('is installed or upgraded by e2e/scripts/install-chart.sh, the one install of make deploy and the local cluster (here: an upgrade of the adopted release)', async () => {
    // --wait=hookOnly: no kubelet here makes the controller's pods ready.
    const r = await helmScript(join(REPO_ROOT, 'e2e', 'scripts', 'install-chart.sh'), ['--set', 'logLevel=debug', '--wait=hookOnly'], { kubeconfig });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^STATUS: deployed$/m);
    const deployment = await get<Workload>('apps/v1', 'Deployment', 'switchyard-system', 'switchyard');
    expect(deployment?.spec.template.spec.containers[0]?.args).toContain('--log-level=debug');
  }, 180_000);
});
