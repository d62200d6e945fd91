import { snapshotOf, type KubeObject } from '@switchyard/api';
import { resolveCaCertificateRefs, resolveCertificateRefs, type ReferenceAllowed } from './references.js';
import { caConfigMapObject, createTestCertificate, tlsSecretObject, type TestCertificate } from '../../test/certificates.js';

const GW = { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra' };
const grantsFrom =
  (allowed: string[]): ReferenceAllowed =>
  (from, to) =>
    from.namespace === to.namespace || allowed.includes(`${to.kind}/${to.namespace}/${to.name}`);
const NOW = new Date();

describe('TLS references', () => {
  let rsa: TestCertificate;
  let ecdsa: TestCertificate;
  let ca: TestCertificate;
  beforeAll(async () => {
    [rsa, ecdsa, ca] = await Promise.all([
      createTestCertificate({ dnsNames: ['a.example'] }),
      createTestCertificate({ keyType: 'ECDSA', dnsNames: ['a.example'] }),
      createTestCertificate({ isCa: true, keyType: 'ECDSA' }),
    ]);
  });
  const snap = () =>
    snapshotOf([
      tlsSecretObject('infra', 'rsa', rsa),
      tlsSecretObject('infra', 'ecdsa', ecdsa),
      tlsSecretObject('other', 'shared', rsa),
      caConfigMapObject('infra', 'ca', ca),
      caConfigMapObject('other', 'ca', ca),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'infra', name: 'bad' }, data: { 'ca.crt': 'nope' } },
    ] as KubeObject[]);

  it('resolves RSA and ECDSA certificates side by side, in order', () => {
    const r = resolveCertificateRefs(
      [{ name: 'rsa' }, { kind: 'Secret', group: '', name: 'ecdsa' }],
      GW,
      'spec.listeners[0].tls.certificateRefs',
      snap(),
      grantsFrom([]),
      NOW,
    );
    expect(r.problem).toBeUndefined();
    expect(r.certificates.map((c) => [c.secretName, c.pair.keyAlgorithm])).toEqual([
      ['tls/infra/rsa', 'RSA'],
      ['tls/infra/ecdsa', 'ECDSA'],
    ]);
  });

  it('needs a ReferenceGrant for another namespace (RefNotPermitted), and reports missing Secrets and wrong kinds as InvalidCertificateRef', () => {
    const f = 'spec.listeners[0].tls.certificateRefs';
    expect(resolveCertificateRefs([{ name: 'shared', namespace: 'other' }], GW, f, snap(), grantsFrom([]), NOW).problem).toEqual({
      reason: 'RefNotPermitted',
      message: `${f}[0]: Secret other/shared is in another namespace and no ReferenceGrant there allows Gateway references from namespace infra`,
    });
    expect(resolveCertificateRefs([{ name: 'shared', namespace: 'other' }], GW, f, snap(), grantsFrom(['Secret/other/shared']), NOW).certificates).toHaveLength(
      1,
    );
    expect(resolveCertificateRefs([{ name: 'nope' }], GW, f, snap(), grantsFrom([]), NOW).problem).toEqual({
      reason: 'InvalidCertificateRef',
      message: `${f}[0]: Secret infra/nope not found`,
    });
    expect(resolveCertificateRefs([{ name: 'rsa', group: 'wrong.group.company.io' }], GW, f, snap(), grantsFrom([]), NOW).problem?.reason).toBe(
      'InvalidCertificateRef',
    );
    expect(resolveCertificateRefs([{ name: 'rsa', kind: 'WrongKind' }], GW, f, snap(), grantsFrom([]), NOW).problem?.reason).toBe('InvalidCertificateRef');
    const mixed = resolveCertificateRefs([{ name: 'nope' }, { name: 'rsa' }], GW, f, snap(), grantsFrom([]), NOW);
    expect(mixed.certificates.map((c) => c.secretName)).toEqual(['tls/infra/rsa']);
    expect(mixed.problem?.reason).toBe('InvalidCertificateRef');
  });

  it('resolves CA references with the frontend validation reasons', () => {
    const f = 'spec.tls.frontend.default.validation.caCertificateRefs';
    const ok = resolveCaCertificateRefs([{ kind: 'ConfigMap', group: '', name: 'ca' }], GW, f, snap(), grantsFrom([]));
    expect(ok.bundle?.secretName).toBe('ca/ConfigMap/infra/ca');
    expect(ok.problem).toBeUndefined();
    expect(resolveCaCertificateRefs([{ kind: 'ConfigMap', name: 'gone' }], GW, f, snap(), grantsFrom([])).problem).toEqual({
      reason: 'InvalidCACertificateRef',
      message: `${f}[0]: ConfigMap infra/gone not found`,
    });
    expect(resolveCaCertificateRefs([{ kind: 'ConfigMap', name: 'bad' }], GW, f, snap(), grantsFrom([])).problem).toEqual({
      reason: 'InvalidCACertificateRef',
      message: `${f}[0]: ConfigMap infra/bad ca.crt: no PEM-encoded certificate found`,
    });
    expect(resolveCaCertificateRefs([{ kind: 'Service', group: '', name: 'x' }], GW, f, snap(), grantsFrom([])).problem?.reason).toBe(
      'InvalidCACertificateKind',
    );
    expect(resolveCaCertificateRefs([{ kind: 'ConfigMap', name: 'ca', namespace: 'other' }], GW, f, snap(), grantsFrom([])).problem?.reason).toBe(
      'RefNotPermitted',
    );
    const partial = resolveCaCertificateRefs(
      [
        { kind: 'ConfigMap', name: 'gone' },
        { kind: 'ConfigMap', name: 'ca' },
      ],
      GW,
      f,
      snap(),
      grantsFrom([]),
    );
    expect(partial.bundle?.secretName).toBe('ca/ConfigMap/infra/ca');
    expect(partial.problem?.reason).toBe('InvalidCACertificateRef');
  });
});
