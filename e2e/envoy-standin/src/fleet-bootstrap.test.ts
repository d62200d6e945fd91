// The stand-in as a fleet's Envoy pod runs it: the controller's bootstrap
// template (envoy/bootstrap.yaml) with the fleet's client certificate, mTLS
// delta ADS to an xDS server that takes the fleet from the certificate, and
// readiness answered through the bootstrap's own static readiness listener.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { translate } from '@switchyard/translator';
import { createCa, createXdsServer, fleetIdentity, issueCertificate, SnapshotCache, type XdsServer } from '@switchyard/xds';
import { pino } from 'pino';
import { parseStandinArgs } from './args.js';
import { readBootstrap } from './bootstrap.js';
import { createLog } from './log.js';
import { startStandin, type Standin } from './standin.js';
import { echoServer, freePort, gatewayYaml, REPO, request, serviceYaml, until, type Echoed } from './testing/harness.js';

describe('a fleet Envoy pod, played by the stand-in', () => {
  let xds: XdsServer;
  let standin: Standin;
  let readyPort: number;
  let gatewayPort: number;
  let echo: { port: number; close(): Promise<void> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-fleet-'));

  beforeAll(async () => {
    echo = await echoServer('echo');
    gatewayPort = await freePort();
    const objects = parseAllDocuments(`${gatewayYaml([`{name: http, port: ${gatewayPort}, protocol: HTTP}`])}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: web}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: echo, port: 80}]}]
${serviceYaml('web', 'echo', echo.port)}`).map((d) => d.toJS() as KubeObject);
    const fleet = translate(snapshotOf(objects)).fleets.get('web/gw');
    if (!fleet) throw new Error('no fleet web/gw');

    const ca = await createCa('xds CA');
    const serverCert = await issueCertificate(ca, { commonName: 'xds', dnsNames: ['localhost'], usage: 'server' });
    const clientCert = await issueCertificate(ca, { commonName: 'fleet', uris: [fleetIdentity('web/gw')], usage: 'client' });
    const cache = new SnapshotCache();
    cache.setFleet('web/gw', fleet);
    xds = createXdsServer({ cache, tls: { caPem: ca.certPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem }, logger: pino({ level: 'silent' }) });
    const xdsPort = await xds.listen('127.0.0.1', 0);

    // The fleet's Secret, mounted as the pod would have it; the template rendered as the controller renders it.
    for (const [f, pem] of [['ca.crt', ca.certPem], ['tls.crt', clientCert.certPem], ['tls.key', clientCert.keyPem]] as const) fs.writeFileSync(path.join(dir, f), pem);
    readyPort = await freePort();
    const vars: Record<string, string> = {
      NODE_CLUSTER: 'web/gw',
      GATEWAY_NAMESPACE: 'web',
      GATEWAY_NAME: 'gw',
      XDS_HOST: 'localhost',
      XDS_PORT: String(xdsPort),
      XDS_CA_FILE: path.join(dir, 'ca.crt'),
      XDS_CERT_FILE: path.join(dir, 'tls.crt'),
      XDS_KEY_FILE: path.join(dir, 'tls.key'),
      ADMIN_PORT: String(await freePort()),
    };
    const rendered = fs
      .readFileSync(path.join(REPO, 'envoy/bootstrap.yaml'), 'utf8')
      .replace(/\{\{([A-Z_]+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`)
      .replace('port_value: 19001', `port_value: ${readyPort}`);
    fs.writeFileSync(path.join(dir, 'envoy.yaml'), rendered);

    // The fleet manifest's command line (packages/controller/src/fleet.ts), with loopback binding for the test.
    const args = parseStandinArgs(['-c', path.join(dir, 'envoy.yaml'), '--service-node', 'gw-pod-1', '--log-level', process.env.STANDIN_LOG ?? 'off', '--drain-time-s', '30', '--standin-bind-address', '127.0.0.1']);
    standin = await startStandin(readBootstrap(args), args, createLog(args.logLevel));
  });

  afterAll(async () => {
    await standin?.close();
    await xds?.close();
    await echo?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready before its configuration arrives, then ready through the static readiness listener', async () => {
    const ready = await until('/ready to answer 200', async () => {
      const r = await request(readyPort, '/ready');
      return r.status === 200 ? r : undefined;
    });
    expect(ready.body).toBe('LIVE\n');
  });

  it('gets its fleet over mTLS and serves its Gateway listener', async () => {
    const r = await until('the gateway listener', async () => {
      const x = await request(gatewayPort, '/hello');
      return x.status === 200 ? x : undefined;
    });
    expect(JSON.parse(r.body) as Echoed).toMatchObject({ backend: 'echo', path: '/hello' });
    expect(xds.streams().map((s) => [s.nodeId, s.fleet])).toEqual([['gw-pod-1', 'web/gw']]);
  });
});
