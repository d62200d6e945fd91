import { expect } from '@jest/globals';
import type { Gateway, HTTPRoute, KubeObject, ReferenceGrant } from '@switchyard/api';
import { convert } from './convert.js';
import { fixture } from '../../test/migrate-fixtures.js';
import { objectsToYaml } from './output.js';
import { formatFinding } from './report.js';

const find = <T extends KubeObject>(objects: readonly KubeObject[], kind: string, ns: string, name: string): T => {
  const o = objects.find((x) => x.kind === kind && x.metadata.namespace === ns && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${ns}/${name} in ${objects.map((x) => `${x.kind} ${x.metadata.namespace}/${x.metadata.name}`).join(', ')}`);
  return o as T;
};

const report = (r: { findings: readonly Parameters<typeof formatFinding>[0][] }) => r.findings.map(formatFinding).join('\n');

describe('convert: Gateways, listeners and cross-namespace references', () => {
  it('puts a per-class Gateway in a shared namespace, with HTTPS listeners per TLS host, certificate ReferenceGrants and a namespace Selector', () => {
    const r = convert(fixture('tls.yaml'));
    const gw = find<Gateway>(r.objects, 'Gateway', 'default', 'nginx');
    expect(gw.spec!.gatewayClassName).toBe('switchyard');
    expect(gw.spec!.listeners.map((l) => [l.name, l.protocol, l.port, l.hostname ?? '', l.tls?.certificateRefs ?? []])).toEqual([
      ['http', 'HTTP', 80, '', []],
      ['https-wildcard.tenants.example.com', 'HTTPS', 443, '*.tenants.example.com', [{ name: 'tenants-tls', namespace: 'shop' }]],
      ['https-blog.example.com', 'HTTPS', 443, 'blog.example.com', [{ name: 'blog-tls', namespace: 'blog' }]],
      ['https-shop.example.com', 'HTTPS', 443, 'shop.example.com', [{ name: 'shop-tls', namespace: 'shop' }]],
      // ssl-passthrough: a TLS listener in Passthrough mode (and a TLSRoute).
      ['tls-passthrough-vault.example.com', 'TLS', 443, 'vault.example.com', []],
    ]);
    const vault = find<KubeObject>(r.objects, 'TLSRoute', 'shop', 'vault-vault.example.com');
    expect(vault.spec).toEqual({
      parentRefs: [{ name: 'nginx', namespace: 'default', sectionName: 'tls-passthrough-vault.example.com' }],
      hostnames: ['vault.example.com'],
      rules: [{ backendRefs: [{ name: 'vault', port: 8200 }] }],
    });
    for (const l of gw.spec!.listeners) {
      expect(l.allowedRoutes).toEqual({
        namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['blog', 'shop'] }] } },
      });
    }
    const grant = find<ReferenceGrant>(r.objects, 'ReferenceGrant', 'shop', 'from-gateway-default-nginx');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default' }],
      to: [
        { group: '', kind: 'Secret', name: 'shop-tls' },
        { group: '', kind: 'Secret', name: 'tenants-tls' },
      ],
    });
    // ssl-redirect: the rules on the HTTPS listener, a 308 twin on the HTTP listener.
    const shop = find<HTTPRoute>(r.objects, 'HTTPRoute', 'shop', 'shop-shop.example.com');
    expect(shop.spec!.parentRefs).toEqual([{ name: 'nginx', namespace: 'default', sectionName: 'https-shop.example.com' }]);
    const redirect = find<HTTPRoute>(r.objects, 'HTTPRoute', 'shop', 'shop-shop.example.com-https-redirect');
    expect(redirect.spec!.rules![0]!.filters).toEqual([{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }]);
  });

  it('moves HTTPS listeners into ListenerSets when a Gateway would hold more than 64', () => {
    const objects: KubeObject[] = [];
    for (let i = 0; i < 70; i++) {
      const host = `h${String(i).padStart(2, '0')}.example.com`;
      objects.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `h${i}`, namespace: i % 2 ? 'odd' : 'even' },
        spec: {
          ingressClassName: 'nginx',
          tls: [{ hosts: [host], secretName: 'cert' }],
          rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
        },
      });
    }
    const r = convert(objects, { gatewayNamespace: 'edge' });
    const gw = find<Gateway>(r.objects, 'Gateway', 'edge', 'nginx');
    expect(gw.spec!.listeners.map((l) => l.name)).toEqual(['http']);
    expect(gw.spec!.allowedListeners).toEqual({ namespaces: { from: 'Same' } });
    const sets = r.objects.filter((o) => o.kind === 'ListenerSet') as Array<KubeObject<{ parentRef: unknown; listeners: unknown[] }>>;
    expect(sets.map((s) => [s.metadata.name, s.spec!.parentRef, s.spec!.listeners.length])).toEqual([
      ['nginx-https-1', { name: 'nginx' }, 64],
      ['nginx-https-2', { name: 'nginx' }, 6],
    ]);
    const route = find<HTTPRoute>(r.objects, 'HTTPRoute', 'odd', 'h69-h69.example.com');
    expect(route.spec!.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'nginx-https-2', namespace: 'edge', sectionName: 'https-h69.example.com' },
    ]);
    // The certificate references are in the ListenerSets, so the grants are from ListenerSets.
    const grant = find<ReferenceGrant>(r.objects, 'ReferenceGrant', 'odd', 'from-gateway-edge-nginx');
    expect(grant.spec!.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', namespace: 'edge' }]);
  });

  it("emits only the selected Ingresses' objects, with the same Gateway and certificate grants as a full conversion", () => {
    const full = convert(fixture('tls.yaml'));
    const part = convert(fixture('tls.yaml'), { select: { ingresses: ['blog/blog'] } });
    const shared = (r: typeof full) => r.objects.filter((o) => o.kind === 'Gateway' || o.kind === 'ReferenceGrant');
    expect(shared(part)).toEqual(shared(full));
    expect(part.objects.filter((o) => o.kind === 'HTTPRoute').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['blog/blog-blog.example.com']);
    expect(part.ingresses.map((i) => i.ingress.name)).toEqual(['blog']);
    // legacy's force-ssl-redirect caveat belongs to an Ingress that was not selected.
    expect(report(part)).not.toMatch(/legacy/);
    const ns = convert(fixture('tls.yaml'), { select: { namespaces: ['shop'] } });
    expect(ns.objects.filter((o) => o.kind === 'HTTPRoute').every((o) => o.metadata.namespace === 'shop')).toBe(true);
  });

  it('admits routes from All namespaces when asked', () => {
    const gw = find<Gateway>(convert(fixture('tls.yaml'), { allowedRoutes: 'All' }).objects, 'Gateway', 'default', 'nginx');
    expect(gw.spec!.listeners[0]!.allowedRoutes).toEqual({ namespaces: { from: 'All' } });
  });

  it('makes a Gateway per class and namespace without any cross-namespace reference when asked', () => {
    const r = convert(fixture('tls.yaml'), { gatewayPer: 'namespace', gatewayClassName: 'edge' });
    const gateways = r.objects.filter((o) => o.kind === 'Gateway') as Gateway[];
    expect(gateways.map((g) => `${g.metadata.namespace}/${g.metadata.name}`)).toEqual(['blog/nginx', 'shop/nginx']);
    expect(gateways.every((g) => g.spec!.gatewayClassName === 'edge' && g.spec!.listeners.every((l) => !l.allowedRoutes))).toBe(true);
    expect(r.objects.filter((o) => o.kind === 'ReferenceGrant')).toEqual([]);
    const blog = find<HTTPRoute>(r.objects, 'HTTPRoute', 'blog', 'blog-blog.example.com');
    expect(blog.spec!.parentRefs).toEqual([
      { name: 'nginx', sectionName: 'http' },
      { name: 'nginx', sectionName: 'https-blog.example.com' },
    ]);
  });

  it('puts per-class Gateways in the namespace asked for, with routes referring to it', () => {
    const r = convert(fixture('basic.yaml'), { gatewayNamespace: 'networking' });
    const gw = find<Gateway>(r.objects, 'Gateway', 'networking', 'nginx');
    expect(gw.spec!.listeners[0]!.allowedRoutes).toEqual({
      namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } },
    });
    const route = find<HTTPRoute>(r.objects, 'HTTPRoute', 'shop', 'app-app.example.com');
    expect(route.spec!.parentRefs).toEqual([{ name: 'nginx', namespace: 'networking', sectionName: 'http' }]);
  });

  it('takes the class from the legacy annotation, else from the default IngressClass', () => {
    const ing = (name: string, annotations?: Record<string, string>): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
      spec: {
        rules: [
          { host: `${name}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } },
        ],
      },
    });
    const defaultClass: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'public', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    };
    const r = convert([defaultClass, ing('legacy', { 'kubernetes.io/ingress.class': 'internal' }), ing('plain')]);
    expect(r.ingresses.map((i) => [i.ingress.name, i.className, i.classSource, i.gateway])).toEqual([
      ['legacy', 'internal', 'annotation', 'default/internal'],
      ['plain', 'public', 'default', 'default/public'],
    ]);
    expect(r.ingresses[0]!.annotations).toEqual([expect.objectContaining({ annotation: 'kubernetes.io/ingress.class', outcome: 'converted' })]);
  });

  it('keeps generated names within 253 characters, distinct and stable', () => {
    const long = 'a'.repeat(60);
    const host = `${long}.${long}.${long}.example.com`;
    const mk = (name: string, path: string): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'default' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
      },
    });
    const names = convert([mk(`${long}-one`, '/one'), mk(`${long}-two`, '/two')])
      .objects.filter((o) => o.kind === 'HTTPRoute')
      .map((o) => o.metadata.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(253);
  });

  it('converts only the chosen classes', () => {
    const r = convert(fixture('annotations.yaml'), { ingressClasses: ['traefik'] });
    expect(r.objects.filter((o) => o.kind === 'Gateway').map((o) => o.metadata.name)).toEqual(['traefik']);
    expect(r.ingresses.map((i) => i.ingress.name)).toEqual(['other-controller']);
  });
});

