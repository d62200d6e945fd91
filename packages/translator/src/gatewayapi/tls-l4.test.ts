// Translation of HTTPS, TLS (Passthrough/Terminate/Mixed), TCP and UDP
// listeners and routes: statuses and what Envoy does with a connection.
import type { KubeObject, Listener } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { explain } from '@switchyard/explain';
import { explainTlsConnection } from '@switchyard/explain';
import { createTestCertificate, tlsSecretObject, caConfigMapObject, type TestCertificate } from '../../test/certificates.js';
import { backend, encodeAll, gateway, gatewayClass, referenceGrant, run, routeConditions, G, service } from '../../test/fixtures.js';

type Conds = Array<[string, string, string]>;
function listenerConditions(r: ReturnType<typeof run>, gw: string, listener: string): Conds {
  const [ns, name] = gw.split('/');
  const s = r.statuses.find((x) => x.kind === 'Gateway' && x.namespace === ns && x.name === name);
  const l = (
    s?.status as { listeners: Array<{ name: string; attachedRoutes: number; conditions: Array<{ type: string; status: string; reason: string }> }> }
  ).listeners.find((x) => x.name === listener);
  if (!l) throw new Error(`no listener ${listener}`);
  return l.conditions.map((c) => [c.type, c.status, c.reason]);
}
function gatewayConditions(r: ReturnType<typeof run>, gw: string): Conds {
  const [ns, name] = gw.split('/');
  const s = r.statuses.find((x) => x.kind === 'Gateway' && x.namespace === ns && x.name === name);
  return (s?.status as { conditions: Array<{ type: string; status: string; reason: string }> }).conditions.map((c) => [c.type, c.status, c.reason]);
}
function attached(r: ReturnType<typeof run>, gw: string, listener: string): number {
  const [ns, name] = gw.split('/');
  const s = r.statuses.find((x) => x.kind === 'Gateway' && x.namespace === ns && x.name === name);
  return (s?.status as { listeners: Array<{ name: string; attachedRoutes: number }> }).listeners.find((x) => x.name === listener)!.attachedRoutes;
}
const route = (kind: string, ns: string, name: string, spec: object, created = '2026-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: `${G}/v1`,
  kind,
  metadata: { namespace: ns, name, generation: 1, creationTimestamp: created },
  spec,
});
const https = (name: string, port: number, hostname: string | undefined, certs: string[], extra: Partial<Listener> = {}): Listener => ({
  name,
  port,
  protocol: 'HTTPS',
  ...(hostname ? { hostname } : {}),
  tls: { certificateRefs: certs.map((c) => ({ name: c })) },
  allowedRoutes: { namespaces: { from: 'All' } },
  ...extra,
});
function udpBackend(ns: string, name: string, port: number, ip: string): KubeObject[] {
  return [
    service(ns, name, [{ port, name: 'dns' }]),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: ns, name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'dns', port: port + 1000, protocol: 'UDP' }],
    } as KubeObject,
  ];
}

let rsa: TestCertificate;
let ecdsa: TestCertificate;
let other: TestCertificate;
let ca: TestCertificate;
beforeAll(async () => {
  [rsa, ecdsa, other, ca] = await Promise.all([
    createTestCertificate({ dnsNames: ['*.example.com', 'example.com'] }),
    createTestCertificate({ keyType: 'ECDSA', dnsNames: ['*.example.com', 'example.com'] }),
    createTestCertificate({ keyType: 'ECDSA', dnsNames: ['other.org'] }),
    createTestCertificate({ isCa: true, keyType: 'ECDSA', commonName: 'client-ca' }),
  ]);
});

function fleetOf(r: ReturnType<typeof run>, id = 'infra/gw'): EnvoyResources {
  const f = r.fleets.get(id);
  if (!f) throw new Error(`no fleet ${id}`);
  encodeAll(f); // every resource must encode as its Envoy type
  return f;
}

