// TLS the stand-in originates towards a cluster's endpoints (BackendTLSPolicy):
// the model reads the cluster's UpstreamTlsContext (upstreamTlsOf); this turns
// it into Node TLS options with the CA, client certificate and SANs from the
// fleet's SDS secrets.
import tls from 'node:tls';
import type { Cluster, EnvoyResources, Secret } from '@switchyard/protos';
import { upstreamTlsOf } from './envoy-model.js';
import { dataSourceBytes } from './data-source.js';

export function upstreamTlsOptions(cluster: Cluster, resources: EnvoyResources): tls.ConnectionOptions | undefined {
  const u = upstreamTlsOf(cluster);
  if (!u) return undefined;
  const secret = (name: string | undefined): Secret | undefined => (name ? resources.secrets.find((s) => s.name === name) : undefined);
  const ca = u.trustedCa && u.trustedCa !== 'system' ? dataSourceBytes(secret(u.trustedCa)?.validation_context?.trusted_ca) : undefined;
  const client = secret(u.clientCertificate)?.tls_certificate;
  const cert = dataSourceBytes(client?.certificate_chain);
  const key = dataSourceBytes(client?.private_key);
  const sans = u.subjectAltNames.filter((s) => s.startsWith('DNS:') || s.startsWith('URI:'));
  return {
    ...(u.sni ? { servername: u.sni } : {}),
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    rejectUnauthorized: true,
    checkServerIdentity: (host, peer) => {
      if (sans.length === 0) return tls.checkServerIdentity(u.sni ?? host, peer);
      const presented = (peer.subjectaltname ?? '').split(', ');
      return sans.some((s) => presented.includes(s)) ? undefined : new Error(`upstream certificate SANs ${peer.subjectaltname ?? '(none)'} match none of ${sans.join(', ')}`);
    },
  };
}
