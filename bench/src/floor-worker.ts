// The receiving side of the fan-out floor (benchmark 8): a child process
// that opens plain TCP connections to the parent's minimal sender, counts the
// bytes each one receives, and once a connection has the round's bytes,
// writes one byte back (its "ACK") and notes the time. No protocol, no
// parsing: what is left is moving the bytes through loopback and two event
// loops, which is what any xDS server must pay for the same bytes.
import net from 'node:net';

export type ToFloorWorker = { type: 'start'; port: number; connections: number } | { type: 'expect'; id: number; bytes: number } | { type: 'close' };

export type FromFloorWorker =
  | { type: 'started' }
  | { type: 'expecting'; id: number }
  | { type: 'reached'; id: number; maxAckNs: bigint; minAckNs: bigint }
  | { type: 'fatal'; message: string };

interface Conn {
  readonly socket: net.Socket;
  received: number;
  ackNs: bigint;
}

const conns: Conn[] = [];
let round: { id: number; bytes: number; remaining: number } | undefined;

function send(m: FromFloorWorker): void {
  process.send?.(m);
}

function onData(c: Conn, chunk: Buffer): void {
  c.received += chunk.length;
  if (!round || c.received < round.bytes || c.ackNs !== 0n) return;
  c.ackNs = process.hrtime.bigint();
  c.socket.write('a');
  if (--round.remaining > 0) return;
  let max = 0n;
  let min = -1n;
  for (const x of conns) {
    if (x.ackNs > max) max = x.ackNs;
    if (min < 0n || x.ackNs < min) min = x.ackNs;
  }
  send({ type: 'reached', id: round.id, maxAckNs: max, minAckNs: min < 0n ? 0n : min });
  round = undefined;
}

process.on('message', (m: ToFloorWorker) => {
  switch (m.type) {
    case 'start': {
      let connected = 0;
      for (let i = 0; i < m.connections; i++) {
        const socket = net.connect({ host: '127.0.0.1', port: m.port, noDelay: true });
        const c: Conn = { socket, received: 0, ackNs: 0n };
        conns.push(c);
        socket.on('data', (chunk: Buffer) => onData(c, chunk));
        socket.on('error', (err) => send({ type: 'fatal', message: err.message }));
        socket.on('connect', () => {
          if (++connected === m.connections) send({ type: 'started' });
        });
      }
      break;
    }
    case 'expect':
      for (const c of conns) {
        c.received = 0;
        c.ackNs = 0n;
      }
      round = { id: m.id, bytes: m.bytes, remaining: conns.length };
      send({ type: 'expecting', id: m.id });
      break;
    case 'close':
      for (const c of conns) c.socket.destroy();
      setTimeout(() => process.exit(0), 20);
      break;
  }
});

process.on('disconnect', () => process.exit(0));
