// Weighted cluster selection. Envoy draws a random value below the total
// weight and walks the clusters in order, summing weights, until the sum
// exceeds it. Here the draw is the caller's sample, so "request N goes to
// backend X" is deterministic and testable.
import type { Explanation, WeightedBackend } from './types.js';

/**
 * The backend that serves a given sample: `sample` is taken modulo the total
 * weight, so samples 0..total-1 visit every share in proportion to its
 * weight. Undefined when the explanation does not forward to clusters or
 * every weight is zero.
 */
export function pickBackend(explanation: Explanation, sample: number): WeightedBackend | undefined {
  if (explanation.kind !== 'route' || explanation.action.kind !== 'clusters') return undefined;
  return pickWeighted(explanation.action.backends, sample);
}

export function pickWeighted(backends: readonly WeightedBackend[], sample: number): WeightedBackend | undefined {
  const total = backends.reduce((s, b) => s + b.weight, 0);
  if (total <= 0) return undefined;
  const draw = ((Math.floor(sample) % total) + total) % total;
  let sum = 0;
  for (const b of backends) {
    sum += b.weight;
    if (draw < sum) return b;
  }
  return undefined;
}

/** One line of a weight distribution: what answers, and which share of requests it gets. */
export interface WeightShare {
  /** "namespace/name:port" of the backend, the cluster name when it has no backend metadata, or "<status>" for shares Envoy answers itself. */
  readonly target: string;
  readonly cluster: string;
  readonly weight: number;
  /** 0..1 */
  readonly share: number;
  /** Set for shares Envoy answers itself (invalid backend, missing cluster). */
  readonly status?: number;
}

/** The full weight distribution, shares of the same target summed, in route order. */
export function weightDistribution(explanation: Explanation): WeightShare[] {
  if (explanation.kind !== 'route' || explanation.action.kind !== 'clusters') return [];
  const out = new Map<string, WeightShare>();
  for (const b of explanation.action.backends) {
    const t = b.target;
    const target = t.kind === 'error' ? String(t.status) : t.backend ? backendKey(t.backend) : t.cluster;
    const prev = out.get(target);
    out.set(target, {
      target,
      cluster: t.cluster,
      weight: (prev?.weight ?? 0) + b.weight,
      share: (prev?.share ?? 0) + b.share,
      ...(t.kind === 'error' ? { status: t.status } : {}),
    });
  }
  return [...out.values()];
}

export function backendKey(b: { namespace: string; name: string; port: number }): string {
  return `${b.namespace}/${b.name}:${b.port}`;
}
