// Test-only: certificates and keys generated at test time (nothing secret is
// ever committed). RSA and ECDSA, self-signed or CA-signed, with DNS and URI
// SANs and chosen validity, plus the Secret / ConfigMap objects that carry
// them the way Kubernetes serves them (base64 `data`).
import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { webcrypto, randomBytes } from 'node:crypto';

x509.cryptoProvider.set(webcrypto);

type Alg = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | webcrypto.Algorithm;

export type TestKeyType = 'RSA' | 'ECDSA' | 'RSA-1024' | 'ECDSA-P384' | 'Ed25519';

export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestCertificateOptions {
  readonly commonName?: string;
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  readonly keyType?: TestKeyType;
  /** Sign with this CA instead of self-signing. */
  readonly ca?: TestCertificate & { readonly keyType?: TestKeyType };
  readonly isCa?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

function algorithmFor(t: TestKeyType): Alg {
  switch (t) {
    case 'RSA':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    case 'RSA-1024':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 1024 };
    case 'ECDSA':
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    case 'ECDSA-P384':
      return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
    case 'Ed25519':
      return { name: 'Ed25519' };
  }
}

function signingAlgorithmFor(t: TestKeyType): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (t === 'ECDSA') return { name: 'ECDSA', hash: 'SHA-256' };
  if (t === 'ECDSA-P384') return { name: 'ECDSA', hash: 'SHA-384' };
  if (t === 'Ed25519') return { name: 'Ed25519' };
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

const DAY = 86_400_000;

export async function createTestCertificate(o: TestCertificateOptions = {}): Promise<TestCertificate & { keyType: TestKeyType }> {
  const keyType = o.keyType ?? 'RSA';
  const alg = algorithmFor(keyType);
  const keys = await webcrypto.subtle.generateKey(alg as webcrypto.EcKeyGenParams, true, ['sign', 'verify']);
  const names: x509.JsonGeneralName[] = [];
  for (const d of o.dnsNames ?? []) names.push({ type: 'dns', value: d });
  for (const u of o.uris ?? []) names.push({ type: 'url', value: u });
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(o.isCa ?? false, undefined, true)];
  if (o.isCa)
    extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true));
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const now = Date.now();
  const subject = `CN=${o.commonName ?? o.dnsNames?.[0] ?? 'switchyard-test'}`;
  const notBefore = o.notBefore ?? new Date(now - DAY);
  const notAfter = o.notAfter ?? new Date(now + 365 * DAY);
  let cert: x509.X509Certificate;
  if (o.ca) {
    const caCert = new x509.X509Certificate(o.ca.certPem);
    const caType = o.ca.keyType ?? 'RSA';
    const caKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(o.ca.keyPem), algorithmFor(caType), false, ['sign']);
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject,
      issuer: caCert.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: signingAlgorithmFor(caType),
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial.toString('hex'),
      name: subject,
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: signingAlgorithmFor(keyType),
      extensions,
    });
  }
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem') + '\n', keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n', keyType };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function tlsSecretObject(namespace: string, name: string, c: TestCertificate) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(c.certPem), 'tls.key': b64(c.keyPem) },
  };
}

export function caConfigMapObject(namespace: string, name: string, ca: TestCertificate) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data: { 'ca.crt': ca.certPem } };
}

/** A certificates.k8s.io ClusterTrustBundle (cluster-scoped) holding `pem` as its spec.trustBundle. */
export function clusterTrustBundleObject(name: string, pem: string, apiVersion = 'certificates.k8s.io/v1beta1') {
  return { apiVersion, kind: 'ClusterTrustBundle', metadata: { name }, spec: { trustBundle: pem } };
}
