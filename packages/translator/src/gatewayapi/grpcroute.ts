// GRPCRoute: a gRPC call is an HTTP/2 POST to /<service>/<method>, so
// service/method matches become path matches and everything else is the
// HTTP rule builder with gRPC's filter set and HTTP/2 (h2c) backends.
import type { GRPCMethodMatch, GRPCRoute, GRPCRouteMatch, GRPCRouteRule } from '@switchyard/api';
import type { HttpMatchIR, PathMatchIR } from '../ir/ir.js';
import type { ClusterTable } from './cluster-table.js';
import { RouteReason } from './conditions.js';
import type { TranslationContext } from './context.js';
import { GRPC_RULE_FILTERS } from './http-filters.js';
import { buildHttpRouteRules, readMatches } from './http-route-rules.js';
import { parseNameValueMatches } from './httproute.js';
import type { FieldProblem, RouteBuild } from './route-build.js';
import type { GatewayIndex } from './route-parents.js';

export function buildGRPCRoute(route: GRPCRoute, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined {
  return buildHttpRouteRules('GRPCRoute', route, gateways, clusters, ctx, (rule: GRPCRouteRule, field, problems) => ({
    matches: parseGrpcMatches(rule.matches, `${field}.matches`, ctx, problems),
    ruleFilters: GRPC_RULE_FILTERS,
    traffic: 'grpc',
    // gRPC streams may be long-lived: no whole-request timeout (Envoy's default is 15s).
    timeouts: { requestMs: 0 },
  }));
}

// Exact service and method names (the CRD's patterns).
const SERVICE = /^(?:[A-Za-z_][A-Za-z_0-9]*\.)*[A-Za-z_][A-Za-z_0-9]*$/;
const METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

function parseGrpcMatches(raw: unknown, field: string, ctx: TranslationContext, problems: FieldProblem[]): HttpMatchIR[] {
  return readMatches(raw, field, problems, (m: GRPCRouteMatch, f) => {
    const path = methodPath(m.method, `${f}.method`, ctx, problems);
    const headers = parseNameValueMatches(m.headers, `${f}.headers`, ctx, problems, true);
    if (!path || !headers) return undefined;
    const service = typeof m.method?.service === 'string' ? m.method.service : '';
    const method = typeof m.method?.method === 'string' ? m.method.method : '';
    return { path, headers, queryParams: [], grpc: { service, method } };
  });
}

function methodPath(m: GRPCMethodMatch | undefined, field: string, ctx: TranslationContext, problems: FieldProblem[]): PathMatchIR | undefined {
  if (m === undefined || m === null) return { type: 'PathPrefix', value: '/' };
  const type = m.type ?? 'Exact';
  const service = m.service === '' ? undefined : m.service;
  const method = m.method === '' ? undefined : m.method;
  if (service === undefined && method === undefined) {
    problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}: one of service and method must be set` });
    return undefined;
  }
  if (type === 'Exact') {
    if (service !== undefined && (typeof service !== 'string' || !SERVICE.test(service))) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.service: "${String(service)}" is not a gRPC service name` });
      return undefined;
    }
    if (method !== undefined && (typeof method !== 'string' || !METHOD.test(method))) {
      problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.method: "${String(method)}" is not a gRPC method name` });
      return undefined;
    }
    if (service !== undefined && method !== undefined) return { type: 'Exact', value: `/${service}/${method}` };
    if (service !== undefined) return { type: 'PathPrefix', value: `/${service}` };
    return { type: 'RegularExpression', value: `/[^/]+/${method as string}` };
  }
  if (type === 'RegularExpression') {
    for (const [name, v] of [
      ['service', service],
      ['method', method],
    ] as const) {
      if (v === undefined) continue;
      const problem = typeof v === 'string' ? ctx.regexProblem(v) : 'must be a string';
      if (problem) {
        problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.${name}: ${problem}` });
        return undefined;
      }
    }
    // Each part must match a whole path segment, so the parts are grouped and may not contain "/".
    const value = `/(?:${service ?? '[^/]+'})/(?:${method ?? '[^/]+'})`;
    return { type: 'RegularExpression', value };
  }
  problems.push({ reason: RouteReason.UnsupportedValue, message: `${field}.type: ${String(type)} is not Exact or RegularExpression` });
  return undefined;
}
