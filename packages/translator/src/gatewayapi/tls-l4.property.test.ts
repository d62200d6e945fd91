// Property tests for TLS and layer 4 over random worlds of HTTPS/TLS/TCP/UDP
// listeners, ListenerSets, TLS/TCP/UDP routes, BackendTLSPolicies, frontend
// validation and Secrets (good, broken, of the wrong type): translation
// never throws, and what each fleet gets is something Envoy accepts —
// every resource encodes, no two filter chains of a listener match the same
// connections, every SDS/cluster/route-table name a listener or cluster uses
// is in the fleet, the fleet has no secret nobody references (a fleet gets
// only its own secrets), and the output does not depend on object order.
import fc from 'fast-check';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS, type EnvoyResources } from '@switchyard/protos';
import { translateRethrowing } from '../translate.js';
import { caConfigMapObject, createTestCertificate, tlsSecretObject } from '../../test/certificates.js';

const G = 'gateway.networking.k8s.io';
let pool: KubeObject[] = [];

beforeAll(async () => {
  const rsa = await createTestCertificate({ dnsNames: ['*.example.com'] });
  const ec = await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['a.example.com'] });
  const ca = await createTestCertificate({ isCa: true, keyType: 'ECDSA' });
  pool = [
    tlsSecretObject('infra', 'rsa', rsa),
    tlsSecretObject('infra', 'ec', ec),
    tlsSecretObject('other', 'rsa', rsa),
    { ...tlsSecretObject('infra', 'opaque', rsa), type: 'Opaque' },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'infra', name: 'broken' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'SGVsbG8K', 'tls.key': 42 },
    },
    caConfigMapObject('infra', 'ca', ca),
    caConfigMapObject('other', 'ca', ca),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'infra', name: 'bad-ca' }, data: { 'ca.crt': 'nope' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'x' } } },
    {
      apiVersion: `${G}/v1beta1`,
      kind: 'ReferenceGrant',
      metadata: { namespace: 'other', name: 'g' },
      spec: { from: [{ group: G, kind: 'Gateway', namespace: 'infra' }], to: [{ group: '', kind: 'Secret' }] },
    },
    ...['a', 'b'].flatMap((n, i) => [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'infra', name: n },
        spec: {
          ports: [
            { name: 'https', port: 443 },
            { name: 'http', port: 8080 },
            { name: 'dns', port: 53, protocol: 'UDP' },
          ],
        },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: 'infra', name: `${n}-1`, labels: { 'kubernetes.io/service-name': n } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [`10.0.0.${i + 1}`] }],
        ports: [
          { name: 'https', port: 8443 },
          { name: 'http', port: 9080 },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      },
    ]),
  ] as KubeObject[];
}, 60_000);

