// The xDS gRPC server: serves the two ADS methods over gRPC on node:http2
// (grpc-http2.ts), works out which fleet each stream belongs to
// (stream-fleet.ts), and hands it to an AdsStream (ads-call.ts). With mTLS (the default) the fleet
// comes from the verified client certificate's URI SAN and nothing the client
// says can change it; plaintext exists only behind an explicit insecure option.
import { pino, type Logger } from 'pino';
import { serveAdsCall, type AdsCallEnv, type XdsStreamInfo } from './ads-call.js';
import { ADS_PATHS, decodeDeltaDiscoveryRequest, decodeDiscoveryRequest } from './ads-service.js';
import { DeltaStream } from './delta-stream.js';
import type { GrpcMethod } from './grpc-call.js';
import { createGrpcHttp2Server, type GrpcTls, type GrpcTransportOptions } from './grpc-http2.js';
import { SotwStream } from './sotw-stream.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { XdsStats, type XdsStatsSnapshot } from './stats.js';
import { encodeControlPlane } from './wire.js';
import { DEFAULT_WRITE_PACING, WritePacer, type WritePacerOptions } from './write-pacer.js';

export type { XdsStreamInfo } from './ads-call.js';

export type XdsTls = GrpcTls;

export interface XdsServerOptions {
  readonly cache: SnapshotCache;
  readonly tls: XdsTls;
  readonly logger?: Logger;
  /** Reported to clients in control_plane.identifier (default "switchyard"). */
  readonly controlPlaneId?: string;
  /** How response writes are paced across streams (default DEFAULT_WRITE_PACING). */
  readonly writePacing?: WritePacerOptions;
  /** Keepalive and message limits (default XDS_TRANSPORT). */
  readonly transport?: Partial<GrpcTransportOptions>;
}

export interface XdsServer {
  /** Binds and starts serving; returns the bound port (pass 0 for any free port). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting streams and ends the open ones. */
  close(): Promise<void>;
  streams(): XdsStreamInfo[];
  stats(): XdsStatsSnapshot;
}

/**
 * Transport settings, chosen deliberately:
 * - keepalive: the server pings every 30 s and drops a connection whose ping
 *   is not answered in 10 s, so a vanished Envoy (node lost, network cut)
 *   frees its stream in under a minute instead of after TCP's ~15 minutes.
 * - message size: a response carries a whole type's set (state of the world)
 *   or a batch of changes (delta); a RouteConfiguration of 10,000 virtual
 *   hosts is ~1 MB, so sends are allowed up to 64 MiB. Requests are small
 *   (names, versions, a NACK message): 4 MiB, gRPC's default, is plenty.
 */
export const XDS_TRANSPORT: GrpcTransportOptions = {
  keepaliveIntervalMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  maxSendMessageBytes: 64 * 1024 * 1024,
  maxReceiveMessageBytes: 4 * 1024 * 1024,
};

/** How long close() lets clients finish before it cuts their connections. */
const CLOSE_GRACE_MS = 1000;

export function createXdsServer(opts: XdsServerOptions): XdsServer {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const stats = new XdsStats();
  const open: AdsCallEnv['open'] = new Map();
  const insecure = 'insecure' in opts.tls;
  const env: AdsCallEnv = {
    cache: opts.cache,
    insecure,
    stats,
    logger,
    controlPlane: encodeControlPlane(opts.controlPlaneId ?? 'switchyard'),
    pacer: new WritePacer(opts.writePacing ?? DEFAULT_WRITE_PACING),
    open,
  };
  const methods = new Map<string, GrpcMethod>([
    [ADS_PATHS.sotw, (call) => serveAdsCall(env, 'sotw', call, decodeDiscoveryRequest, (ctx) => new SotwStream(ctx))],
    [ADS_PATHS.delta, (call) => serveAdsCall(env, 'delta', call, decodeDeltaDiscoveryRequest, (ctx) => new DeltaStream(ctx))],
  ]);
  const server = createGrpcHttp2Server({ ...XDS_TRANSPORT, ...opts.transport, tls: opts.tls, methods, logger });

  return {
    listen: (host, port) => server.listen(host, port),
    close: () => server.close(CLOSE_GRACE_MS),
    streams() {
      return [...open.values()].sort((a, b) => `${a.fleet}\u0000${a.nodeId}`.localeCompare(`${b.fleet}\u0000${b.nodeId}`));
    },
    stats: () => stats.snapshot(),
  };
}
