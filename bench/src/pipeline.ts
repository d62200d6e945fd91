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
import { groupOf, kindKey, nameKey, snapshotOfMaps, type KubeObject } from '@switchyard/api';
import { translate, type TranslateResult } from '@switchyard/translator';
import type { FleetCache } from './xds-contract.js';

export interface RunTimings {
  readonly translateMs: number;
  readonly setFleetMs: number;
  readonly fleets: number;
}

export class Pipeline {
  private readonly kinds = new Map<string, Map<string, KubeObject>>();
  private readonly fleetsSet = new Set<string>();
  last: TranslateResult | undefined;
  private clock = Date.UTC(2026, 5, 1);

  constructor(objects: Iterable<KubeObject>, private readonly cache?: FleetCache) {
    for (const o of objects) this.apply(o);
  }

  apply(o: KubeObject): void {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    let m = this.kinds.get(k);
    if (!m) this.kinds.set(k, (m = new Map()));
    m.set(nameKey(o.metadata.namespace, o.metadata.name), o);
  }

  remove(o: KubeObject): void {
    this.kinds.get(kindKey(groupOf(o.apiVersion), o.kind))?.delete(nameKey(o.metadata.namespace, o.metadata.name));
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.kinds.get(kindKey(groupOf(apiVersion), kind))?.get(nameKey(namespace, name));
  }

  /** Translates the current objects and hands every fleet to the cache; fleets that disappeared are deleted. */
  run(): RunTimings {
    // Each run is a later moment, as in a running controller: a translator
    // that stamps `now` on unchanged conditions would show up as status writes.
    this.clock += 1000;
    const t0 = performance.now();
    const result = translate(snapshotOfMaps(this.kinds), { now: new Date(this.clock).toISOString().replace('.000Z', 'Z') });
    const t1 = performance.now();
    if (this.cache) {
      for (const [fleet, resources] of result.fleets) {
        this.cache.setFleet(fleet, resources);
        this.fleetsSet.add(fleet);
      }
      for (const fleet of [...this.fleetsSet]) {
        if (!result.fleets.has(fleet)) {
          this.cache.deleteFleet(fleet);
          this.fleetsSet.delete(fleet);
        }
      }
    }
    const t2 = performance.now();
    this.last = result;
    return { translateMs: t1 - t0, setFleetMs: t2 - t1, fleets: result.fleets.size };
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
