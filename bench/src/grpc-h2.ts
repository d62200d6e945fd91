// The simulated Envoys' gRPC transport: bidirectional gRPC streams spoken
// directly on node:http2, the one home in bench/src of the gRPC wire format
// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
//
// Why not @grpc/grpc-js: its client concatenates every message's DATA frames
// into one new buffer before handing it over, and its call stack (filters,
// interceptors, resolving and retrying calls) runs per message. Simulating
// 1,000 Envoys on the same 2 cores as the server, that cost was the larger
// part of benchmark 8's measurement. Here a received message is a list of the
// DATA chunks node:http2 already allocated (`Chunks`), read in place by a
// protobuf wire scanner (`WireReader`); bytes are copied only when a caller
// asks for a field that spans chunks.
//
// What stays as a real client does it: one HTTP/2 connection per client with
// the flow-control window it advertises (SETTINGS_INITIAL_WINDOW_SIZE for
// streams, a WINDOW_UPDATE for the connection), HTTP/2 flow control by
// nghttp2, gRPC request headers, 5-byte length-prefixed messages both ways,
// and the grpc-status trailer checked at the end.
import http2 from 'node:http2';

/** HTTP/2's default initial window (and Node's): 65,535 bytes. */
export const DEFAULT_H2_WINDOW = 65_535;

/** Envoy's default HTTP/2 stream and connection window for its gRPC clients (the xDS connection): what the simulated Envoys advertise unless asked otherwise. */
export const ENVOY_H2_WINDOW = 268_435_456;

/** A message as received: consecutive pieces of DATA frames, in order, not copied. */
export class Chunks {
  constructor(
    readonly parts: readonly Buffer[],
    readonly length: number,
  ) {}

  /** The bytes as one Buffer: the chunk itself when there is one, else a copy. */
  toBuffer(): Buffer {
    if (this.parts.length === 1) return this.parts[0]!;
    return Buffer.concat(this.parts, this.length);
  }

  toString(): string {
    return this.parts.length === 1 ? this.parts[0]!.toString('utf8') : this.toBuffer().toString('utf8');
  }

  /** The bytes [start, end) as a Chunks, without copying. */
  slice(start: number, end: number): Chunks {
    const out: Buffer[] = [];
    let at = 0;
    for (const p of this.parts) {
      const pEnd = at + p.length;
      if (pEnd > start && at < end) out.push(p.subarray(Math.max(0, start - at), Math.min(p.length, end - at)));
      if (pEnd >= end) break;
      at = pEnd;
    }
    return new Chunks(out, end - start);
  }
}

/**
 * Reads protobuf wire format (varints and length-delimited fields) from a
 * Chunks, across chunk boundaries, without copying what it skips.
 */
export class WireReader {
  private part = 0;
  private at = 0; // offset within parts[part]
  pos = 0;

  constructor(readonly src: Chunks) {}

  get done(): boolean {
    return this.pos >= this.src.length;
  }

  private byte(): number {
    let p = this.src.parts[this.part]!;
    while (this.at >= p.length) {
      this.part++;
      this.at = 0;
      p = this.src.parts[this.part]!;
      if (!p) throw new Error('protobuf: truncated message');
    }
    this.pos++;
    return p[this.at++]!;
  }

  /** A varint up to 2^53 (enough for lengths, tags and enums). */
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
    throw new Error('protobuf: varint too long');
  }

  /** Field number and wire type of the next field. */
  tag(): [field: number, wireType: number] {
    const t = this.varint();
    return [Math.floor(t / 8), t & 7];
  }

  /** The next length-delimited field's bytes, as a view. */
  bytes(): Chunks {
    const len = this.varint();
    const start = this.pos;
    this.advance(len);
    return this.src.slice(start, start + len);
  }

  string(): string {
    return this.bytes().toString();
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.advance(this.varint());
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.src.length) throw new Error('protobuf: truncated message');
    this.pos += n;
    let left = n;
    while (left > 0) {
      const room = this.src.parts[this.part]!.length - this.at;
      if (left < room) {
        this.at += left;
        return;
      }
      left -= room;
      this.part++;
      this.at = 0;
    }
  }
}

/** Splits a gRPC response body into messages (1 byte compressed flag, 4 bytes length, message). */
export class MessageDeframer {
  private parts: Buffer[] = [];
  private have = 0;
  private header = Buffer.alloc(5);
  private headerHave = 0;
  private need = -1; // message length once the header is complete