describe('HTTPS listeners', () => {
  const objects = (): KubeObject[] => [
    gatewayClass(),
    gateway('infra', 'gw', [
      https('www', 443, 'www.example.com', ['rsa', 'ecdsa']),
      https('other', 443, 'other.org', ['other']),
      https('any', 443, undefined, ['rsa']),
      https('broken', 8443, 'x.example.com', ['missing']),
    ]),
    tlsSecretObject('infra', 'rsa', rsa),
    tlsSecretObject('infra', 'ecdsa', ecdsa),
    tlsSecretObject('infra', 'other', other),
    tlsSecretObject('infra', 'unused', other),
    ...backend('apps', 'web'),
    ...backend('apps', 'api'),
    route('HTTPRoute', 'apps', 'www', {
      parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'www' }],
      rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }],
    }),
    route('HTTPRoute', 'apps', 'any', {
      parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'any' }],
      hostnames: ['api.example.net'],
      rules: [{ backendRefs: [{ name: 'api', port: 8080 }] }],
    }),
  ];

  it('serves RSA and ECDSA certificates side by side on the SNI-matched chain and routes the request', () => {
    const r = run(objects());
    const f = fleetOf(r);
    const c = explainTlsConnection(f, { port: 443, transport: 'tls', sni: 'www.example.com', alpn: ['h2'] });
    expect(c).toMatchObject({
      outcome: 'accepted',
      filterChain: 'https-443/www',
      tls: { mode: 'terminate', served: ['tls/infra/rsa', 'tls/infra/ecdsa'], clientCertificate: 'none', negotiatedAlpn: 'h2' },
      action: { kind: 'http', routeConfigName: 'https-443/www' },
    });
    if (c.outcome !== 'accepted' || c.tls.mode !== 'terminate') throw new Error('terminate');
    expect(c.tls.certificates.map((x) => x.keyAlgorithm)).toEqual(['RSA', 'ECDSA']);
    const e = explain(f, { port: 443, scheme: 'https', method: 'GET', host: 'www.example.com', path: '/' });
    expect(
      e.kind === 'route' && e.action.kind === 'clusters' ? e.action.backends.map((b) => (b.target.kind === 'backend' ? b.target.backend?.name : '')) : e,
    ).toEqual(['web']);
    expect(listenerConditions(r, 'infra/gw', 'www')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['Programmed', 'True', 'Programmed'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
      ['Conflicted', 'False', 'NoConflicts'],
    ]);
  });

  it('answers 421 for a host that belongs to another listener of the port, 404 on the catch-all listener', () => {
    const f = fleetOf(run(objects()));
    const ask = (sni: string, host: string) => {
      const e = explain(f, { port: 443, scheme: 'https', method: 'GET', host, sni, path: '/' });
      if (e.kind === 'no-route') return 404;
      if (e.kind === 'route' && e.action.kind === 'direct_response') return e.action.status;
      if (e.kind === 'route' && e.action.kind === 'clusters') return 200;
      return e.kind;
    };
    expect(ask('www.example.com', 'www.example.com')).toBe(200);
    expect(ask('www.example.com', 'other.org')).toBe(421);
    expect(ask('www.example.com', 'unknown.example.net')).toBe(421);
    expect(ask('unknown.example.net', 'api.example.net')).toBe(200); // catch-all listener by SNI
    expect(ask('unknown.example.net', 'www.example.com')).toBe(421);
    expect(ask('unknown.example.net', 'nothing.example.net')).toBe(404);
  });

  it('reports a missing certificate on that listener only, and ships only referenced secrets', () => {
    const r = run(objects());
    expect(listenerConditions(r, 'infra/gw', 'broken')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['Programmed', 'False', 'Invalid'],
      ['ResolvedRefs', 'False', 'InvalidCertificateRef'],
      ['Conflicted', 'False', 'NoConflicts'],
    ]);
    const s = r.statuses.find((x) => x.kind === 'Gateway')!.status as {
      listeners: Array<{ name: string; conditions: Array<{ type: string; message: string }> }>;
    };
    expect(s.listeners.find((l) => l.name === 'broken')!.conditions.find((c) => c.type === 'ResolvedRefs')!.message).toBe(
      'spec.listeners[3].tls.certificateRefs[0]: Secret infra/missing not found',
    );
    const f = fleetOf(r);
    expect(f.secrets.map((x) => x.name)).toEqual(['tls/infra/ecdsa', 'tls/infra/other', 'tls/infra/rsa']);
    expect(f.listeners.map((l) => l.name)).toEqual(['tcp-443']);
  });

  it('counts a route on a listener whose certificate is missing, but sends Envoy none of its clusters', () => {
    const r = run([
      ...objects(),
      ...backend('apps', 'hidden'),
      route('HTTPRoute', 'apps', 'hidden', {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'broken' }],
        rules: [{ backendRefs: [{ name: 'hidden', port: 8080 }] }],
      }),
    ]);
    expect(attached(r, 'infra/gw', 'broken')).toBe(1);
    expect(listenerConditions(r, 'infra/gw', 'broken')[1]).toEqual(['Programmed', 'False', 'Invalid']);
    const f = fleetOf(r);
    expect(f.listeners.map((l) => l.name)).toEqual(['tcp-443']);
    expect(f.clusters.map((c) => c.name)).toEqual(['apps/api:8080', 'apps/web:8080']);
    expect(f.endpoints.map((e) => e.cluster_name)).toEqual(['apps/api:8080', 'apps/web:8080']);
  });

  it('needs a ReferenceGrant for a certificate in another namespace', () => {
    const gw = gateway('infra', 'gw', [{ ...https('www', 443, undefined, []), tls: { certificateRefs: [{ name: 'shared', namespace: 'certs' }] } }]);
    const base = [gatewayClass(), gw, tlsSecretObject('certs', 'shared', rsa) as KubeObject];
    expect(listenerConditions(run(base), 'infra/gw', 'www')[2]).toEqual(['ResolvedRefs', 'False', 'RefNotPermitted']);
    const granted = run([
      ...base,
      referenceGrant('certs', 'g', [{ group: G, kind: 'Gateway', namespace: 'infra' }], [{ group: '', kind: 'Secret', name: 'shared' }]),
    ]);
    expect(listenerConditions(granted, 'infra/gw', 'www')[2]).toEqual(['ResolvedRefs', 'True', 'ResolvedRefs']);
    expect(fleetOf(granted).secrets.map((x) => x.name)).toEqual(['tls/certs/shared']);
  });

  it('validates client certificates per port (default and perPort), AllowInsecureFallback reported on the Gateway', () => {
    const gw = gateway('infra', 'gw', [
      https('strict', 443, undefined, ['rsa']),
      https('lenient', 8443, undefined, ['rsa']),
      https('bad', 9443, undefined, ['rsa']),
    ]);
    gw.spec!.tls = {
      frontend: {
        default: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] } },
        perPort: [
          { port: 8443, tls: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], mode: 'AllowInsecureFallback' } } },
          { port: 9443, tls: { validation: { caCertificateRefs: [{ group: '', kind: 'Service', name: 'ca' }] } } },
        ],
      },
    };
    const r = run([gatewayClass(), gw, tlsSecretObject('infra', 'rsa', rsa), caConfigMapObject('infra', 'ca', ca)]);
    const f = fleetOf(r);
    expect(explainTlsConnection(f, { port: 443, transport: 'tls', sni: 'a.example.com' })).toMatchObject({
      tls: { clientCertificate: 'required', clientCa: 'ca/ConfigMap/infra/ca' },
    });
    expect(explainTlsConnection(f, { port: 8443, transport: 'tls', sni: 'a.example.com' })).toMatchObject({
      tls: { clientCertificate: 'optional', clientCa: 'ca/ConfigMap/infra/ca' },
    });
    expect(listenerConditions(r, 'infra/gw', 'bad').slice(0, 3)).toEqual([
      ['Accepted', 'False', 'NoValidCACertificate'],
      ['Programmed', 'False', 'Invalid'],
      ['ResolvedRefs', 'False', 'InvalidCACertificateKind'],
    ]);
    expect(gatewayConditions(r, 'infra/gw')).toContainEqual(['InsecureFrontendValidationMode', 'True', 'ConfigurationChanged']);
    expect(f.secrets.map((x) => x.name)).toEqual(['ca/ConfigMap/infra/ca', 'tls/infra/rsa']);
  });
});

