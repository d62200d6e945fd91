// TLSRoute, TCPRoute and UDPRoute: one rule each (the CRDs allow exactly
// one), whose weighted backendRefs become a tcp_proxy (TLS, TCP) or
// udp_proxy (UDP) target. Attachment, hostname intersection (TLSRoute) and
// backend resolution are the shared ones (route-parents.ts, ClusterTable);
// which route wins a listener or an SNI name is decided in l4-fleet.ts.
import type { BackendRef, TCPRoute, TLSRoute, UDPRoute } from '@switchyard/api';
import type { ClusterIR, RouteSource, WeightedBackendIR } from '../ir/ir.js';
import type { RouteTraffic } from './backends.js';
import type { ClusterTable } from './cluster-table.js';
import { condition, ConditionType, RouteReason } from './conditions.js';
import type { TranslationContext } from './context.js';
import type { FieldProblem, RouteBuild } from './route-build.js';
import { ruleVerdicts } from './route-conditions.js';
import { resolveParents, type GatewayIndex } from './route-parents.js';

/** What a TLS/TCP/UDP route forwards to: its one rule's weighted backends. */
export interface L4ActionIR {
  readonly source: RouteSource;
  /** In backendRefs order; an invalid backend's share has cluster null. */
  readonly backends: readonly WeightedBackendIR[];
}

type L4Kind = 'TLSRoute' | 'TCPRoute' | 'UDPRoute';
type L4Route = TLSRoute | TCPRoute | UDPRoute;

const TRAFFIC: Record<L4Kind, RouteTraffic> = { TLSRoute: 'tls', TCPRoute: 'tcp', UDPRoute: 'udp' };

export function buildTLSRoute(route: TLSRoute, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  return buildL4Route('TLSRoute', route, gateways, clusters, ctx);
}

export function buildTCPRoute(route: TCPRoute, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  return buildL4Route('TCPRoute', route, gateways, clusters, ctx);
}

export function buildUDPRoute(route: UDPRoute, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  return buildL4Route('UDPRoute', route, gateways, clusters, ctx);
}

function buildL4Route(kind: L4Kind, route: L4Route, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  const parents = resolveParents(route, kind, gateways, ctx);
  if (parents.length === 0) return undefined;
  const namespace = route.metadata.namespace ?? '';
  const name = route.metadata.name;
  const rules = Array.isArray(route.spec?.rules) ? route.spec.rules : [];
  const refProblems: FieldProblem[] = [];
  const dropped: Array<{ rule: number; problems: FieldProblem[] }> = [];
  const used = new Map<string, ClusterIR>();
  let l4: L4ActionIR | undefined;

  if (rules.length === 0) {
    dropped.push({ rule: 0, problems: [{ reason: RouteReason.UnsupportedValue, message: 'spec.rules must have exactly one rule' }] });
  }
  rules.forEach((rule, i) => {
    if (i > 0) {
      // The CRD allows one rule; a file may carry more. Say so instead of ignoring them quietly.
      dropped.push({
        rule: i,
        problems: [{ reason: RouteReason.UnsupportedValue, message: `spec.rules[${i}]: ${kind} has exactly one rule; only spec.rules[0] is used` }],
      });
      return;
    }
    if (!rule || typeof rule !== 'object') {
      dropped.push({ rule: i, problems: [{ reason: RouteReason.UnsupportedValue, message: `spec.rules[${i}] must be an object` }] });
      return;
    }
    const refs: BackendRef[] = Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
    const backends: WeightedBackendIR[] = [];
    refs.forEach((ref, j) => {
      const field = `spec.rules[${i}].backendRefs[${j}]`;
      const weight = typeof ref?.weight === 'number' && Number.isInteger(ref.weight) && ref.weight >= 0 ? ref.weight : 1;
      if (!ref || typeof ref !== 'object') {
        refProblems.push({ reason: RouteReason.BackendNotFound, message: `${field} must be an object` });
        backends.push({ cluster: null, weight });
        return;
      }
      const r = clusters.resolve(ref, { kind, namespace }, TRAFFIC[kind], field);
      if (!r.ok) {
        refProblems.push({ reason: r.reason, message: r.message });
        backends.push({ cluster: null, weight });
        return;
      }
      backends.push({ cluster: r.cluster.name, weight });
      if (weight > 0) used.set(r.cluster.name, r.cluster);
    });
    if (refs.length === 0) refProblems.push({ reason: RouteReason.BackendNotFound, message: `spec.rules[${i}].backendRefs is empty: connections are closed` });
    l4 = {
      source: { kind, namespace, name, rule: i, ...(typeof rule.name === 'string' ? { ruleName: rule.name } : {}), match: 0 },
      backends,
    };
  });

  // Only rules beyond the first are dropped here, so a usable first rule keeps the route Accepted.
  const v = ruleVerdicts(Math.max(rules.length, 1), dropped, refProblems);
  const notAccepted = l4
    ? undefined
    : (v.notAccepted ?? condition(ConditionType.Accepted, false, RouteReason.UnsupportedValue, 'spec.rules[0] is missing or invalid'));
  return {
    kind,
    namespace,
    name,
    created: route.metadata.creationTimestamp ?? '',
    parents,
    httpRoutes: [],
    clusters: [...used.values()],
    resolvedRefs: v.resolvedRefs,
    ...(l4 ? { l4 } : {}),
    ...(v.partiallyInvalid && l4 ? { partiallyInvalid: v.partiallyInvalid } : {}),
    ...(notAccepted ? { notAccepted } : {}),
  };
}
