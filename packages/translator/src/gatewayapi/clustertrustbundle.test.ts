// ClusterTrustBundle in caCertificateRefs (Gateway API v1.7, GEP-5075):
// BackendTLSPolicy validation and Gateway frontend client certificate
// validation read a cluster-scoped certificates.k8s.io ClusterTrustBundle's
// spec.trustBundle. v1.7.0 has no upstream conformance test for the feature;
// these cases follow the GEP's conformance table.
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { KubeObject, Listener } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { explainTlsConnection } from '@switchyard/explain';
import { clusterTrustBundleObject, createTestCertificate, tlsSecretObject, type TestCertificate } from '../../test/certificates.js';
import { backend, encodeAll, gateway, gatewayClass, G, run } from '../../test/fixtures.js';

const CTB = { group: 'certificates.k8s.io', kind: 'ClusterTrustBundle' };
const UNSERVED = { unservedKinds: ['certificates.k8s.io/ClusterTrustBundle'] };

let ca: TestCertificate;
let otherCa: TestCertificate;
let serving: TestCertificate;
let signed: TestCertificate;
let stranger: TestCertificate;
beforeAll(async () => {
  [ca, otherCa, serving] = await Promise.all([
    createTestCertificate({ isCa: true, keyType: 'ECDSA', commonName: 'bundle-ca' }),
    createTestCertificate({ isCa: true, keyType: 'ECDSA', commonName: 'other-ca' }),
    createTestCertificate({ dnsNames: ['secure.example.com'] }),
  ]);
  [signed, stranger] = await Promise.all([
    createTestCertificate({ ca: { ...ca, keyType: 'ECDSA' }, dnsNames: ['backend.example.com'] }),
    createTestCertificate({ ca: { ...otherCa, keyType: 'ECDSA' }, dnsNames: ['backend.example.com'] }),
  ]);
});

function fleetOf(r: ReturnType<typeof run>): EnvoyResources {
  const f = r.fleets.get('infra/gw');
  if (!f) throw new Error('no fleet infra/gw');
  encodeAll(f); // every resource must encode as its Envoy type
  return f;
}

