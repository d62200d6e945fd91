// Backend resolution memoized per translation: many routes refer to the
// same Service port, and each must yield the same ClusterIR (same name, same
// endpoints) without recomputing endpoints every time.
import type { BackendObjectReference } from '@switchyard/api';
import type { ClusterIR } from '../ir/ir.js';
import { resolveBackend, type BackendResolution, type RouteTraffic } from './backends.js';
import type { TranslationContext } from './context.js';

export class ClusterTable {
  private readonly memo = new Map<string, Map<string, BackendResolution>>();
  constructor(readonly ctx: TranslationContext) {}

  resolve(ref: BackendObjectReference, from: { kind: string; namespace: string }, traffic: RouteTraffic, field: string): BackendResolution {
    // One memo per referrer (kind, namespace) and traffic, keyed by what the ref names: short keys, few
    // string concatenations on the hot path.
    const scope = `${from.kind}/${from.namespace}/${traffic}`;
    let memo = this.memo.get(scope);
    if (!memo) this.memo.set(scope, (memo = new Map<string, BackendResolution>()));
    const key = `${String(ref.namespace ?? from.namespace)}/${String(ref.name)}:${String(ref.port ?? '')}/${String(ref.kind ?? 'Service')}.${String(ref.group ?? '')}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const r = resolveBackend(ref, from, traffic, field, this.ctx);
    // Failures are cheap to recompute and their messages name the referring field, so only successes are kept.
    if (r.ok) {
      memo.set(key, r);
      this.byClusterName.set(r.cluster.name, r.cluster);
    }
    return r;
  }

  private readonly byClusterName = new Map<string, ClusterIR>();

  byName(name: string): ClusterIR | undefined {
    return this.byClusterName.get(name);
  }
}
