// Everything HTTPRoute and GRPCRoute share around their rules: the parents,
// the CRD's default of one catch-all rule, each rule through the shared rule
// builder, and the rule verdicts for the parents' status. What differs by kind
// is only how a rule's matches and settings are read (readRule).
import type { CommonRouteSpec, KubeObject } from '@switchyard/api';
import { removedRuleFields } from '../extensions/ignored-fields.js';
import type { HttpMatchIR } from '../ir/ir.js';
import type { ClusterTable } from './cluster-table.js';
import { RouteReason } from './conditions.js';
import type { TranslationContext } from './context.js';
import { buildRule, type RuleInput } from './http-rule.js';
import type { FieldProblem, RouteBuild } from './route-build.js';
import { ruleVerdicts } from './route-conditions.js';
import { resolveParents, type GatewayIndex } from './route-parents.js';

/** The fields every HTTP-like rule has, read the same way for both kinds. */
interface HttpLikeRule {
  readonly name?: string;
  readonly filters?: unknown;
  readonly backendRefs?: unknown;
}

/** What a kind reads from one rule: its matches and the settings of buildRule that depend on the kind. */
export type KindRule = Pick<RuleInput, 'matches' | 'ruleFilters' | 'traffic' | 'timeouts' | 'retry'>;

export function buildHttpRouteRules<Rule extends HttpLikeRule>(
  kind: 'HTTPRoute' | 'GRPCRoute',
  route: KubeObject<CommonRouteSpec & { hostnames?: string[]; rules?: Rule[] }>,
  gateways: GatewayIndex,
  clusters: ClusterTable,
  ctx: TranslationContext,
  /** Reads the kind's part of a rule; a problem it records drops the rule. */
  readRule: (rule: Rule, field: string, problems: FieldProblem[]) => KindRule,
): RouteBuild | undefined {
  const parents = resolveParents(route, kind, gateways, ctx);
  if (parents.length === 0) return undefined;
  const namespace = route.metadata.namespace ?? '';
  const name = route.metadata.name;
  // The CRD defaults rules to one rule matching every request; a file may omit it.
  const rules: Rule[] = Array.isArray(route.spec?.rules) && route.spec.rules.length > 0 ? route.spec.rules : [{} as Rule];
  const httpRoutes: RouteBuild['httpRoutes'][number][] = [];
  const used = new Map<string, RouteBuild['clusters'][number]>();
  const dropped: Array<{ rule: number; problems: FieldProblem[] }> = [];
  const refProblems: FieldProblem[] = [];
  const ignored: string[] = [];

  rules.forEach((rule, ruleIndex) => {
    const problems: FieldProblem[] = [];
    if (!rule || typeof rule !== 'object') {
      dropped.push({ rule: ruleIndex, problems: [{ reason: RouteReason.UnsupportedValue, message: `spec.rules[${ruleIndex}] must be an object` }] });
      return;
    }
    ignored.push(...removedRuleFields(rule, `spec.rules[${ruleIndex}]`));
    const read = readRule(rule, `spec.rules[${ruleIndex}]`, problems);
    if (problems.length > 0) {
      dropped.push({ rule: ruleIndex, problems });
      return;
    }
    const out = buildRule(
      {
        kind,
        namespace,
        name,
        ruleIndex,
        ...(typeof rule.name === 'string' ? { ruleName: rule.name } : {}),
        filters: rule.filters,
        backendRefs: rule.backendRefs,
        ...read,
      },
      clusters,
    );
    refProblems.push(...out.refProblems);
    if (out.ruleProblems.length > 0) {
      dropped.push({ rule: ruleIndex, problems: out.ruleProblems });
      return;
    }
    httpRoutes.push(...out.routes);
    for (const c of out.clusters) used.set(c.name, c);
  });

  const v = ruleVerdicts(rules.length, dropped, refProblems);
  return {
    kind,
    namespace,
    name,
    created: route.metadata.creationTimestamp ?? '',
    parents,
    httpRoutes,
    clusters: [...used.values()],
    resolvedRefs: v.resolvedRefs,
    ...(v.partiallyInvalid ? { partiallyInvalid: v.partiallyInvalid } : {}),
    ...(v.notAccepted ? { notAccepted: v.notAccepted } : {}),
    ...(ignored.length > 0 ? { ignored } : {}),
  };
}

/**
 * A rule's matches, read the same way for both kinds: no matches means one
 * match of every request (path prefix "/"); each entry must be an object and
 * is read by readMatch, which records its problems and returns undefined for
 * an entry it cannot use.
 */
export function readMatches<M>(
  raw: unknown,
  field: string,
  problems: FieldProblem[],
  readMatch: (m: M, field: string) => HttpMatchIR | undefined,
): HttpMatchIR[] {
  if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0))
    return [{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }];
  if (!Array.isArray(raw)) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field} must be a list` });
    return [];
  }
  const out: HttpMatchIR[] = [];
  raw.forEach((m: unknown, i: number) => {
    const f = `${field}[${i}]`;
    if (!m || typeof m !== 'object') {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${f} must be an object` });
      return;
    }
    const match = readMatch(m as M, f);
    if (match) out.push(match);
  });
  return out;
}
