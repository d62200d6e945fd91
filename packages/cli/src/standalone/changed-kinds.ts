// Which kinds differ between two reads of the directory. Standalone mode
// re-reads every file on a change; knowing that only EndpointSlices changed
// lets it refresh endpoints instead of translating everything again.
import { snapshotOf, type KubeObject } from '@switchyard/api';

/**
 * The kinds with an object added, removed or changed from `before` to
 * `after`. Unchanged files hand back the very same objects, so most
 * comparisons are by identity; re-parsed ones are compared by content.
 */
export function changedKinds(before: readonly KubeObject[], after: readonly KubeObject[]): Set<string> {
  // Keyed as the translator will read them ("group/Kind", then "namespace/name", the later duplicate winning).
  const a = snapshotOf(before).kinds;
  const b = snapshotOf(after).kinds;
  const changed = new Set<string>();
  for (const kind of new Set([...a.keys(), ...b.keys()])) {
    const x: ReadonlyMap<string, KubeObject> = a.get(kind) ?? new Map();
    const y: ReadonlyMap<string, KubeObject> = b.get(kind) ?? new Map();
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
