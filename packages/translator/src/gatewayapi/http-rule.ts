// One HTTPRoute/GRPCRoute rule, after its matches are known: resolves the
// filters and backendRefs into the rule's action and modifiers, shared by
// both kinds (a GRPCRoute rule is an HTTP/2 rule with a narrower filter set).
import type { GRPCBackendRef, HTTPBackendRef } from '@switchyard/api';
import type { ClusterIR, HttpActionIR, HttpMatchIR, HttpRouteIR, RetryIR, RouteSource, TimeoutsIR, WeightedBackendIR } from '../ir/ir.js';
import type { RouteTraffic } from './backends.js';
import type { ClusterTable } from './cluster-table.js';
import { RouteReason } from './conditions.js';
import { applyFilters, BACKEND_FILTERS, HTTP_BACKEND_FILTERS, type FilterOutcome } from './http-filters.js';
import type { FieldProblem } from './route-build.js';
import { backendRefTlsProblem } from '../extensions/ignored-fields.js';

export interface RuleInput {
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  readonly namespace: string;
  readonly name: string;
  readonly ruleIndex: number;
  readonly ruleName?: string;
  readonly matches: readonly HttpMatchIR[];
  readonly filters: unknown;
  readonly backendRefs: unknown;
  readonly ruleFilters: ReadonlySet<string>;
  readonly traffic: RouteTraffic;
  readonly timeouts?: TimeoutsIR;
  readonly retry?: RetryIR;
}

export interface RuleOutput {
  /** Empty when the rule is invalid (see ruleProblems). */
  readonly routes: HttpRouteIR[];
  readonly clusters: ClusterIR[];
  readonly ruleProblems: FieldProblem[];
  readonly refProblems: FieldProblem[];
}

export function buildRule(input: RuleInput, clusters: ClusterTable): RuleOutput {
  const field = `spec.rules[${input.ruleIndex}]`;
  const used = new Map<string, ClusterIR>();
  const filters = applyFilters(input.filters, {
    routeKind: input.kind,
    namespace: input.namespace,
    field: `${field}.filters`,
    traffic: input.traffic,
    clusters,
    allowed: input.ruleFilters,
  });
  const ruleProblems = [...filters.ruleProblems];
  const refProblems = [...filters.refProblems];

  let action: HttpActionIR;
  const backendRewrite: BackendRewrite = {};
  if (filters.redirect) {
    const r = filters.redirect;
    // backendRefs are ignored: the redirect answers every request.
    action = {
      kind: 'redirect',
      statusCode: r.statusCode,
      ...(r.scheme ? { scheme: r.scheme } : {}),
      ...(r.hostname ? { hostname: r.hostname } : {}),
      ...(r.port ? { port: r.port } : {}),
      ...(r.path ? { path: r.path } : {}),
    };
  } else if (filters.fail500) {
    action = { kind: 'direct', status: 500 };
  } else {
    const backends = resolveBackends(input, clusters, used, ruleProblems, refProblems, backendRewrite);
    if (backendRewrite.rewrites && (backends.length !== 1 || filters.hostRewrite !== undefined || filters.pathRewrite)) {
      ruleProblems.push({
        reason: RouteReason.UnsupportedValue,
        message: `${field}.backendRefs: a URLRewrite on a backendRef needs it to be the rule's only backend, without a rule URLRewrite (Envoy rewrites per route, not per weighted backend)`,
      });
    }
    if (backends.length === 0 || backends.every((b) => b.cluster === null)) {
      // No backend to forward to (none given, all invalid, or all weight 0): the spec's 500.
      action = { kind: 'direct', status: 500 };
    } else {
      const hostRewrite = filters.hostRewrite ?? backendRewrite.hostRewrite;
      const pathRewrite = filters.pathRewrite ?? backendRewrite.pathRewrite;
      action = {
        kind: 'forward',
        backends,
        mirrors: filters.mirrors,
        ...(hostRewrite !== undefined ? { hostRewrite } : {}),
        ...(pathRewrite ? { pathRewrite } : {}),
        ...(input.timeouts ? { timeouts: input.timeouts } : {}),
        ...(input.retry ? { retry: input.retry } : {}),
      };
    }
  }
  // ReplacePrefixMatch replaces the matched prefix, so every match must be a PathPrefix.
  const prefixRewrite =
    (action.kind === 'forward' && action.pathRewrite?.type === 'ReplacePrefixMatch') || filters.redirect?.path?.type === 'ReplacePrefixMatch';
  if (prefixRewrite && input.matches.some((m) => m.path.type !== 'PathPrefix')) {
    ruleProblems.push({
      reason: RouteReason.UnsupportedValue,
      message: `${field}: ReplacePrefixMatch requires every match of the rule to use a PathPrefix path match`,
    });
  }
  // Envoy answers redirects and direct responses after the HTTP filters, so the check runs for those too.
  const externalAuth = filters.fail500 ? undefined : filters.externalAuth;
  if (externalAuth) used.set(externalAuth.cluster.name, externalAuth.cluster);
  if (action.kind === 'forward') {
    for (const m of action.mirrors) {
      const c = clusters.byName(m.cluster);
      if (c) used.set(c.name, c);
    }
  }

  if (ruleProblems.length > 0) return { routes: [], clusters: [], ruleProblems, refProblems };
  const routes = input.matches.map((match, i): HttpRouteIR => {
    const source: RouteSource = {
      kind: input.kind,
      namespace: input.namespace,
      name: input.name,
      rule: input.ruleIndex,
      match: i,
      ...(input.ruleName !== undefined ? { ruleName: input.ruleName } : {}),
    };
    return {
      source,
      match,
      action,
      ...modifiers(filters),
      ...(externalAuth
        ? {
            externalAuth: {
              name: `${input.kind.toLowerCase()}/${input.namespace}/${input.name}/rule/${input.ruleIndex}/ext_authz`,
              config: externalAuth.config,
            },
          }
        : {}),
    };
  });
  return { routes, clusters: [...used.values()], ruleProblems, refProblems };
}