describe('TLSRoute', () => {
  const objects = (): KubeObject[] => [
    gatewayClass(),
    gateway('infra', 'gw', [
      { name: 'pass', port: 443, protocol: 'TLS', hostname: '*.example.com', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'All' } } },
      {
        name: 'term',
        port: 443,
        protocol: 'TLS',
        hostname: 'term.example.org',
        tls: { mode: 'Terminate', certificateRefs: [{ name: 'other' }] },
        allowedRoutes: { namespaces: { from: 'All' } },
      },
    ]),
    tlsSecretObject('infra', 'other', other),
    ...backend('apps', 'a', 443),
    ...backend('apps', 'b', 443),
    route(
      'TLSRoute',
      'apps',
      'old',
      {
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'pass' }],
        hostnames: ['abc.example.com'],
        rules: [
          {
            backendRefs: [
              { name: 'a', port: 443, weight: 3 },
              { name: 'b', port: 443, weight: 1 },
              { name: 'gone', port: 443, weight: 1 },
            ],
          },
        ],
      },
      '2026-01-01T00:00:00Z',
    ),
    route(
      'TLSRoute',
      'apps',
      'new',
      {
        parentRefs: [{ name: 'gw', namespace: 'infra' }],
        hostnames: ['abc.example.com', 'term.example.org'],
        rules: [{ backendRefs: [{ name: 'b', port: 443 }] }],
      },
      '2026-02-01T00:00:00Z',
    ),
    route('TLSRoute', 'apps', 'nomatch', {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      hostnames: ['nope.net'],
      rules: [{ backendRefs: [{ name: 'b', port: 443 }] }],
    }),
  ];

  it('passes TLS through by SNI to weighted backends; an invalid backend share closes connections', () => {
    const r = run(objects());
    const c = explainTlsConnection(fleetOf(r), { port: 443, transport: 'tls', sni: 'abc.example.com' });
    expect(c).toMatchObject({ outcome: 'accepted', tls: { mode: 'passthrough' }, action: { kind: 'tcp_proxy' } });
    if (c.outcome !== 'accepted' || c.action.kind !== 'tcp_proxy') throw new Error('tcp_proxy');
    expect(c.action.backends.map((b) => [b.backend?.name ?? b.cluster, b.weight, b.exists])).toEqual([
      ['a', 3, true],
      ['b', 1, true],
      ['switchyard_invalid_tcp_backend', 1, true],
    ]);
    expect(routeConditions(r, 'TLSRoute', 'apps', 'old')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'False', 'BackendNotFound'],
    ]);
  });

  it('terminates TLS with the listener certificate in Mixed mode on the same port, oldest route winning a name', () => {
    const r = run(objects());
    const f = fleetOf(r);
    const t = explainTlsConnection(f, { port: 443, transport: 'tls', sni: 'term.example.org' });
    expect(t).toMatchObject({
      outcome: 'accepted',
      tls: { mode: 'terminate', served: ['tls/infra/other'] },
      action: { kind: 'tcp_proxy', backends: [{ backend: { name: 'b' } }] },
    });
    expect(routeConditions(r, 'TLSRoute', 'apps', 'new')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    expect(routeConditions(r, 'TLSRoute', 'apps', 'nomatch')).toEqual([
      ['Accepted', 'False', 'NoMatchingListenerHostname'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    expect(explainTlsConnection(f, { port: 443, transport: 'tls', sni: 'zzz.example.com' })).toMatchObject({ outcome: 'no-filter-chain' });
    expect(explainTlsConnection(f, { port: 443, transport: 'raw' })).toMatchObject({ outcome: 'no-filter-chain' });
    expect(attached(r, 'infra/gw', 'pass')).toBe(2);
  });
});

describe('TCPRoute and UDPRoute', () => {
  it('forwards a TCP port to the oldest route with weights; the newer route stays Accepted', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        { name: 'db', port: 5432, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ]),
      ...backend('infra', 'pg-a', 5432),
      ...backend('infra', 'pg-b', 5432),
      route(
        'TCPRoute',
        'infra',
        'older',
        {
          parentRefs: [{ name: 'gw', sectionName: 'db' }],
          rules: [
            {
              backendRefs: [
                { name: 'pg-a', port: 5432, weight: 90 },
                { name: 'pg-b', port: 5432, weight: 10 },
              ],
            },
          ],
        },
        '2026-01-01T00:00:00Z',
      ),
      route(
        'TCPRoute',
        'infra',
        'newer',
        { parentRefs: [{ name: 'gw', port: 5432 }], rules: [{ backendRefs: [{ name: 'pg-b', port: 5432 }] }] },
        '2026-03-01T00:00:00Z',
      ),
      ...udpBackend('infra', 'dns-a', 53, '10.1.0.1'),
      ...udpBackend('infra', 'dns-b', 53, '10.1.0.2'),
      route('UDPRoute', 'infra', 'dns', {
        parentRefs: [{ name: 'gw', sectionName: 'dns' }],
        rules: [
          {
            backendRefs: [
              { name: 'dns-a', port: 53, weight: 7 },
              { name: 'dns-b', port: 53, weight: 3 },
            ],
          },
        ],
      }),
    ]);
    const f = fleetOf(r);
    const tcp = explainTlsConnection(f, { port: 5432, transport: 'raw' });
    if (tcp.outcome !== 'accepted' || tcp.action.kind !== 'tcp_proxy') throw new Error(JSON.stringify(tcp));
    expect(tcp.action.backends.map((b) => [b.backend?.name, b.share])).toEqual([
      ['pg-a', 0.9],
      ['pg-b', 0.1],
    ]);
    expect(routeConditions(r, 'TCPRoute', 'infra', 'newer')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    expect(attached(r, 'infra/gw', 'db')).toBe(2);
    const udp = explainTlsConnection(f, { port: 53, transport: 'udp' });
    if (udp.outcome !== 'accepted' || udp.action.kind !== 'udp_proxy') throw new Error(JSON.stringify(udp));
    expect(udp.action.backends.map((b) => [b.backend?.name, b.share])).toEqual([
      ['dns-a', 0.7],
      ['dns-b', 0.3],
    ]);
    // TCP on the same port as UDP is no conflict; with no TCPRoute it closes connections.
    expect(listenerConditions(r, 'infra/gw', 'dns-tcp')[3]).toEqual(['Conflicted', 'False', 'NoConflicts']);
    expect(explainTlsConnection(f, { port: 53, transport: 'raw' })).toMatchObject({
      outcome: 'accepted',
      action: { kind: 'tcp_proxy', backends: [{ cluster: 'switchyard_invalid_tcp_backend' }] },
    });
  });
});

