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

/** A fleet's Envoy pod: its Secret and rendered bootstrap in a directory, the stand-in started as the fleet manifest starts it. */
async function startFleetPod(
  dir: string,
  ca: Awaited<ReturnType<typeof createCa>>,
  xdsPort: number,
  gateway: { namespace: string; name: string },
  podName: string,
): Promise<{ standin: Standin; readyPort: number; adminPort: number }> {
  const fleet = `${gateway.namespace}/${gateway.name}`;
  const clientCert = await issueCertificate(ca, { commonName: 'fleet', uris: [fleetIdentity(fleet)], usage: 'client' });
  const podDir = fs.mkdtempSync(path.join(dir, `${podName}-`));
  for (const [f, pem] of [['ca.crt', ca.certPem], ['tls.crt', clientCert.certPem], ['tls.key', clientCert.keyPem]] as const) fs.writeFileSync(path.join(podDir, f), pem);
  const readyPort = await freePort();
  const adminPort = await freePort();
  const vars: Record<string, string> = {
    NODE_CLUSTER: fleet,
    GATEWAY_NAMESPACE: gateway.namespace,
    GATEWAY_NAME: gateway.name,
    XDS_HOST: 'localhost',
    XDS_PORT: String(xdsPort),
    XDS_CA_FILE: path.join(podDir, 'ca.crt'),
    XDS_CERT_FILE: path.join(podDir, 'tls.crt'),
    XDS_KEY_FILE: path.join(podDir, 'tls.key'),
    ADMIN_PORT: String(adminPort),
  };
  const rendered = fs
    .readFileSync(path.join(REPO, 'envoy/bootstrap.yaml'), 'utf8')
    .replace(/\{\{([A-Z_]+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`)
    .replace('port_value: 19001', `port_value: ${readyPort}`);
  fs.writeFileSync(path.join(podDir, 'envoy.yaml'), rendered);
  // The fleet manifest's command line (packages/controller/src/fleet.ts), with loopback binding for the test.
  const args = parseStandinArgs(['-c', path.join(podDir, 'envoy.yaml'), '--service-node', podName, '--log-level', process.env.STANDIN_LOG ?? 'off', '--drain-time-s', '30', '--standin-bind-address', '127.0.0.1']);
  return { standin: await startStandin(readBootstrap(args), args, createLog(args.logLevel)), readyPort, adminPort };
}

async function readiness(readyPort: number): Promise<string> {
  const ready = await until('/ready to answer 200', async () => {
    const r = await request(readyPort, '/ready');
    return r.status === 200 ? r : undefined;
  });
  return ready.body;
}

describe('a fleet Envoy pod, played by the stand-in', () => {
  let xds: XdsServer;
  const pods: Standin[] = [];
  let readyPort: number;
  let notAccepted: { readyPort: number; adminPort: number };
  let gatewayPort: number;
  let echo: { port: number; close(): Promise<void> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-fleet-'));

  beforeAll(async () => {
    echo = await echoServer('echo');
    gatewayPort = await freePort();
    const objects = parseAllDocuments(`${gatewayYaml([`{name: http, port: ${gatewayPort}, protocol: HTTP}`])}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: only-unsupported, namespace: web}
spec:
  gatewayClassName: switchyard
  listeners: [{name: udp, port: 5353, protocol: UDPX}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: web}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: echo, port: 80}]}]
${serviceYaml('web', 'echo', echo.port)}`).map((d) => d.toJS() as KubeObject);
    const { fleets } = translate(snapshotOf(objects));
    const cache = new SnapshotCache();
    for (const id of ['web/gw', 'web/only-unsupported']) {
      const fleet = fleets.get(id);
      if (!fleet) throw new Error(`no fleet ${id}`);
      cache.setFleet(id, fleet);
    }

    const ca = await createCa('xds CA');
    const serverCert = await issueCertificate(ca, { commonName: 'xds', dnsNames: ['localhost'], usage: 'server' });
    xds = createXdsServer({ cache, tls: { caPem: ca.certPem, certPem: serverCert.certPem, keyPem: serverCert.keyPem }, logger: pino({ level: 'silent' }) });
    const xdsPort = await xds.listen('127.0.0.1', 0);
    const pod = await startFleetPod(dir, ca, xdsPort, { namespace: 'web', name: 'gw' }, 'gw-pod-1');
    pods.push(pod.standin);
    readyPort = pod.readyPort;
    const other = await startFleetPod(dir, ca, xdsPort, { namespace: 'web', name: 'only-unsupported' }, 'only-unsupported-pod-1');
    pods.push(other.standin);
    notAccepted = other;
  });

  afterAll(async () => {
    for (const p of pods) await p.close();
    await xds?.close();
    await echo?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready before its configuration arrives, then ready through the static readiness listener', async () => {
    expect(await readiness(readyPort)).toBe('LIVE\n');
  });

  it('gets its fleet over mTLS and serves its Gateway listener', async () => {
    const r = await until('the gateway listener', async () => {
      const x = await request(gatewayPort, '/hello');
      return x.status === 200 ? x : undefined;
    });
    expect(JSON.parse(r.body) as Echoed).toMatchObject({ backend: 'echo', path: '/hello' });
    expect(
      xds
        .streams()
        .map((s) => [s.nodeId, s.fleet])
        .sort(),
    ).toEqual([
      ['gw-pod-1', 'web/gw'],
      ['only-unsupported-pod-1', 'web/only-unsupported'],
    ]);
  });

  it('of a Gateway that is not accepted gets an empty configuration and is ready, serving nothing', async () => {
    expect(await readiness(notAccepted.readyPort)).toBe('LIVE\n');
    // Only the bootstrap's own static readiness listener: nothing of the Gateway's.
    const dump = JSON.parse((await request(notAccepted.adminPort, '/config_dump')).body) as { listeners: Array<{ name: string }>; routes: unknown[] };
    expect(dump.listeners.map((l) => l.name)).toEqual(['switchyard_ready']);
    expect(dump.routes).toEqual([]);
  });
});
