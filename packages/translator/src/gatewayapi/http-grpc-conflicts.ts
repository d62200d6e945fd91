// HTTPRoute and GRPCRoute on one listener: when routes of the two kinds
// share a hostname there, the spec (GRPCRoute hostnames) says exactly one may
// be accepted — the oldest, then the first by "{namespace}/{name}" — and the
// other gets Accepted=False for that parent. gRPC and plain HTTP on one
// hostname would otherwise shadow each other's paths unpredictably.
import { condition, ConditionType, RouteReason } from './conditions.js';
import type { ListenerState } from './gateway.js';
import { hostnameWithin } from './hostname.js';
import type { RouteBuild } from './route-build.js';
import type { Attachment, ParentResult } from './route-parents.js';

const KINDS = new Set(['HTTPRoute', 'GRPCRoute']);

/** A route of one kind already attached to a listener, with the hostnames it serves there. */
interface Holder {
  kind: string;
  name: string;
  hostnames: readonly string[];
}

function overlap(a: readonly string[], b: readonly string[]): string | undefined {
  for (const x of a)
    for (const y of b) if (hostnameWithin(x, y === '*' ? undefined : y) || hostnameWithin(y, x === '*' ? undefined : x)) return x === '*' ? y : x;
  return undefined;
}

/** Returns the builds with losing attachments removed (builds keep their order). */
export function resolveHttpGrpcConflicts(builds: readonly RouteBuild[]): RouteBuild[] {
  const order = builds
    .map((b, i) => ({ b, i }))
    .filter(({ b }) => KINDS.has(b.kind) && !b.notAccepted)
    .sort((x, y) =>
      x.b.created !== y.b.created
        ? x.b.created < y.b.created
          ? -1
          : 1
        : `${x.b.namespace}/${x.b.name}` < `${y.b.namespace}/${y.b.name}`
          ? -1
          : `${x.b.namespace}/${x.b.name}` > `${y.b.namespace}/${y.b.name}`
            ? 1
            : x.b.kind < y.b.kind
              ? -1
              : 1,
    );
  // listener -> kind -> routes already holding it. Only the other kind's list is scanned, so a
  // listener with routes of one kind (the usual case) costs nothing however many routes it has.
  const holders = new Map<ListenerState, Map<string, Holder[]>>();
  const out = [...builds];
  for (const { b, i } of order) {
    let changed = false;
    const parents = b.parents.map((p): ParentResult => {
      if (p.accepted.status !== 'True') return p;
      const kept: Attachment[] = [];
      const lost: string[] = [];
      for (const a of p.attachments) {
        const byKind = holders.get(a.listener);
        let rival: Holder | undefined;
        if (byKind) for (const [kind, held] of byKind) if (kind !== b.kind) rival ??= held.find((h) => overlap(h.hostnames, a.hostnames) !== undefined);
        if (rival) {
          lost.push(
            `listener ${a.listener.spec.name} already serves ${rival.kind} ${rival.name} for hostname ${overlap(rival.hostnames, a.hostnames)} (older, or first by namespace/name)`,
          );
          continue;
        }
        kept.push(a);
      }
      for (const a of kept) {
        let byKind = holders.get(a.listener);
        if (!byKind) holders.set(a.listener, (byKind = new Map<string, Holder[]>()));
        let held = byKind.get(b.kind);
        if (!held) byKind.set(b.kind, (held = []));
        held.push({ kind: b.kind, name: `${b.namespace}/${b.name}`, hostnames: a.hostnames });
      }
      if (lost.length === 0) return p;
      changed = true;
      if (kept.length > 0) return { ...p, attachments: kept };
      return { ...p, attachments: [], accepted: condition(ConditionType.Accepted, false, RouteReason.NotAllowedByListeners, lost.join('; ')) };
    });
    if (changed) out[i] = { ...b, parents };
  }
  return out;
}
