// Serving and client certificates from kubernetes.io/tls Secrets (Gateway
// listener certificateRefs, Gateway spec.tls.backend.clientCertificateRef).
// A certificate is checked before it reaches Envoy: Envoy rejects a bad one by
// NACKing the whole Listener or Cluster update, which would take down every
// other listener of the fleet with it. Here a bad Secret only costs the listener
// that references it, with a message naming the Secret.
import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { SECRET_TYPE_TLS, objectKey, secretValue, type SecretData } from './object-data.js';
import { errorText, parseCertificateBundle, pemBlocks } from './pem.js';

/** Key algorithms Envoy (BoringSSL) accepts for a TLS certificate. */
export type KeyAlgorithm = 'RSA' | 'ECDSA';

export interface CertificateSubjectAltNames {
  readonly dns: readonly string[];
  readonly uri: readonly string[];
  readonly ip: readonly string[];
}

/** A certificate chain and matching key that passed every check. */
export interface TlsCertificatePair {
  /** The Secret it came from, "namespace/name". */
  readonly source: string;
  readonly certificateChainPem: string;
  readonly privateKeyPem: string;
  readonly keyAlgorithm: KeyAlgorithm;
  /** RSA modulus bits or the ECDSA curve name, for messages and explain. */
  readonly keyDetail: string;
  readonly subject: string;
  readonly subjectAltNames: CertificateSubjectAltNames;
  readonly notBefore: string;
  readonly notAfter: string;
  /**
   * Notes that do not make the certificate unusable. Expiry is one: the
   * Gateway API leaves renewal to the user and a Gateway must keep serving
   * an expired certificate rather than drop the listener.
   */
  readonly warnings: readonly string[];
}

export type CertificateCheck = { readonly ok: true; readonly certificate: TlsCertificatePair } | { readonly ok: false; readonly message: string };

/** Envoy supports ECDSA leaf keys on these curves only. */
const SUPPORTED_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
};

/**
 * Checks a Secret holding a certificate chain and private key: type
 * kubernetes.io/tls, tls.crt and tls.key present, both PEM, the key RSA
 * (>= 2048 bits) or ECDSA (P-256/384/521), and matching the leaf certificate.
 * `now` only feeds the expiry warning.
 */
export function checkTlsCertificateSecret(secret: SecretData, now: Date): CertificateCheck {
  // Parsing a key and proving it matches costs ~2 ms (RSA); the same Secret is
  // referenced by many listeners and survives many translations. Snapshot
  // objects are never mutated (an update is a new object), so the object
  // itself is the cache key, and a changed Secret is checked afresh.
  const at = now.getTime();
  const hit = checks.get(secret);
  if (hit && hit.at === at) return hit.check;
  const check = checkUncached(secret, now);
  checks.set(secret, { at, check });
  return check;
}

const checks = new WeakMap<SecretData, { at: number; check: CertificateCheck }>();

function checkUncached(secret: SecretData, now: Date): CertificateCheck {
  const name = objectKey(secret);
  const fail = (why: string): CertificateCheck => ({ ok: false, message: `Secret ${name} ${why}` });
  if ((secret.type ?? 'Opaque') !== SECRET_TYPE_TLS) return fail(`is of type "${secret.type ?? 'Opaque'}", must be "${SECRET_TYPE_TLS}"`);
  const crt = secretValue(secret, 'tls.crt');
  const key = secretValue(secret, 'tls.key');
  if (crt === undefined || crt.trim() === '') return fail('has no tls.crt');
  if (key === undefined || key.trim() === '') return fail('has no tls.key');

  const chain = parseCertificateBundle(crt);
  if (!chain.ok) return fail(`tls.crt: ${chain.message}`);
  const leaf = chain.certificates[0] as X509Certificate;

  const keyBlocks = pemBlocks(key);
  if (keyBlocks.length !== 1) return fail(`tls.key: expected exactly one PEM private key, found ${keyBlocks.length} PEM blocks`);
  const keyBlock = keyBlocks[0]!;
  if (keyBlock.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(keyBlock.pem))
    return fail('tls.key: the private key is encrypted; Envoy needs it unencrypted');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyBlock.pem);
  } catch (e) {
    return fail(`tls.key: not a valid private key (${errorText(e)})`);
  }
  const algorithm = keyAlgorithmOf(privateKey);
  if (!algorithm.ok) return fail(`tls.key: ${algorithm.message}`);
  if (!leaf.checkPrivateKey(privateKey)) return fail('tls.key does not match the certificate in tls.crt');

  const warnings: string[] = [];
  const notAfter = new Date(leaf.validTo);
  const notBefore = new Date(leaf.validFrom);
  if (notAfter.getTime() < now.getTime()) warnings.push(`Secret ${name}: the certificate expired at ${notAfter.toISOString()}`);
  if (notBefore.getTime() > now.getTime()) warnings.push(`Secret ${name}: the certificate is not valid before ${notBefore.toISOString()}`);
  return {
    ok: true,
    certificate: {
      source: name,
      certificateChainPem: chain.pem,
      privateKeyPem: keyBlock.pem,
      keyAlgorithm: algorithm.algorithm,
      keyDetail: algorithm.detail,
      subject: leaf.subject,
      subjectAltNames: subjectAltNamesOf(leaf),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      warnings,
    },
  };
}

type AlgorithmCheck = { ok: true; algorithm: KeyAlgorithm; detail: string } | { ok: false; message: string };

function keyAlgorithmOf(key: KeyObject): AlgorithmCheck {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048) return { ok: false, message: `RSA key of ${bits} bits; Envoy requires at least 2048` };
      return { ok: true, algorithm: 'RSA', detail: `RSA ${bits}` };
    }
    case 'ec': {
      const curve = SUPPORTED_CURVES[details.namedCurve ?? ''];
      if (!curve) return { ok: false, message: `ECDSA key on curve ${details.namedCurve ?? 'unknown'}; Envoy supports P-256, P-384 and P-521` };
      return { ok: true, algorithm: 'ECDSA', detail: `ECDSA ${curve}` };
    }
    default:
      return { ok: false, message: `${key.asymmetricKeyType ?? 'unknown'} key; Envoy supports RSA and ECDSA keys only` };
  }
}

/** The SANs of a certificate, parsed from node's "DNS:a, URI:b" rendering. */
export function subjectAltNamesOf(cert: X509Certificate): CertificateSubjectAltNames {
  const dns: string[] = [];
  const uri: string[] = [];
  const ip: string[] = [];
  for (const part of splitSubjectAltName(cert.subjectAltName ?? '')) {
    const colon = part.indexOf(':');
    const kind = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (kind === 'DNS') dns.push(value);
    else if (kind === 'URI') uri.push(value);
    else if (kind === 'IP Address') ip.push(value);
  }
  return { dns, uri, ip };
}

// Node quotes entries that contain ", " or other special characters as JSON
// strings (since v17.3.1, CVE-2021-44532), so a plain split(', ') is unsafe.
function splitSubjectAltName(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const colon = s.indexOf(':', i);
    if (colon < 0) break;
    const kind = s.slice(i, colon);
    let value: string;
    let next: number;
    if (s[colon + 1] === '"') {
      let j = colon + 2;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(s.slice(colon + 1, j + 1)) as string;
      } catch {
        value = s.slice(colon + 2, j);
      }
      next = j + 1;
    } else {
      const comma = s.indexOf(', ', colon);
      next = comma < 0 ? s.length : comma;
      value = s.slice(colon + 1, next);
    }
    out.push(`${kind}:${value}`);
    i = next;
    while (s[i] === ',' || s[i] === ' ') i++;
  }
  return out;
}
