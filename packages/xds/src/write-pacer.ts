// Pacing of response writes across all streams of a server. A push of one
// shared response to a thousand streams is one buffer (the transport writes
// it as is, grpc-http2.ts), but every write in progress still holds HTTP/2
// and socket buffers, and a thousand sockets written at once compete for the
// event loop. The pacer lets writes start while the bytes written but not yet
// handed to the transport stay under a budget, and queues the rest in order.
// Queued writes hold only the shared response. (It was added when grpc-js
// copied every message it framed: then it bounded how many copies were
// alive at once.)
//
// A stream whose client stops reading must not stall the others: a write not
// done within `slowMs` stops counting against the budget (its memory is then
// that client's own cost), and the queue moves on.

export interface WritePacerOptions {
  /** Bytes of writes in progress above which new writes wait. One write always may start. */
  readonly budgetBytes: number;
  /** After this long a write in progress no longer holds the budget. */
  readonly slowMs: number;
}

/**
 * Default: 64 KiB in progress (a large response goes out alone, small ones
 * together), a slow write released after 1 s. Measured (BENCHMARKS.md,
 * benchmarks 4 and 8, load 3-5): with 100 streams at 1,000 routes RSS fell
 * from ~144 to ~133 MiB (a one-byte budget: the same), and a 612 KB push to
 * 1,000 streams took the same time with 64 KiB, 256 KiB, 1 MiB and 8 MiB, and
 * 7x longer with 64 MiB (more copies alive, more GC).
 */
export const DEFAULT_WRITE_PACING: WritePacerOptions = { budgetBytes: 64 * 1024, slowMs: 1000 };

interface Queued {
  readonly owner: object;
  readonly bytes: number;
  readonly write: (done: () => void) => void;
}

interface InProgress {
  readonly owner: object;
  readonly bytes: number;
  readonly at: number;
}

export class WritePacer {
  private counted = 0;
  private lastId = 0;
  private readonly inProgress = new Map<number, InProgress>();
  private readonly queue: Queued[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: WritePacerOptions = DEFAULT_WRITE_PACING,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Runs `write` now if the budget allows, else once it does. `write` must
   * call `done` once the transport has taken the bytes. Returns whether it
   * ran now.
   */
  write(owner: object, bytes: number, write: (done: () => void) => void): boolean {
    if (this.queue.length === 0 && this.fits(bytes)) {
      this.start({ owner, bytes, write });
      return true;
    }
    this.queue.push({ owner, bytes, write });
    this.armTimer();
    return false;
  }

  /** The owner's stream ended: its queued write is dropped and its writes in progress stop counting. */
  cancel(owner: object): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.owner === owner) this.queue.splice(i, 1);
    for (const [id, w] of this.inProgress) if (w.owner === owner) this.release(id);
    this.next();
  }

  /** Bytes of writes in progress that count against the budget (for tests and stats). */
  get bytesInProgress(): number {
    return this.counted;
  }

  get queued(): number {
    return this.queue.length;
  }

  private fits(bytes: number): boolean {
    return this.counted === 0 || this.counted + bytes <= this.o.budgetBytes;
  }

  private start(q: Queued): void {
    const id = ++this.lastId;
    this.counted += q.bytes;
    this.inProgress.set(id, { owner: q.owner, bytes: q.bytes, at: this.now() });
    let called = false;
    q.write(() => {
      if (called) return;
      called = true;
      if (this.release(id)) this.next();
    });
  }

  private release(id: number): boolean {
    const w = this.inProgress.get(id);
    if (!w) return false;
    this.inProgress.delete(id);
    this.counted -= w.bytes;
    return true;
  }

  private next(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.bytes)) this.start(this.queue.shift()!);
    if (this.queue.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** While writes wait, look again after slowMs for writes in progress too long. */
  private armTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const cutoff = this.now() - this.o.slowMs;
      // In start order: the oldest first, so stop at the first recent one.
      for (const [id, w] of this.inProgress) {
        if (w.at > cutoff) break;
        this.release(id);
      }
      this.next();
      if (this.queue.length > 0) this.armTimer();
    }, this.o.slowMs);
    this.timer.unref();
  }
}
