// The listeners the stand-in serves: one socket per Envoy Listener (TCP, or
// UDP for udp_proxy listeners), bound when the Listener arrives and closed
// when it goes. Every connection asks the model, with the current resources,
// which filter chain takes it and what happens next; the stand-in then
// terminates TLS, speaks HTTP, or proxies bytes and datagrams as told.
import net from 'node:net';
import http from 'node:http';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { EnvoyResources, Listener } from '@switchyard/protos';
import { explainTlsConnection, inspectsTlsOf, isUdp, selectConnectionListener, type TlsConnectionExplanation } from './envoy-model.js';
import { peekClientHello, type ClientHelloPeek } from './client-hello.js';
import { jsStream, peek } from './peek.js';
import { fromHttp1, fromHttp2, type ConnectionInfo } from './http-downstream.js';
import { routeRequest, type RouterContext } from './http-router.js';
import { routeUpgrade } from './websocket.js';
import { serverOptionsFor } from './downstream-tls.js';
import { proxyTcp } from './tcp-proxy.js';
import { UdpListener } from './udp-proxy.js';

/** Envoy's listener_filters_timeout default: a client that sends nothing is closed after 15 s. */
const LISTENER_FILTERS_TIMEOUT_MS = 15_000;
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

interface Bound {
  readonly key: string;
  close(): void;
}

export interface ListenerContext extends RouterContext {
  /** Overrides every listener's bind address (tests bind loopback only). */
  readonly bindAddress?: string;
}

function keyOf(l: Listener, bindAddress: string | undefined): string | undefined {
  const sa = l.address?.socket_address;
  if (!sa || sa.port_value === undefined || sa.port_value === null) return undefined;
  return `${isUdp(l) ? 'udp' : 'tcp'}/${bindAddress ?? sa.address ?? '0.0.0.0'}/${sa.port_value}`;
}

