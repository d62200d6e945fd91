// An immutable view of every object the translator may read, indexed by
// kind and namespace/name. Watches and files both produce one; the
// translator reads nothing else.
import { groupOf, kindKey, nameKey, type KubeObject } from './object.js';

export interface Snapshot {
  /** Objects of one kind ("group/Kind"), sorted by namespace/name. */
  list<T extends KubeObject = KubeObject>(group: string, kind: string): readonly T[];
  get<T extends KubeObject = KubeObject>(group: string, kind: string, namespace: string | undefined, name: string): T | undefined;
  /** Every object, grouped by kind key. */
  readonly kinds: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;
}

class MapSnapshot implements Snapshot {
  private readonly sorted = new Map<string, readonly KubeObject[]>();
  constructor(readonly kinds: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>) {}

  list<T extends KubeObject>(group: string, kind: string): readonly T[] {
    const k = kindKey(group, kind);
    let out = this.sorted.get(k);
    if (!out) {
      const m = this.kinds.get(k);
      out = m ? [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v) : [];
      this.sorted.set(k, out);
    }
    return out as readonly T[];
  }

  get<T extends KubeObject>(group: string, kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.kinds.get(kindKey(group, kind))?.get(nameKey(namespace, name)) as T | undefined;
  }
}

/** Builds a snapshot from objects in any order; a later duplicate replaces an earlier one. */
export function snapshotOf(objects: Iterable<KubeObject>): Snapshot {
  const kinds = new Map<string, Map<string, KubeObject>>();
  for (const o of objects) {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    let m = kinds.get(k);
    if (!m) kinds.set(k, (m = new Map<string, KubeObject>()));
    m.set(nameKey(o.metadata.namespace, o.metadata.name), o);
  }
  return new MapSnapshot(kinds);
}

/** Wraps maps the caller keeps up to date (the controller's informer caches); the caller must not mutate them while a translation runs. */
export function snapshotOfMaps(kinds: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>): Snapshot {
  return new MapSnapshot(kinds);
}