describe('convert: annotations', () => {
  const r = convert(fixture('annotations.yaml'));
  const api = find<HTTPRoute>(r.objects, 'HTTPRoute', 'default', 'api-api.example.com');

  it('turns limit-rps into a Switchyard RateLimit referenced by an ExtensionRef filter', () => {
    const rl = find<KubeObject>(r.objects, 'RateLimit', 'default', 'api-rps');
    expect(rl.apiVersion).toBe('switchyard.dev/v1alpha1');
    expect(rl.spec).toEqual({ requests: 10, unit: 'Second', burst: 50, key: { type: 'ClientAddress' } });
    expect(api.spec!.rules![0]!.filters).toContainEqual({
      type: 'ExtensionRef',
      extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name: 'api-rps' },
    });
  });

  it('turns enable-cors and cors-* into a CORS filter, and proxy-read-timeout into timeouts.request', () => {
    expect(api.spec!.rules![0]!.filters).toContainEqual({
      type: 'CORS',
      cors: {
        allowOrigins: ['https://app.example.com', 'https://admin.example.com'],
        allowCredentials: false,
        allowMethods: ['GET', 'POST'],
        allowHeaders: expect.arrayContaining(['Authorization']),
        maxAge: 600,
      },
    });
    expect(api.spec!.rules![0]!.timeouts).toEqual({ request: '120s' });
  });

  it('makes a BackendTLSPolicy for backend-protocol HTTPS and explains the appProtocol for GRPC', () => {
    const policy = find<KubeObject>(r.objects, 'BackendTLSPolicy', 'default', 'secure-backend-tls');
    expect(policy.spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'secure' }],
      validation: { hostname: 'secure.default.svc', wellKnownCACertificates: 'System' },
    });
    const grpc = find<KubeObject>(r.objects, 'GRPCRoute', 'default', 'grpc-grpc.example.com');
    expect(grpc.spec).toEqual({
      parentRefs: [{ name: 'nginx', sectionName: 'http' }],
      hostnames: ['grpc.example.com'],
      rules: [{ backendRefs: [{ name: 'grpc', port: 50051 }] }],
    });
    expect(r.ingresses.find((i) => i.ingress.name === 'grpc')!.annotations).toEqual([
      expect.objectContaining({
        annotation: 'nginx.ingress.kubernetes.io/backend-protocol',
        outcome: 'converted',
        reasons: ['a GRPCRoute: Switchyard speaks HTTP/2 to the backends of GRPCRoutes'],
      }),
    ]);
  });

  it('reports every annotation it could not carry over, per Ingress', () => {
    const text = report(r);
    expect(text).toMatch(/Ingress default\/api: nginx.ingress.kubernetes.io\/auth-url: not-convertible: external authentication/);
    expect(text).toMatch(/Ingress default\/api: nginx.ingress.kubernetes.io\/configuration-snippet: not-convertible: nginx configuration snippets/);
    expect(text).toMatch(/Ingress default\/api: nginx.ingress.kubernetes.io\/proxy-connect-timeout: not-convertible: Gateway API has no connection timeout/);
    expect(text).toMatch(/Ingress default\/api: cert-manager.io\/cluster-issuer: converted-with-caveat: cert-manager/);
    expect(text).toMatch(/Ingress default\/other-controller: traefik.ingress.kubernetes.io\/router.middlewares: not-convertible: read by Traefik/);
    expect(text).toMatch(
      /Ingress default\/other-controller: nginx.ingress.kubernetes.io\/rewrite-target: converted-with-caveat: had no effect: .*traefik.io\/ingress-controller/,
    );
    const api = r.ingresses.find((i) => i.ingress.name === 'api')!;
    expect(Object.fromEntries(api.annotations.map((a) => [a.annotation, a.outcome]))).toEqual({
      'cert-manager.io/cluster-issuer': 'converted-with-caveat',
      'nginx.ingress.kubernetes.io/auth-url': 'not-convertible',
      'nginx.ingress.kubernetes.io/configuration-snippet': 'not-convertible',
      'nginx.ingress.kubernetes.io/cors-allow-credentials': 'converted',
      'nginx.ingress.kubernetes.io/cors-allow-methods': 'converted',
      'nginx.ingress.kubernetes.io/cors-allow-origin': 'converted',
      'nginx.ingress.kubernetes.io/cors-max-age': 'converted',
      'nginx.ingress.kubernetes.io/enable-cors': 'converted',
      'nginx.ingress.kubernetes.io/limit-rps': 'converted-with-caveat',
      'nginx.ingress.kubernetes.io/proxy-connect-timeout': 'not-convertible',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': 'converted-with-caveat',
    });
  });

  it('maps gRPC paths to GRPCRoute method matches, and keeps an HTTPRoute with the appProtocol note where it cannot', () => {
    const mk = (name: string, host: string, paths: Array<[string, string]>, bp = 'GRPC'): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': bp } },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host, http: { paths: paths.map(([path, pathType]) => ({ path, pathType, backend: { service: { name: 'g', port: { number: 9000 } } } })) } }],
      },
    });
    const out = convert([
      mk('methods', 'a.example.com', [
        ['/pkg.Greeter', 'Prefix'],
        ['/pkg.Admin/Reset', 'Exact'],
      ]),
      mk('odd', 'b.example.com', [['/v1/api/items', 'Prefix']]),
      mk('cleartext', 'c.example.com', [['/', 'Prefix']], 'H2C'),
    ]);
    const route = find<KubeObject<{ rules: unknown[] }>>(out.objects, 'GRPCRoute', 'default', 'methods-a.example.com');
    expect(route.spec!.rules.map((r) => (r as { matches: unknown }).matches)).toEqual([
      [{ method: { type: 'Exact', service: 'pkg.Greeter' } }],
      [{ method: { type: 'Exact', service: 'pkg.Admin', method: 'Reset' } }],
    ]);
    expect(out.objects.filter((o) => o.kind === 'HTTPRoute').map((o) => o.metadata.name)).toEqual(['cleartext-c.example.com', 'odd-b.example.com']);
    const text = report(out);
    expect(text).toMatch(
      /Ingress default\/odd: nginx.ingress.kubernetes.io\/backend-protocol: converted-with-caveat: set appProtocol: kubernetes.io\/h2c on port 9000 of Service default\/g .*\(an HTTPRoute, not a GRPCRoute: path "\/v1\/api\/items" \(PathPrefix\) is not a gRPC service or method\)/,
    );
    expect(text).toMatch(
      /Ingress default\/cleartext: nginx.ingress.kubernetes.io\/backend-protocol: converted-with-caveat: set appProtocol: kubernetes.io\/h2c on port 9000/,
    );
  });

  it('makes one RateLimit per unit when both limit-rps and limit-rpm are set, with the burst multiplier', () => {
    const ing: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'both',
        namespace: 'default',
        annotations: {
          'nginx.ingress.kubernetes.io/limit-rps': '5',
          'nginx.ingress.kubernetes.io/limit-rpm': '100',
          'nginx.ingress.kubernetes.io/limit-burst-multiplier': '2',
        },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'l.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
      },
    };
    const out = convert([ing]);
    expect(out.objects.filter((o) => o.kind === 'RateLimit').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['both-rpm', { requests: 100, unit: 'Minute', burst: 200, key: { type: 'ClientAddress' } }],
      ['both-rps', { requests: 5, unit: 'Second', burst: 10, key: { type: 'ClientAddress' } }],
    ]);
    const route = out.objects.find((o) => o.kind === 'HTTPRoute') as HTTPRoute;
    expect(route.spec!.rules![0]!.filters).toEqual([
      { type: 'ExtensionRef', extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name: 'both-rps' } },
      { type: 'ExtensionRef', extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name: 'both-rpm' } },
    ]);
  });

  it('turns canary-by-header-pattern into a header regex searched anywhere in the value', () => {
    const mk = (name: string, backend: string, annotations?: Record<string, string>): KubeObject => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'p.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } }],
      },
    });
    const out = convert([
      mk('main', 'stable'),
      mk('canary', 'next', {
        'nginx.ingress.kubernetes.io/canary': 'true',
        'nginx.ingress.kubernetes.io/canary-by-header': 'X-Region',
        'nginx.ingress.kubernetes.io/canary-by-header-pattern': 'eu-(west|north)',
      }),
    ]);
    const route = out.objects.find((o) => o.kind === 'HTTPRoute') as HTTPRoute;
    expect(route.spec!.rules!.map((r) => [r.matches![0]!.headers ?? [], r.backendRefs!.map((b) => b.name)])).toEqual([
      [[{ type: 'RegularExpression', name: 'X-Region', value: '.*(?:eu-(west|north)).*' }], ['next']],
      [[], ['stable']],
    ]);
  });

  it('reports an orphan canary and a rewrite it cannot express', () => {
    expect(report(convert(fixture('canary.yaml')))).toMatch(
      /Ingress default\/orphan-canary: nginx.ingress.kubernetes.io\/canary: not-convertible: no non-canary Ingress/,
    );
    const ing: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'swap', namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2/$1' } },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'a.example.com',
            http: { paths: [{ path: '/(a|b)/(.*)', pathType: 'ImplementationSpecific', backend: { service: { name: 's', port: { number: 80 } } } }] },
          },
        ],
      },
    };
    expect(report(convert([ing]))).toMatch(/Ingress default\/swap: nginx.ingress.kubernetes.io\/rewrite-target: not-convertible: rewrite-target "\/\$2\/\$1"/);
  });
});

