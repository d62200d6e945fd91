// The part of @switchyard/xds the benchmarks drive, as the project's shared
// conventions fix it. Loaded at run time so the bench states exactly what it
// relies on and reports clearly when the package does not provide it.
import type { FleetCache } from '@switchyard/xds';

export type { FleetCache };

export interface XdsServerHandle {
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
  streams(): Array<{ fleet: string; nodeId: string; mode: 'sotw' | 'delta' }>;
}

export interface XdsApi {
  createCache(): FleetCache;
  /** writeBudgetBytes: the server's pacing budget for response writes (default: the package's). */
  createInsecureServer(cache: FleetCache, writeBudgetBytes?: number): XdsServerHandle;
}

interface XdsModule {
  SnapshotCache: new () => FleetCache;
  createXdsServer(opts: { cache: FleetCache; tls: { insecure: true }; writePacing?: { budgetBytes: number; slowMs: number } }): XdsServerHandle;
  DEFAULT_WRITE_PACING?: { budgetBytes: number; slowMs: number };
}

export async function loadXds(): Promise<XdsApi> {
  const mod = (await import('@switchyard/xds')) as Partial<XdsModule>;
  const { SnapshotCache, createXdsServer, DEFAULT_WRITE_PACING } = mod;
  if (typeof SnapshotCache !== 'function' || typeof createXdsServer !== 'function') {
    throw new Error('@switchyard/xds does not export SnapshotCache and createXdsServer (not built yet?)');
  }
  return {
    createCache: () => new SnapshotCache(),
    createInsecureServer: (cache, writeBudgetBytes) =>
      createXdsServer({
        cache,
        tls: { insecure: true },
        ...(writeBudgetBytes !== undefined && DEFAULT_WRITE_PACING ? { writePacing: { ...DEFAULT_WRITE_PACING, budgetBytes: writeBudgetBytes } } : {}),
      }),
  };
}
