// mTLS: the fleet of a stream is the one its client certificate names.
import { X509Certificate } from 'node:crypto';
import { TypeUrl } from '@switchyard/protos';
import { createCa, fleetIdentity, fleetOfIdentity, issueCertificate, type CertificateAndKey } from './index.js';
import { namesOf, type TestAdsClient } from '../test/ads-test-client.js';
import { fixture } from '../test/fixtures.js';
import { serverPerTest } from '../test/test-server.js';

let ca: CertificateAndKey;
let serverCert: CertificateAndKey;
let certA: CertificateAndKey;
let certB: CertificateAndKey;

beforeAll(async () => {
  ca = await createCa('switchyard test CA');
  serverCert = await issueCertificate(ca, { commonName: 'xds', dnsNames: ['xds.switchyard.test'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  certA = await issueCertificate(ca, { commonName: 'fleet a', uris: [fleetIdentity('team-a/gw')], usage: 'client' });
  certB = await issueCertificate(ca, { commonName: 'fleet b', uris: [fleetIdentity('team-b/gw')], usage: 'client' });
});

const xds = serverPerTest(() => ({ caPem: ca.certPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem }));

beforeEach(() => {
  xds.cache.setFleet('team-a/gw', fixture({ clusters: ['a-svc'], secret: 'a-secret' }));
  xds.cache.setFleet('team-b/gw', fixture({ clusters: ['b-svc'], secret: 'b-secret' }));
});

function client(cert: CertificateAndKey | undefined, node: { id: string; cluster?: string }, caPem = ca.certPem): TestAdsClient {
  return xds.client({ node, tls: { caPem, certPem: cert?.certPem, keyPem: cert?.keyPem } });
}

test('pki: fleet identity is a URI SAN; certificates carry the requested names and usage', () => {
  expect(fleetIdentity('team-a/gw')).toBe('spiffe://switchyard.dev/fleet/team-a/gw');
  expect(fleetOfIdentity('spiffe://switchyard.dev/fleet/team-a/gw')).toBe('team-a/gw');
  expect(fleetOfIdentity('spiffe://switchyard.dev/fleet/../x')).toBeUndefined();
  expect(() => fleetIdentity('no-slash')).toThrow(/namespace\/name/);
  const a = new X509Certificate(certA.certPem);
  expect(a.subjectAltName).toBe('URI:spiffe://switchyard.dev/fleet/team-a/gw');
  expect(a.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
  expect(a.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  expect(a.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  const s = new X509Certificate(serverCert.certPem);
  expect(s.subjectAltName).toBe('DNS:xds.switchyard.test, IP Address:127.0.0.1');
  expect(s.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
  expect(new X509Certificate(ca.certPem).ca).toBe(true);
});

test('each fleet certificate gets its own fleet, whatever node.cluster claims', async () => {
  const a = client(certA, { id: 'envoy-a', cluster: 'team-a/gw' }).sotw();
  const b = client(certB, { id: 'envoy-b', cluster: 'team-a/gw' }).sotw(); // claims fleet a
  a.request(TypeUrl.Secret, ['a-secret', 'b-secret']);
  b.request(TypeUrl.Secret, ['a-secret', 'b-secret']);
  expect(namesOf((await a.next()).resources)).toEqual(['a-secret']);
  expect(namesOf((await b.next()).resources)).toEqual(['b-secret']);
  b.request(TypeUrl.Cluster);
  expect(namesOf((await b.next()).resources)).toEqual(['b-svc']);
  expect(xds.server.streams().map((s) => [s.nodeId, s.fleet])).toEqual([
    ['envoy-a', 'team-a/gw'],
    ['envoy-b', 'team-b/gw'],
  ]);
});

test('delta streams are bound to the certificate fleet too', async () => {
  const b = client(certB, { id: 'envoy-b', cluster: 'team-a/gw' }).delta();
  b.request(TypeUrl.Cluster);
  const r = await b.next();
  expect(r.resources.map((x) => x.name)).toEqual(['b-svc']);
});

test('a client without a certificate is refused', async () => {
  const s = client(undefined, { id: 'anon', cluster: 'team-a/gw' }).sotw();
  s.request(TypeUrl.Secret, ['a-secret']);
  const status = await s.status;
  expect(status.code).not.toBe(0);
  await expect(s.next(10_000)).rejects.toThrow();
  expect(xds.server.streams()).toEqual([]);
});

test('a certificate from another CA is refused', async () => {
  const otherCa = await createCa('someone else');
  const forged = await issueCertificate(otherCa, { commonName: 'forged', uris: [fleetIdentity('team-a/gw')], usage: 'client' });
  const s = client(forged, { id: 'forged', cluster: 'team-a/gw' }).sotw();
  s.request(TypeUrl.Secret, ['a-secret']);
  const status = await s.status;
  expect(status.code).not.toBe(0);
  await expect(s.next(10_000)).rejects.toThrow();
});

test('a valid certificate that names no fleet is refused with PERMISSION_DENIED', async () => {
  const noFleet = await issueCertificate(ca, { commonName: 'no fleet', uris: ['spiffe://elsewhere/x'], usage: 'client' });
  const s = client(noFleet, { id: 'x', cluster: 'team-a/gw' }).delta();
  s.request(TypeUrl.Secret, { subscribe: ['a-secret'] });
  const status = await s.status;
  expect(status.code).toBe(7); // PERMISSION_DENIED
  expect(status.details).toMatch(/names no fleet/);
  expect(xds.server.stats().rejectedStreams).toBe(1);
});