/** Mostly plausible values, sometimes broken ones: random input must still reach the deep code paths. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: bad, weight: 1 });
}
const certRef = mostly(
  fc.constantFrom({ name: 'rsa' }, { name: 'ec' }, { name: 'rsa', namespace: 'other' }),
  fc.constantFrom<object | null>({ name: 'opaque' }, { name: 'broken' }, { name: 'missing' }, { name: 'rsa', kind: 'WrongKind' }, null),
);
const hostname = mostly(fc.constantFrom(undefined, 'a.example.com', '*.example.com', 'b.example.com', '*.com'), fc.constantFrom('bad..name', '*'));
const listener = fc.oneof(
  fc.record({
    protocol: fc.constant('HTTPS'),
    port: fc.constantFrom(443, 8443),
    hostname,
    mode: mostly(fc.constant(undefined), fc.constant('Passthrough')),
    certs: fc.array(certRef, { minLength: 1, maxLength: 2 }),
    kinds: fc.constant(undefined),
  }),
  fc.record({
    protocol: fc.constant('TLS'),
    port: fc.constantFrom(443, 8443),
    hostname,
    mode: mostly(fc.constantFrom('Passthrough', 'Terminate'), fc.constant('Bogus')),
    certs: fc.array(certRef, { minLength: 1, maxLength: 2 }),
    kinds: mostly(fc.constant(undefined), fc.constant(['TCPRoute'])),
  }),
  fc.record({
    protocol: fc.constant('TCP'),
    port: fc.constantFrom(9000, 9001, 53),
    hostname: fc.constant(undefined),
    mode: fc.constant(undefined),
    certs: fc.constant(undefined),
    kinds: fc.constant(undefined),
  }),
  fc.record({
    protocol: fc.constant('UDP'),
    port: fc.constantFrom(53, 5353),
    hostname: fc.constant(undefined),
    mode: fc.constant(undefined),
    certs: fc.constant(undefined),
    kinds: fc.constant(undefined),
  }),
  fc.record({
    protocol: fc.constantFrom('HTTP', 'SCTP'),
    port: fc.constantFrom(80, 443),
    hostname,
    mode: fc.constant(undefined),
    certs: fc.constant(undefined),
    kinds: fc.constant(undefined),
  }),
);
const listeners = fc.array(listener, { maxLength: 5 }).map((ls) =>
  ls.map((l, i) => ({
    name: `l${i}`,
    protocol: l.protocol,
    port: l.port,
    ...(l.hostname ? { hostname: l.hostname } : {}),
    ...(l.mode || l.certs ? { tls: { ...(l.mode ? { mode: l.mode } : {}), ...(l.certs ? { certificateRefs: l.certs } : {}) } } : {}),
    allowedRoutes: { namespaces: { from: 'All' }, ...(l.kinds ? { kinds: (l.kinds as readonly string[]).map((kind) => ({ kind })) } : {}) },
  })),
);
type CaRef = { group?: string; kind: string; name: string; namespace?: string };
const caRefs = fc.array(
  mostly<CaRef>(
    fc.constant({ group: '', kind: 'ConfigMap', name: 'ca' }),
    fc.constantFrom<CaRef>(
      { group: '', kind: 'ConfigMap', name: 'bad-ca' },
      { group: '', kind: 'Service', name: 'a' },
      { kind: 'ConfigMap', name: 'ca', namespace: 'other' },
    ),
  ),
  { minLength: 1, maxLength: 2 },
);
const validation = fc.record(
  { caCertificateRefs: caRefs, mode: fc.constantFrom(undefined, 'AllowValidOnly', 'AllowInsecureFallback') },
  { requiredKeys: ['caCertificateRefs'] },
);
const gateway = fc
  .record({
    name: fc.constantFrom('gw', 'gw2'),
    listeners,
    frontend: fc.option(
      fc.record({
        default: fc.record({ validation }),
        perPort: fc.array(fc.record({ port: fc.constantFrom(443, 8443), tls: fc.record({ validation }) }), { maxLength: 2 }),
      }),
      { nil: undefined },
    ),
    backendCert: fc.option(certRef, { nil: undefined }),
    allowedListeners: fc.constantFrom(undefined, 'None', 'Same', 'All', 'All', 'Selector'),
  })
  .map((g): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: 'Gateway',
    metadata: { namespace: 'infra', name: g.name, generation: 1 },
    spec: {
      gatewayClassName: 'switchyard',
      listeners: g.listeners,
      ...(g.frontend || g.backendCert !== undefined
        ? {
            tls: {
              ...(g.frontend ? { frontend: g.frontend } : {}),
              ...(g.backendCert !== undefined ? { backend: { clientCertificateRef: g.backendCert } } : {}),
            },
          }
        : {}),
      ...(g.allowedListeners
        ? {
            allowedListeners: {
              namespaces: { from: g.allowedListeners, ...(g.allowedListeners === 'Selector' ? { selector: { matchLabels: { team: 'x' } } } : {}) },
            },
          }
        : {}),
    },
  }));
const created = fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', undefined);
const listenerSet = fc
  .record({ ns: fc.constantFrom('infra', 'other'), name: fc.constantFrom('ls1', 'ls2'), gw: fc.constantFrom('gw', 'gw2'), listeners, created })
  .map((s): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: 'ListenerSet',
    metadata: { namespace: s.ns, name: s.name, generation: 1, ...(s.created ? { creationTimestamp: s.created } : {}) },
    spec: { parentRef: { name: s.gw, namespace: 'infra' }, listeners: s.listeners },
  }));
const parentRef = fc.oneof(
  {
    arbitrary: fc.record(
      {
        name: fc.constantFrom('gw', 'gw2'),
        namespace: fc.constant('infra'),
        sectionName: fc.constantFrom(undefined, undefined, 'l0', 'l1', 'l2'),
        port: fc.constantFrom(undefined, undefined, 443, 9000, 53),
      },
      { requiredKeys: ['name', 'namespace'] },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.record(
      {
        kind: fc.constant('ListenerSet'),
        group: fc.constant(G),
        name: fc.constantFrom('ls1', 'ls2'),
        namespace: fc.constantFrom('infra', 'other'),
        sectionName: fc.constantFrom(undefined, 'l0', 'l1'),
      },
      { requiredKeys: ['kind', 'group', 'name', 'namespace'] },
    ),
    weight: 1,
  },
);
const backendRef = fc.record(
  {
    name: mostly(fc.constantFrom('a', 'b'), fc.constant('missing')),
    port: mostly(fc.constantFrom(443, 8080, 53), fc.constant(1)),
    weight: fc.constantFrom(undefined, 0, 1, 3),
  },
  { requiredKeys: ['name', 'port'] },
);
const route = fc
  .record({
    kind: fc.constantFrom('TLSRoute', 'TCPRoute', 'UDPRoute', 'HTTPRoute'),
    name: fc.constantFrom('r1', 'r2', 'r3'),
    parentRefs: fc.array(parentRef, { minLength: 1, maxLength: 2 }),
    hostnames: fc.option(fc.array(fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'c.org'), { maxLength: 2 }), { nil: undefined }),
    backendRefs: fc.array(backendRef, { minLength: 1, maxLength: 3 }),
    created,
  })
  .map((r): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: r.kind,
    metadata: { namespace: 'infra', name: r.name, generation: 1, ...(r.created ? { creationTimestamp: r.created } : {}) },
    spec: {
      parentRefs: r.parentRefs,
      ...(r.hostnames && (r.kind === 'TLSRoute' || r.kind === 'HTTPRoute') ? { hostnames: r.hostnames } : {}),
      rules: [{ backendRefs: r.backendRefs }],
    },
  }));
const policy = fc
  .record({
    name: fc.constantFrom('p1', 'p2'),
    target: fc.record({ name: fc.constantFrom('a', 'b'), sectionName: fc.constantFrom(undefined, 'https', 'http') }, { requiredKeys: ['name'] }),
    validation: fc.oneof(
      fc.record({
        caCertificateRefs: caRefs.map((refs) => refs.map((r) => ({ group: r.group ?? '', kind: r.kind, name: r.name }))),
        hostname: mostly(fc.constant('a.example.com'), fc.constantFrom('*.bad', '')),
      }),
      fc.record({
        wellKnownCACertificates: fc.constantFrom('System', 'Other'),
        hostname: fc.constant('b.example.com'),
        subjectAltNames: fc.constant([{ type: 'URI', uri: 'spiffe://x/y' }]),
      }),
    ),
    created,
  })
  .map((p): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: 'BackendTLSPolicy',
    metadata: { namespace: 'infra', name: p.name, generation: 1, ...(p.created ? { creationTimestamp: p.created } : {}) },
    spec: { targetRefs: [{ group: '', kind: 'Service', ...p.target }], validation: p.validation },
  }));
const world = fc.tuple(
  fc.array(gateway, { minLength: 1, maxLength: 2 }),
  fc.array(listenerSet, { maxLength: 2 }),
  fc.array(route, { maxLength: 6 }),
  fc.array(policy, { maxLength: 2 }),
);

type Obj = Record<string, unknown>;
/** Every value under key `k` anywhere in a resource (SDS names, cluster names...). */
function collect(o: unknown, visit: (k: string, v: unknown, parent: Obj) => void): void {
  if (Array.isArray(o)) for (const x of o) collect(x, visit);
  else if (o && typeof o === 'object')
    for (const [k, v] of Object.entries(o as Obj)) {
      visit(k, v, o as Obj);
      collect(v, visit);
    }
}