describe('BackendTLSPolicy caCertificateRefs to a ClusterTrustBundle', () => {
  const policy = (caCertificateRefs: object[]): KubeObject => ({
    apiVersion: `${G}/v1`,
    kind: 'BackendTLSPolicy',
    metadata: { namespace: 'infra', name: 'p', generation: 3, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { targetRefs: [{ group: '', kind: 'Service', name: 'secure' }], validation: { caCertificateRefs, hostname: 'backend.example.com' } },
  });
  const objects = (refs: object[], ...more: KubeObject[]): KubeObject[] => [
    gatewayClass(),
    gateway('infra', 'gw', [{ name: 'http', port: 80, protocol: 'HTTP' }]),
    ...backend('infra', 'secure', 443),
    {
      apiVersion: `${G}/v1`,
      kind: 'HTTPRoute',
      metadata: { namespace: 'infra', name: 'r', generation: 1 },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'secure', port: 443 }] }] },
    },
    policy(refs),
    ...more,
  ];
  const conditions = (r: ReturnType<typeof run>) => {
    const s = r.statuses.find((x) => x.kind === 'BackendTLSPolicy' && x.name === 'p')!.status as {
      ancestors: Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }>;
    };
    return s.ancestors[0]!.conditions.map((c) => [c.type, c.status, c.reason, c.message]);
  };
  const ref = (name: string) => ({ ...CTB, name });

  it('trusts the bundle: the cluster validates against its PEM, with no ReferenceGrant and ResolvedRefs=True', () => {
    const r = run(objects([ref('corp-root')], clusterTrustBundleObject('corp-root', ca.certPem)));
    expect(conditions(r).map((c) => c.slice(0, 3))).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    const f = fleetOf(r);
    const c = f.clusters.find((x) => x.name === 'infra/secure:443')!;
    expect(c.transport_socket?.typed_config).toMatchObject({
      sni: 'backend.example.com',
      common_tls_context: { combined_validation_context: { validation_context_sds_secret_config: { name: 'ca/ClusterTrustBundle/corp-root' } } },
    });
    const secret = f.secrets.find((s) => s.name === 'ca/ClusterTrustBundle/corp-root');
    expect(secret?.validation_context?.trusted_ca).toEqual({ inline_string: ca.certPem });
  });

  it('merges a ClusterTrustBundle with a namespaced ConfigMap, and ignores a namespace written on the reference', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'infra', name: 'other' }, data: { 'ca.crt': otherCa.certPem } };
    const r = run(
      objects(
        [
          { ...ref('corp-root'), namespace: 'elsewhere' },
          { group: '', kind: 'ConfigMap', name: 'other' },
        ],
        clusterTrustBundleObject('corp-root', ca.certPem),
        cm,
      ),
    );
    expect(conditions(r).map((c) => c.slice(0, 3))).toContainEqual(['ResolvedRefs', 'True', 'ResolvedRefs']);
    const secret = fleetOf(r).secrets.find((s) => s.name === 'ca/ClusterTrustBundle/corp-root,ConfigMap/infra/other');
    expect(secret?.validation_context?.trusted_ca).toEqual({ inline_string: ca.certPem + otherCa.certPem });
  });

  it.each([
    ['a missing', [] as KubeObject[], 'spec.validation.caCertificateRefs[0]: ClusterTrustBundle corp-root not found'],
    ['an empty', [clusterTrustBundleObject('corp-root', '  \n')], 'spec.validation.caCertificateRefs[0]: ClusterTrustBundle corp-root has no spec.trustBundle'],
    [
      'a non-PEM',
      [clusterTrustBundleObject('corp-root', 'hello')],
      'spec.validation.caCertificateRefs[0]: ClusterTrustBundle corp-root spec.trustBundle: no PEM-encoded certificate found',
    ],
  ])('%s bundle is InvalidCACertificateRef and NoValidCACertificate, and the backend gets no traffic (503)', (_what, more, message) => {
    const r = run(objects([ref('corp-root')], ...more));
    expect(conditions(r)).toEqual([
      ['Accepted', 'False', 'NoValidCACertificate', `spec.validation.caCertificateRefs: no valid CA certificate (${message})`],
      ['ResolvedRefs', 'False', 'InvalidCACertificateRef', message],
    ]);
    const c = fleetOf(r).clusters.find((x) => x.name === 'infra/secure:443')!;
    expect(c).toMatchObject({ load_assignment: { endpoints: [] } });
    expect(c.transport_socket).toBeUndefined();
  });

  it('is InvalidKind when the cluster does not serve the API, and the feature is then not claimed', () => {
    const r = run(objects([ref('corp-root')], clusterTrustBundleObject('corp-root', ca.certPem)), UNSERVED);
    const [accepted, resolved] = conditions(r);
    expect(resolved!.slice(0, 3)).toEqual(['ResolvedRefs', 'False', 'InvalidKind']);
    expect(resolved![3]).toContain('the cluster does not serve certificates.k8s.io ClusterTrustBundle');
    expect(accepted!.slice(0, 3)).toEqual(['Accepted', 'False', 'NoValidCACertificate']);
    const features = (r: ReturnType<typeof run>) =>
      (r.statuses.find((s) => s.kind === 'GatewayClass')!.status as { supportedFeatures: Array<{ name: string }> }).supportedFeatures.map((f) => f.name);
    expect(features(r)).not.toContain('ClusterTrustBundle');
    expect(features(run(objects([])))).toContain('ClusterTrustBundle');
  });

  it('follows the bundle: a changed trustBundle changes the validation context, a deleted one blocks the backend', () => {
    const before = fleetOf(run(objects([ref('corp-root')], clusterTrustBundleObject('corp-root', ca.certPem))));
    const after = fleetOf(run(objects([ref('corp-root')], clusterTrustBundleObject('corp-root', otherCa.certPem))));
    const pem = (f: EnvoyResources) => f.secrets.find((s) => s.name === 'ca/ClusterTrustBundle/corp-root')?.validation_context?.trusted_ca;
    expect(pem(before)).toEqual({ inline_string: ca.certPem });
    expect(pem(after)).toEqual({ inline_string: otherCa.certPem });
    const gone = fleetOf(run(objects([ref('corp-root')])));
    expect(pem(gone)).toBeUndefined();
  });

  it("Envoy's trust: a backend whose certificate the bundle's CA signed passes verification, one another CA signed fails", async () => {
    const f = fleetOf(run(objects([ref('corp-root')], clusterTrustBundleObject('corp-root', ca.certPem))));
    const trusted = f.secrets.find((s) => s.name === 'ca/ClusterTrustBundle/corp-root')!.validation_context!.trusted_ca!.inline_string!;
    const sni = (f.clusters.find((x) => x.name === 'infra/secure:443')!.transport_socket!.typed_config as unknown as { sni: string }).sni;
    // The CA bytes and SNI Envoy receives, used by a TLS client against a real handshake.
    const handshake = async (cert: TestCertificate): Promise<boolean> => {
      const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        return await new Promise<boolean>((resolve) => {
          const s = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: sni, ca: trusted, rejectUnauthorized: true });
          s.on('secureConnect', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        });
      } finally {
        server.close();
      }
    };
    expect(await handshake(signed)).toBe(true);
    expect(await handshake(stranger)).toBe(false);
  });
});