describe('convert: user errors become findings naming the field', () => {
  const ingress = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec,
  });

  it('reports an Ingress without class, a port name it cannot resolve and a TLS entry without Secret', () => {
    const r = convert([
      ingress('classless', {
        rules: [{ host: 'x.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 80 } } } }] } }],
      }),
      ingress('named-port', {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['y.example.com'] }],
        rules: [{ host: 'y.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'y', port: { name: 'http' } } } }] } }],
      }),
    ]);
    const text = report(r);
    expect(text).toMatch(/Ingress default\/classless: spec.ingressClassName: not-convertible: the Ingress has no class/);
    expect(text).toMatch(
      /Ingress default\/named-port: spec.rules\[0\].http.paths\[0\].backend: not-convertible: service port "http" is given by name and Service default\/y is not in the input/,
    );
    expect(text).toMatch(/Ingress default\/named-port: spec.tls\[0\].secretName: not-convertible: no secretName/);
    expect(r.objects.filter((o) => o.kind === 'HTTPRoute')).toEqual([]);
  });

  it('keeps a resource backend as a backendRef, reports it, and counts weights out of canary-weight-total', () => {
    const r = convert([
      ingress('bucket', {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'static.example.com',
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } } }] },
          },
        ],
      }),
      ingress('main', {
        ingressClassName: 'nginx',
        rules: [{ host: 'w.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 80 } } } }] } }],
      }),
      ingress(
        'main-canary',
        {
          ingressClassName: 'nginx',
          rules: [{ host: 'w.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'b', port: { number: 80 } } } }] } }],
        },
        {
          'nginx.ingress.kubernetes.io/canary': 'true',
          'nginx.ingress.kubernetes.io/canary-weight': '3',
          'nginx.ingress.kubernetes.io/canary-weight-total': '1000',
        },
      ),
    ]);
    const bucket = find<HTTPRoute>(r.objects, 'HTTPRoute', 'default', 'bucket-static.example.com');
    expect(bucket.spec!.rules![0]!.backendRefs).toEqual([{ group: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' }]);
    expect(report(r)).toMatch(
      /Ingress default\/bucket: spec.rules\[0\].http.paths\[0\].backend: converted-with-caveat: resource backend k8s.example.com\/StorageBucket assets/,
    );
    const main = find<HTTPRoute>(r.objects, 'HTTPRoute', 'default', 'main-w.example.com');
    expect(main.spec!.rules![0]!.backendRefs).toEqual([
      { name: 'a', port: 80, weight: 997 },
      { name: 'b', port: 80, weight: 3 },
    ]);
  });

  it('marks annotations that ask for the default as converted, and unknown ones as not convertible', () => {
    const r = convert([
      ingress(
        'defaults',
        {
          ingressClassName: 'nginx',
          rules: [{ host: 'd.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }],
        },
        { 'nginx.ingress.kubernetes.io/use-regex': 'false', 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/made-up': 'x' },
      ),
    ]);
    expect(Object.fromEntries(r.ingresses[0]!.annotations.map((a) => [a.annotation, [a.outcome, a.reasons[0]]]))).toEqual({
      'nginx.ingress.kubernetes.io/made-up': ['not-convertible', 'not an ingress-nginx annotation the migration knows; review it by hand'],
      'nginx.ingress.kubernetes.io/ssl-redirect': [
        'converted',
        'nothing to convert: the value asks for the default behaviour, or no converted path of this Ingress uses it',
      ],
      'nginx.ingress.kubernetes.io/use-regex': [
        'converted',
        'nothing to convert: the value asks for the default behaviour, or no converted path of this Ingress uses it',
      ],
    });
  });

  it('never throws on malformed Ingresses: each problem is a finding naming the field', () => {
    const specs: unknown[] = [
      undefined,
      {},
      { ingressClassName: 'nginx', rules: [{}] },
      { ingressClassName: 'nginx', rules: [{ host: 'a.example.com', http: {} }] },
      { ingressClassName: 'nginx', rules: [{ host: 'a.example.com', http: { paths: [{}] } }] },
      {
        ingressClassName: 'nginx',
        rules: [
          { host: 'a.example.com', http: { paths: [{ path: 'relative', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 1 } } } }] } },
        ],
      },
      {
        ingressClassName: 'nginx',
        rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's' } } }] } }],
      },
      { ingressClassName: 'nginx', tls: [{}], defaultBackend: {} },
    ];
    const objects: KubeObject[] = specs.map((spec, i) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: `bad${i}`,
        namespace: 'default',
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$9', 'nginx.ingress.kubernetes.io/limit-rps': 'many' },
      },
      ...(spec === undefined ? {} : { spec }),
    }));
    const r = convert(objects);
    const text = report(r);
    expect(text).toMatch(/Ingress default\/bad4: spec.rules\[0\].http.paths\[0\].backend: not-convertible: backend has neither service nor resource/);
    expect(text).toMatch(
      /Ingress default\/bad5: spec.rules\[0\].http.paths\[0\].path: not-convertible: path "relative" does not start with "\/", so ingress-nginx never matched it; this path is left out/,
    );
    expect(text).toMatch(/Ingress default\/bad6: spec.rules\[0\].http.paths\[0\].backend: not-convertible: service backend s has no port/);
    expect(text).toMatch(/Ingress default\/bad7: spec.tls\[0\].secretName: not-convertible: no secretName/);
    expect(text).toMatch(/Ingress default\/bad7: spec.defaultBackend: not-convertible: backend has neither service nor resource/);
    expect(text).toMatch(/nginx.ingress.kubernetes.io\/limit-rps: not-convertible: value "many" is not an integer >= 1/);
  });

  it('splits more than 16 rules over several HTTPRoutes', () => {
    const paths = Array.from({ length: 20 }, (_, i) => ({
      path: `/p${String(i).padStart(2, '0')}`,
      pathType: 'Prefix',
      backend: { service: { name: 's', port: { number: 80 } } },
    }));
    const r = convert([ingress('many', { ingressClassName: 'nginx', rules: [{ host: 'm.example.com', http: { paths } }] })]);
    const routes = r.objects.filter((o) => o.kind === 'HTTPRoute') as HTTPRoute[];
    expect(routes.map((x) => [x.metadata.name, x.spec!.rules!.length])).toEqual([
      ['many-m.example.com', 16],
      ['many-m.example.com-2', 4],
    ]);
  });

  it('is deterministic: the same objects in any order give the same YAML', () => {
    const input = [...fixture('basic.yaml'), ...fixture('canary.yaml'), ...fixture('annotations.yaml')];
    const a = convert(input);
    const b = convert([...input].reverse());
    expect(objectsToYaml(b.objects, b.findings)).toBe(objectsToYaml(a.objects, a.findings));
  });
});
