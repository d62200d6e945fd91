// One ADS call, from its first request to its end: finds the stream's fleet
// (stream-fleet.ts), creates the AdsStream that speaks the protocol, feeds it
// requests and transport drains, and closes it once. It sees the call only
// through GrpcCall (grpc-call.ts), whatever transport carries it.
import type { Logger } from 'pino';
import type { DecodedDeltaRequest, DecodedSotwRequest, NodeInfo } from './ads-service.js';
import type { AdsStream, StreamContext, StreamMode } from './ads-stream.js';
import { GrpcStatus, type GrpcCall, type GrpcCallHandlers, type GrpcStatusCode } from './grpc-call.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { XdsStats } from './stats.js';
import { fleetFromCertificate, fleetOfNode } from './stream-fleet.js';
import type { WritePacer } from './write-pacer.js';

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
  readonly open: Map<AdsStream, XdsStreamInfo>;
}

const IGNORE: GrpcCallHandlers = { message() {}, drain() {}, halfClose() {}, closed() {} };

function refuse(env: AdsCallEnv, call: GrpcCall, code: GrpcStatusCode, reason: string): void {
  env.stats.rejected();
  env.logger.warn({ peer: call.peer, reason }, 'xds: stream refused');
  call.end(code, `switchyard xds: ${reason}`);
}

export function serveAdsCall<Req extends DecodedSotwRequest | DecodedDeltaRequest>(
  env: AdsCallEnv,
  mode: StreamMode,
  call: GrpcCall,
  decode: (bytes: Buffer) => Req,
  make: (ctx: StreamContext) => AdsStream & { onRequest(r: Req): void },
): GrpcCallHandlers {
  const { stats, logger, open } = env;
  let certFleet: string | undefined;
  if (!env.insecure) {
    const who = fleetFromCertificate(call.peerCertificate);
    if ('code' in who) {
      refuse(env, call, who.code, who.reason);
      return IGNORE;
    }
    certFleet = who.fleet;
  }
  let stream: (AdsStream & { onRequest(r: Req): void }) | undefined;
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    env.pacer.cancel(call);
    if (stream) {
      const info = open.get(stream);
      open.delete(stream);
      stream.close();
      if (info) {
        stats.streamClosed(info.fleet, mode);
        logger.info(info, 'xds: stream closed');
      }
    }
  };
  /**
   * Writes through the pacer: false when the transport is full or the write
   * waits for the pacer; the stream is resumed on drain or once the waiting
   * write went out.
   */
  const write = (b: Buffer): boolean => {
    let waited = false;
    let ok = true;
    const now = env.pacer.write(call, b.length, (done) => {
      ok = call.write(b, done);
      if (waited && ok) stream?.resume();
    });
    waited = !now;
    return now && ok;
  };
  return {
    message(bytes) {
      if (ended) return;
      let req: Req;
      try {
        req = decode(bytes);
      } catch (e) {
        finish();
        call.end(GrpcStatus.INTERNAL, `switchyard xds: could not decode the request: ${(e as Error).message}`);
        return;
      }
      if (!stream) {
        // The node is sent on the first request of a stream only.
        const n: NodeInfo = req.node ?? { id: '', cluster: '' };
        const who = fleetOfNode(certFleet, n, logger);
        if ('code' in who) {
          ended = true;
          return refuse(env, call, who.code, who.reason);
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
        open.set(stream, info);
        stats.streamOpened(fleet, mode);
        logger.info(info, 'xds: stream opened');
      }
      stream.onRequest(req);
    },
    drain: () => stream?.resume(),
    halfClose() {
      finish();
      call.end(GrpcStatus.OK);
    },
    closed: finish,
  };
}
