// Status of Switchyard's own objects: each ProxyConfig and RateLimit says
// whether it is usable and who uses it, so `kubectl get ratelimit -o yaml`
// answers "is this in effect?" without reading routes. One condition,
// Accepted: False/Invalid (a spec the CRD would refuse; only objects from
// files get there) or True/Accepted with the users, or the lack of them.
import {
  GATEWAY_GROUP,
  SWITCHYARD_GROUP,
  type Condition,
  type Gateway,
  type GatewayClass,
  type HTTPRoute,
  type KubeObject,
  type Snapshot,
} from '@switchyard/api';
import { condition, type PendingCondition } from '../gatewayapi/conditions.js';
import { stamp, type ObjectStatus, type StatusContext } from '../gatewayapi/status.js';
import { PROXY_CONFIG_KIND, proxyConfigsOf, proxyConfigSpecProblem } from './proxyconfig.js';
import { RATE_LIMIT_KIND, rateLimitSpecProblem } from './ratelimit.js';

/** Users listed in a message, at most; the rest are counted. */
const MAX_LISTED = 10;

function users(list: readonly string[], what: string): string {
  const sorted = [...new Set(list)].sort();
  const shown = sorted.slice(0, MAX_LISTED).join(', ');
  return sorted.length > MAX_LISTED ? `${what}: ${shown} and ${sorted.length - MAX_LISTED} more` : `${what}: ${shown}`;
}

function statusOf(o: KubeObject, pending: PendingCondition, sc: StatusContext): ObjectStatus {
  const prev = (o.status as { conditions?: Condition[] } | undefined)?.conditions;
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    status: { conditions: stamp([pending], o.metadata.generation, Array.isArray(prev) ? prev : undefined, sc.now) },
  };
}

const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/**
 * `ours`: the GatewayClass names whose controllerName is Switchyard's.
 * `tracingDecidedBy`: Gateway key -> the XTelemetryPolicy that decides its
 * tracing instead of a ProxyConfig's spec.tracing.
 */
export function extensionStatuses(
  snapshot: Snapshot,
  ours: ReadonlySet<string>,
  sc: StatusContext,
  tracingDecidedBy: ReadonlyMap<string, string> = new Map(),
): ObjectStatus[] {
  const out: ObjectStatus[] = [];

  const gatewaysOf = new Map<string, string[]>();
  for (const gw of snapshot.list<Gateway>(GATEWAY_GROUP, 'Gateway')) {
    if (!gw?.metadata || !ours.has(gw.spec?.gatewayClassName ?? '')) continue;
    for (const pc of proxyConfigsOf(gw, snapshot)) {
      const k = key(pc);
      gatewaysOf.set(k, [...(gatewaysOf.get(k) ?? []), key(gw)]);
    }
  }
  const classesOf = new Map<string, string[]>();
  for (const gc of snapshot.list<GatewayClass>(GATEWAY_GROUP, 'GatewayClass')) {
    const ref = gc?.spec?.parametersRef;
    if (!ref || !ours.has(gc.metadata.name) || ref.group !== SWITCHYARD_GROUP || ref.kind !== PROXY_CONFIG_KIND || !ref.namespace) continue;
    const k = `${ref.namespace}/${ref.name}`;
    classesOf.set(k, [...(classesOf.get(k) ?? []), gc.metadata.name]);
  }
  for (const pc of snapshot.list(SWITCHYARD_GROUP, PROXY_CONFIG_KIND)) {
    if (!pc?.metadata?.name) continue;
    const problem = proxyConfigSpecProblem(pc.spec);
    const gws = gatewaysOf.get(key(pc)) ?? [];
    const classes = classesOf.get(key(pc)) ?? [];
    const parts = [...(classes.length ? [users(classes, 'GatewayClasses')] : []), ...(gws.length ? [users(gws, 'used by Gateways')] : [])];
    const overridden = (pc.spec as { tracing?: unknown } | undefined)?.tracing !== undefined ? gws.filter((g) => tracingDecidedBy.has(g)) : [];
    if (overridden.length)
      parts.push(
        `${users(overridden, 'spec.tracing not applied to Gateways')} (an XTelemetryPolicy targeting a Gateway takes precedence: ${[...new Set(overridden.map((g) => tracingDecidedBy.get(g)!))].sort().join(', ')})`,
      );
    out.push(
      statusOf(
        pc,
        problem
          ? condition('Accepted', false, 'Invalid', problem)
          : condition('Accepted', true, 'Accepted', parts.length ? parts.join('; ') : 'not referenced by any Gateway or GatewayClass of this controller'),
        sc,
      ),
    );
  }

  // Rules referencing each RateLimit (ExtensionRef is a local reference: same namespace).
  const rulesOf = new Map<string, string[]>();
  for (const kind of ['HTTPRoute', 'GRPCRoute']) {
    for (const r of snapshot.list<HTTPRoute>(GATEWAY_GROUP, kind)) {
      const rules = Array.isArray(r?.spec?.rules) ? r.spec.rules : [];
      rules.forEach((rule, i) => {
        for (const f of Array.isArray(rule?.filters) ? rule.filters : []) {
          const ref = f?.type === 'ExtensionRef' ? f.extensionRef : undefined;
          if (ref?.group !== SWITCHYARD_GROUP || ref.kind !== RATE_LIMIT_KIND) continue;
          const k = `${r.metadata.namespace ?? ''}/${ref.name}`;
          rulesOf.set(k, [...(rulesOf.get(k) ?? []), `${kind} ${key(r)} rule ${i}`]);
        }
      });
    }
  }
  for (const rl of snapshot.list(SWITCHYARD_GROUP, RATE_LIMIT_KIND)) {
    if (!rl?.metadata?.name) continue;
    const problem = rateLimitSpecProblem(rl.spec);
    const rules = rulesOf.get(key(rl)) ?? [];
    out.push(
      statusOf(
        rl,
        problem
          ? condition('Accepted', false, 'Invalid', `${problem}; rules using it answer 500`)
          : condition('Accepted', true, 'Accepted', rules.length ? users(rules, 'used by') : 'not used by any HTTPRoute or GRPCRoute rule'),
        sc,
      ),
    );
  }
  return out;
}
