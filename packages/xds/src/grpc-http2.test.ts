// gRPC over HTTP/2 as a raw HTTP/2 client sees the xDS server: statuses,
// headers, trailers and framing, per gRPC's PROTOCOL-HTTP2.md; cancels and
// lost connections; keepalive. (Interop with real gRPC clients is in the
// other xDS tests: grpc-js, grpc-js-xds and go-control-plane's xdscheck.)
import * as http2 from 'node:http2';
import * as net from 'node:net';
import { messageType, TypeUrl } from '@switchyard/protos';
import { SnapshotCache, createXdsServer, type XdsServer } from './index.js';
import { fixture } from '../test/fixtures.js';

const FLEET = 'ns/gw';
const DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

let cache: SnapshotCache;
let server: XdsServer;
let port: number;
const sessions: http2.ClientHttp2Session[] = [];

beforeEach(async () => {
  cache = new SnapshotCache();
  cache.setFleet(FLEET, fixture({ clusters: ['a'] }));
  server = createXdsServer({ cache, tls: { insecure: true } });
  port = await server.listen('127.0.0.1', 0);
});

afterEach(async () => {
  for (const s of sessions.splice(0)) s.destroy();
  await server.close();
});

function connect(p = port): http2.ClientHttp2Session {
  const s = http2.connect(`http://127.0.0.1:${p}`);
  s.on('error', () => {});
  sessions.push(s);
  return s;
}

function framed(message: Uint8Array, flag = 0): Buffer {
  const b = Buffer.alloc(5 + message.length);
  b[0] = flag;
  b.writeUInt32BE(message.length, 1);
  b.set(message, 5);
  return b;
}

function deltaRequest(o: Record<string, unknown>): Buffer {
  const t = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  return Buffer.from(t.encode(t.fromObject(o)).finish());
}

interface Exchange {
  readonly headers: http2.IncomingHttpHeaders;
  /** The response headers came with END_STREAM (a trailers-only response). */
  readonly trailersOnly: boolean;
  readonly trailers: http2.IncomingHttpHeaders | undefined;
  readonly data: Buffer;
}

