// Which kinds differ between two reads of the directory. Standalone mode
// re-reads every file on a change; knowing that only EndpointSlices changed
// lets it refresh endpoints instead of translating everything again.
import { groupOf, kindKey, nameKey, type KubeObject } from '@switchyard/api';

type Index = Map<string, Map<string, KubeObject>>;

/** Objects by kind ("group/Kind") and "namespace/name", the later one winning, as snapshotOf() keys them. */
function index(objects: readonly KubeObject[]): Index {
  const kinds: Index = new Map();
  for (const o of objects) {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    let m = kinds.get(k);
    if (!m) kinds.set(k, (m = new Map()));
    m.set(nameKey(o.metadata.namespace, o.metadata.name), o);
  }
  return kinds;
}

/**
 * The kinds with an object added, removed or changed from `before` to
 * `after`. Unchanged files hand back the very same objects, so most
 * comparisons are by identity; re-parsed ones are compared by content.
 */
export function changedKinds(before: readonly KubeObject[], after: readonly KubeObject[]): Set<string> {
  const a = index(before);
  const b = index(after);
  const changed = new Set<string>();
  for (const kind of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(kind) ?? new Map<string, KubeObject>();
    const y = b.get(kind) ?? new Map<string, KubeObject>();
    if (x.size !== y.size) {
      changed.add(kind);
      continue;
    }
    for (const [key, o] of y) {
      const p = x.get(key);
      if (p === o) continue;
      if (!p || JSON.stringify(p) !== JSON.stringify(o)) {
        changed.add(kind);
        break;
      }
    }
  }
  return changed;
}
