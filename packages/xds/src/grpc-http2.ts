// gRPC over HTTP/2 (gRPC's PROTOCOL-HTTP2.md) on node:http2, for
// bidirectional-streaming methods: the ADS server's transport. Responses are
// written as the framed buffers they are given (wire.ts), so one response
// shared by a thousand streams is one buffer, not a thousand copies (a
// general gRPC server library frames, and so copies, every message it sends).
//
// What it does of the protocol: only POST with content-type application/grpc*
// (else HTTP 405 / 415); `:status 200` and `content-type: application/grpc`
// on the first message; trailers grpc-status / grpc-message (percent-encoded)
// at the end, or a trailers-only response when nothing was sent; unknown
// method -> UNIMPLEMENTED; compressed requests -> UNIMPLEMENTED (responses
// are never compressed and only identity is advertised); requests over the
// limit -> RESOURCE_EXHAUSTED. Keepalive: each connection is pinged every
// interval and dropped when a ping is not answered in time.
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { GrpcStatus, type GrpcCall, type GrpcCallHandlers, type GrpcMethod, type GrpcStatusCode } from './grpc-call.js';
import { GRPC_MESSAGE_PREFIX_BYTES } from './wire.js';

export type GrpcTls = { readonly caPem: string; readonly certPem: string; readonly keyPem: string } | { readonly insecure: true };

export interface GrpcTransportOptions {
  /** Ping every connection this often... */
  readonly keepaliveIntervalMs: number;
  /** ...and drop it when a ping is not answered within this. */
  readonly keepaliveTimeoutMs: number;
  /** Larger request messages end the call with RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageBytes: number;
  /** Larger responses end the call with RESOURCE_EXHAUSTED instead of being sent. */
  readonly maxSendMessageBytes: number;
}

export interface GrpcHttp2Options extends GrpcTransportOptions {
  readonly tls: GrpcTls;
  /** Methods by path, "/package.Service/Method". */
  readonly methods: ReadonlyMap<string, GrpcMethod>;
  readonly logger: Logger;
}

export interface GrpcHttp2Server {
  /** Binds and starts serving; returns the bound port (pass 0 for any free port). */
  listen(host: string, port: number): Promise<number>;
  /**
   * Stops accepting, ends the open calls with OK, closes the connections
   * (GOAWAY) and destroys those still open after `graceMs`.
   */
  close(graceMs: number): Promise<void>;
}

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': 'identity' } as const;

/** grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself. */
export function percentEncodeGrpcMessage(message: string): string {
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

class Http2Call implements GrpcCall {
  private headersSent = false;
  private ended = false;
  private closed = false;
  private handlers: GrpcCallHandlers | undefined;
  /** Request bytes received but not yet a whole message. */
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly stream: http2.ServerHttp2Stream,
    readonly peer: string,
    readonly peerCertificate: Buffer | undefined,
    private readonly o: GrpcTransportOptions,
    private readonly encoding: string | undefined,
    private readonly onClosed: (c: Http2Call) => void,
  ) {}

  start(method: GrpcMethod): void {
    const h = (this.handlers = method(this));
    this.stream.on('data', (chunk: Buffer) => this.received(chunk));
    this.stream.on('end', () => {
      if (this.ended) return;
      if (this.buffered > 0) return this.end(GrpcStatus.INTERNAL, 'the request stream ended inside a message');
      h.halfClose();
    });
    this.stream.on('drain', () => {
      if (!this.ended) h.drain();
    });
    this.stream.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.ended = true;
      this.onClosed(this);
      h.closed();
    });
  }

  write(frame: Buffer, done: () => void): boolean {
    if (this.ended || this.stream.destroyed) {
      done();
      return true;
    }
    const size = frame.length - GRPC_MESSAGE_PREFIX_BYTES;
    if (size > this.o.maxSendMessageBytes) {
      this.end(GrpcStatus.RESOURCE_EXHAUSTED, `response of ${size} bytes is larger than the limit of ${this.o.maxSendMessageBytes}`);
      done();
      return true;
    }
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    }
    return this.stream.write(frame, () => done());
  }

  end(code: GrpcStatusCode, message = ''): void {
    if (this.ended) return;
    this.ended = true;
    this.chunks = [];
    this.buffered = 0;
    if (this.stream.destroyed || this.stream.closed) return;
    const trailers: http2.OutgoingHttpHeaders = { 'grpc-status': String(code) };
    if (message !== '') trailers['grpc-message'] = percentEncodeGrpcMessage(message);
    if (!this.headersSent) {
      // Trailers-only: nothing was sent, so the status goes with the headers.
      this.headersSent = true;
      this.stream.respond({ ...RESPONSE_HEADERS, ...trailers }, { endStream: true });
      return;
    }
    // gRPC clients close their side once they have the status. (No RST_STREAM
    // here: Node may send it before the trailers, which then never arrive.)
    this.stream.once('wantTrailers', () => this.stream.sendTrailers(trailers));
    this.stream.end();
  }

  /** Splits the request bytes into messages (PROTOCOL-HTTP2.md, Length-Prefixed-Message). */
  private received(chunk: Buffer): void {
    if (this.ended) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= GRPC_MESSAGE_PREFIX_BYTES) {
      const head = this.chunks[0]!.length >= GRPC_MESSAGE_PREFIX_BYTES ? this.chunks[0]! : this.join();
      const compressed = head[0]!;
      const size = head.readUInt32BE(1);
      if (compressed !== 0) {
        return this.end(
          GrpcStatus.UNIMPLEMENTED,
          compressed === 1
            ? `compressed requests are not supported (grpc-encoding: ${this.encoding ?? 'none'}); this server accepts identity only`
            : `malformed message header (flags ${compressed})`,
        );
      }
      if (size > this.o.maxReceiveMessageBytes) {
        return this.end(GrpcStatus.RESOURCE_EXHAUSTED, `request message of ${size} bytes is larger than the limit of ${this.o.maxReceiveMessageBytes}`);
      }
      if (this.buffered < GRPC_MESSAGE_PREFIX_BYTES + size) return;
      const all = this.join();
      const end = GRPC_MESSAGE_PREFIX_BYTES + size;
      const rest = all.subarray(end);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.handlers!.message(all.subarray(GRPC_MESSAGE_PREFIX_BYTES, end));
      if (this.ended) return;
    }
  }

  private join(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}

