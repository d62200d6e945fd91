// TLS termination by SNI (with client-certificate validation), TLS
// passthrough, gRPC, WebSocket, TCP and UDP through the stand-in, configured
// by Switchyard's standalone mode, to backends on loopback.
import dgram from 'node:dgram';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createCa, issueCertificate, type CertificateAndKey } from '@switchyard/xds';
import { echoServer, freePort, gatewayYaml, h2Get, request, routeYaml, serviceYaml, startLocalStandin, startSwitchyard, until, type Echoed, type Switchyard } from './testing/harness.js';
import type { Standin } from './standin.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const indent = (s: string, n: number) => s.trim().split('\n').join(`\n${' '.repeat(n)}`);

interface Ports {
  https: number;
  mtls: number;
  passthrough: number;
  tcp: number;
  udp: number;
  http: number;
}

function manifests(
  p: Ports,
  be: { http: number; tlsBackend: number; tcp: number; udp: number; grpc: number; httpsBackend: number },
  serving: CertificateAndKey,
  ca: CertificateAndKey,
  otherCa: CertificateAndKey,
): string {
  return (
    gatewayYaml(
      [
        `{name: https, port: ${p.https}, protocol: HTTPS, hostname: secure.example.com, tls: {mode: Terminate, certificateRefs: [{name: secure-cert}]}}`,
        `{name: mtls, port: ${p.mtls}, protocol: HTTPS, hostname: secure.example.com, tls: {mode: Terminate, certificateRefs: [{name: secure-cert}]}}`,
        `{name: passthrough, port: ${p.passthrough}, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {kinds: [{kind: TLSRoute}]}}`,
        `{name: tcp, port: ${p.tcp}, protocol: TCP, allowedRoutes: {kinds: [{kind: TCPRoute}]}}`,
        `{name: udp, port: ${p.udp}, protocol: UDP, allowedRoutes: {kinds: [{kind: UDPRoute}]}}`,
        `{name: http, port: ${p.http}, protocol: HTTP}`,
      ],
      // The https port: certificates requested but not required (AllowInsecureFallback); the mtls port: required.
      `frontend: {default: {validation: {mode: AllowInsecureFallback, caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]}}, perPort: [{port: ${p.mtls}, tls: {validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]}}}]}`,
    ) +
    `---
apiVersion: v1
kind: Secret
metadata: {name: secure-cert, namespace: web}
type: kubernetes.io/tls
data: {tls.crt: ${b64(serving.certPem)}, tls.key: ${b64(serving.keyPem)}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: client-ca, namespace: web}
data:
  ca.crt: |
    ${indent(ca.certPem, 4)}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: web}
spec:
  parentRefs: [{name: gw, sectionName: https}, {name: gw, sectionName: mtls}, {name: gw, sectionName: http}]
  # Not grpc.example.com: an HTTPRoute and a GRPCRoute may not share a hostname on one listener.
  hostnames: [secure.example.com, ws.example.com]
  rules:
  - backendRefs: [{name: echo, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc, namespace: web}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: test.Echo, method: Echo}}]
    backendRefs: [{name: grpc-echo, port: 80}]
` +
    routeYaml('TLSRoute', 'pass', 'passthrough', 'tls-backend', ['pass.example.com']) +
    routeYaml('TCPRoute', 'tcp', 'tcp', 'tcp-echo') +
    routeYaml('UDPRoute', 'udp', 'udp', 'udp-echo') +
    serviceYaml('web', 'echo', be.http) +
    serviceYaml('web', 'grpc-echo', be.grpc) +
    serviceYaml('web', 'tls-backend', be.tlsBackend) +
    serviceYaml('web', 'tcp-echo', be.tcp) +
    serviceYaml('web', 'udp-echo', be.udp, { protocol: 'UDP' }) +
    // Two Services to one HTTPS backend, each with a BackendTLSPolicy: same
    // hostname and CA, a SAN the backend's certificate has and one it lacks.
    serviceYaml('web', 'btls-san-match', be.httpsBackend) +
    serviceYaml('web', 'btls-san-mismatch', be.httpsBackend) +
    backendTlsPolicyYaml('btls-san-match', 'backend.example.com') +
    backendTlsPolicyYaml('btls-san-mismatch', 'other.example.com') +
    // Two more, trusting a cluster-scoped ClusterTrustBundle (read from the file like any object):
    // one holding the CA that signed the backend's certificate, one holding another CA.
    serviceYaml('web', 'btls-ctb', be.httpsBackend) +
    serviceYaml('web', 'btls-ctb-other', be.httpsBackend) +
    backendTlsPolicyYaml('btls-ctb', 'backend.example.com', '{group: certificates.k8s.io, kind: ClusterTrustBundle, name: backend-root}') +
    backendTlsPolicyYaml('btls-ctb-other', 'backend.example.com', '{group: certificates.k8s.io, kind: ClusterTrustBundle, name: other-root}') +
    clusterTrustBundleYaml('backend-root', ca) +
    clusterTrustBundleYaml('other-root', otherCa) +
    `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: btls, namespace: web}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [btls.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /san-match}}]
    backendRefs: [{name: btls-san-match, port: 80}]
  - matches: [{path: {type: Exact, value: /san-mismatch}}]
    backendRefs: [{name: btls-san-mismatch, port: 80}]
  - matches: [{path: {type: Exact, value: /ctb}}]
    backendRefs: [{name: btls-ctb, port: 80}]
  - matches: [{path: {type: Exact, value: /ctb-other}}]
    backendRefs: [{name: btls-ctb-other, port: 80}]
`
  );
}