describe('Gateway frontend validation caCertificateRefs to a ClusterTrustBundle', () => {
  const https = (name: string, port: number): Listener => ({
    name,
    port,
    protocol: 'HTTPS',
    tls: { certificateRefs: [{ name: 'serving' }] },
    allowedRoutes: { namespaces: { from: 'All' } },
  });
  const objects = (validation: Record<number, object[]>, ...more: KubeObject[]): KubeObject[] => {
    const gw = gateway('infra', 'gw', [https('a', 443), https('b', 8443)]);
    gw.spec!.tls = {
      frontend: {
        perPort: Object.entries(validation).map(([port, caCertificateRefs]) => ({ port: Number(port), tls: { validation: { caCertificateRefs } } })),
      },
    } as never;
    return [gatewayClass(), gw, tlsSecretObject('infra', 'serving', serving), ...more];
  };
  const listener = (r: ReturnType<typeof run>, name: string) => {
    const s = r.statuses.find((x) => x.kind === 'Gateway')!.status as {
      listeners: Array<{ name: string; conditions: Array<{ type: string; status: string; reason: string; message: string }> }>;
    };
    return s.listeners.find((l) => l.name === name)!.conditions;
  };
  const brief = (cs: ReturnType<typeof listener>) => cs.map((c) => [c.type, c.status, c.reason]);

  it('requires client certificates signed by the bundle, ResolvedRefs=True', () => {
    const r = run(objects({ 443: [{ ...CTB, name: 'clients' }] }, clusterTrustBundleObject('clients', ca.certPem)));
    expect(brief(listener(r, 'a'))).toContainEqual(['ResolvedRefs', 'True', 'ResolvedRefs']);
    expect(brief(listener(r, 'a'))).toContainEqual(['Accepted', 'True', 'Accepted']);
    const f = fleetOf(r);
    expect(explainTlsConnection(f, { port: 443, transport: 'tls', sni: 'x.example.com' })).toMatchObject({
      tls: { clientCertificate: 'required', clientCa: 'ca/ClusterTrustBundle/clients' },
    });
    expect(f.secrets.find((s) => s.name === 'ca/ClusterTrustBundle/clients')?.validation_context?.trusted_ca).toEqual({ inline_string: ca.certPem });
  });

  it('names the field and the problem: missing bundle, namespace set, API not served', () => {
    const r = run(
      objects({ 443: [{ ...CTB, name: 'gone' }], 8443: [{ ...CTB, name: 'clients', namespace: 'infra' }] }, clusterTrustBundleObject('clients', ca.certPem)),
    );
    const a = listener(r, 'a');
    expect(brief(a)).toContainEqual(['Accepted', 'False', 'NoValidCACertificate']);
    expect(a.find((c) => c.type === 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'InvalidCACertificateRef',
      message: 'spec.tls.frontend.perPort[0].tls.validation.caCertificateRefs[0]: ClusterTrustBundle gone not found',
    });
    expect(listener(r, 'b').find((c) => c.type === 'ResolvedRefs')).toMatchObject({
      reason: 'InvalidCACertificateRef',
      message: 'spec.tls.frontend.perPort[1].tls.validation.caCertificateRefs[0]: namespace must be unset for a ClusterTrustBundle (it is cluster-scoped)',
    });
    // Without the API the kind is unsupported: the listener's reason for that is InvalidCACertificateKind.
    const off = run(objects({ 443: [{ ...CTB, name: 'clients' }] }, clusterTrustBundleObject('clients', ca.certPem)), UNSERVED);
    expect(brief(listener(off, 'a'))).toEqual(
      expect.arrayContaining([
        ['Accepted', 'False', 'NoValidCACertificate'],
        ['ResolvedRefs', 'False', 'InvalidCACertificateKind'],
      ]),
    );
  });
});
