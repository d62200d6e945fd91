// One upstream attempt: the request the model computed, sent to one endpoint
// over HTTP/1.1 or HTTP/2 (cleartext, or TLS when the cluster originates it),
// and how it ended: a response, a failed connect, or a reset.
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type tls from 'node:tls';
import type { Readable } from 'node:stream';
import type { HeaderList } from './envoy-model.js';
import { HOP_BY_HOP, headerListOf, headerObject } from './http-downstream.js';

export interface UpstreamTarget {
  /** The cluster: connections are pooled per cluster, as Envoy's are, never shared across clusters. */
  readonly cluster: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: 'http1' | 'http2';
  /** TLS towards the endpoint (UpstreamTlsContext), if the cluster has one. */
  readonly tls?: tls.ConnectionOptions;
}

export interface UpstreamRequest {
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  readonly headers: HeaderList;
  readonly body: Buffer | Readable;
}

export type UpstreamResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: HeaderList; readonly body: Readable; readonly trailers: () => HeaderList; readonly abort: () => void }
  | { readonly kind: 'connect-failure' | 'reset'; readonly message: string };

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

// Connection pools per cluster (Envoy's are per cluster and host): two
// clusters to the same endpoint with different upstream TLS (SNI, CA, SANs
// of their BackendTLSPolicies) must not reuse each other's verified
// connections. Node's https.Agent keys its sockets by SNI and CA but not by
// the SAN check, and an HTTP/2 session by its origin alone.
const agents = new Map<string, http.Agent>();
const sessions = new Map<string, http2.ClientHttp2Session>();

function agentFor(t: UpstreamTarget): http.Agent {
  const key = `${t.tls ? 'https' : 'http'} ${t.cluster}`;
  let a = agents.get(key);
  if (!a) {
    a = t.tls ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    agents.set(key, a);
  }
  return a;
}

function forwardable(headers: HeaderList, h2: boolean): HeaderList {
  // HTTP/2 allows "te: trailers" (gRPC needs it) and nothing else hop-by-hop.
  return headers.filter(([n, v]) => !n.startsWith(':') && n !== 'host' && !HOP_BY_HOP.has(n) && (n !== 'te' || (h2 && v.toLowerCase() === 'trailers')));
}

export function sendUpstream(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResult> {
  return t.protocol === 'http2' ? sendHttp2(t, req) : sendHttp1(t, req);
}

function sendHttp1(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    let connected = false;
    const options: https.RequestOptions = {
      host: t.address,
      port: t.port,
      method: req.method,
      path: req.path,
      headers: { ...headerObject(forwardable(req.headers, false)), host: req.authority },
      ...(t.tls ? { ...t.tls, agent: agentFor(t) } : { agent: agentFor(t) }),
    };
    const r = (t.tls ? https : http).request(options, (res) => {
      resolve({
        kind: 'response',
        status: res.statusCode ?? 502,
        headers: headerListOf(res.headers),
        body: res,
        trailers: () => headerListOf(res.trailers),
        abort: () => r.destroy(),
      });
    });
    r.on('socket', (s) => {
      if (!s.connecting) connected = true;
      else s.once(t.tls ? 'secureConnect' : 'connect', () => (connected = true));
    });
    r.on('error', (e: NodeJS.ErrnoException) => {
      resolve({ kind: !connected && CONNECT_ERRORS.has(e.code ?? '') ? 'connect-failure' : 'reset', message: e.message });
    });
    if (Buffer.isBuffer(req.body)) r.end(req.body);
    else req.body.pipe(r);
  });
}

function session(t: UpstreamTarget): http2.ClientHttp2Session {
  const origin = `${t.tls ? 'https' : 'http'}://${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`;
  const key = `${t.cluster} ${origin}`;
  const existing = sessions.get(key);
  if (existing && !existing.closed && !existing.destroyed) return existing;
  const s = http2.connect(origin, t.tls ? { ...t.tls, ALPNProtocols: ['h2'] } : {});
  s.on('error', () => sessions.delete(key));
  s.on('close', () => sessions.delete(key));
  s.on('goaway', () => sessions.delete(key));
  sessions.set(key, s);
  return s;
}

function sendHttp2(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    const s = session(t);
    let connected = !s.connecting;
    s.once('connect', () => (connected = true));
    const fail = (e: NodeJS.ErrnoException) => resolve({ kind: !connected && CONNECT_ERRORS.has(e.code ?? '') ? 'connect-failure' : 'reset', message: e.message });
    s.once('error', fail);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = s.request({
        ':method': req.method,
        ':path': req.path,
        ':authority': req.authority,
        ':scheme': t.tls ? 'https' : 'http',
        ...headerObject(forwardable(req.headers, true)),
      });
    } catch (e) {
      fail(e as NodeJS.ErrnoException);
      return;
    }
    let trailers: HeaderList = [];
    stream.on('trailers', (h) => (trailers = headerListOf(h)));
    stream.on('response', (h) => {
      s.off('error', fail);
      resolve({
        kind: 'response',
        status: Number(h[':status'] ?? 502),
        headers: headerListOf(h).filter(([n]) => !n.startsWith(':')),
        body: stream,
        trailers: () => trailers,
        abort: () => stream.close(http2.constants.NGHTTP2_CANCEL),
      });
    });
    stream.on('error', fail);
    stream.on('close', () => fail(Object.assign(new Error(`upstream stream closed (code ${stream.rstCode})`), { code: 'ERESET' })));
    if (Buffer.isBuffer(req.body)) stream.end(req.body);
    else req.body.pipe(stream);
  });
}

/** Closes pooled upstream connections (at shutdown). */
export function closeUpstreams(): void {
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
  for (const a of agents.values()) a.destroy();
  agents.clear();
}