function clusterTrustBundleYaml(name: string, ca: CertificateAndKey): string {
  return `---
apiVersion: certificates.k8s.io/v1beta1
kind: ClusterTrustBundle
metadata: {name: ${name}}
spec:
  trustBundle: |
    ${indent(ca.certPem, 4)}
`;
}

function backendTlsPolicyYaml(service: string, san: string, caRef = '{group: "", kind: ConfigMap, name: client-ca}'): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: ${service}, namespace: web}
spec:
  targetRefs: [{group: "", kind: Service, name: ${service}}]
  validation:
    caCertificateRefs: [${caRef}]
    hostname: backend.example.com
    subjectAltNames: [{type: Hostname, hostname: ${san}}]
`;
}

const echoService: grpc.ServiceDefinition = {
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

describe('the Envoy stand-in for TLS, gRPC, WebSocket, TCP and UDP', () => {
  let sy: Switchyard;
  let standin: Standin;
  let ports: Ports;
  let ca: CertificateAndKey;
  let client: CertificateAndKey;
  const closers: Array<() => unknown> = [];

  beforeAll(async () => {
    ca = await createCa('standin test CA');
    const serving = await issueCertificate(ca, { commonName: 'secure.example.com', dnsNames: ['secure.example.com'], usage: 'server' });
    const passCert = await issueCertificate(ca, { commonName: 'pass.example.com', dnsNames: ['pass.example.com'], usage: 'server' });
    client = await issueCertificate(ca, { commonName: 'client', usage: 'client' });

    const echo = await echoServer('echo');
    closers.push(() => echo.close());
    // TLS passthrough backend: it terminates TLS itself and says which name the client asked for.
    const tlsBackend = tls.createServer({ cert: passCert.certPem, key: passCert.keyPem }, (s) => s.end(`passthrough:${(s as tls.TLSSocket).servername || ''}`));
    const tcpEcho = net.createServer((s) => s.pipe(s));
    // HTTPS backend for the BackendTLSPolicy tests: a certificate for backend.example.com only.
    const backendCert = await issueCertificate(ca, { commonName: 'backend.example.com', dnsNames: ['backend.example.com'], usage: 'server' });
    const httpsBackend = https.createServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (_req, res) => res.end('tls-backend'));
    await new Promise<void>((r) => httpsBackend.listen(0, '127.0.0.1', r));
    closers.push(() => httpsBackend.close());
    const udpEcho = dgram.createSocket('udp4');
    udpEcho.on('message', (m, r) => udpEcho.send(Buffer.concat([Buffer.from('udp:'), m]), r.port, r.address));
    await Promise.all([new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r)), new Promise<void>((r) => tcpEcho.listen(0, '127.0.0.1', r)), new Promise<void>((r) => udpEcho.bind(0, '127.0.0.1', r))]);
    closers.push(() => tlsBackend.close(), () => tcpEcho.close(), () => udpEcho.close());
    const grpcServer = new grpc.Server();
    grpcServer.addService(echoService, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.concat([Buffer.from('grpc:'), call.request])) });
    const grpcPort = await new Promise<number>((r, j) => grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) => (e ? j(e) : r(port))));
    closers.push(() => grpcServer.forceShutdown());

    ports = { https: await freePort(), mtls: await freePort(), passthrough: await freePort(), tcp: await freePort(), udp: await freePort('udp'), http: await freePort() };
    sy = await startSwitchyard(
      manifests(ports, { http: echo.port, tlsBackend: (tlsBackend.address() as AddressInfo).port, tcp: (tcpEcho.address() as AddressInfo).port, udp: udpEcho.address().port, grpc: grpcPort, httpsBackend: (httpsBackend.address() as AddressInfo).port }, serving, ca, await createCa('standin other CA')),
    );
    standin = await startLocalStandin(sy.xdsPort, 'web/gw');
    await until('the stand-in to be initialized', () => (standin.initialized() ? true : undefined));
  });

  afterAll(async () => {
    await standin?.close();
    await sy?.stop();
    for (const c of closers) await c();
  });

  function tlsRequest(port: number, o: { servername: string; cert?: CertificateAndKey }): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, path: '/secure', servername: o.servername, ca: ca.certPem, agent: false, headers: { host: o.servername }, ...(o.cert ? { cert: o.cert.certPem, key: o.cert.keyPem } : {}) },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('terminates TLS for the SNI with the Secret of the listener and routes the request', async () => {
    const r = await tlsRequest(ports.https, { servername: 'secure.example.com' });
    expect(r.status).toBe(200);
    const echoed = JSON.parse(r.body) as Echoed;
    expect(echoed).toMatchObject({ backend: 'echo', path: '/secure', host: 'secure.example.com' });
    expect(echoed.headers['x-forwarded-proto']).toBe('https');
    // A name the listener does not serve gets no filter chain: the connection is closed.
    await expect(tlsRequest(ports.https, { servername: 'other.example.com' })).rejects.toThrow();
  });

  it('speaks HTTP/2 over TLS when ALPN says h2', async () => {
    const session = http2.connect(`https://127.0.0.1:${ports.https}`, { servername: 'secure.example.com', ca: ca.certPem });
    try {
      const body = await h2Get(session, '/h2', 'secure.example.com');
      expect((session.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
      expect(JSON.parse(body) as Echoed).toMatchObject({ backend: 'echo', path: '/h2' });
    } finally {
      session.close();
    }
  });

  it('requires a client certificate from the Gateway CA where frontend validation is configured', async () => {
    const ok = await tlsRequest(ports.mtls, { servername: 'secure.example.com', cert: client });
    expect(ok.status).toBe(200);
    await expect(tlsRequest(ports.mtls, { servername: 'secure.example.com' })).rejects.toThrow();
  });

  it('refuses a client certificate that another CA signed, as Envoy fails the handshake', async () => {
    const otherCa = await createCa('standin test CA');
    const stranger = await issueCertificate(otherCa, { commonName: 'client', usage: 'client' });
    await expect(tlsRequest(ports.mtls, { servername: 'secure.example.com', cert: stranger })).rejects.toThrow();
    expect((await tlsRequest(ports.mtls, { servername: 'secure.example.com', cert: client })).status).toBe(200);
  });

  it('accepts any client certificate, or none, where validation allows the insecure fallback', async () => {
    const otherCa = await createCa('standin test CA');
    const stranger = await issueCertificate(otherCa, { commonName: 'client', usage: 'client' });
    expect((await tlsRequest(ports.https, { servername: 'secure.example.com', cert: stranger })).status).toBe(200);
    expect((await tlsRequest(ports.https, { servername: 'secure.example.com', cert: client })).status).toBe(200);
    expect((await tlsRequest(ports.https, { servername: 'secure.example.com' })).status).toBe(200);
  });

  it('originates TLS per BackendTLSPolicy and never reuses a connection verified for another policy', async () => {
    // The first request leaves a verified connection to the backend in the pool.
    expect(await request(ports.http, '/san-match', { host: 'btls.example.com' })).toMatchObject({ status: 200, body: 'tls-backend' });
    // Same endpoint, SNI and CA, but a SAN the certificate lacks: Envoy's pool for this cluster has no connection, and the handshake fails.
    expect((await request(ports.http, '/san-mismatch', { host: 'btls.example.com' })).status).toBeGreaterThanOrEqual(500);
    expect((await request(ports.http, '/san-match', { host: 'btls.example.com' })).status).toBe(200);
  });

  it('verifies a backend against a ClusterTrustBundle: reached when its CA signed the certificate, 5xx when another CA is the bundle', async () => {
    expect(await request(ports.http, '/ctb', { host: 'btls.example.com' })).toMatchObject({ status: 200, body: 'tls-backend' });
    expect((await request(ports.http, '/ctb-other', { host: 'btls.example.com' })).status).toBeGreaterThanOrEqual(500);
  });

  it('passes TLS through by SNI without decrypting it', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: ports.passthrough, servername: 'pass.example.com', ca: ca.certPem });
      let data = '';
      s.setEncoding('utf8');
      s.on('data', (c: string) => (data += c));
      s.on('end', () => resolve(data));
      s.on('error', reject);
    });
    expect(body).toBe('passthrough:pass.example.com');
  });

  it('routes gRPC by service and method to an HTTP/2 backend, trailers included', async () => {
    const Client = grpc.makeGenericClientConstructor(echoService, 'Echo');
    const c = new Client(`127.0.0.1:${ports.http}`, grpc.credentials.createInsecure(), { 'grpc.default_authority': 'grpc.example.com' }) as unknown as grpc.Client & { Echo: (req: Buffer, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void };
    try {
      const reply = await new Promise<Buffer>((resolve, reject) => c.Echo(Buffer.from('hi'), (e, r) => (e ? reject(e) : resolve(r!))));
      expect(reply.toString()).toBe('grpc:hi');
    } finally {
      c.close();
    }
  });

  it('upgrades to WebSocket and carries the bytes both ways', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(ports.http, '127.0.0.1', () => {
        s.write('GET /ws HTTP/1.1\r\nhost: ws.example.com\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
      });
      let data = '';
      s.setEncoding('utf8');
      s.on('data', (c: string) => {
        data += c;
        if (data.includes('\r\n\r\n') && !data.includes('ping')) s.write('ping');
        if (data.endsWith('ping')) {
          s.destroy();
          resolve(data);
        }
      });
      s.on('error', reject);
      s.on('end', () => reject(new Error(`closed after: ${data}`)));
    });
    expect(reply).toMatch(/^HTTP\/1.1 101/);
    expect(reply).toMatch(/x-backend: echo/);
  });

  it('proxies TCP and UDP to the route backends', async () => {
    const tcp = await new Promise<string>((resolve, reject) => {
      const s = net.connect(ports.tcp, '127.0.0.1', () => s.write('hello tcp'));
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        s.destroy();
        resolve(d);
      });
      s.on('error', reject);
    });
    expect(tcp).toBe('hello tcp');

    const u = dgram.createSocket('udp4');
    try {
      const reply = await new Promise<string>((resolve) => {
        u.on('message', (m) => resolve(m.toString()));
        u.send('hello udp', ports.udp, '127.0.0.1');
      });
      expect(reply).toBe('udp:hello udp');
    } finally {
      u.close();
    }
  });
});