/** The verified client certificate of a TLS connection, as DER. */
function peerCertificate(session: http2.Http2Session): Buffer | undefined {
  const socket = session.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const raw = socket.getPeerCertificate(false)?.raw;
  return raw && raw.length > 0 ? raw : undefined;
}

/** Pings the connection every interval; destroys it when a ping goes unanswered for the timeout. */
function keepalive(session: http2.ServerHttp2Session, o: GrpcTransportOptions, logger: Logger): void {
  let waiting: NodeJS.Timeout | undefined;
  const interval = setInterval(() => {
    if (waiting || session.destroyed || session.closed) return;
    waiting = setTimeout(() => {
      logger.info({ peer: `${session.socket?.remoteAddress}:${session.socket?.remotePort}` }, 'xds: keepalive ping unanswered; dropping the connection');
      session.destroy();
    }, o.keepaliveTimeoutMs);
    waiting.unref();
    const answered = (): void => {
      clearTimeout(waiting);
      waiting = undefined;
    };
    try {
      if (!session.ping(answered)) answered();
    } catch {
      answered();
    }
  }, o.keepaliveIntervalMs);
  interval.unref();
  session.once('close', () => {
    clearInterval(interval);
    clearTimeout(waiting);
  });
}

export function createGrpcHttp2Server(o: GrpcHttp2Options): GrpcHttp2Server {
  const { logger } = o;
  // nghttp2 counts queued response bytes against a session's memory and
  // refuses new streams above the limit; a large response waiting for a slow
  // reader must not do that, so the limit is off (as in grpc-js).
  const common: http2.ServerOptions = { maxSessionMemory: Number.MAX_SAFE_INTEGER, maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER };
  const server =
    'insecure' in o.tls
      ? http2.createServer(common)
      : http2.createSecureServer({
          ...common,
          ca: o.tls.caPem,
          cert: o.tls.certPem,
          key: o.tls.keyPem,
          requestCert: true,
          rejectUnauthorized: true,
          ALPNProtocols: ['h2'],
        });
  const sessions = new Set<http2.ServerHttp2Session>();
  const calls = new Set<Http2Call>();
  const certificates = new WeakMap<http2.Http2Session, Buffer | undefined>();

  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.on('error', (err) => logger.debug({ err }, 'xds: connection error'));
    keepalive(session, o, logger);
  });
  if (!('insecure' in o.tls)) {
    (server as http2.Http2SecureServer).on('tlsClientError', (err: Error, socket: TLSSocket) =>
      logger.info({ peer: `${socket.remoteAddress}:${socket.remotePort}`, err: err.message }, 'xds: TLS handshake refused'),
    );
  }

  server.on('stream', (stream, headers) => {
    // A stream error (a reset by the client, say) is followed by 'close', which ends the call.
    stream.on('error', (err) => logger.debug({ err }, 'xds: stream error'));
    if (headers[':method'] !== 'POST') {
      stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true });
      return;
    }
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    const path = headers[':path'] ?? '';
    const method = o.methods.get(path);
    const session = stream.session!;
    if (!certificates.has(session)) certificates.set(session, 'insecure' in o.tls ? undefined : peerCertificate(session));
    const encoding = headers['grpc-encoding'];
    const call = new Http2Call(
      stream,
      `${session.socket?.remoteAddress}:${session.socket?.remotePort}`,
      certificates.get(session),
      o,
      typeof encoding === 'string' ? encoding : undefined,
      (c) => calls.delete(c),
    );
    if (!method) return call.end(GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
    calls.add(call);
    call.start(method);
  });

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          logger.info({ address: `${host}:${(server.address() as AddressInfo).port}`, tls: 'insecure' in o.tls ? 'insecure' : 'mtls' }, 'xds: listening');
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close(graceMs) {
      for (const c of calls) c.end(GrpcStatus.OK);
      return new Promise((resolve) => {
        const cut = setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, graceMs);
        cut.unref();
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        for (const s of sessions) s.close();
      });
    },
  };
}
