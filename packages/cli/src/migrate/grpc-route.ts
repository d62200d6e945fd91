// ingress-nginx's backend-protocol GRPC as a GRPCRoute: gRPC requests are
// POSTs to /<package.Service>/<Method>, so Ingress paths map onto GRPCRoute
// method matches when they name every method, a service, or one method.
import type { GRPCMethodMatch, GRPCRouteMatch, GRPCRouteRule, HTTPRouteMatch } from '@switchyard/api';
import type { RulePlan } from './plan.js';

const GRPC_SERVICE = /^[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*$/;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/**
 * gRPC requests are POSTs to /<package.Service>/<Method>, so an Ingress path
 * "/" is every method, "/pkg.Svc" one service and "/pkg.Svc/Method" one
 * method. null: every method; undefined: the path is not one of these.
 */
export function grpcMethod(path: HTTPRouteMatch['path']): GRPCMethodMatch | null | undefined {
  if (!path || path.type === 'RegularExpression' || !path.value) return undefined;
  const parts = path.value.replace(/\/+$/, '').split('/').slice(1);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) return path.type === 'PathPrefix' ? null : undefined;
  if (parts.length === 1 && GRPC_SERVICE.test(parts[0]!) && path.type === 'PathPrefix') return { type: 'Exact', service: parts[0]! };
  if (parts.length === 2 && GRPC_SERVICE.test(parts[0]!) && GRPC_METHOD.test(parts[1]!)) return { type: 'Exact', service: parts[0]!, method: parts[1]! };
  return undefined;
}

export function toGrpcRules(
  plans: readonly RulePlan[],
): { readonly ok: true; readonly rules: GRPCRouteRule[] } | { readonly ok: false; readonly reason: string } {
  const rules: GRPCRouteRule[] = [];
  for (const p of plans) {
    const a = p.action;
    if (a.kind !== 'forward') return { ok: false, reason: 'a rule redirects, which GRPCRoute cannot' };
    if (a.timeouts) return { ok: false, reason: 'GRPCRoute has no timeouts' };
    const other = a.filters.find((f) => f.type !== 'ExtensionRef');
    if (other) return { ok: false, reason: `GRPCRoute has no ${other.type} filter` };
    const matches: GRPCRouteMatch[] = [];
    for (const m of p.matches) {
      const method = grpcMethod(m.path);
      if (method === undefined)
        return { ok: false, reason: `path ${JSON.stringify(m.path?.value ?? '')} (${m.path?.type ?? ''}) is not a gRPC service or method` };
      matches.push({ ...(method ? { method } : {}), ...(m.headers?.length ? { headers: m.headers } : {}) });
    }
    const any = matches.some((m) => m.method || m.headers);
    rules.push({
      ...(any ? { matches } : {}),
      ...(a.filters.length ? { filters: a.filters.map((f) => ({ type: 'ExtensionRef' as const, extensionRef: f.extensionRef! })) } : {}),
      // Backend refs made here never carry filters.
      backendRefs: a.backendRefs.map(({ filters: _none, ...b }) => b),
    });
  }
  return { ok: true, rules };
}