function checkFleet(id: string, f: EnvoyResources): void {
  for (const [field, typeUrl] of RESOURCE_FIELDS) for (const r of f[field]) encodeMessage(typeUrl, r);
  const secrets = new Set(f.secrets.map((s) => s.name));
  const clusters = new Set(f.clusters.map((c) => c.name));
  const tables = new Set(f.routes.map((r) => r.name));
  const usedSecrets = new Set<string>();
  collect([f.listeners, f.clusters], (k, v, parent) => {
    if ((k === 'tls_certificate_sds_secret_configs' || k === 'validation_context_sds_secret_config') && v)
      for (const c of Array.isArray(v) ? v : [v]) usedSecrets.add((c as { name: string }).name);
    if (k === 'route_config_name') expect({ id, table: v, exists: tables.has(v as string) }).toEqual({ id, table: v, exists: true });
    if (k === 'cluster' && typeof v === 'string' && ('stat_prefix' in parent || '@type' in parent))
      expect({ id, cluster: v, exists: clusters.has(v) }).toEqual({ id, cluster: v, exists: true });
    if (k === 'weighted_clusters' && 'stat_prefix' in parent)
      for (const c of (v as { clusters: Array<{ name: string }> }).clusters)
        expect({ id, cluster: c.name, exists: clusters.has(c.name) }).toEqual({ id, cluster: c.name, exists: true });
  });
  // Exactly the secrets the fleet's listeners and clusters name: none missing, none extra.
  expect({ id, secrets: [...secrets].sort() }).toEqual({ id, secrets: [...usedSecrets].sort() });
  for (const l of f.listeners) {
    const isUdp = l.address?.socket_address?.protocol === 'UDP';
    if (!isUdp) expect({ id, listener: l.name, chains: (l.filter_chains ?? []).length > 0 }).toEqual({ id, listener: l.name, chains: true });
    // Envoy rejects a listener whose filter chains cannot be told apart.
    const matches = (l.filter_chains ?? []).map((c) => JSON.stringify(c.filter_chain_match ?? {}));
    expect({ id, listener: l.name, duplicates: matches.filter((m, i) => matches.indexOf(m) !== i) }).toEqual({ id, listener: l.name, duplicates: [] });
  }
  for (const rc of f.routes) {
    const domains = (rc.virtual_hosts ?? []).flatMap((v) => v.domains ?? []);
    expect({ id, table: rc.name, duplicates: domains.filter((d, i) => domains.indexOf(d) !== i) }).toEqual({ id, table: rc.name, duplicates: [] });
  }
}

