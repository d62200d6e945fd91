// Backend resolution memoized per translation: many routes refer to the
// same Service port, and each must yield the same ClusterIR (same name, same
// endpoints) without recomputing endpoints every time.
import type { BackendObjectReference } from '@switchyard/api';
import type { ClusterIR } from '../ir/ir.js';
import { resolveBackend, type BackendResolution, type RouteTraffic } from './backends.js';
import type { TranslationContext } from './context.js';

export class ClusterTable {
  private readonly memo = new Map<string, BackendResolution>();
  constructor(readonly ctx: TranslationContext) {}

  resolve(ref: BackendObjectReference, from: { kind: string; namespace: string }, traffic: RouteTraffic, field: string): BackendResolution {
    // \u0000 cannot appear in Kubernetes names, so the joined key is unambiguous.
    const key = `${from.kind}\u0000${from.namespace}\u0000${traffic}\u0000${String(ref.group ?? '')}\u0000${String(ref.kind ?? 'Service')}\u0000${String(ref.namespace ?? from.namespace)}\u0000${String(ref.name)}\u0000${String(ref.port ?? '')}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const r = resolveBackend(ref, from, traffic, field, this.ctx);
    // Failures are cheap to recompute and their messages name the referring field, so only successes are kept.
    if (r.ok) {
      this.memo.set(key, r);
      this.byClusterName.set(r.cluster.name, r.cluster);
    }
    return r;
  }

  private readonly byClusterName = new Map<string, ClusterIR>();

  byName(name: string): ClusterIR | undefined {
    return this.byClusterName.get(name);
  }
}
