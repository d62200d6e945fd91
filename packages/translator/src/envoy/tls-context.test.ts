import { decodeMessage, encodeMessage, TypeUrl } from '@switchyard/protos';
import { checkCaBundle, mergeCaBundles } from '../tls/ca-bundle.js';
import { checkTlsCertificateSecret } from '../tls/certificate.js';
import { caBundleSecretName, certificateSecretName } from '../tls/secret-names.js';
import { SecretSet, tlsCertificateSecret, validationContextSecret } from './sds.js';
import { createTestCertificate, caConfigMapObject, tlsSecretObject, type TestCertificate } from '../../test/certificates.js';
import { downstreamTlsContext, downstreamTransportSocket, SYSTEM_CA_BUNDLE_PATH, upstreamTlsContext, upstreamTransportSocket } from './tls-context.js';

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

describe('CA bundles', () => {
  let ca1: TestCertificate;
  let ca2: TestCertificate;
  beforeAll(async () => {
    ca1 = await createTestCertificate({ isCa: true, commonName: 'ca-one', keyType: 'ECDSA' });
    ca2 = await createTestCertificate({ isCa: true, commonName: 'ca-two', keyType: 'ECDSA' });
  });
  it('reads ca.crt from a ConfigMap and from a Secret', () => {
    const cm = checkCaBundle({ kind: 'ConfigMap', object: caConfigMapObject('ns', 'cm', { certPem: ca1.certPem + ca2.certPem, keyPem: '' }) });
    if (!cm.ok) throw new Error(cm.message);
    expect(cm.bundle).toMatchObject({ source: 'ConfigMap ns/cm', count: 2, subjects: ['CN=ca-one', 'CN=ca-two'] });
    const sec = checkCaBundle({
      kind: 'Secret',
      object: { metadata: { namespace: 'ns', name: 's' }, data: { 'ca.crt': Buffer.from(ca1.certPem).toString('base64') } },
    });
    expect(sec.ok).toBe(true);
  });
  it('names the object and the problem when ca.crt is missing or not certificates', () => {
    expect(checkCaBundle({ kind: 'ConfigMap', object: { metadata: { namespace: 'ns', name: 'empty' }, data: { 'ca.pem': ca1.certPem } } })).toEqual({
      ok: false,
      message: 'ConfigMap ns/empty has no ca.crt',
    });
    expect(checkCaBundle({ kind: 'ConfigMap', object: { metadata: { namespace: 'ns', name: 'key' }, data: { 'ca.crt': ca1.certPem + ca1.keyPem } } })).toEqual({
      ok: false,
      message: 'ConfigMap ns/key ca.crt: PEM block 2 is a PRIVATE KEY, expected CERTIFICATE',
    });
  });
  it('merges bundles without duplicates', () => {
    const a = checkCaBundle({ kind: 'ConfigMap', object: caConfigMapObject('ns', 'a', ca1) });
    const b = checkCaBundle({ kind: 'ConfigMap', object: caConfigMapObject('ns', 'b', { certPem: ca1.certPem + ca2.certPem, keyPem: '' }) });
    if (!a.ok || !b.ok) throw new Error('bundles');
    expect(mergeCaBundles([a.bundle, b.bundle]).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });
});

describe('SDS secrets and TLS contexts encode as Envoy accepts them', () => {
  let cert: TestCertificate;
  beforeAll(async () => {
    cert = await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['a.example'] });
  });

  it('builds a tls_certificate Secret and a validation_context Secret', () => {
    const pair = checkTlsCertificateSecret(tlsSecretObject('ns', 'c', cert), new Date());
    if (!pair.ok) throw new Error(pair.message);
    const set = new SecretSet();
    set.add(validationContextSecret(caBundleSecretName([{ kind: 'ConfigMap', namespace: 'ns', name: 'ca' }]), cert.certPem));
    set.add(tlsCertificateSecret(certificateSecretName('ns', 'c'), pair.certificate));
    set.add(tlsCertificateSecret(certificateSecretName('ns', 'c'), pair.certificate));
    expect(set.list().map((s) => s.name)).toEqual(['ca/ConfigMap/ns/ca', 'tls/ns/c']);
    for (const s of set.list()) {
      const back = decodeMessage(TypeUrl.Secret, encodeMessage(TypeUrl.Secret, s));
      expect(back).toEqual(JSON.parse(JSON.stringify(s)));
    }
  });

  it('requires a client certificate with AllowValidOnly and accepts untrusted ones with AllowInsecureFallback', () => {
    const strict = downstreamTlsContext({
      certificateSecretNames: ['tls/ns/rsa', 'tls/ns/ecdsa'],
      alpnProtocols: ['h2', 'http/1.1'],
      clientValidation: { caSecretName: 'ca/x', mode: 'AllowValidOnly' },
    });
    expect(strict).toEqual({
      common_tls_context: {
        tls_certificate_sds_secret_configs: [
          { name: 'tls/ns/rsa', sds_config: { ads: {}, resource_api_version: 'V3' } },
          { name: 'tls/ns/ecdsa', sds_config: { ads: {}, resource_api_version: 'V3' } },
        ],
        alpn_protocols: ['h2', 'http/1.1'],
        validation_context_sds_secret_config: { name: 'ca/x', sds_config: { ads: {}, resource_api_version: 'V3' } },
      },
      require_client_certificate: { value: true },
    });
    const fallback = downstreamTlsContext({
      certificateSecretNames: ['tls/ns/rsa'],
      clientValidation: { caSecretName: 'ca/x', mode: 'AllowInsecureFallback' },
    });
    expect(fallback.require_client_certificate).toEqual({ value: false });
    expect(fallback.common_tls_context?.combined_validation_context?.default_validation_context).toEqual({ trust_chain_verification: 'ACCEPT_UNTRUSTED' });
    const listener = { name: 'l', filter_chains: [{ transport_socket: downstreamTransportSocket(fallback) }] };
    const back = decodeMessage(TypeUrl.Listener, encodeMessage(TypeUrl.Listener, listener)) as {
      filter_chains: Array<{ transport_socket: { typed_config: Record<string, unknown> } }>;
    };
    expect(back.filter_chains[0]?.transport_socket.typed_config).toMatchObject({
      require_client_certificate: { value: false },
      common_tls_context: { combined_validation_context: { default_validation_context: { trust_chain_verification: 'ACCEPT_UNTRUSTED' } } },
    });
  });

  it('verifies the backend against the hostname and subjectAltNames with an SDS CA or the system bundle', () => {
    const withCa = upstreamTlsContext({
      sni: 'abc.example.com',
      trust: { kind: 'CaBundle', caSecretName: 'ca/ConfigMap/ns/ca' },
      subjectAltNames: [
        { type: 'Hostname', hostname: 'abc.example.com' },
        { type: 'URI', uri: 'spiffe://abc.example.com/test-identity' },
      ],
      clientCertificateSecretName: 'tls/ns/client',
    });
    expect(withCa).toEqual({
      sni: 'abc.example.com',
      common_tls_context: {
        tls_certificate_sds_secret_configs: [{ name: 'tls/ns/client', sds_config: { ads: {}, resource_api_version: 'V3' } }],
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: [
              { san_type: 'DNS', matcher: { exact: 'abc.example.com' } },
              { san_type: 'URI', matcher: { exact: 'spiffe://abc.example.com/test-identity' } },
            ],
          },
          validation_context_sds_secret_config: { name: 'ca/ConfigMap/ns/ca', sds_config: { ads: {}, resource_api_version: 'V3' } },
        },
      },
    });
    const system = upstreamTlsContext({ sni: 'example.org', trust: { kind: 'System' }, subjectAltNames: [{ type: 'Hostname', hostname: 'example.org' }] });
    expect(system.common_tls_context?.validation_context?.trusted_ca).toEqual({ filename: SYSTEM_CA_BUNDLE_PATH });
    const cluster = { name: 'c', transport_socket: upstreamTransportSocket(withCa) };
    const back = decodeMessage(CLUSTER, encodeMessage(CLUSTER, cluster)) as { transport_socket: { typed_config: { sni: string } } };
    expect(back.transport_socket.typed_config.sni).toBe('abc.example.com');
  });
});