function modifiers(f: FilterOutcome): Pick<HttpRouteIR, 'requestHeaders' | 'responseHeaders' | 'cors' | 'rateLimit'> {
  return {
    ...(f.requestHeaders ? { requestHeaders: f.requestHeaders } : {}),
    ...(f.responseHeaders ? { responseHeaders: f.responseHeaders } : {}),
    ...(f.cors ? { cors: f.cors } : {}),
    // A 500 (unresolved filter) is answered before any limit would count.
    ...(f.rateLimit && !f.fail500 ? { rateLimit: f.rateLimit } : {}),
  };
}

/** A URLRewrite found on a backendRef (how many, and the last one's rewrites). */
interface BackendRewrite {
  rewrites?: number;
  hostRewrite?: string;
  pathRewrite?: FilterOutcome['pathRewrite'];
}

function resolveBackends(
  input: RuleInput,
  clusters: ClusterTable,
  used: Map<string, ClusterIR>,
  ruleProblems: FieldProblem[],
  refProblems: FieldProblem[],
  rewrite: BackendRewrite,
): WeightedBackendIR[] {
  const field = `spec.rules[${input.ruleIndex}].backendRefs`;
  if (input.backendRefs === undefined || input.backendRefs === null) return [];
  if (!Array.isArray(input.backendRefs)) {
    ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${field} must be a list` });
    return [];
  }
  const out: WeightedBackendIR[] = [];
  (input.backendRefs as Array<HTTPBackendRef | GRPCBackendRef>).forEach((ref, i) => {
    const f = `${field}[${i}]`;
    if (!ref || typeof ref !== 'object') {
      ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${f} must be an object` });
      return;
    }
    const weight = ref.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 1_000_000) {
      ruleProblems.push({ reason: RouteReason.UnsupportedValue, message: `${f}.weight must be an integer 0-1000000` });
      return;
    }
    const bf = applyFilters(ref.filters, {
      routeKind: input.kind,
      namespace: input.namespace,
      field: `${f}.filters`,
      traffic: input.traffic,
      clusters,
      allowed: input.kind === 'HTTPRoute' ? HTTP_BACKEND_FILTERS : BACKEND_FILTERS,
    });
    ruleProblems.push(...bf.ruleProblems);
    if (bf.hostRewrite !== undefined || bf.pathRewrite) {
      rewrite.rewrites = (rewrite.rewrites ?? 0) + 1;
      if (bf.hostRewrite !== undefined) rewrite.hostRewrite = bf.hostRewrite;
      if (bf.pathRewrite) rewrite.pathRewrite = bf.pathRewrite;
    }
    refProblems.push(...bf.refProblems);
    const r = clusters.resolve(ref, { kind: input.kind, namespace: input.namespace }, input.traffic, f);
    if (!r.ok) refProblems.push({ reason: r.reason, message: r.message });
    const tls = backendRefTlsProblem(ref, f);
    if (tls) refProblems.push({ reason: RouteReason.UnsupportedValue, message: tls });
    // A zero weight sends nothing, valid or not; leave it out so Envoy's weights stay positive.
    if (weight === 0) return;
    const cluster = r.ok && !bf.fail500 ? r.cluster : null;
    if (cluster) used.set(cluster.name, cluster);
    out.push({
      cluster: cluster ? cluster.name : null,
      weight,
      ...(bf.requestHeaders ? { requestHeaders: bf.requestHeaders } : {}),
      ...(bf.responseHeaders ? { responseHeaders: bf.responseHeaders } : {}),
    });
  });
  return out;
}
