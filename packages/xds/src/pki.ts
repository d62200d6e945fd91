// The small PKI behind xDS mTLS: one CA, a server certificate for the xDS
// port, and one client certificate per fleet. A fleet's identity is a URI SAN
// (SPIFFE-style), so the server learns which Gateway a stream belongs to from
// the verified certificate and never from what the Envoy node claims.
import type * as X509 from '@peculiar/x509';
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509 and what it pulls in (about 10 MiB resident) load when a
 * certificate is first made: serving xDS, and standalone mode entirely, need
 * only the identity functions below.
 */
function loadX509(): Promise<typeof X509> {
  return (x509Module ??= (async () => {
    await import('reflect-metadata'); // @peculiar/x509 (through tsyringe) needs the Reflect metadata API
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto);
    return x509;
  })());
}

export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface IssueOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly uris?: readonly string[];
  /** Extended key usage: serverAuth for the xDS server, clientAuth for an Envoy fleet. */
  readonly usage: 'server' | 'client';
  /** Validity in days (default 365). */
  readonly days?: number;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
// Backdating notBefore tolerates small clock skew between controller and Envoy nodes.
const BACKDATE_MS = 5 * 60 * 1000;

const FLEET_URI_PREFIX = 'spiffe://switchyard.dev/fleet/';

/** The URI SAN naming a fleet ("namespace/name" of its Gateway). */
export function fleetIdentity(fleet: string): string {
  if (!isFleetId(fleet)) throw new Error(`invalid fleet id ${JSON.stringify(fleet)}: want "namespace/name"`);
  return FLEET_URI_PREFIX + fleet;
}

/** The fleet a URI SAN names, or undefined when it is not a fleet identity. */
export function fleetOfIdentity(uri: string): string | undefined {
  if (!uri.startsWith(FLEET_URI_PREFIX)) return undefined;
  const fleet = uri.slice(FLEET_URI_PREFIX.length);
  return isFleetId(fleet) ? fleet : undefined;
}

// Kubernetes namespaces and Gateway names are DNS subdomain-like names.
const NAME = '[a-z0-9]([-a-z0-9.]*[a-z0-9])?';
const FLEET_ID = new RegExp(`^${NAME}/${NAME}$`);

/** Whether s has the shape of a fleet id, "namespace/name". */
export function isFleetId(s: string): boolean {
  return s.length <= 253 + 1 + 253 && FLEET_ID.test(s);
}

/** URIs among a certificate's subject alternative names. */
export function certificateUris(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (!san) return [];
  // Node renders SANs as "URI:a, DNS:b"; values that contain separators are
  // JSON-quoted, which no fleet identity ever needs, so such entries never match.
  return san
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}

/** Creates a self-signed CA (ECDSA P-256) valid for ten years. */
export async function createCa(commonName: string): Promise<CertificateAndKey> {
  const x509 = await loadX509();
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys: keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(x509, keys.privateKey) };
}

/** Issues a leaf certificate (ECDSA P-256) signed by the CA. */
export async function issueCertificate(ca: CertificateAndKey, o: IssueOptions): Promise<CertificateAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(x509, ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names: X509.JsonGeneralName[] = [];
  for (const d of o.dnsNames ?? []) names.push({ type: 'dns', value: d });
  for (const ip of o.ipAddresses ?? []) {
    if (isIP(ip) === 0) throw new Error(`invalid IP address ${JSON.stringify(ip)}`);
    names.push({ type: 'ip', value: ip });
  }
  for (const u of o.uris ?? []) names.push({ type: 'url', value: u });
  const now = Date.now();
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension([o.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth], false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(o.commonName),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (o.days ?? 365) * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(x509, keys.privateKey) };
}

function distinguishedName(commonName: string): string {
  // The x509 name parser treats ',', '+', '=' and quotes as syntax.
  return `CN=${commonName.replace(/([,+="\\<>;#])/g, '\\$1')}`;
}

function serialNumber(): string {
  // A positive 16-byte serial: clear the top bit so DER does not read it as negative.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function exportKeyPem(x509: typeof X509, key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importKeyPem(x509: typeof X509, pem: string): Promise<webcrypto.CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('CA key: no PEM block found');
  return await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}