describe('TLS and layer 4, random worlds', () => {
  it('a TLS port whose Terminate listener has no route and a ListenerSet HTTPS listener on it (found by this test)', () => {
    const objects: KubeObject[] = [
      { apiVersion: `${G}/v1`, kind: 'GatewayClass', metadata: { name: 'switchyard' }, spec: { controllerName: 'switchyard.dev/gateway-controller' } },
      ...pool,
      {
        apiVersion: `${G}/v1`,
        kind: 'Gateway',
        metadata: { namespace: 'infra', name: 'gw', generation: 1 },
        spec: {
          gatewayClassName: 'switchyard',
          listeners: [
            { name: 'l0', protocol: 'TLS', port: 443, tls: { mode: 'Terminate', certificateRefs: [{ name: 'rsa' }, { name: 'rsa', namespace: 'other' }] } },
          ],
          allowedListeners: { namespaces: { from: 'All' } },
        },
      },
      {
        apiVersion: `${G}/v1`,
        kind: 'ListenerSet',
        metadata: { namespace: 'infra', name: 'ls1', generation: 1 },
        spec: {
          parentRef: { name: 'gw', namespace: 'infra' },
          listeners: [{ name: 'l0', protocol: 'HTTPS', port: 443, hostname: 'b.example.com', tls: { certificateRefs: [{ name: 'ec' }] } }],
        },
      },
    ];
    const r = translateRethrowing(snapshotOf(objects));
    checkFleet('infra/gw', r.fleets.get('infra/gw')!);
    // The Terminate listener has no TLSRoute, so no chain names its certificates: the fleet does not get them.
    expect(r.fleets.get('infra/gw')!.secrets.map((s) => s.name)).toEqual(['tls/infra/ec']);
  });

  it('translate without throwing into fleets Envoy accepts, independent of object order', () => {
    const cls = {
      apiVersion: `${G}/v1`,
      kind: 'GatewayClass',
      metadata: { name: 'switchyard' },
      spec: { controllerName: 'switchyard.dev/gateway-controller' },
    } as KubeObject;
    fc.assert(
      fc.property(world, ([gws, sets, routes, policies]) => {
        // One object per identity (a snapshot keeps the last of duplicates, which would make order matter).
        const seen = new Set<string>();
        const objects = [cls, ...pool, ...gws, ...sets, ...routes, ...policies].filter((o) => {
          const k = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
          return !seen.has(k) && !!seen.add(k);
        });
        const a = translateRethrowing(snapshotOf(objects));
        for (const [id, f] of a.fleets) checkFleet(id, f);
        const b = translateRethrowing(snapshotOf([...objects].reverse()));
        expect(JSON.stringify([...b.fleets])).toBe(JSON.stringify([...a.fleets]));
        expect(JSON.stringify(b.statuses)).toBe(JSON.stringify(a.statuses));
      }),
      { numRuns: 300, seed: 20261128 },
    );
  });
});