  constructor(private readonly onMessage: (m: Chunks) => void) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.need < 0) {
        // Common case: the whole header is in this chunk.
        if (this.headerHave === 0 && chunk.length - off >= 5) {
          if (chunk[off] !== 0) throw new Error('gRPC: compressed message, but no compression was offered');
          this.need = chunk.readUInt32BE(off + 1);
          off += 5;
        } else {
          const n = Math.min(5 - this.headerHave, chunk.length - off);
          chunk.copy(this.header, this.headerHave, off, off + n);
          this.headerHave += n;
          off += n;
          if (this.headerHave < 5) return;
          if (this.header[0] !== 0) throw new Error('gRPC: compressed message, but no compression was offered');
          this.need = this.header.readUInt32BE(1);
          this.headerHave = 0;
        }
      }
      const take = Math.min(this.need - this.have, chunk.length - off);
      if (take > 0) this.parts.push(off === 0 && take === chunk.length ? chunk : chunk.subarray(off, off + take));
      this.have += take;
      off += take;
      if (this.have === this.need) {
        const m = new Chunks(this.parts, this.need);
        this.parts = [];
        this.have = 0;
        this.need = -1;
        this.onMessage(m);
      }
    }
  }

  /** True between messages (a stream may end only there). */
  get idle(): boolean {
    return this.need < 0 && this.headerHave === 0;
  }
}

/** Prefixes a message with the gRPC 5-byte header (uncompressed). */
export function frameMessage(msg: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + msg.length);
  out[0] = 0;
  out.writeUInt32BE(msg.length, 1);
  out.set(msg, 5);
  return out;
}

export interface ConnectOptions {
  /** HTTP/2 stream and connection window to advertise (default: Envoy's, ENVOY_H2_WINDOW). */
  readonly flowControlWindow?: number;
}

/** One HTTP/2 connection to a gRPC server (`host:port`, cleartext). */
export function connect(target: string, o: ConnectOptions = {}): http2.ClientHttp2Session {
  const window = o.flowControlWindow ?? ENVOY_H2_WINDOW;
  const session = http2.connect(`http://${target}`, {
    settings: { initialWindowSize: window },
    // Node's default session memory cap (10 MB) would refuse new streams
    // while large responses are buffered; a client with a 256 MiB window
    // must be able to hold what it advertises.
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  });
  // The connection window starts at 65,535 whatever SETTINGS say; raise it as a client advertising `window` does.
  if (window > DEFAULT_H2_WINDOW) session.once('connect', () => session.setLocalWindowSize(window));
  session.on('error', () => {}); // reported per stream
  return session;
}

export interface BidiHandlers {
  readonly onMessage: (m: Chunks) => void;
  /** The call ended: grpc-status 0, or an error (status, RST_STREAM, connection loss). */
  readonly onEnd: (err: Error | undefined) => void;
}

/** A bidirectional-streaming gRPC call. */
export class BidiCall {
  private ended = false;

  private constructor(
    private readonly stream: http2.ClientHttp2Stream,
    private readonly h: BidiHandlers,
  ) {}

  static open(session: http2.ClientHttp2Session, method: string, h: BidiHandlers): BidiCall {
    const stream = session.request({
      ':method': 'POST',
      ':path': method,
      'content-type': 'application/grpc+proto',
      te: 'trailers',
      'user-agent': 'switchyard-bench-envoy',
    });
    const call = new BidiCall(stream, h);
    const deframer = new MessageDeframer(h.onMessage);
    let status: string | undefined;
    let message = '';
    stream.on('response', (headers) => {
      const contentType = String(headers['content-type'] ?? '');
      if (headers[':status'] !== 200 || !contentType.startsWith('application/grpc')) {
        call.finish(new Error(`gRPC: HTTP status ${headers[':status']}, content-type "${contentType}"`));
      }
      // Trailers-only responses carry the status in the headers.
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
    });
    stream.on('trailers', (trailers: http2.IncomingHttpHeaders) => {
      status = String(trailers['grpc-status'] ?? '');
      message = String(trailers['grpc-message'] ?? '');
    });
    stream.on('data', (chunk: Buffer) => {
      try {
        deframer.push(chunk);
      } catch (err) {
        call.finish(err instanceof Error ? err : new Error(String(err)));
      }
    });
    stream.on('end', () => {
      if (!deframer.idle) call.finish(new Error('gRPC: stream ended inside a message'));
      else if (status === '0') call.finish(undefined);
      else call.finish(new Error(`gRPC: status ${status ?? 'missing'} ${decodeURIComponent(message)}`));
    });
    stream.on('close', () => {
      call.finish(stream.rstCode ? new Error(`HTTP/2: stream reset (code ${stream.rstCode})`) : new Error('HTTP/2: stream closed'));
    });
    stream.on('error', (err: Error) => call.finish(err));
    return call;
  }

  write(msg: Uint8Array): void {
    if (!this.ended) this.stream.write(frameMessage(msg));
  }

  /** Cancels the call (RST_STREAM CANCEL), as a client closing its stream does. */
  cancel(): void {
    this.ended = true;
    if (!this.stream.destroyed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private finish(err: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.h.onEnd(err);
    if (!this.stream.destroyed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }
}
