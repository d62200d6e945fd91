// What one client holds of one resource type, stored as a shared base map
// plus a small per-stream overlay. A client in step with a snapshot has the
// snapshot's own map as its base and an empty overlay, so a thousand streams
// of a fleet share one map instead of each copying every name.
import type { Versioned } from './encoded-snapshot.js';

export class HeldResources {
  private base: ReadonlyMap<string, Versioned>;
  /** Differences from base: a resource, or null for "not held". */
  private over: Map<string, Versioned | null>;

  constructor(base: ReadonlyMap<string, Versioned> = new Map(), over?: Map<string, Versioned | null>) {
    this.base = base;
    this.over = over ?? new Map<string, Versioned | null>();
  }

  get(name: string): Versioned | undefined {
    const o = this.over.get(name);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, v: Versioned): void {
    if (this.base.get(name) === v) this.over.delete(name);
    else this.over.set(name, v);
  }

  delete(name: string): void {
    if (this.base.has(name)) this.over.set(name, null);
    else this.over.delete(name);
  }

  *keys(): IterableIterator<string> {
    for (const k of this.base.keys()) if (this.over.get(k) !== null) yield k;
    for (const [k, v] of this.over) if (v !== null && !this.base.has(k)) yield k;
  }

  *values(): IterableIterator<Versioned> {
    for (const k of this.keys()) yield this.get(k)!;
  }

  /** Forget everything: hold exactly `map` (shared, not copied). */
  reset(map: ReadonlyMap<string, Versioned>): void {
    this.base = map;
    this.over = new Map();
  }

  clone(): HeldResources {
    return new HeldResources(this.base, new Map(this.over));
  }
}
