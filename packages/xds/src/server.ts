// The xDS gRPC server: accepts ADS streams, works out which fleet each one
// belongs to, and hands it to an AdsStream. With mTLS (the default) the fleet
// comes from the verified client certificate's URI SAN and nothing the client
// says can change it; plaintext exists only behind an explicit insecure option.
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { adsServiceDefinition, type DecodedDeltaRequest, type DecodedSotwRequest, type NodeInfo } from './ads-service.js';
import { type AdsStream, type StreamMode } from './ads-stream.js';
import { DeltaStream } from './delta-stream.js';
import { SotwStream } from './sotw-stream.js';
import { certificateUris, fleetOfIdentity, isFleetId } from './pki.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { XdsStats, type XdsStatsSnapshot } from './stats.js';
import { encodeControlPlane } from './wire.js';

export type XdsTls = { readonly caPem: string; readonly certPem: string; readonly keyPem: string } | { readonly insecure: true };

export interface XdsServerOptions {
  readonly cache: SnapshotCache;
  readonly tls: XdsTls;
  readonly logger?: Logger;
  /** Reported to clients in control_plane.identifier (default "switchyard"). */
  readonly controlPlaneId?: string;
}

export interface XdsStreamInfo {
  readonly fleet: string;
  readonly nodeId: string;
  readonly mode: StreamMode;
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

type AdsCall<Req> = grpc.ServerDuplexStream<Req, Buffer>;

export function createXdsServer(opts: XdsServerOptions): XdsServer {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const stats = new XdsStats();
  const controlPlane = encodeControlPlane(opts.controlPlaneId ?? 'switchyard');
  const open = new Map<AdsStream, { info: XdsStreamInfo; call: AdsCall<unknown> }>();
  const insecure = 'insecure' in opts.tls;
  const server = new grpc.Server(SERVER_CHANNEL_OPTIONS);

  /** The fleet of a stream under mTLS, or a refusal. */
  function fleetFromCertificate(call: AdsCall<unknown>): { fleet: string } | { code: grpc.status; reason: string } {
    const peer = call.getAuthContext()?.sslPeerCertificate;
    if (!peer?.raw) return { code: grpc.status.UNAUTHENTICATED, reason: 'no client certificate' };
    let uris: string[];
    try {
      uris = certificateUris(new X509Certificate(peer.raw));
    } catch {
      return { code: grpc.status.UNAUTHENTICATED, reason: 'unreadable client certificate' };
    }
    const fleets = [...new Set(uris.map(fleetOfIdentity).filter((f): f is string => f !== undefined))];
    if (fleets.length !== 1) {
      return {
        code: grpc.status.PERMISSION_DENIED,
        reason: fleets.length === 0 ? 'client certificate names no fleet' : 'client certificate names more than one fleet',
      };
    }
    return { fleet: fleets[0]! };
  }

  function refuse(call: AdsCall<unknown>, code: grpc.status, reason: string): void {
    stats.rejected();
    logger.warn({ peer: call.getPeer(), reason }, 'xds: stream refused');
    call.emit('error', { code, details: `switchyard xds: ${reason}` } satisfies Partial<grpc.StatusObject>);
  }

  function handle<Req extends DecodedSotwRequest | DecodedDeltaRequest>(
    mode: StreamMode,
    call: AdsCall<Req>,
    make: (ctx: ConstructorParameters<typeof SotwStream>[0]) => AdsStream & { onRequest(r: Req): void },
  ): void {
    const anyCall = call as AdsCall<unknown>;
    let certFleet: string | undefined;
    if (!insecure) {
      const who = fleetFromCertificate(anyCall);
      if ('code' in who) return refuse(anyCall, who.code, who.reason);
      certFleet = who.fleet;
    }
    let stream: (AdsStream & { onRequest(r: Req): void }) | undefined;
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
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
    call.on('data', (req: Req) => {
      if (ended) return;
      if (!stream) {
        // The node is sent on the first request of a stream only.
        const n: NodeInfo = req.node ?? { id: '', cluster: '' };
        let fleet: string;
        if (certFleet !== undefined) {
          fleet = certFleet;
          if (n.cluster !== '' && n.cluster !== certFleet) {
            logger.warn({ fleet, nodeId: n.id, claimed: n.cluster }, "xds: node claims another fleet; serving the certificate's fleet");
          }
        } else {
          if (!isFleetId(n.cluster)) {
            ended = true;
            return refuse(
              anyCall,
              grpc.status.INVALID_ARGUMENT,
              `insecure mode: node.cluster must be the Gateway's "namespace/name", got ${JSON.stringify(n.cluster)}`,
            );
          }
          fleet = n.cluster;
        }
        const info: XdsStreamInfo = { fleet, nodeId: n.id, mode };
        stream = make({
          fleet,
          nodeId: n.id,
          cache: opts.cache,
          stats,
          logger,
          controlPlane,
          write: (b) => call.write(b),
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

  server.addService(adsServiceDefinition, {
    StreamAggregatedResources: (call: AdsCall<DecodedSotwRequest>) => handle('sotw', call, (ctx) => new SotwStream(ctx)),
    DeltaAggregatedResources: (call: AdsCall<DecodedDeltaRequest>) => handle('delta', call, (ctx) => new DeltaStream(ctx)),
  });

  const credentials =
    'insecure' in opts.tls
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(
          Buffer.from(opts.tls.caPem),
          [{ cert_chain: Buffer.from(opts.tls.certPem), private_key: Buffer.from(opts.tls.keyPem) }],
          true,
        );

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
