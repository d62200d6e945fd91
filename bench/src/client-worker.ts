// A child process that simulates many Envoys: it opens the requested number of
// ADS streams (several per HTTP/2 connection, like Envoys behind one node
// would not, but the 2-core machine cannot afford a process per Envoy) and
// answers the parent's questions over IPC: have all streams ACKed marker N,
// how many bytes arrived, what marker events were seen.
import type http2 from 'node:http2';
import { envoyRoot } from '@switchyard/protos';
import { AdsStream, ResourceReader, type AdsMode, type MarkerEvent, type StreamCounters, type TypeCounters } from './ads-client.js';
import { connect } from './grpc-h2.js';

export type WaitKind = 'route' | 'endpoint' | 'synced';

export type ToWorker =
  | { type: 'start'; target: string; mode: AdsMode; fleets: string[]; idPrefix: string; streamsPerConnection: number; flowControlWindow?: number }
  | { type: 'await'; id: number; kind: WaitKind; seq: number }
  | { type: 'stats' }
  | { type: 'events'; kind: 'route' | 'endpoint' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'started'; streams: number }
  | { type: 'reached'; id: number; streams: number; maxAckNs: bigint; minAckNs: bigint }
  | { type: 'stats'; counters: StreamCounters; streams: number; closed: number }
  | { type: 'events'; events: MarkerEvent[][] }
  | { type: 'fatal'; message: string };

interface PendingWait {
  readonly id: number;
  readonly kind: WaitKind;
  readonly seq: number;
  readonly remaining: Set<AdsStream>;
}

const streams: AdsStream[] = [];
const sessions: http2.ClientHttp2Session[] = [];
const waits: PendingWait[] = [];
const reader = new ResourceReader();

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function reachedBy(s: AdsStream, kind: WaitKind, seq: number): boolean {
  if (kind === 'synced') return s.syncedAtNs !== undefined;
  return (kind === 'route' ? s.routeSeq : s.endpointSeq) >= seq;
}

/** When the stream first ACKed a response satisfying the wait. */
function ackTimeOf(s: AdsStream, kind: WaitKind, seq: number): bigint {
  if (kind === 'synced') return s.syncedAtNs ?? 0n;
  const events = kind === 'route' ? s.routeEvents : s.endpointEvents;
  let t = 0n;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e[0] < seq) break;
    t = e[1];
  }
  return t;
}

function finish(w: PendingWait): void {
  let max = 0n;
  let min = -1n;
  for (const s of streams) {
    const t = ackTimeOf(s, w.kind, w.seq);
    if (t > max) max = t;
    if (min < 0n || t < min) min = t;
  }
  send({ type: 'reached', id: w.id, streams: streams.length, maxAckNs: max, minAckNs: min < 0n ? 0n : min });
}

function onProgress(s: AdsStream): void {
  for (let i = waits.length - 1; i >= 0; i--) {
    const w = waits[i]!;
    if (!w.remaining.has(s) || !reachedBy(s, w.kind, w.seq)) continue;
    w.remaining.delete(s);
    if (w.remaining.size === 0) {
      waits.splice(i, 1);
      finish(w);
    }
  }
}

function totals(): StreamCounters {
  const sum: StreamCounters = { bytes: 0, byType: {}, errors: 0 };
  for (const s of streams) {
    sum.bytes += s.counters.bytes;
    sum.errors += s.counters.errors;
    for (const [k, c] of Object.entries(s.counters.byType)) {
      const t: TypeCounters = (sum.byType[k] ??= { bytes: 0, responses: 0, resources: 0, resourceBytes: 0 });
      t.bytes += c.bytes;
      t.responses += c.responses;
      t.resources += c.resources;
      t.resourceBytes += c.resourceBytes;
    }
  }
  return sum;
}

process.on('message', (msg: ToWorker) => {
  try {
    switch (msg.type) {
      case 'start': {
        envoyRoot();
        const connections = Math.ceil(msg.fleets.length / msg.streamsPerConnection);
        for (let c = 0; c < connections; c++) sessions.push(connect(msg.target, { flowControlWindow: msg.flowControlWindow }));
        msg.fleets.forEach((fleet, i) => {
          const s = new AdsStream({
            session: sessions[Math.floor(i / msg.streamsPerConnection)]!,
            mode: msg.mode,
            nodeId: `${msg.idPrefix}-${i}`,
            fleet,
            reader,
            onProgress,
          });
          streams.push(s);
          s.start();
        });
        send({ type: 'started', streams: streams.length });
        break;
      }
      case 'await': {
        const w: PendingWait = { id: msg.id, kind: msg.kind, seq: msg.seq, remaining: new Set(streams.filter((s) => !reachedBy(s, msg.kind, msg.seq))) };
        if (w.remaining.size === 0) finish(w);
        else waits.push(w);
        break;
      }
      case 'stats':
        send({ type: 'stats', counters: totals(), streams: streams.length, closed: streams.filter((s) => s.closed).length });
        break;
      case 'events':
        send({ type: 'events', events: streams.map((s) => (msg.kind === 'route' ? s.routeEvents : s.endpointEvents)) });
        break;
      case 'close':
        for (const s of streams) s.close();
        for (const c of sessions) c.close();
        setTimeout(() => process.exit(0), 50);
        break;
    }
  } catch (err) {
    send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});

process.on('disconnect', () => process.exit(0));
