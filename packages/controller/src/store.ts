// The controller's cache of watched objects: one map per kind, filled by the
// reflectors, read as an immutable Snapshot by the translator.
import { Subject } from 'rxjs';
import { kindKey, nameKey, snapshotOfMaps, type KubeObject, type Snapshot } from '@switchyard/api';

export interface StoreChange {
  readonly type: 'added' | 'modified' | 'deleted';
  readonly kind: string; // "group/Kind"
  readonly key: string; // "namespace/name"
}

export class ObjectStore {
  private readonly kinds = new Map<string, Map<string, KubeObject>>();
  /** One value per object change; the pipeline coalesces them. */
  readonly changes$ = new Subject<StoreChange>();

  private mapOf(kind: string): Map<string, KubeObject> {
    let m = this.kinds.get(kind);
    if (!m) this.kinds.set(kind, (m = new Map<string, KubeObject>()));
    return m;
  }

  upsert(kind: string, obj: KubeObject): void {
    const m = this.mapOf(kind);
    const key = nameKey(obj.metadata.namespace, obj.metadata.name);
    const prev = m.get(key);
    // An unchanged resourceVersion is a relist or bookmark echo: no change.
    if (prev && prev.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    m.set(key, strip(obj));
    this.changes$.next({ type: prev ? 'modified' : 'added', kind, key });
  }

  remove(kind: string, obj: KubeObject): void {
    const key = nameKey(obj.metadata.namespace, obj.metadata.name);
    if (this.kinds.get(kind)?.delete(key)) this.changes$.next({ type: 'deleted', kind, key });
  }

  /** Replaces a kind's contents with a fresh list: objects missing from it were deleted while we were not watching. */
  replace(kind: string, items: readonly KubeObject[]): void {
    const m = this.mapOf(kind);
    const seen = new Set<string>();
    for (const o of items) {
      seen.add(nameKey(o.metadata.namespace, o.metadata.name));
      this.upsert(kind, o);
    }
    for (const [key, o] of [...m]) if (!seen.has(key)) this.remove(kind, o);
  }

  get<T extends KubeObject = KubeObject>(group: string, kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.kinds.get(kindKey(group, kind))?.get(nameKey(namespace, name)) as T | undefined;
  }

  list<T extends KubeObject = KubeObject>(group: string, kind: string): T[] {
    return [...(this.kinds.get(kindKey(group, kind))?.values() ?? [])] as T[];
  }

  /**
   * A consistent view: the maps are copied (objects are never mutated in
   * place, so sharing them is safe), so events arriving while the translator
   * runs cannot change what it reads.
   */
  snapshot(): Snapshot {
    const copy = new Map<string, ReadonlyMap<string, KubeObject>>();
    for (const [k, m] of this.kinds) copy.set(k, new Map(m));
    return snapshotOfMaps(copy);
  }

  /**
   * The store's own maps, not copied: valid only until the next event, so
   * only for a synchronous reader (the reconciler's translation, which keeps
   * its own copy of what it read: translateIncremental's inputs).
   */
  liveSnapshot(): Snapshot {
    return snapshotOfMaps(this.kinds);
  }

  count(): number {
    let n = 0;
    for (const m of this.kinds.values()) n += m.size;
    return n;
  }
}

/** managedFields are large and never read; dropping them halves the cache for most objects. */
function strip(obj: KubeObject): KubeObject {
  const meta = obj.metadata as KubeObject['metadata'] & { managedFields?: unknown };
  if (!meta.managedFields) return obj;
  const { managedFields: _drop, ...rest } = meta;
  return { ...obj, metadata: rest };
}
