import { checkTlsCertificateSecret } from './certificate.js';
import { createTestCertificate, tlsSecretObject, type TestCertificate } from '../../test/certificates.js';

const NOW = new Date();

describe('checkTlsCertificateSecret', () => {
  let rsa: TestCertificate;
  let ecdsa: TestCertificate;
  beforeAll(async () => {
    rsa = await createTestCertificate({ dnsNames: ['example.com', '*.example.com'], uris: ['spiffe://example.com/a, b'] });
    ecdsa = await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['example.com'] });
  });

  it('accepts an RSA pair and reports its SANs and key', () => {
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 's', rsa), NOW);
    if (!r.ok) throw new Error(r.message);
    expect(r.certificate.keyAlgorithm).toBe('RSA');
    expect(r.certificate.keyDetail).toBe('RSA 2048');
    expect(r.certificate.subjectAltNames).toEqual({ dns: ['example.com', '*.example.com'], uri: ['spiffe://example.com/a, b'], ip: [] });
    expect(r.certificate.source).toBe('ns/s');
    expect(r.certificate.warnings).toEqual([]);
  });

  it('accepts an ECDSA P-256 pair (PKCS#8) and a stringData Secret', () => {
    const obj = { metadata: { namespace: 'ns', name: 'e' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': ecdsa.certPem, 'tls.key': ecdsa.keyPem } };
    const r = checkTlsCertificateSecret(obj, NOW);
    if (!r.ok) throw new Error(r.message);
    expect(r.certificate.keyAlgorithm).toBe('ECDSA');
    expect(r.certificate.keyDetail).toBe('ECDSA P-256');
  });

  it('rejects a key that belongs to another certificate, naming the Secret', () => {
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 'mixed', { certPem: rsa.certPem, keyPem: ecdsa.keyPem }), NOW);
    expect(r).toEqual({ ok: false, message: 'Secret ns/mixed tls.key does not match the certificate in tls.crt' });
  });

  it("rejects the conformance suite's malformed Secret (not PEM at all)", () => {
    const r = checkTlsCertificateSecret(
      {
        metadata: { namespace: 'gateway-conformance-infra', name: 'malformed-certificate' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'SGVsbG8gd29ybGQK', 'tls.key': 'SGVsbG8gd29ybGQK' },
      },
      NOW,
    );
    expect(r).toEqual({ ok: false, message: 'Secret gateway-conformance-infra/malformed-certificate tls.crt: no PEM-encoded certificate found' });
  });

  it('rejects a corrupted certificate body', () => {
    const broken = rsa.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 'b', { certPem: broken, keyPem: rsa.keyPem }), NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^Secret ns\/b tls.crt: PEM block 1 is not a valid X.509 certificate/);
  });

  it('rejects the wrong Secret type and missing keys', () => {
    const opaque = { ...tlsSecretObject('ns', 'o', rsa), type: 'Opaque' };
    expect(checkTlsCertificateSecret(opaque, NOW)).toEqual({ ok: false, message: 'Secret ns/o is of type "Opaque", must be "kubernetes.io/tls"' });
    const noKey = { metadata: { namespace: 'ns', name: 'k' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(rsa.certPem).toString('base64') } };
    expect(checkTlsCertificateSecret(noKey, NOW)).toEqual({ ok: false, message: 'Secret ns/k has no tls.key' });
  });

  it('rejects key types Envoy cannot serve', async () => {
    const small = await createTestCertificate({ keyType: 'RSA-1024' });
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 'small', small), NOW);
    expect(r).toEqual({ ok: false, message: 'Secret ns/small tls.key: RSA key of 1024 bits; Envoy requires at least 2048' });
    const ed = await createTestCertificate({ keyType: 'Ed25519' });
    expect(checkTlsCertificateSecret(tlsSecretObject('ns', 'ed', ed), NOW)).toEqual({
      ok: false,
      message: 'Secret ns/ed tls.key: ed25519 key; Envoy supports RSA and ECDSA keys only',
    });
  });

  it('accepts an expired certificate with a warning (expiry is not a reason to reject)', async () => {
    const old = await createTestCertificate({ keyType: 'ECDSA', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 'old', old), NOW);
    if (!r.ok) throw new Error(r.message);
    expect(r.certificate.warnings).toEqual(['Secret ns/old: the certificate expired at 2021-01-01T00:00:00.000Z']);
  });

  it('keeps a full chain (leaf first) and checks the key against the leaf', async () => {
    const ca = await createTestCertificate({ isCa: true, commonName: 'ca' });
    const leaf = await createTestCertificate({ keyType: 'ECDSA', ca, dnsNames: ['a.example'] });
    const r = checkTlsCertificateSecret(tlsSecretObject('ns', 'chain', { certPem: leaf.certPem + ca.certPem, keyPem: leaf.keyPem }), NOW);
    if (!r.ok) throw new Error(r.message);
    expect(r.certificate.certificateChainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    const reversed = checkTlsCertificateSecret(tlsSecretObject('ns', 'rev', { certPem: ca.certPem + leaf.certPem, keyPem: leaf.keyPem }), NOW);
    expect(reversed.ok).toBe(false);
  });

  it('checks a changed Secret again (a new object), and answers an unchanged one from cache', () => {
    const s1 = tlsSecretObject('ns', 'rotating', rsa);
    expect(checkTlsCertificateSecret(s1, NOW).ok).toBe(true);
    expect(checkTlsCertificateSecret(s1, NOW)).toBe(checkTlsCertificateSecret(s1, NOW));
    const s2 = tlsSecretObject('ns', 'rotating', { certPem: rsa.certPem, keyPem: ecdsa.keyPem });
    expect(checkTlsCertificateSecret(s2, NOW)).toEqual({ ok: false, message: 'Secret ns/rotating tls.key does not match the certificate in tls.crt' });
  });
});
