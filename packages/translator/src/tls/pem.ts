// PEM blocks (RFC 7468): the text form of certificates and keys in Secrets and
// ConfigMaps. Parsed by hand only far enough to split a bundle into blocks;
// node:crypto does the actual DER parsing.
import { X509Certificate } from 'node:crypto';

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE", "RSA PRIVATE KEY". */
  readonly label: string;
  /** The block re-serialised with normalised line endings. */
  readonly pem: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/g;

/** Every PEM block in a text, in order; text between blocks is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] ?? '';
    const body = (m[2] ?? '').replace(/\r/g, '');
    out.push({ label, pem: `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n` });
  }
  return out;
}

export type CertificateBundleParse =
  { readonly ok: true; readonly certificates: readonly X509Certificate[]; readonly pem: string } | { readonly ok: false; readonly message: string };

/**
 * Parses a text that must hold one or more PEM certificates and nothing else
 * that looks like PEM (a private key in a CA bundle is a mistake worth naming).
 */
export function parseCertificateBundle(text: string): CertificateBundleParse {
  const blocks = pemBlocks(text);
  if (blocks.length === 0) return { ok: false, message: 'no PEM-encoded certificate found' };
  const certificates: X509Certificate[] = [];
  for (const [i, b] of blocks.entries()) {
    if (b.label !== 'CERTIFICATE') return { ok: false, message: `PEM block ${i + 1} is a ${b.label}, expected CERTIFICATE` };
    try {
      certificates.push(new X509Certificate(b.pem));
    } catch (e) {
      return { ok: false, message: `PEM block ${i + 1} is not a valid X.509 certificate (${errorText(e)})` };
    }
  }
  return { ok: true, certificates, pem: blocks.map((b) => b.pem).join('') };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