export class ListenerManager {
  private readonly bound = new Map<string, Bound>();
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly ctx: ListenerContext) {}

  /** Binds new listeners and closes removed ones; an error message when a port cannot be bound (Envoy NACKs the listener). */
  async apply(resources: EnvoyResources): Promise<string | undefined> {
    const wanted = new Map<string, Listener>();
    for (const l of resources.listeners) {
      const k = keyOf(l, this.ctx.bindAddress);
      if (k) wanted.set(k, l);
    }
    for (const [k, b] of this.bound) {
      if (!wanted.has(k)) {
        b.close();
        this.bound.delete(k);
        this.ctx.log.info(`listener ${k} removed`);
      }
    }
    const errors: string[] = [];
    for (const [k, l] of wanted) {
      if (this.bound.has(k)) continue;
      try {
        this.bound.set(k, await this.bind(k, l));
        this.ctx.log.info(`listener ${l.name ?? ''} on ${k}`);
      } catch (e) {
        errors.push(`listener ${l.name ?? ''}: cannot bind ${k}: ${(e as Error).message}`);
      }
    }
    return errors.length > 0 ? errors.join('; ') : undefined;
  }

  close(): void {
    for (const b of this.bound.values()) b.close();
    this.bound.clear();
    for (const s of this.sockets) s.destroy();
  }

  private bind(key: string, l: Listener): Promise<Bound> {
    const sa = l.address!.socket_address!;
    const host = this.ctx.bindAddress ?? sa.address ?? '0.0.0.0';
    const port = Number(sa.port_value);
    if (isUdp(l)) return UdpListener.bind(host, port, this.ctx).then((u) => ({ key, close: () => u.close() }));
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        void this.onConnection(socket, port).catch((e: Error) => {
          this.ctx.log.warn(`connection on ${key}: ${e.message}`);
          socket.destroy();
        });
      });
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve({ key, close: () => server.close() });
      });
    });
  }

  private async onConnection(socket: net.Socket, port: number): Promise<void> {
    const listener = selectConnectionListener(this.ctx.resources(), port, false);
    if (!listener) return void socket.destroy();
    let hello: ClientHelloPeek = { kind: 'not-tls' };
    if (inspectsTlsOf(listener)) {
      hello = await peek(socket, (buf, final) => {
        const p = peekClientHello(buf);
        return p.kind === 'incomplete' ? (final ? ({ kind: 'not-tls' } as const) : undefined) : p;
      }, LISTENER_FILTERS_TIMEOUT_MS);
    }
    const resources = this.ctx.resources();
    const ex = explainTlsConnection(resources, hello.kind === 'tls' ? { port, transport: 'tls', ...(hello.sni ? { sni: hello.sni } : {}), alpn: hello.alpn } : { port, transport: 'raw' });
    if (ex.outcome !== 'accepted') {
      this.ctx.log.debug(ex.message);
      return void socket.destroy();
    }
    const remoteAddress = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (ex.tls.mode === 'terminate') {
      const options = serverOptionsFor(ex.tls, resources);
      if (!options) return void socket.destroy();
      const raw = hello.kind === 'tls' ? (jsStream(socket) as net.Socket) : socket;
      const onSecure = (t: tls.TLSSocket) => {
        t.on('error', () => t.destroy());
        const info: ConnectionInfo = { port, scheme: 'https', ...(hello.kind === 'tls' && hello.sni ? { sni: hello.sni } : {}), remoteAddress };
        // HTTP/2 reads the TLS socket's handle directly: hand it a stream that has every byte.
        this.afterTransport(jsStream(t) as net.Socket, ex, info, t.alpnProtocol === 'h2');
      };
      if (options.rejectUnauthorized) {
        // A required certificate: a tls.Server (one per connection, with this filter chain's options) fails the handshake.
        const server = tls.createServer(options);
        server.on('tlsClientError', (e, s) => {
          this.ctx.log.debug(`TLS handshake on port ${port} failed: ${e.message}`);
          s.destroy();
        });
        server.once('secureConnection', onSecure);
        server.emit('connection', raw);
        return;
      }
      // None, or requested with the insecure fallback: any certificate is accepted.
      const t = new tls.TLSSocket(raw, { isServer: true, ...options });
      t.on('error', () => t.destroy());
      t.once('secure', () => onSecure(t));
      return;
    }
    const info: ConnectionInfo = { port, scheme: 'http', remoteAddress };
    if (ex.action.kind === 'http') {
      const h2 = await peek(socket, (buf, final) => {
        const n = Math.min(buf.length, H2_PREFACE.length);
        if (!buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) return false;
        return n === H2_PREFACE.length ? true : final ? false : undefined;
      }, LISTENER_FILTERS_TIMEOUT_MS);
      return this.afterTransport(jsStream(socket) as net.Socket, ex, info, h2);
    }
    this.afterTransport(socket, ex, info, false);
  }

  /** What the filter chain does once TLS (if any) is done. */
  private afterTransport(socket: net.Socket, ex: Extract<TlsConnectionExplanation, { outcome: 'accepted' }>, info: ConnectionInfo, h2: boolean): void {
    switch (ex.action.kind) {
      case 'http':
        return h2 ? this.serveHttp2(socket, info) : this.serveHttp1(socket, info);
      case 'tcp_proxy':
        return proxyTcp(this.ctx, socket, ex.action.backends);
      case 'udp_proxy':
      case 'unsupported':
        this.ctx.log.warn(`listener ${ex.listener}: filters ${JSON.stringify(ex.action)} are not served by the stand-in`);
        return void socket.destroy();
    }
  }

  private serveHttp1(socket: net.Socket, info: ConnectionInfo): void {
    const server = http.createServer((req, res) => {
      void routeRequest(this.ctx, fromHttp1(info, req, res)).catch((e: Error) => {
        this.ctx.log.warn(`request ${req.method} ${req.url}: ${e.message}`);
        res.destroy();
      });
    });
    server.on('upgrade', (req: http.IncomingMessage, s: net.Socket, head: Buffer) => routeUpgrade(this.ctx, info, req, s, head));
    server.on('clientError', (_e, s: net.Socket) => s.destroy());
    server.emit('connection', socket);
  }

  private serveHttp2(socket: net.Socket, info: ConnectionInfo): void {
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      void routeRequest(this.ctx, fromHttp2(info, stream, headers)).catch((e: Error) => {
        this.ctx.log.warn(`request ${String(headers[':method'])} ${String(headers[':path'])}: ${e.message}`);
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      });
    });
    server.on('sessionError', () => socket.destroy());
    server.emit('connection', socket);
  }
}

