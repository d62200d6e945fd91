// The xDS gRPC server: accepts ADS streams, works out which fleet each one
// belongs to (stream-fleet.ts), and hands it to an AdsStream (ads-call.ts). With mTLS (the default) the fleet
// comes from the verified client certificate's URI SAN and nothing the client
// says can change it; plaintext exists only behind an explicit insecure option.
import * as grpc from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { serveAdsCall, type AdsCall, type AdsCallEnv, type XdsStreamInfo } from './ads-call.js';
import { adsServiceDefinition, type DecodedDeltaRequest, type DecodedSotwRequest } from './ads-service.js';
import { DeltaStream } from './delta-stream.js';
import { SotwStream } from './sotw-stream.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { XdsStats, type XdsStatsSnapshot } from './stats.js';
import { encodeControlPlane } from './wire.js';
import { DEFAULT_WRITE_PACING, WritePacer, type WritePacerOptions } from './write-pacer.js';

export type { XdsStreamInfo } from './ads-call.js';

export type XdsTls = { readonly caPem: string; readonly certPem: string; readonly keyPem: string } | { readonly insecure: true };

export interface XdsServerOptions {
  readonly cache: SnapshotCache;
  readonly tls: XdsTls;
  readonly logger?: Logger;
  /** Reported to clients in control_plane.identifier (default "switchyard"). */
  readonly controlPlaneId?: string;
  /** How response writes are paced across streams (default DEFAULT_WRITE_PACING). */
  readonly writePacing?: WritePacerOptions;
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
export const SERVER_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
};

/** mTLS requiring a client certificate signed by the CA, or plaintext when asked for explicitly. */
function serverCredentials(tls: XdsTls): grpc.ServerCredentials {
  return 'insecure' in tls
    ? grpc.ServerCredentials.createInsecure()
    : grpc.ServerCredentials.createSsl(Buffer.from(tls.caPem), [{ cert_chain: Buffer.from(tls.certPem), private_key: Buffer.from(tls.keyPem) }], true);
}

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
  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);

  server.addService(adsServiceDefinition, {
    StreamAggregatedResources: (call: AdsCall<DecodedSotwRequest>) => serveAdsCall(env, 'sotw', call, (ctx) => new SotwStream(ctx)),
    DeltaAggregatedResources: (call: AdsCall<DecodedDeltaRequest>) => serveAdsCall(env, 'delta', call, (ctx) => new DeltaStream(ctx)),
  });

  const credentials = serverCredentials(opts.tls);

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        server.bindAsync(address, credentials, (err, bound) => {
          if (err) return reject(err);
          logger.info({ address: `${host}:${bound}`, tls: insecure ? 'insecure' : 'mtls' }, 'xds: listening');
          resolve(bound);
        });
      });
    },
    close() {
      for (const { call } of open.values()) call.end();
      return new Promise((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams are long-lived: give clients a moment, then cut them.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      });
    },
    streams() {
      return [...open.values()].map((e) => e.info).sort((a, b) => `${a.fleet}\u0000${a.nodeId}`.localeCompare(`${b.fleet}\u0000${b.nodeId}`));
    },
    stats: () => stats.snapshot(),
  };
}
