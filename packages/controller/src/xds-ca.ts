// The xDS CA: one key pair per installation, kept in a Secret of the
// controller's namespace. It signs the xDS server's certificate (the names
// fleets dial) and each fleet's client certificate (the fleet's identity, so
// a stream only ever receives its own fleet's configuration).
import type { Logger } from 'pino';
import type { KubeObject } from '@switchyard/api';
import { createCa, issueCertificate, fleetIdentity, type CertificateAndKey } from '@switchyard/xds';
import { isConflict, type KubeClient } from './rest.js';
import { XDS_SERVICE_NAME } from './installed-names.js';
import type { FleetCertificate } from './fleet-provisioner.js';

interface TlsSecret extends KubeObject {
  data?: Record<string, string>;
}

/** Reads the CA Secret, or creates it; replicas racing to create it converge on whichever was created first. */
export async function loadOrCreateCa(client: KubeClient, namespace: string, name: string, log: Logger): Promise<CertificateAndKey> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const read = async () => {
    const s = await client.getOrUndefined<TlsSecret>(`${path}/${encodeURIComponent(name)}`);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    return crt && key ? { certPem: Buffer.from(crt, 'base64').toString('utf8'), keyPem: Buffer.from(key, 'base64').toString('utf8') } : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const ca = await createCa('switchyard xDS CA');
  try {
    await client.create(path, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'switchyard', 'app.kubernetes.io/component': 'xds-ca' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(ca.certPem).toString('base64'), 'tls.key': Buffer.from(ca.keyPem).toString('base64') },
    } as KubeObject);
    log.info({ secret: `${namespace}/${name}` }, 'generated the xDS CA');
    return ca;
  } catch (e) {
    if (!isConflict(e)) throw e;
    const other = await read();
    if (!other) throw new Error(`CA Secret ${namespace}/${name} exists but has no tls.crt/tls.key`);
    return other;
  }
}

/** The xDS server's TLS: a server certificate for every name of the xDS Service (and localhost), or plaintext when `insecure`. */
export async function xdsServerTls(
  ca: CertificateAndKey,
  o: { serviceHost: string; namespace: string; insecure: boolean },
): Promise<{ caPem: string; certPem: string; keyPem: string } | { insecure: true }> {
  if (o.insecure) return { insecure: true };
  const dnsNames = [
    ...new Set([
      o.serviceHost,
      `${XDS_SERVICE_NAME}.${o.namespace}`,
      `${XDS_SERVICE_NAME}.${o.namespace}.svc`,
      `${XDS_SERVICE_NAME}.${o.namespace}.svc.cluster.local`,
      'localhost',
    ]),
  ];
  const server = await issueCertificate(ca, { commonName: XDS_SERVICE_NAME, dnsNames, ipAddresses: ['127.0.0.1'], usage: 'server' });
  return { caPem: ca.certPem, ...server };
}

/** A fleet's xDS client certificate: its identity is the fleet name ("namespace/name" of its Gateway). */
export async function fleetCredentials(ca: CertificateAndKey, fleet: string): Promise<FleetCertificate> {
  return { ...(await issueCertificate(ca, { commonName: fleet, uris: [fleetIdentity(fleet)], usage: 'client' })), caPem: ca.certPem };
}