describe('BackendTLSPolicy and the Gateway backend client certificate', () => {
  const policy = (name: string, created: string, target: { name: string; sectionName?: string }, validation: object): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: 'BackendTLSPolicy',
    metadata: { namespace: 'infra', name, generation: 2, creationTimestamp: created },
    spec: { targetRefs: [{ group: '', kind: 'Service', ...target }], validation },
  });
  const objects = (): KubeObject[] => {
    const gw = gateway('infra', 'gw', [{ name: 'http', port: 80, protocol: 'HTTP' }]);
    gw.spec!.tls = { backend: { clientCertificateRef: { name: 'client' } } };
    return [
      gatewayClass(),
      gw,
      tlsSecretObject('infra', 'client', rsa),
      caConfigMapObject('infra', 'ca', ca),
      service('infra', 'secure', [
        { port: 443, name: 'btls' },
        { port: 8443, name: 'other' },
      ]),
      ...backend('infra', 'plain', 8080),
      ...backend('infra', 'broken', 8080),
      route('HTTPRoute', 'infra', 'r', {
        parentRefs: [{ name: 'gw' }],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/secure' } }], backendRefs: [{ name: 'secure', port: 443 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/other' } }], backendRefs: [{ name: 'secure', port: 8443 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/broken' } }], backendRefs: [{ name: 'broken', port: 8080 }] },
        ],
      }),
      policy(
        'older',
        '2026-01-01T00:00:00Z',
        { name: 'secure' },
        { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], hostname: 'secure.example.com' },
      ),
      policy('newer', '2026-02-01T00:00:00Z', { name: 'secure' }, { wellKnownCACertificates: 'System', hostname: 'other.example.com' }),
      policy(
        'port',
        '2026-03-01T00:00:00Z',
        { name: 'secure', sectionName: 'other' },
        { wellKnownCACertificates: 'System', hostname: 'port.example.com', subjectAltNames: [{ type: 'URI', uri: 'spiffe://example.com/svc' }] },
      ),
      policy(
        'bad-kind',
        '2026-01-01T00:00:00Z',
        { name: 'broken' },
        { caCertificateRefs: [{ group: 'invalid.io', kind: 'InvalidKind', name: 'x' }], hostname: 'broken.example.com' },
      ),
    ];
  };
  const policyConditions = (r: ReturnType<typeof run>, name: string) => {
    const s = r.statuses.find((x) => x.kind === 'BackendTLSPolicy' && x.name === name)!.status as {
      ancestors: Array<{ ancestorRef: { name: string }; conditions: Array<{ type: string; status: string; reason: string; observedGeneration: number }> }>;
    };
    return s.ancestors.map((a) => [a.ancestorRef.name, a.conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration])]);
  };

  it('originates TLS with the oldest policy (SNI, CA, hostname as SAN) and presents the Gateway client certificate', () => {
    const r = run(objects());
    const f = fleetOf(r);
    const c = f.clusters.find((x) => x.name === 'infra/secure:443')!;
    const ctx = c.transport_socket?.typed_config as Record<string, unknown>;
    expect(ctx).toMatchObject({
      sni: 'secure.example.com',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'tls/infra/client' }],
        combined_validation_context: {
          default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'secure.example.com' } }] },
          validation_context_sds_secret_config: { name: 'ca/ConfigMap/infra/ca' },
        },
      },
    });
    const port = f.clusters.find((x) => x.name === 'infra/secure:8443')!.transport_socket?.typed_config as Record<string, unknown>;
    expect(port).toMatchObject({
      sni: 'port.example.com',
      common_tls_context: {
        validation_context: {
          trusted_ca: { filename: '/etc/ssl/certs/ca-certificates.crt' },
          match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://example.com/svc' } }],
        },
      },
    });
    expect(f.secrets.map((s) => s.name)).toEqual(['ca/ConfigMap/infra/ca', 'tls/infra/client']);
    expect(policyConditions(r, 'older')).toEqual([
      [
        'gw',
        [
          ['Accepted', 'True', 'Accepted', 2],
          ['ResolvedRefs', 'True', 'ResolvedRefs', 2],
        ],
      ],
    ]);
    expect(policyConditions(r, 'newer')).toEqual([
      [
        'gw',
        [
          ['Accepted', 'False', 'Conflicted', 2],
          ['ResolvedRefs', 'True', 'ResolvedRefs', 2],
        ],
      ],
    ]);
    expect(policyConditions(r, 'port')).toEqual([
      [
        'gw',
        [
          ['Accepted', 'True', 'Accepted', 2],
          ['ResolvedRefs', 'True', 'ResolvedRefs', 2],
        ],
      ],
    ]);
    expect(gatewayConditions(r, 'infra/gw')).toContainEqual(['ResolvedRefs', 'True', 'ResolvedRefs']);
  });

  it('blocks traffic to a backend whose policy has no valid CA (503, never plain text)', () => {
    const r = run(objects());
    expect(policyConditions(r, 'bad-kind')).toEqual([
      [
        'gw',
        [
          ['Accepted', 'False', 'NoValidCACertificate', 2],
          ['ResolvedRefs', 'False', 'InvalidKind', 2],
        ],
      ],
    ]);
    const f = fleetOf(r);
    const c = f.clusters.find((x) => x.name === 'infra/broken:8080')!;
    expect(c).toMatchObject({ type: 'STATIC', load_assignment: { endpoints: [] } });
    expect(c.transport_socket).toBeUndefined();
    expect(f.clusters.find((x) => x.name === 'infra/plain:8080')).toBeUndefined();
  });

  it("leaves TCP/TLS route backends alone: a passthrough backend already gets the client's TLS", () => {
    const objs = [
      ...objects(),
      {
        apiVersion: `${G}/v1`,
        kind: 'Gateway',
        metadata: { namespace: 'infra', name: 'pass', generation: 1 },
        spec: { gatewayClassName: 'switchyard', listeners: [{ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } }] },
      } as KubeObject,
      route('TLSRoute', 'infra', 'p', {
        parentRefs: [{ name: 'pass' }],
        hostnames: ['secure.example.com'],
        rules: [{ backendRefs: [{ name: 'secure', port: 443 }] }],
      }),
    ];
    const r = run(objs);
    const c = explainTlsConnection(fleetOf(r, 'infra/pass'), { port: 443, transport: 'tls', sni: 'secure.example.com' });
    expect(c).toMatchObject({ tls: { mode: 'passthrough' }, action: { kind: 'tcp_proxy', backends: [{ backend: { name: 'secure' }, rejected: false }] } });
    if (c.outcome === 'accepted' && c.action.kind === 'tcp_proxy') expect(c.action.backends[0]?.upstreamTls).toBeUndefined();
    // The HTTP route's cluster for the same Service port still gets the policy.
    expect(fleetOf(r).clusters.find((x) => x.name === 'infra/secure:443')?.transport_socket).toBeDefined();
  });

  it('re-encrypts to the backend of a TLSRoute on a listener that terminates TLS, and reports that Gateway as an ancestor', () => {
    const objs = [
      ...objects(),
      tlsSecretObject('infra', 'serving', rsa) as KubeObject,
      {
        apiVersion: `${G}/v1`,
        kind: 'Gateway',
        metadata: { namespace: 'infra', name: 'term', generation: 1 },
        spec: {
          gatewayClassName: 'switchyard',
          listeners: [
            { name: 'tls', port: 8443, protocol: 'TLS', hostname: 'tls.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'serving' }] } },
          ],
        },
      } as KubeObject,
      route('TLSRoute', 'infra', 't', {
        parentRefs: [{ name: 'term' }],
        hostnames: ['tls.example.com'],
        rules: [{ backendRefs: [{ name: 'secure', port: 443 }] }],
      }),
    ];
    const r = run(objs);
    const c = explainTlsConnection(fleetOf(r, 'infra/term'), { port: 8443, transport: 'tls', sni: 'tls.example.com' });
    expect(c).toMatchObject({
      tls: { mode: 'terminate' },
      action: {
        kind: 'tcp_proxy',
        backends: [{ backend: { name: 'secure' }, upstreamTls: { sni: 'secure.example.com', trustedCa: 'ca/ConfigMap/infra/ca' } }],
      },
    });
    expect(policyConditions(r, 'older').map(([ancestor]) => ancestor)).toEqual(['gw', 'term']);
  });

  it('reports an unusable client certificate on the Gateway (ResolvedRefs=False), which stays Accepted', () => {
    const objs = objects().filter((o) => !(o.kind === 'Secret' && o.metadata.name === 'client'));
    const r = run(objs);
    expect(gatewayConditions(r, 'infra/gw')).toEqual(
      expect.arrayContaining([
        ['Accepted', 'True', 'Accepted'],
        ['ResolvedRefs', 'False', 'InvalidClientCertificateRef'],
      ]),
    );
    const ctx = fleetOf(r).clusters.find((x) => x.name === 'infra/secure:443')!.transport_socket?.typed_config as unknown as {
      common_tls_context: Record<string, unknown>;
    };
    expect(ctx.common_tls_context.tls_certificate_sds_secret_configs).toBeUndefined();
  });
});
