// `switchyard serve --from-dir`: Switchyard without a cluster. The objects of
// a directory are translated exactly as the controller translates a cluster's
// (reload.ts), served over xDS on a loopback port (insecure: the fleet of a
// stream is the Envoy node's cluster, "namespace/name" of its Gateway),
// re-translated when the files change (watch.ts), and shown on a small HTTP
// endpoint (http-endpoint.ts). startStandalone puts these together.
import fs from 'node:fs';
import type { Logger } from 'pino';
import { DirectorySource } from './directory-source.js';
import { serveHttpEndpoint, type HttpEndpoint } from './http-endpoint.js';
import { recordNacks } from './nack-log.js';
import { createReloader, type StandaloneState } from './reload.js';
import { watchDirectory } from './watch.js';
import type { FleetCache, XdsServerHandle } from './xds-contract.js';

export type { StandaloneState, TranslationCounts } from './reload.js';
export type { StatusDocument } from './http-endpoint.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** How standalone mode makes its xDS cache and server (the xds package, or a test double). */
export interface StandaloneXds<C extends FleetCache> {
  createCache(): C;
  createServer(cache: C, logger: Logger): XdsServerHandle;
}

export interface StandaloneOptions<C extends FleetCache = FleetCache> {
  readonly dir: string;
  readonly xdsAddress: Address;
  readonly httpAddress: Address;
  readonly logger: Logger;
  readonly xds: StandaloneXds<C>;
  /** Quiet time after a file event before re-reading (editors write in bursts). Default 100 ms. */
  readonly debounceMs?: number;
  /** Safety net for file systems where watching misses events. Default 2000 ms; 0 disables. */
  readonly pollMs?: number;
}

export interface Standalone {
  readonly xdsPort: number;
  readonly httpPort: number;
  state(): StandaloneState;
  /** Re-reads the directory now (what a file event triggers); resolves when translated. */
  reload(): Promise<StandaloneState>;
  /** Calls back after every translation that changed something. */
  onUpdate(listener: (s: StandaloneState) => void): () => void;
  close(): Promise<void>;
}

/** Checks the directory, translates it once, then serves xDS and HTTP and watches for changes. */
export async function startStandalone<C extends FleetCache>(options: StandaloneOptions<C>): Promise<Standalone> {
  const { dir, logger, xdsAddress, httpAddress } = options;
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new StandaloneSetupError(`--from-dir: "${dir}" is not a directory`);

  const cache = options.xds.createCache();
  const nacks = recordNacks(cache, logger);
  const reloader = createReloader(new DirectorySource(dir), cache, logger);
  await reloader.reload();

  const xdsServer = options.xds.createServer(cache, logger);
  let xdsPort: number;
  try {
    xdsPort = await xdsServer.listen(xdsAddress.host, xdsAddress.port);
  } catch (err) {
    nacks.close();
    throw new StandaloneSetupError(`--xds-address ${xdsAddress.host}:${xdsAddress.port}: cannot listen: ${listenReason(err)}`);
  }
  const xdsAddressText = `${hostForUrl(xdsAddress.host)}:${xdsPort}`;

  let httpEndpoint: HttpEndpoint;
  try {
    httpEndpoint = await serveHttpEndpoint(httpAddress.host, httpAddress.port, {
      dir,
      xdsAddress: xdsAddressText,
      state: reloader.state,
      streams: () => xdsServer.streams(),
      nacks: nacks.recent,
    });
  } catch (err) {
    nacks.close();
    await xdsServer.close();
    throw new StandaloneSetupError(`--http-address ${httpAddress.host}:${httpAddress.port}: cannot listen: ${listenReason(err)}`);
  }
  logger.info({ dir, xds: xdsAddressText, http: `http://${hostForUrl(httpAddress.host)}:${httpEndpoint.port}` }, 'serving');

  const stopWatching = watchDirectory(dir, reloader.reload, { debounceMs: options.debounceMs ?? 100, pollMs: options.pollMs ?? 2000 }, logger);

  let closed = false;
  return {
    xdsPort,
    httpPort: httpEndpoint.port,
    state: reloader.state,
    reload: reloader.reload,
    onUpdate: reloader.onUpdate,
    async close() {
      if (closed) return;
      closed = true;
      stopWatching();
      nacks.close();
      await reloader.settled();
      await httpEndpoint.close();
      await xdsServer.close();
    },
  };
}

/** A problem that stops standalone mode from starting (exit code 1, one line). */
export class StandaloneSetupError extends Error {
  override readonly name = 'StandaloneSetupError';
}

/** The reason a bind failed, from a Node error or gRPC's wrapped one. */
function listenReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/EADDRINUSE/.test(text)) return 'address already in use';
  if (/EADDRNOTAVAIL/.test(text)) return 'address not available on this machine';
  if (/EACCES/.test(text)) return 'permission denied';
  return text.split('\n')[0]!;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
