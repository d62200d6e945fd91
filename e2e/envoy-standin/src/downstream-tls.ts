// TLS termination as the model describes it for a connection (TlsHandling
// 'terminate'): the certificates served for the SNI, the ALPN offered, and
// whether a client certificate is required, requested or not asked for,
// with key material from the fleet's SDS secrets.
import tls from 'node:tls';
import type { EnvoyResources } from '@switchyard/protos';
import type { TlsHandling } from './envoy-model.js';
import { dataSourceBytes } from './data-source.js';

/**
 * The TLS options that terminate this connection. Where a client certificate
 * is required, the stand-in hands the connection to a tls.Server: Node
 * verifies a client certificate on a bare TLSSocket too, but only a
 * tls.Server acts on the result (rejectUnauthorized), failing the handshake
 * as Envoy does for a certificate its CA did not sign (VERIFY_TRUST_CHAIN).
 * With 'optional' (ACCEPT_UNTRUSTED) any certificate, or none, is accepted.
 */
export function serverOptionsFor(t: Extract<TlsHandling, { mode: 'terminate' }>, resources: EnvoyResources): tls.TlsOptions | undefined {
  const certs: Buffer[] = [];
  const keys: Buffer[] = [];
  for (const name of t.served) {
    const c = resources.secrets.find((s) => s.name === name)?.tls_certificate;
    const cert = dataSourceBytes(c?.certificate_chain);
    const key = dataSourceBytes(c?.private_key);
    if (cert && key) {
      certs.push(cert);
      keys.push(key);
    }
  }
  // Without its certificate Envoy keeps the listener warming: nothing is served.
  if (certs.length === 0) return undefined;
  const ca = t.clientCa ? dataSourceBytes(resources.secrets.find((s) => s.name === t.clientCa)?.validation_context?.trusted_ca) : undefined;
  return {
    cert: certs,
    key: keys,
    ...(ca ? { ca } : {}),
    ...(t.alpn.length > 0 ? { ALPNProtocols: [...t.alpn] } : {}),
    requestCert: t.clientCertificate !== 'none',
    rejectUnauthorized: t.clientCertificate === 'required',
  };
}
