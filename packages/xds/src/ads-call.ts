// One ADS call on the gRPC server, from its first request to its end: finds
// the stream's fleet (stream-fleet.ts), creates the AdsStream that speaks the
// protocol, feeds it requests and transport drains, and closes it once.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { DecodedDeltaRequest, DecodedSotwRequest, NodeInfo } from './ads-service.js';
import type { AdsStream, StreamContext, StreamMode } from './ads-stream.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { XdsStats } from './stats.js';
import { fleetFromCertificate, fleetOfNode } from './stream-fleet.js';
import type { WritePacer } from './write-pacer.js';

export type AdsCall<Req> = grpc.ServerDuplexStream<Req, Buffer>;

export interface XdsStreamInfo {
  readonly fleet: string;
  readonly nodeId: string;
  readonly mode: StreamMode;
}

/** What every call of one server shares. */
export interface AdsCallEnv {
  readonly cache: SnapshotCache;
  readonly insecure: boolean;
  readonly stats: XdsStats;
  readonly logger: Logger;
  readonly controlPlane: Buffer;
  /** Paces response writes across the server's streams (write-pacer.ts). */
  readonly pacer: WritePacer;
  /** The server's open streams. */
  readonly open: Map<AdsStream, { info: XdsStreamInfo; call: AdsCall<unknown> }>;
}

function refuse(env: AdsCallEnv, call: AdsCall<unknown>, code: grpc.status, reason: string): void {
  env.stats.rejected();
  env.logger.warn({ peer: call.getPeer(), reason }, 'xds: stream refused');
  call.emit('error', { code, details: `switchyard xds: ${reason}` } satisfies Partial<grpc.StatusObject>);
}

export function serveAdsCall<Req extends DecodedSotwRequest | DecodedDeltaRequest>(
  env: AdsCallEnv,
  mode: StreamMode,
  call: AdsCall<Req>,
  make: (ctx: StreamContext) => AdsStream & { onRequest(r: Req): void },
): void {
  const { stats, logger, open } = env;
  const anyCall = call as AdsCall<unknown>;
  let certFleet: string | undefined;
  if (!env.insecure) {
    const who = fleetFromCertificate(anyCall);
    if ('code' in who) return refuse(env, anyCall, who.code, who.reason);
    certFleet = who.fleet;
  }
  let stream: (AdsStream & { onRequest(r: Req): void }) | undefined;
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    env.pacer.cancel(call);
    if (stream) {
      const entry = open.get(stream);
      open.delete(stream);
      stream.close();
      if (entry) {
        stats.streamClosed(entry.info.fleet, mode);
        logger.info(entry.info, 'xds: stream closed');
      }
    }
  };
  /**
   * Writes through the pacer: false when the transport is full or the write
   * waits for the pacer; the stream is resumed on 'drain' or once the waiting
   * write went out.
   */
  const write = (b: Buffer): boolean => {
    let waited = false;
    let ok = true;
    const now = env.pacer.write(call, b.length, (done) => {
      ok = call.write(b, () => done());
      if (waited && ok) stream?.resume();
    });
    waited = !now;
    return now && ok;
  };
  call.on('data', (req: Req) => {
    if (ended) return;
    if (!stream) {
      // The node is sent on the first request of a stream only.
      const n: NodeInfo = req.node ?? { id: '', cluster: '' };
      const who = fleetOfNode(certFleet, n, logger);
      if ('code' in who) {
        ended = true;
        return refuse(env, anyCall, who.code, who.reason);
      }
      const fleet = who.fleet;
      const info: XdsStreamInfo = { fleet, nodeId: n.id, mode };
      stream = make({
        fleet,
        nodeId: n.id,
        cache: env.cache,
        stats,
        logger,
        controlPlane: env.controlPlane,
        write,
      });
      open.set(stream, { info, call: anyCall });
      stats.streamOpened(fleet, mode);
      logger.info(info, 'xds: stream opened');
    }
    stream.onRequest(req);
  });
  call.on('drain', () => stream?.resume());
  call.on('end', () => {
    finish();
    call.end();
  });
  call.on('error', finish);
  call.on('close', finish);
  call.on('cancelled', finish);
}
