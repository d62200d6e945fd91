// Reads the first bytes of a connection without consuming them: the bytes
// are put back (unshift) so TLS, HTTP or a TCP proxy later sees them all.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/**
 * Collects data until `decide` returns a value, or the socket ends, or the
 * timeout fires (then `decide` gets what arrived, with `final` set).
 */
export function peek<T>(socket: Socket, decide: (buf: Buffer, final: boolean) => T | undefined, timeoutMs: number): Promise<T> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (v: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      if (buf.length > 0) socket.unshift(buf);
      resolve(v);
    };
    const onData = (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const v = decide(buf, false);
      if (v !== undefined) finish(v);
    };
    const onEnd = () => finish(decide(buf, true) as T);
    const timer = setTimeout(() => finish(decide(buf, true) as T), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

/**
 * The socket as a JavaScript stream. TLS and HTTP/2 read a net.Socket's
 * handle directly, past any bytes put back by peek(); through this stream
 * they see those bytes first.
 */
export function jsStream(socket: Socket): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      socket.write(chunk, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.once('end', () => d.push(null));
  socket.once('close', () => d.destroy());
  socket.once('error', (e) => d.destroy(e));
  return d;
}
