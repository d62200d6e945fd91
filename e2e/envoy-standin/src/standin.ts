// Wires the stand-in together: the xDS client applies each configuration to
// the listener manager (a port that cannot be bound is a NACK), the admin
// interface reports readiness, and close() stops it all.
import type { EnvoyResources } from '@switchyard/protos';
import type { StandinArgs } from './args.js';
import type { StandinBootstrap } from './bootstrap.js';
import { startAdmin } from './admin.js';
import { closeUpstreams } from './http-upstream.js';
import { ListenerManager } from './listeners.js';
import { createLog, type Log } from './log.js';
import { TokenBuckets } from './rate-limit.js';
import { XdsClient } from './xds-client.js';

export interface Standin {
  readonly adminPort: number | undefined;
  resources(): EnvoyResources;
  initialized(): boolean;
  close(): Promise<void>;
}

export async function startStandin(bootstrap: StandinBootstrap, args: Pick<StandinArgs, 'logLevel' | 'bindAddress'>, log: Log = createLog(args.logLevel)): Promise<Standin> {
  let current: EnvoyResources = bootstrap.staticResources;
  const listeners = new ListenerManager({ resources: () => current, buckets: new TokenBuckets(), log, ...(args.bindAddress ? { bindAddress: args.bindAddress } : {}) });
  // Static listeners (the readiness listener) are served from the start, as Envoy does.
  const staticError = await listeners.apply(current);
  if (staticError) throw new Error(`static_resources: ${staticError}`);
  const xds = new XdsClient(
    bootstrap,
    async (candidate) => {
      const error = await listeners.apply(candidate);
      if (!error) current = candidate;
      return error;
    },
    log,
  );
  const admin = bootstrap.admin ? await startAdmin(bootstrap.admin.address, bootstrap.admin.port, { initialized: () => xds.initialized(), resources: () => current, node: bootstrap.node }) : undefined;
  log.info(`node ${bootstrap.node.id} (${bootstrap.node.cluster}): ${bootstrap.xds.mode} ADS to ${bootstrap.xds.host}:${bootstrap.xds.port}${bootstrap.xds.tls ? ' over mTLS' : ''}`);
  return {
    adminPort: admin?.port,
    resources: () => current,
    initialized: () => xds.initialized(),
    async close() {
      xds.stop();
      admin?.close();
      listeners.close();
      closeUpstreams();
      await xds.done;
    },
  };
}
