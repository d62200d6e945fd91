// The controller's data path, in process, without Kubernetes: an object store
// that watch events update (maps keyed by kind and namespace/name, replaced
// objects rather than mutated ones, as informers deliver them), a snapshot of
// it, translate(), and the xDS cache. Latency benchmarks time exactly this.
//
// It also simulates the status writer against an API server: a status is
// written only when it differs from the object's current status (compared
// as packages/controller's StatusWriter compares), and a write updates the
// stored object (which, as with a real watch, triggers another
// translation). Counting these writes shows whether the translator produces
// status storms (rewriting objects whose status did not really change).
//
// Like packages/controller's Reconciler, every pass goes through
// translateIncremental (endpoints-only, routes-only or full; a pass with no
// event reuses the previous result) with the keys of the objects changed
// since the previous pass, and a fleet whose resources are the objects
// handed over last time is not handed to the cache again.
import { groupOf, kindKey, nameKey, snapshotOfMaps, type KubeObject } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { translateIncremental, type TranslateDetail, type Translation } from '@switchyard/translator';
import { generateConfig, type GeneratedConfig } from './generate.js';
import { loadXds, type FleetCache, type XdsServerHandle } from './xds-contract.js';

/** translateIncremental's pass; "virtual hosts": a routes pass that rebuilt only the virtual hosts the change touched. */
export type TranslationKind = 'full' | 'routes' | 'virtual hosts' | 'endpoints' | 'unchanged';

export interface RunTimings {
  readonly translateMs: number;
  readonly setFleetMs: number;
  readonly fleets: number;
  /** Fleets handed to the cache (the others were unchanged). */
  readonly pushed: number;
  readonly translation: TranslationKind;
}

export class Pipeline {
  private readonly kinds = new Map<string, Map<string, KubeObject>>();
  private readonly pushed = new Map<string, EnvoyResources>();
  private translation: Translation | undefined;
  /** Per kind key, the keys of the objects changed since `last` was computed. */
  private changed = new Map<string, Set<string>>();
  last: TranslateDetail | undefined;
  private clock = Date.UTC(2026, 5, 1);

  constructor(
    objects: Iterable<KubeObject>,
    private readonly cache?: FleetCache,
  ) {
    for (const o of objects) this.apply(o);
  }

  apply(o: KubeObject): void {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    const key = nameKey(o.metadata.namespace, o.metadata.name);
    this.changedKey(k, key);
    let m = this.kinds.get(k);
    if (!m) this.kinds.set(k, (m = new Map<string, KubeObject>()));
    m.set(key, o);
  }

  remove(o: KubeObject): void {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    const key = nameKey(o.metadata.namespace, o.metadata.name);
    if (this.kinds.get(k)?.delete(key)) this.changedKey(k, key);
  }

  private changedKey(kind: string, key: string): void {
    let keys = this.changed.get(kind);
    if (!keys) this.changed.set(kind, (keys = new Set<string>()));
    keys.add(key);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.kinds.get(kindKey(groupOf(apiVersion), kind))?.get(nameKey(namespace, name));
  }

  /** Translates the current objects and hands every changed fleet to the cache; fleets that disappeared are deleted. */
  run(): RunTimings {
    // Each run is a later moment, as in a running controller: a translator
    // that stamps `now` on unchanged conditions would show up as status writes.
    this.clock += 1000;
    const changed = this.changed;
    this.changed = new Map();
    const t0 = performance.now();
    const snapshot = snapshotOfMaps(this.kinds);
    let result: TranslateDetail;
    let translation: TranslationKind;
    if (this.last && changed.size === 0) {
      result = this.last;
      translation = 'unchanged';
    } else {
      const r = translateIncremental(this.translation, snapshot, { now: new Date(this.clock).toISOString().replace('.000Z', 'Z') }, changed);
      this.translation = r.translation;
      result = r.translation.detail;
      translation = r.rebuiltVirtualHosts ? 'virtual hosts' : r.pass;
    }
    const t1 = performance.now();
    let pushed = 0;
    if (this.cache) {
      for (const [fleet, resources] of result.fleets) {
        if (this.pushed.get(fleet) === resources) continue;
        this.cache.setFleet(fleet, resources);
        this.pushed.set(fleet, resources);
        pushed++;
      }
      for (const fleet of [...this.pushed.keys()]) {
        if (!result.fleets.has(fleet)) {
          this.cache.deleteFleet(fleet);
          this.pushed.delete(fleet);
        }
      }
    }
    const t2 = performance.now();
    this.last = result;
    return { translateMs: t1 - t0, setFleetMs: t2 - t1, fleets: result.fleets.size, pushed, translation };
  }

  /**
   * Writes the last translation's statuses that differ from the stored
   * objects' statuses. Returns what was written, by kind, and statuses for
   * objects that do not exist (which a real writer could not write).
   */
  writeStatuses(): { writes: number; byKind: Record<string, number>; missing: number } {
    const byKind: Record<string, number> = {};
    let writes = 0;
    let missing = 0;
    for (const s of this.last?.statuses ?? []) {
      const obj = this.get(s.apiVersion, s.kind, s.namespace, s.name);
      if (!obj) {
        missing++;
        continue;
      }
      if (canonical(obj.status) === canonical(s.status)) continue;
      writes++;
      byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
      this.apply({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(Number(obj.metadata.resourceVersion ?? '0') + 1) }, status: s.status });
    }
    return { writes, byKind, missing };
  }
}

/**
 * Canonical JSON for comparing statuses the way the controller's status
 * writer does: sorted keys, conditions by type, lastTransitionTime ignored
 * (a condition whose status did not change is not worth a write).
 */
export function canonical(v: unknown): string {
  const norm = (x: unknown, key?: string): unknown => {
    if (Array.isArray(x)) {
      const items = x.map((i) => norm(i));
      if (key === 'conditions') items.sort((a, b) => String((a as { type?: unknown }).type).localeCompare(String((b as { type?: unknown }).type)));
      return items;
    }
    if (x !== null && typeof x === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) {
        const val = (x as Record<string, unknown>)[k];
        if (k === 'lastTransitionTime' || val === undefined || val === null) continue;
        o[k] = norm(val, k);
      }
      return o;
    }
    return x;
  };
  return JSON.stringify(norm(v ?? {}));
}

/** A generated configuration loaded into a pipeline whose cache a loopback ADS server serves. */
export interface LoadedServer {
  readonly config: GeneratedConfig;
  /** The fleet the simulated Envoys join: Gateway 0's, where the markers live. */
  readonly fleet: string;
  readonly pipeline: Pipeline;
  readonly server: XdsServerHandle;
  readonly port: number;
}

/** Set-up shared by the propagation and endpoint-churn benchmarks. */
export async function startLoadedServer(gateways: number, routes: number): Promise<LoadedServer> {
  const xds = await loadXds();
  const config = generateConfig({ gateways, routes, seed: 1 });
  const cache = xds.createCache();
  const pipeline = new Pipeline(config.objects, cache);
  pipeline.run();
  const server = xds.createInsecureServer(cache);
  const port = await server.listen('127.0.0.1', 0);
  return { config, fleet: config.fleets[0]!, pipeline, server, port };
}
