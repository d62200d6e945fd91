// A downstream HTTP request, whichever codec carried it (HTTP/1.1 from
// node:http, HTTP/2 from node:http2, in plaintext or over TLS), in one shape
// for the router, with one way to answer it.
import type http from 'node:http';
import type http2 from 'node:http2';
import type { Readable } from 'node:stream';
import type { HeaderList } from './envoy-model.js';

/** Headers Envoy never forwards hop to hop (and HTTP/2 forbids). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);

export interface ConnectionInfo {
  /** The listener port the client connected to. */
  readonly port: number;
  readonly scheme: 'http' | 'https';
  readonly sni?: string;
  readonly remoteAddress: string;
}

export interface Downstream {
  readonly conn: ConnectionInfo;
  readonly httpVersion: '1.1' | '2';
  readonly method: string;
  /** :authority or Host. */
  readonly authority: string;
  readonly path: string;
  /** Lower-cased names, without pseudo-headers and Host. */
  readonly headers: HeaderList;
  readonly body: Readable;
  /** Sends the response head; the body goes to `write`/`end`. */
  head(status: number, headers: HeaderList, opts?: { endStream?: boolean; trailers?: boolean }): void;
  write(chunk: Buffer): boolean;
  end(trailers?: HeaderList): void;
  onDrain(cb: () => void): void;
  readonly headSent: boolean;
  /** Drops the stream (HTTP/2 RST_STREAM, HTTP/1 connection close). */
  reset(): void;
  onClose(cb: () => void): void;
}

export function respond(down: Downstream, status: number, headers: HeaderList, body?: string): void {
  const b = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const hs: Array<readonly [string, string]> = [...headers];
  if (b) {
    if (!hs.some(([n]) => n === 'content-type')) hs.push(['content-type', 'text/plain']);
    hs.push(['content-length', String(b.length)]);
  } else if (down.httpVersion === '1.1') hs.push(['content-length', '0']);
  down.head(status, hs, { endStream: !b });
  if (b) {
    down.write(b);
    down.end();
  }
}

export function headerObject(headers: HeaderList): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [n, v] of headers) {
    const prev = out[n];
    out[n] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function headerListOf(raw: NodeJS.Dict<string | string[]> | http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [n, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [String(v)]) out.push([n.toLowerCase(), x]);
  }
  return out;
}

export function fromHttp1(conn: ConnectionInfo, req: http.IncomingMessage, res: http.ServerResponse): Downstream {
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i]!.toLowerCase();
    if (n === 'host') continue;
    headers.push([n, req.rawHeaders[i + 1]!]);
  }
  return {
    conn,
    httpVersion: '1.1',
    method: req.method ?? 'GET',
    authority: req.headers.host ?? '',
    path: req.url ?? '/',
    headers,
    body: req,
    head(status, hs, opts) {
      const obj = headerObject(hs.filter(([n]) => !HOP_BY_HOP.has(n) && !n.startsWith(':')));
      if (opts?.trailers) delete obj['content-length'];
      res.writeHead(status, obj);
      if (opts?.endStream) res.end();
    },
    write: (c) => res.write(c),
    end: () => res.end(),
    onDrain: (cb) => res.once('drain', cb),
    get headSent() {
      return res.headersSent;
    },
    reset: () => res.destroy(),
    onClose: (cb) => res.once('close', cb),
  };
}

export function fromHttp2(conn: ConnectionInfo, stream: http2.ServerHttp2Stream, raw: http2.IncomingHttpHeaders): Downstream {
  const headers = headerListOf(raw).filter(([n]) => !n.startsWith(':') && n !== 'host');
  let pendingTrailers: HeaderList | undefined;
  let sent = false;
  return {
    conn,
    httpVersion: '2',
    method: String(raw[':method'] ?? 'GET'),
    authority: String(raw[':authority'] ?? raw.host ?? ''),
    path: String(raw[':path'] ?? '/'),
    headers,
    body: stream,
    head(status, hs, opts) {
      sent = true;
      const obj = { ':status': status, ...headerObject(hs.filter(([n]) => !HOP_BY_HOP.has(n) && !n.startsWith(':'))) };
      if (stream.destroyed) return;
      if (opts?.trailers) {
        stream.respond(obj, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers(headerObject(pendingTrailers ?? [])));
      } else stream.respond(obj, { endStream: opts?.endStream === true });
    },
    write: (c) => (stream.destroyed ? true : stream.write(c)),
    end(trailers) {
      pendingTrailers = trailers;
      if (!stream.destroyed) stream.end();
    },
    onDrain: (cb) => stream.once('drain', cb),
    get headSent() {
      return sent || stream.headersSent;
    },
    reset: () => stream.close(2 /* INTERNAL_ERROR */),
    onClose: (cb) => stream.once('close', cb),
  };
}
