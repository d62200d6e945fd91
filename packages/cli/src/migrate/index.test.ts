// `switchyard migrate` as a user runs it: flags, files, exit codes, and the
// text and JSON it prints.
import { expect } from '@jest/globals';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assess, renderAssessment } from './assess.js';
import { fixture, TESTDATA } from '../../test/migrate-fixtures.js';
import { runCommand } from '../../test/capture.js';
import { migrateCommand, parseMigrateArgs } from './index.js';

const run = (args: string[]) => runCommand((io) => migrateCommand(args, io));

const fx = (name: string) => path.join(TESTDATA, name);

describe('migrate assess', () => {
  it('inventories classes, Ingresses, hosts, TLS Secrets, backends and annotations', () => {
    const a = assess(fixture('tls.yaml'));
    expect(a.summary).toEqual({
      ingressClasses: 1,
      ingresses: 5,
      hosts: 5,
      tlsSecrets: 3,
      outcomes: { converted: 4, 'converted-with-caveat': 1, 'not-convertible': 0 },
    });
    expect(a.ingressClasses).toEqual([
      { name: 'nginx', controller: 'k8s.io/ingress-nginx', isDefault: false, found: true, ingresses: 5, namespaces: ['blog', 'shop'] },
    ]);
    expect(a.ingresses.map((i) => [i.namespace, i.name, i.hosts, i.tls, i.backends, i.outcome])).toEqual([
      [
        'blog',
        'blog',
        ['blog.example.com'],
        [{ secretName: 'blog-tls', hosts: ['blog.example.com'] }],
        [{ kind: 'service', name: 'blog', port: '80' }],
        'converted',
      ],
      ['blog', 'legacy', ['legacy.example.com'], [], [{ kind: 'service', name: 'legacy', port: '80' }], 'converted-with-caveat'],
      [
        'shop',
        'shop',
        ['shop.example.com'],
        [{ secretName: 'shop-tls', hosts: ['shop.example.com'] }],
        [{ kind: 'service', name: 'shop', port: '80' }],
        'converted',
      ],
      [
        'shop',
        'tenants',
        ['*.tenants.example.com'],
        [{ secretName: 'tenants-tls', hosts: ['*.tenants.example.com'] }],
        [{ kind: 'service', name: 'tenant', port: '80' }],
        'converted',
      ],
      ['shop', 'vault', ['vault.example.com'], [], [{ kind: 'service', name: 'vault', port: 'https' }], 'converted'],
    ]);
  });

  it('groups annotations by controller, ingress-nginx first, each with its outcome', () => {
    const a = assess(fixture('annotations.yaml'));
    expect(a.annotationGroups.map((g) => [g.prefix, g.owner])).toEqual([
      ['nginx.ingress.kubernetes.io', 'ingress-nginx'],
      ['cert-manager.io', 'cert-manager'],
      ['traefik.ingress.kubernetes.io', 'Traefik'],
    ]);
    const nginx = Object.fromEntries(a.annotationGroups[0]!.annotations.map((x) => [x.key, [x.outcome, x.ingresses]]));
    expect(nginx['nginx.ingress.kubernetes.io/auth-url']).toEqual(['not-convertible', ['default/api']]);
    expect(nginx['nginx.ingress.kubernetes.io/backend-protocol']).toEqual(['converted-with-caveat', ['default/grpc', 'default/secure']]);
    expect(nginx['nginx.ingress.kubernetes.io/enable-cors']).toEqual(['converted-with-caveat', ['default/api', 'default/slow']]);
  });

  it('renders a readable table', () => {
    const text = renderAssessment(assess(fixture('annotations.yaml')));
    expect(text).toMatch(/^6 Ingress\(es\) in 2 class\(es\), 6 host\(s\), 0 TLS Secret\(s\): 1 convert cleanly, 3 with caveats, 2 need manual work$/m);
    expect(text).toMatch(/^traefik +traefik\.io\/ingress-controller +no +1 +default$/m);
    expect(text).toMatch(/^default +api +nginx +api\.example\.com +- +api:http +NOT CONVERTIBLE$/m);
    expect(text).toMatch(/^nginx\.ingress\.kubernetes\.io — ingress-nginx$/m);
    expect(text).toMatch(/^ {2}auth-url +1 +NOT CONVERTIBLE +external authentication/m);
    expect(text.indexOf('nginx.ingress.kubernetes.io —')).toBeLessThan(text.indexOf('cert-manager.io —'));
  });

  it('prints the table by default and JSON with -o json', async () => {
    const table = await run(['assess', '-f', fx('canary.yaml')]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^INGRESSES$/m);
    expect(table.stdout).toMatch(/main-canary \(canary\)/);
    const json = await run(['assess', '-f', fx('canary.yaml'), '-o', 'json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as ReturnType<typeof assess>;
    expect(parsed.ingresses.find((i) => i.name === 'orphan-canary')!.annotations).toContainEqual({
      key: 'nginx.ingress.kubernetes.io/canary',
      value: 'true',
      outcome: 'not-convertible',
      reasons: [expect.stringMatching(/ingress-nginx ignores such a canary/)],
    });
  });
});

describe('migrate convert', () => {
  it('prints YAML documents kubectl can apply, and the findings on stderr', async () => {
    const r = await run(['convert', '-f', fx('annotations.yaml'), '--gateway-class', 'edge']);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout);
    expect(Array.isArray(docs)).toBe(true);
    const objects = (docs as ReturnType<typeof parseAllDocuments> & unknown[]).map((d) =>
      (d as { toJS(): { apiVersion: string; kind: string; metadata: { name: string } } }).toJS(),
    );
    expect(objects.map((o) => o.kind)).toEqual([
      'Gateway',
      'Gateway',
      'HTTPRoute',
      'HTTPRoute',
      'HTTPRoute',
      'HTTPRoute',
      'HTTPRoute',
      'GRPCRoute',
      'RateLimit',
      'BackendTLSPolicy',
    ]);
    expect(objects.every((o) => typeof o.apiVersion === 'string' && o.metadata.name)).toBe(true);
    expect(r.stdout).toMatch(/^# Generated by `switchyard migrate convert`/);
    expect(r.stdout).toMatch(/^# {3}Ingress default\/api: nginx.ingress.kubernetes.io\/auth-url: not-convertible/m);
    expect(r.stderr).toMatch(/^Ingress default\/api: nginx.ingress.kubernetes.io\/auth-url: not-convertible: /m);
    expect(r.stdout).toContain('gatewayClassName: edge');
  });

  it('prints objects, findings and per-Ingress annotation outcomes with -o json', async () => {
    const r = await run(['convert', '-f', fx('redirects.yaml'), '-o', 'json']);
    const parsed = JSON.parse(r.stdout) as {
      objects: Array<{ kind: string }>;
      findings: unknown[];
      ingresses: Array<{ ingress: { name: string }; annotations: unknown[] }>;
    };
    expect(parsed.objects.map((o) => o.kind)).toEqual(['Gateway', ...Array<string>(9).fill('HTTPRoute')]);
    expect(parsed.findings).toEqual([]);
    expect(parsed.ingresses).toHaveLength(6);
    expect(parsed.ingresses.find((i) => i.ingress.name === 'keep-path')!.annotations).toContainEqual(
      expect.objectContaining({
        annotation: 'nginx.ingress.kubernetes.io/permanent-redirect',
        outcome: 'converted',
        reasons: ['RequestRedirect 308 to https://www.example.com$request_uri'],
      }),
    );
  });

  it('prints only the Gateways with --gateways-only, the same Gateways as a full conversion', async () => {
    const gw = await run(['convert', '-f', fx('tls.yaml'), '--gateways-only', '-o', 'json']);
    const full = await run(['convert', '-f', fx('tls.yaml'), '-o', 'json']);
    const kinds = (r: { stdout: string }) => (JSON.parse(r.stdout) as { objects: Array<{ kind: string }> }).objects;
    expect(kinds(gw).map((o) => o.kind)).toEqual(['Gateway', 'ReferenceGrant', 'ReferenceGrant']);
    expect(kinds(gw)).toEqual(kinds(full).filter((o) => o.kind !== 'HTTPRoute' && o.kind !== 'TLSRoute'));
    expect(await run(['convert', '--gateways-only', '-n', 'x'])).toMatchObject({ code: 2 });
  });

  it('gives the same bytes twice', async () => {
    const a = await run(['convert', '-f', TESTDATA]);
    const b = await run(['convert', '-f', TESTDATA]);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it('rejects bad usage with exit code 2 and says which flag', async () => {
    expect(await run(['convert', '--gateway-per', 'host'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--gateway-per must be "class" or "namespace", got "host"/),
    });
    expect(await run(['assess', '-o', 'yaml'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/-o must be one of table, json for assess/) });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown subcommand "frobnicate"/) });
    expect(await run(['convert', '-f'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/-f needs a value/) });
    expect(await run(['convert', '--gateway-per=namespace', '--gateway-namespace=x'])).toMatchObject({ code: 2 });
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/switchyard migrate convert/) });
  });

  it('reports unreadable input with exit code 1', async () => {
    const r = await run(['convert', '-f', fx('does-not-exist.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does-not-exist\.yaml: cannot read file: no such file or directory/);
  });

  it('parses flags in both --flag value and --flag=value forms', () => {
    expect(
      parseMigrateArgs([
        'convert',
        '-f',
        'a.yaml',
        '--gateway-namespace=edge',
        '--ingress-class',
        'nginx',
        '--allowed-routes=All',
        '-n',
        'shop',
        '--ingress=blog/web',
      ]),
    ).toEqual({
      kind: 'ok',
      parsed: {
        sub: 'convert',
        files: ['a.yaml'],
        output: 'yaml',
        options: { gatewayNamespace: 'edge', allowedRoutes: 'All', ingressClasses: ['nginx'], select: { namespaces: ['shop'], ingresses: ['blog/web'] } },
      },
    });
    expect(parseMigrateArgs(['convert', '--ingress', 'web'])).toEqual({ kind: 'error', message: '--ingress wants NAMESPACE/NAME, got "web"' });
  });
});
