// The inputs of an incremental pass: the objects a translation was computed
// from, kept so the next pass can tell what changed and read what the changed
// objects were before. A live store's maps change under a kept snapshot, so
// the inputs must be a copy; copying 10,000 HTTPRoutes for a one-route change
// would cost more than translating it, so a kind that changed is kept as the
// previous pass's map with the changed entries layered over it
// (LayeredMap), and folded into a plain map once enough changes pile up.
//
// Two ways to learn what changed: the caller names the changed keys (the
// controller's store sees every watch event; applyChanges reads only those),
// or, without that, every object is compared with the previous pass's
// (diffInputs). Both give the same inputs' content and the same changes.
import type { KubeObject } from '@switchyard/api';

/** Objects by kind key ("group/Kind"), then by "namespace/name". */
export type Inputs = ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;

/** Per kind key, the keys ("namespace/name") of objects added, changed or removed. */
export type InputChanges = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * A copy of `after`'s objects, and what changed since `before`. A kind with no
 * change keeps the previous copy; a changed one is the previous copy with the
 * changes layered over it, or a new copy when there is none.
 */
export function diffInputs(
  before: Inputs | undefined,
  after: Inputs,
): { inputs: Map<string, ReadonlyMap<string, KubeObject>>; changes: Map<string, Set<string>> } {
  const inputs = new Map<string, ReadonlyMap<string, KubeObject>>();
  const changes = new Map<string, Set<string>>();
  for (const [kind, y] of after) {
    const x = before?.get(kind);
    if (!x) {
      inputs.set(kind, new Map(y));
      if (y.size > 0) changes.set(kind, new Set(y.keys()));
      continue;
    }
    const changed = new Set<string>();
    for (const [key, o] of y) if (differs(x.get(key), o)) changed.add(key);
    for (const key of x.keys()) if (!y.has(key)) changed.add(key);
    // Equal copies count as unchanged; keep the previous copy (and its objects) then.
    if (changed.size === 0) inputs.set(kind, x);
    else {
      changes.set(kind, changed);
      inputs.set(kind, layered(x, changed, y));
    }
  }
  if (before) for (const [kind, x] of before) if (!after.has(kind) && x.size > 0) changes.set(kind, new Set(x.keys()));
  return { inputs, changes };
}

/**
 * The inputs of `before` with the objects named in `named` read from `after`,
 * and which of them really changed (a named object equal to the previous one,
 * such as a status-only write echoed by a watch, is not a change). Only the
 * named objects are read: the caller vouches that every other object of
 * `after` is the one in `before`.
 */
export function applyChanges(
  before: Inputs,
  after: Inputs,
  named: InputChanges,
): { inputs: Map<string, ReadonlyMap<string, KubeObject>>; changes: Map<string, Set<string>> } {
  const inputs = new Map(before);
  const changes = new Map<string, Set<string>>();
  for (const [kind, keys] of named) {
    const x = before.get(kind) ?? EMPTY;
    const y = after.get(kind) ?? EMPTY;
    const changed = new Set<string>();
    for (const key of keys) if (differs(x.get(key), y.get(key))) changed.add(key);
    if (changed.size === 0) continue;
    changes.set(kind, changed);
    inputs.set(kind, layered(x, changed, y));
  }
  return { inputs, changes };
}

const EMPTY: ReadonlyMap<string, KubeObject> = new Map();

function differs(p: KubeObject | undefined, o: KubeObject | undefined): boolean {
  // A store hands back the very same object while it is unchanged; a re-read file gives equal copies.
  if (p === o) return false;
  return !p || !o || JSON.stringify(p) !== JSON.stringify(o);
}

/**
 * `x` with the `changed` keys as they are in `y` (absent there: removed). A
 * LayeredMap over x's base, or a plain copy when the layer would grow past
 * the square root of twice the size: copying n entries every sqrt(2n)
 * changes and the layer on the others costs about sqrt(2n) entries a change.
 */
function layered(x: ReadonlyMap<string, KubeObject>, changed: ReadonlySet<string>, y: ReadonlyMap<string, KubeObject>): ReadonlyMap<string, KubeObject> {
  const base = x instanceof LayeredMap ? x.base : x;
  const layer = new Map<string, KubeObject | null>(x instanceof LayeredMap ? x.layer : undefined);
  let size = x.size;
  for (const key of changed) {
    const o = y.get(key);
    size += (o ? 1 : 0) - (x.has(key) ? 1 : 0);
    if (o) layer.set(key, o);
    else if (base.has(key)) layer.set(key, null);
    else layer.delete(key);
  }
  const result = new LayeredMap(base, layer, size);
  return layer.size > Math.max(4, Math.ceil(Math.sqrt(2 * base.size))) ? new Map(result) : result;
}

/**
 * A read-only map: `base` with `layer` over it (null: removed). Neither is
 * ever mutated once handed in. Iteration gives base's order with replaced
 * values in place, then the added keys; every reader of inputs sorts.
 */
export class LayeredMap implements ReadonlyMap<string, KubeObject> {
  constructor(
    readonly base: ReadonlyMap<string, KubeObject>,
    readonly layer: ReadonlyMap<string, KubeObject | null>,
    readonly size: number,
  ) {}

  get(key: string): KubeObject | undefined {
    const o = this.layer.get(key);
    return o === undefined ? this.base.get(key) : (o ?? undefined);
  }

  has(key: string): boolean {
    const o = this.layer.get(key);
    return o === undefined ? this.base.has(key) : o !== null;
  }

  *entries(): MapIterator<[string, KubeObject]> {
    for (const [key, v] of this.base) {
      const o = this.layer.get(key);
      if (o === undefined) yield [key, v];
      else if (o !== null) yield [key, o];
    }
    for (const [key, o] of this.layer) if (o !== null && !this.base.has(key)) yield [key, o];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<KubeObject> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, KubeObject]> {
    return this.entries();
  }

  forEach(fn: (value: KubeObject, key: string, map: ReadonlyMap<string, KubeObject>) => void, thisArg?: unknown): void {
    for (const [key, v] of this.entries()) fn.call(thisArg, v, key, this);
  }
}
