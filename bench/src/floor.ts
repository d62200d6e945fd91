// The fan-out floor (benchmark 8): the parent side. A minimal sender accepts
// N plain TCP connections from floor-worker processes and writes one shared
// Buffer to every socket, as fast as the kernel takes it; a round ends when
// every receiver has all the bytes and has written its one-byte ACK.
//
// Plain TCP rather than raw HTTP/2 frames: the floor is meant to be what the
// bytes themselves cost (kernel copies over loopback, both event loops
// reading them), so that the ratio shows everything the xDS server adds on
// top: HTTP/2 framing and flow control, gRPC message framing, and the
// protocol's own work per stream. A raw HTTP/2 sender would hide the first
// two in the floor.
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { FromFloorWorker, ToFloorWorker } from './floor-worker.js';

export class FloorSender {
  private readonly sockets: net.Socket[] = [];
  private id = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly workers: ChildProcess[],
  ) {}

  static async start(connections: number, workers: number): Promise<FloorSender> {
    const sockets: net.Socket[] = [];
    const server = net.createServer({ noDelay: true }, (s) => {
      s.on('data', () => {}); // the one-byte ACKs; the workers time them
      s.on('error', () => {});
      sockets.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const procs: ChildProcess[] = [];
    for (let w = 0; w < workers; w++) {
      procs.push(fork(new URL('./floor-worker.js', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }
    await Promise.all(
      procs.map((p, i) => {
        const n = Math.floor(connections / workers) + (i < connections % workers ? 1 : 0);
        const started = next(p, (m) => m.type === 'started');
        p.send({ type: 'start', port, connections: n } satisfies ToFloorWorker);
        return started;
      }),
    );
    while (sockets.length < connections) await new Promise((r) => setTimeout(r, 10));
    const f = new FloorSender(server, procs);
    f.sockets.push(...sockets);
    return f;
  }

  /** Writes `payload` to every socket; resolves with the time from the first write to the last receiver's ACK (ns). */
  async round(payload: Buffer): Promise<{ lastAckNs: bigint; firstAckNs: bigint }> {
    const id = ++this.id;
    await Promise.all(
      this.workers.map((p) => {
        const ready = next(p, (m) => m.type === 'expecting' && m.id === id);
        p.send({ type: 'expect', id, bytes: payload.length } satisfies ToFloorWorker);
        return ready;
      }),
    );
    const reached = this.workers.map((p) => next(p, (m) => m.type === 'reached' && m.id === id));
    const t0 = process.hrtime.bigint();
    for (const s of this.sockets) s.write(payload);
    const answers = (await Promise.all(reached)) as Array<Extract<FromFloorWorker, { type: 'reached' }>>;
    let max = 0n;
    let min = -1n;
    for (const a of answers) {
      if (a.maxAckNs > max) max = a.maxAckNs;
      if (min < 0n || a.minAckNs < min) min = a.minAckNs;
    }
    return { lastAckNs: max - t0, firstAckNs: (min < 0n ? max : min) - t0 };
  }

  async close(): Promise<void> {
    for (const p of this.workers) if (p.connected) p.send({ type: 'close' } satisfies ToFloorWorker);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function next(p: ChildProcess, pred: (m: FromFloorWorker) => boolean, timeoutMs = 120_000): Promise<FromFloorWorker> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      p.off('message', h);
      reject(new Error(`floor worker: no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const h = (m: FromFloorWorker): void => {
      if (m.type === 'fatal') {
        clearTimeout(timer);
        p.off('message', h);
        reject(new Error(`floor worker: ${m.message}`));
      } else if (pred(m)) {
        clearTimeout(timer);
        p.off('message', h);
        resolve(m);
      }
    };
    p.on('message', h);
  });
}