/** Sends `body` on a new stream (and ends it unless `keepOpen`), and collects the whole response. */
function exchange(
  session: http2.ClientHttp2Session,
  body: Buffer[],
  headers: http2.OutgoingHttpHeaders = {},
  keepOpen = false,
): { stream: http2.ClientHttp2Stream; done: Promise<Exchange> } {
  const stream = session.request({ ':method': 'POST', ':path': DELTA, 'content-type': 'application/grpc', te: 'trailers', ...headers });
  stream.on('error', () => {});
  for (const b of body) stream.write(b);
  if (!keepOpen) stream.end();
  const done = new Promise<Exchange>((resolve) => {
    let got: { headers: http2.IncomingHttpHeaders; trailersOnly: boolean } | undefined;
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    // Like a gRPC client, close the stream once the status is in.
    stream.on('response', (h, flags) => {
      got = { headers: h, trailersOnly: (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0 };
      if (got.trailersOnly) stream.close();
    });
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => {
      trailers = t;
      stream.close();
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('close', () => resolve({ headers: got?.headers ?? {}, trailersOnly: got?.trailersOnly ?? false, trailers, data: Buffer.concat(chunks) }));
  });
  return { stream, done };
}

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The messages of a gRPC response body. */
function messages(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length;) {
    expect(data[off]).toBe(0); // never compressed
    const n = data.readUInt32BE(off + 1);
    out.push(data.subarray(off + 5, off + 5 + n));
    off += 5 + n;
  }
  return out;
}

const subscribe = deltaRequest({ node: { id: 'raw', cluster: FLEET }, type_url: TypeUrl.Cluster });

test('a stream gets :status 200, application/grpc, length-prefixed responses, and grpc-status 0 in trailers after it half-closes', async () => {
  const { stream, done } = exchange(connect(), [framed(subscribe)], {}, true);
  stream.once('data', () => stream.end());
  const r = await done;
  expect(r.headers[':status']).toBe(200);
  expect(r.headers['content-type']).toBe('application/grpc');
  expect(r.trailersOnly).toBe(false);
  expect(r.trailers?.['grpc-status']).toBe('0');
  const [first] = messages(r.data);
  const t = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const decoded = t.toObject(t.decode(first!)) as { type_url: string; resources: { name: string }[] };
  expect(decoded.type_url).toBe(TypeUrl.Cluster);
  expect(decoded.resources.map((x) => x.name)).toEqual(['a']);
  await waitUntil(() => server.streams().length === 0);
});

test('an unknown method is refused with a trailers-only UNIMPLEMENTED', async () => {
  const { done } = exchange(connect(), [framed(subscribe)], { ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/Nope' });
  const r = await done;
  expect(r).toMatchObject({ trailersOnly: true, data: Buffer.alloc(0), trailers: undefined });
  expect(r.headers).toMatchObject({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' });
  expect(r.headers['grpc-message']).toMatch(/unknown method .*\/Nope/);
});

test('only POST with a gRPC content type is served (HTTP 405, 415)', async () => {
  const s = connect();
  expect((await exchange(s, [], { ':method': 'PUT' }).done).headers[':status']).toBe(405);
  expect((await exchange(s, [framed(subscribe)], { 'content-type': 'application/json' }).done).headers[':status']).toBe(415);
  expect(server.streams()).toEqual([]);
});

test('a refusal before any message is trailers-only, its grpc-message percent-encoded', async () => {
  const { done } = exchange(connect(), [framed(deltaRequest({ node: { id: 'raw', cluster: 'café' }, type_url: TypeUrl.Cluster }))]);
  const r = await done;
  expect(r.trailersOnly).toBe(true);
  expect(r.headers['grpc-status']).toBe('3'); // INVALID_ARGUMENT
  expect(r.headers['grpc-message']).toContain('got "caf%C3%A9"');
  expect(decodeURIComponent(r.headers['grpc-message'] as string)).toContain('got "café"');
  expect(server.stats().rejectedStreams).toBe(1);
});

test('a request over 4 MiB is refused with RESOURCE_EXHAUSTED before it is read', async () => {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(4 * 1024 * 1024 + 1, 1);
  const r = await exchange(connect(), [header], {}, true).done;
  expect(r.headers['grpc-status']).toBe('8');
  expect(r.headers['grpc-message']).toMatch(/larger than the limit of 4194304/);
  expect(server.streams()).toEqual([]);
});

test('a compressed request is refused with UNIMPLEMENTED, saying so', async () => {
  const r = await exchange(connect(), [framed(subscribe, 1)], { 'grpc-encoding': 'gzip' }, true).done;
  expect(r.headers['grpc-status']).toBe('12');
  expect(r.headers['grpc-message']).toMatch(/compressed requests are not supported \(grpc-encoding: gzip\)/);
});

test('a request that is not a DiscoveryRequest ends the stream with INTERNAL', async () => {
  const r = await exchange(connect(), [framed(Buffer.from([0x0a, 0xff]))], {}, true).done;
  expect(r.headers['grpc-status']).toBe('13');
  expect(r.headers['grpc-message']).toMatch(/could not decode the request/);
});

test('a message split across DATA frames, and two in one, are read as sent', async () => {
  const two = Buffer.concat([framed(subscribe), framed(deltaRequest({ type_url: TypeUrl.ClusterLoadAssignment, resource_names_subscribe: ['a'] }))]);
  const { stream, done } = exchange(connect(), [two.subarray(0, 3), two.subarray(3, 20), two.subarray(20)], {}, true);
  const types: string[] = [];
  const t = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  let buffered = Buffer.alloc(0);
  stream.on('data', (c: Buffer) => {
    buffered = Buffer.concat([buffered, c]);
    while (buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt32BE(1)) {
      const n = buffered.readUInt32BE(1);
      types.push((t.toObject(t.decode(buffered.subarray(5, 5 + n))) as { type_url: string }).type_url);
      buffered = buffered.subarray(5 + n);
    }
    if (types.length === 2) stream.end();
  });
  await done;
  expect(types.sort()).toEqual([TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment].sort());
});

test('a client cancel (RST_STREAM) ends the stream: it leaves streams() and the stats', async () => {
  const { stream } = exchange(connect(), [framed(subscribe)], {}, true);
  await new Promise((resolve) => stream.once('data', resolve));
  expect(server.streams()).toEqual([{ fleet: FLEET, nodeId: 'raw', mode: 'delta' }]);
  expect(server.stats().streams).toEqual({ [FLEET]: { sotw: 0, delta: 1 } });
  stream.close(http2.constants.NGHTTP2_CANCEL);
  await waitUntil(() => server.streams().length === 0);
  expect(server.stats().streams).toEqual({});
});

test('a lost connection ends its streams', async () => {
  const session = connect();
  const { stream } = exchange(session, [framed(subscribe)], {}, true);
  await new Promise((resolve) => stream.once('data', resolve));
  session.destroy();
  await waitUntil(() => server.streams().length === 0);
  expect(server.stats().streams).toEqual({});
});

test('close() ends open streams with grpc-status 0 and stops accepting connections', async () => {
  const { stream, done } = exchange(connect(), [framed(subscribe)], {}, true);
  await new Promise((resolve) => stream.once('data', resolve));
  await server.close();
  expect((await done).trailers?.['grpc-status']).toBe('0');
  expect(server.streams()).toEqual([]);
  const refused = await new Promise<boolean>((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('error', () => resolve(true));
    sock.on('connect', () => {
      sock.destroy();
      resolve(false);
    });
  });
  expect(refused).toBe(true);
});

describe('keepalive (interval and timeout made short)', () => {
  let fast: XdsServer;
  let fastPort: number;
  beforeEach(async () => {
    fast = createXdsServer({ cache, tls: { insecure: true }, transport: { keepaliveIntervalMs: 20, keepaliveTimeoutMs: 100 } });
    fastPort = await fast.listen('127.0.0.1', 0);
  });
  afterEach(() => fast.close());

  test('a client that answers pings keeps its connection and stream', async () => {
    const session = connect(fastPort);
    const { stream } = exchange(session, [framed(subscribe)], {}, true);
    await new Promise((resolve) => stream.once('data', resolve));
    let pings = 0;
    await new Promise<void>((resolve) =>
      session.on('ping', () => {
        if (++pings === 10) resolve();
      }),
    );
    expect(session.closed || session.destroyed).toBe(false);
    expect(fast.streams()).toHaveLength(1);
  });

  test('a connection whose peer does not answer pings is dropped, and its stream ends', async () => {
    // A bare TCP client: it speaks the HTTP/2 preface and opens a stream, then never answers anything (no PING ACK).
    const sock = net.connect(fastPort, '127.0.0.1');
    const frames: number[] = [];
    let received = Buffer.alloc(0);
    sock.on('data', (c: Buffer) => {
      received = Buffer.concat([received, c]);
      while (received.length >= 9 && received.length >= 9 + received.readUIntBE(0, 3)) {
        frames.push(received[3]!);
        received = received.subarray(9 + received.readUIntBE(0, 3));
      }
    });
    const closed = new Promise((resolve) => sock.on('close', resolve));
    const frame = (type: number, flags: number, streamId: number, payload: Buffer): Buffer => {
      const h = Buffer.alloc(9);
      h.writeUIntBE(payload.length, 0, 3);
      h[3] = type;
      h[4] = flags;
      h.writeUInt32BE(streamId, 5);
      return Buffer.concat([h, payload]);
    };
    // HEADERS without HPACK dynamic state: literal header fields without indexing, new names.
    const literal = (name: string, value: string): Buffer =>
      Buffer.concat([Buffer.from([0x00, name.length]), Buffer.from(name), Buffer.from([value.length]), Buffer.from(value)]);
    const headers = Buffer.concat([
      literal(':method', 'POST'),
      literal(':scheme', 'http'),
      literal(':path', DELTA),
      literal(':authority', 'x'),
      literal('content-type', 'application/grpc'),
    ]);
    sock.write(
      Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
        frame(4, 0, 0, Buffer.alloc(0)), // SETTINGS
        frame(1, 0x4, 1, headers), // HEADERS, END_HEADERS
        frame(0, 0, 1, framed(subscribe)), // DATA
      ]),
    );
    await waitUntil(() => fast.streams().length === 1);
    await closed;
    expect(frames).toContain(6); // PING
    await waitUntil(() => fast.streams().length === 0);
  });
});
