// What the stand-in's tests run against: Switchyard's own standalone mode
// (`switchyard serve --from-dir`, this checkout's build) as the xDS server,
// the bundled local bootstrap, and small backends on loopback that say who
// they are and what they received.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type http2 from 'node:http2';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { readBootstrap } from '../bootstrap.js';
import { startStandin, type Standin } from '../standin.js';
import { createLog } from '../log.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const port = s.address().port;
    s.close();
    return port;
  }
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Echoed {
  readonly backend: string;
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * An HTTP/1.1 backend that answers every request with what it received, and
 * echoes WebSocket bytes after a 101. Paths starting /slow are answered after
 * 2 s; paths starting /flaky fail with 500 every other time. `received` lists
 * every request in arrival order.
 */
export async function echoServer(name: string): Promise<{ port: number; received: Echoed[]; close(): Promise<void> }> {
  const received: Echoed[] = [];
  let flaky = 0;
  const server = http.createServer((req, res) => {
    const body: Echoed = { backend: name, method: req.method ?? '', path: req.url ?? '', host: req.headers.host ?? '', headers: req.headers };
    received.push(body);
    const answer = (status: number) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-backend': name });
      res.end(JSON.stringify(body));
    };
    if (body.path.startsWith('/slow')) setTimeout(() => answer(200), 2000);
    else if (body.path.startsWith('/flaky')) answer(flaky++ % 2 === 0 ? 500 : 200);
    else answer(200);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: ${req.headers.upgrade ?? ''}\r\nconnection: Upgrade\r\nx-backend: ${name}\r\n\r\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, received, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/**
 * The "switchyard" GatewayClass and the Gateway web/gw with the given
 * listeners (flow-style YAML, one per entry) and optional spec.tls.
 */
export function gatewayYaml(listeners: readonly string[], tls?: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: switchyard}
spec: {controllerName: switchyard.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web}
spec:
  gatewayClassName: switchyard
${tls ? `  tls:\n    ${tls.trim().split('\n').join('\n    ')}\n` : ''}  listeners:
${listeners.map((l) => `  - ${l}`).join('\n')}
`;
}

/** A route of web/gw's listener `section` with one rule to Service `backend` port 80 (TLSRoute, TCPRoute, UDPRoute...). */
export function routeYaml(kind: string, name: string, section: string, backend: string, hostnames?: readonly string[]): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: ${name}, namespace: web}
spec:
  parentRefs: [{name: gw, sectionName: ${section}}]
${hostnames ? `  hostnames: [${hostnames.join(', ')}]\n` : ''}  rules:
  - backendRefs: [{name: ${backend}, port: 80}]
`;
}

/** One HTTP/2 GET on a session; resolves to the body. */
export function h2Get(session: http2.ClientHttp2Session, p: string, authority: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = session.request({ ':path': p, ':authority': authority });
    let data = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (data += c));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

/** A Service and its EndpointSlice: port 80 of the Service goes to 127.0.0.1:`targetPort`. */
export function serviceYaml(ns: string, name: string, targetPort: number, opts: { appProtocol?: string; protocol?: 'TCP' | 'UDP' } = {}): string {
  const protocol = opts.protocol ?? 'TCP';
  const app = opts.appProtocol ? `, appProtocol: ${opts.appProtocol}` : '';
  return `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  ports: [{name: p, port: 80, targetPort: ${targetPort}, protocol: ${protocol}${app}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${ns}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: p, port: ${targetPort}, protocol: ${protocol}${app}}]
`;
}

export interface Switchyard {
  readonly xdsPort: number;
  readonly dir: string;
  status(): Promise<{ generation: number; statuses: unknown[]; nacks: unknown[] }>;
  stop(): Promise<void>;
}

/** `switchyard serve --from-dir` on loopback ports, from this checkout's build. */
export async function startSwitchyard(manifests: string): Promise<Switchyard> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-'));
  fs.writeFileSync(path.join(dir, 'manifests.yaml'), manifests);
  const xdsPort = await freePort();
  const httpPort = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO, 'packages/cli/dist/main.js'), 'serve', '--from-dir', dir, '--xds-address', `127.0.0.1:${xdsPort}`, '--http-address', `127.0.0.1:${httpPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = async () => (await (await fetch(`http://127.0.0.1:${httpPort}/status`)).json()) as { generation: number; statuses: unknown[]; nacks: unknown[] };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await status()).generation > 0) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`switchyard serve --from-dir did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    xdsPort,
    dir,
    status,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The stand-in with the bundled envoy/bootstrap-local.yaml, pointed at the
 * given xDS port and fleet, its admin and readiness ports moved to free ones
 * and its listeners bound to loopback.
 */
export async function startLocalStandin(xdsPort: number, fleet: string, o: { apiType?: 'GRPC' | 'DELTA_GRPC' } = {}): Promise<Standin & { bootstrapPath: string }> {
  let text = fs.readFileSync(path.join(REPO, 'envoy/bootstrap-local.yaml'), 'utf8');
  text = text.replace('port_value: 18000', `port_value: ${xdsPort}`).replace('port_value: 19000', `port_value: ${await freePort()}`);
  if (o.apiType) text = text.replace('api_type: DELTA_GRPC', `api_type: ${o.apiType}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-bootstrap-'));
  const bootstrapPath = path.join(dir, 'envoy.yaml');
  fs.writeFileSync(bootstrapPath, text);
  const args = { configPath: bootstrapPath, serviceCluster: fleet, serviceNode: 'standin-test', logLevel: process.env.STANDIN_LOG ?? 'off', drainTimeSeconds: 0, bindAddress: '127.0.0.1' };
  const standin = await startStandin(readBootstrap(args), args, createLog(args.logLevel));
  return { ...standin, bootstrapPath };
}

export async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A plain HTTP/1.1 request through the stand-in (fetch would add its own headers and follow redirects). */
export function request(port: number, p: string, o: { host?: string; method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: o.method ?? 'GET', agent: false, headers: { host: o.host ?? 'example.com', ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
