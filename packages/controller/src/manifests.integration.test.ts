// Every manifest the project ships passes a server-side dry-run against a
// real kube-apiserver with the Gateway API CRDs (and the project's own CRDs
// from deploy/crds once they exist). The directories are globbed, so a
// manifest added later is covered without touching this test.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { KubeObject } from '@switchyard/api';
import { TestEnv, loadObjects, REPO_ROOT } from '../test/testenv/index.js';

/** Kinds from other projects' CRDs that these tests cannot install (no network): checked for shape only. */
const THIRD_PARTY_GROUPS = new Set(['monitoring.coreos.com']);

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(f) ? [p] : [];
    })
    .sort();
}

const FILES = [...yamlFiles(join(REPO_ROOT, 'deploy')), ...yamlFiles(join(REPO_ROOT, 'envoy')), ...yamlFiles(join(REPO_ROOT, 'examples'))];

/**
 * Objects meant only for `switchyard serve --from-dir` (no cluster): an
 * EndpointSlice pointing at a loopback backend, which the API server rejects
 * by design. The test checks they are rejected for exactly that reason.
 */
function localOnly(o: KubeObject): boolean {
  const eps = (o as KubeObject & { endpoints?: Array<{ addresses?: string[] }> }).endpoints ?? [];
  return o.kind === 'EndpointSlice' && eps.some((e) => (e.addresses ?? []).some((a) => a.startsWith('127.') || a === '::1'));
}

/** Files that are not Kubernetes objects (the Envoy bootstrap templates). */
function kubeObjects(file: string): KubeObject[] {
  return loadObjects(readFileSync(file, 'utf8')).filter((o) => typeof o.apiVersion === 'string' && typeof o.metadata === 'object');
}

describe('shipped manifests (server-side dry-run, real kube-apiserver)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.start();
    const all = FILES.flatMap(kubeObjects);
    // CRDs and Namespaces are created for real: a dry-run of a custom
    // resource needs its CRD served, and objects need their namespace.
    await env.installCrds(all.filter((o) => o.kind === 'CustomResourceDefinition'));
    for (const ns of all.filter((o) => o.kind === 'Namespace')) await env.apply(ns);
    // Namespaces the example objects live in without shipping a Namespace.
    for (const o of all) {
      const ns = o.metadata.namespace;
      if (ns && !all.some((x) => x.kind === 'Namespace' && x.metadata.name === ns))
        await env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('runs against the Gateway API experimental channel (a superset of standard)', async () => {
    expect(await env.discovery.resource('gateway.networking.k8s.io/v1', 'Gateway')).toMatchObject({ plural: 'gateways', namespaced: true });
    expect(await env.discovery.resource('gateway.networking.k8s.io/v1alpha2', 'TCPRoute')).toMatchObject({ plural: 'tcproutes' });
    expect(await env.discovery.resource('gateway.networking.k8s.io/v1', 'ListenerSet')).toMatchObject({ plural: 'listenersets' });
  });

  it('finds the manifests', () => {
    expect(FILES.some((f) => f.includes(`${join('deploy', 'rbac.yaml')}`))).toBe(true);
    expect(FILES.some((f) => f.endsWith(join('envoy', 'daemonset.yaml')))).toBe(true);
  });

  it.each(FILES.map((f) => [relative(REPO_ROOT, f), f]))('%s', async (_name, file) => {
    const objs = kubeObjects(file);
    for (const o of objs) {
      if (o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace') continue;
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '';
      if (!(await env.discovery.resource(o.apiVersion, o.kind))) {
        if (THIRD_PARTY_GROUPS.has(group)) {
          expect(o.metadata.name).toBeTruthy();
          continue;
        }
        throw new Error(`${relative(REPO_ROOT, file)}: ${o.kind} ${o.apiVersion} is not served by the API server (missing CRD in deploy/crds?)`);
      }
      if (localOnly(o)) {
        await expect(env.apply(o, { dryRun: true })).rejects.toThrow(/loopback/);
        continue;
      }
      try {
        await env.apply(o, { dryRun: true });
      } catch (e) {
        throw new Error(
          `${relative(REPO_ROOT, file)}: ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
  });
});
