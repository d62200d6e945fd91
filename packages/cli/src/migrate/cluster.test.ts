// `switchyard migrate` against a live cluster: a real kube-apiserver (the
// controller's test environment) holding IngressClasses, Ingresses, Services
// and Secrets, read through a kubeconfig file as a user would.
import { expect } from '@jest/globals';
import type { KubeObject } from '@switchyard/api';
import type { Assessment } from './assess.js';
import { convert } from './convert.js';
import { fixture } from '../../test/migrate-fixtures.js';
import { runCommand } from '../../test/capture.js';
import { migrateCommand } from './index.js';
import { TestEnv } from '@switchyard/controller/test/testenv/index.js';

const run = (args: string[]) => runCommand((io) => migrateCommand(args, io));

const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'blog' } },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 8080 }] } },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'shop-tls', namespace: 'shop' },
    type: 'Opaque',
    stringData: { note: 'the migration only checks that it exists' },
  } as KubeObject,
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      namespace: 'shop',
      annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/auth-url': 'https://auth/' },
    },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      rules: [
        {
          host: 'shop.example.com',
          http: { paths: [{ path: '/app(/|$)(.*)', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { name: 'http' } } } }] },
        },
      ],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'blog', namespace: 'blog' },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['blog.example.com'], secretName: 'missing-tls' }],
      rules: [{ host: 'blog.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'blog', port: { number: 80 } } } }] } }],
    },
  },
];

describe('migrate with cluster input', () => {
  let env: TestEnv;
  let kubeconfig: string;
  beforeAll(async () => {
    env = await TestEnv.start({ gatewayApiCrds: true });
    await env.applyAll(objects);
    kubeconfig = env.writeKubeconfig();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('assesses the Ingresses of every namespace, reading the Services and Secrets they use', async () => {
    const r = await run(['assess', '--kubeconfig', kubeconfig, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout) as Assessment;
    expect(a.ingressClasses).toEqual([
      { name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: true, found: true, ingresses: 2, namespaces: ['blog', 'shop'] },
    ]);
    expect(a.ingresses.map((i) => `${i.namespace}/${i.name}`)).toEqual(['blog/blog', 'shop/web']);
    // The Secret that does not exist is reported; the one that does is not.
    expect(a.ingresses[0]!.findings).toContainEqual({
      field: 'spec.tls[0].secretName',
      outcome: 'converted-with-caveat',
      message: expect.stringMatching(/Secret blog\/missing-tls does not exist/),
    });
    expect(JSON.stringify(a.ingresses[1]!.findings)).not.toMatch(/shop-tls/);
    expect(a.ingresses[1]!.annotations.find((x) => x.key === 'nginx.ingress.kubernetes.io/auth-url')?.outcome).toBe('not-convertible');
  });

  it('converts one namespace, resolving a named port through the Service; the Gateway still covers every namespace', async () => {
    const r = await run(['convert', '--kubeconfig', kubeconfig, '-n', 'shop', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { objects: KubeObject[] };
    expect(out.objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Gateway default/nginx',
      'ReferenceGrant blog/from-gateway-default-nginx',
      'ReferenceGrant shop/from-gateway-default-nginx',
      'HTTPRoute shop/web-shop.example.com',
      'HTTPRoute shop/web-shop.example.com-https-redirect',
    ]);
    const route = out.objects[3] as KubeObject<{ parentRefs: unknown; rules: Array<{ matches: unknown; backendRefs: unknown; filters: unknown }> }>;
    expect(route.spec!.parentRefs).toEqual([{ name: 'nginx', namespace: 'default', sectionName: 'https-shop.example.com' }]);
    expect(route.spec!.rules[0]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/app' } }],
      filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
      backendRefs: [{ name: 'web', port: 8080 }],
    });
  });

  it('produces objects the API server accepts: Gateway API v1.7 CRD schemas and CEL validations (server-side dry run)', async () => {
    const fixtures = ['basic.yaml', 'tls.yaml', 'rewrite.yaml', 'redirects.yaml', 'canary.yaml', 'annotations.yaml'];
    // 70 TLS hosts in one class: the HTTPS listeners go into ListenerSets.
    const many: KubeObject[] = Array.from({ length: 70 }, (_, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `h${i}`, namespace: 'many' },
      spec: {
        ingressClassName: 'many',
        tls: [{ hosts: [`h${i}.example.com`], secretName: 'cert' }],
        rules: [{ host: `h${i}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
      },
    }));
    const generated = [...fixtures.flatMap((f) => convert(fixture(f)).objects), ...convert(many, { gatewayNamespace: 'edge' }).objects];
    const namespaces = [...new Set(generated.map((o) => o.metadata.namespace!))];
    await env.applyAll(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    // RateLimit is Switchyard's own CRD (not installed here); everything else must pass.
    const checked = generated.filter((o) => o.kind !== 'RateLimit');
    expect(new Set(checked.map((o) => o.kind))).toEqual(
      new Set(['Gateway', 'ListenerSet', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'ReferenceGrant', 'BackendTLSPolicy']),
    );
    const rejected: string[] = [];
    for (const o of checked) {
      try {
        await env.apply(o, { dryRun: true });
      } catch (e) {
        rejected.push(`${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(rejected).toEqual([]);
    // The dry run does validate: a path Gateway API forbids is refused.
    const bad = { ...checked.find((o) => o.kind === 'HTTPRoute')!, spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }] }] } };
    await expect(env.apply(bad, { dryRun: true })).rejects.toThrow(/must not contain '\/\/'/);
  }, 60_000);

  it('stops with exit code 1 when the user may not list Ingresses, rather than print a partial inventory', async () => {
    // The controller's ServiceAccount user, without its RBAC installed here: every list is forbidden.
    const r = await run(['assess', '--kubeconfig', env.writeKubeconfig(env.controllerUser())]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/switchyard migrate: listing Ingresses: .*/);
  });

  it('says why when the cluster cannot be read', async () => {
    const r = await run(['assess', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read the cluster/);
  });
});
