// Match precedence across every route sharing a virtual host, as the
// HTTPRoute spec orders it. First the route's own hostname that the virtual
// host's name comes from, most specific first (exact, then longer wildcards,
// then a route without hostnames): the spec's "largest number of characters
// in a matching non-wildcard hostname, then in a matching hostname", taken
// from the route's hostnames rather than the listener intersection
// (GatewayRouteHostnameIntersectionPrecedence). Then: Exact path; then PathPrefix, longest first; then
// method; then most header matches; then most query matches; ties go to the
// oldest route, then "{namespace}/{name}" alphabetically, then rule and
// match order. RegularExpression paths are implementation-specific: here
// they rank after Exact and before PathPrefix (longer patterns first), so a
// regex is not shadowed by a "/" prefix. GRPCRoute has its own order: the
// longest service, then the longest method, then the most header matches.
import type { HttpRouteIR } from '../ir/ir.js';
import { compareHostnames } from './hostname.js';

export interface RankedRoute {
  readonly route: HttpRouteIR;
  /** Route's creationTimestamp ('' when unknown sorts first). */
  readonly created: string;
  /** The route's own hostname this virtual host serves it for ("*": the route names none). */
  readonly routeHostname: string;
}

const PATH_RANK = { Exact: 0, RegularExpression: 1, PathPrefix: 2 } as const;

export function comparePrecedence(a: RankedRoute, b: RankedRoute): number {
  const ma = a.route.match;
  const mb = b.route.match;
  const byHostname = compareHostnames(a.routeHostname, b.routeHostname);
  if (byHostname !== 0) return byHostname;
  // GRPCRoute (its virtual hosts never mix with HTTPRoutes, see http-grpc-conflicts.ts): the longest
  // service, then the longest method, then the most header matches; then the common tie-breakers.
  if (ma.grpc && mb.grpc) {
    if (ma.grpc.service.length !== mb.grpc.service.length) return mb.grpc.service.length - ma.grpc.service.length;
    if (ma.grpc.method.length !== mb.grpc.method.length) return mb.grpc.method.length - ma.grpc.method.length;
    if (ma.headers.length !== mb.headers.length) return mb.headers.length - ma.headers.length;
    return tieBreak(a, b);
  }
  const ra = PATH_RANK[ma.path.type];
  const rb = PATH_RANK[mb.path.type];
  if (ra !== rb) return ra - rb;
  if (ma.path.type !== 'Exact' && ma.path.value.length !== mb.path.value.length) return mb.path.value.length - ma.path.value.length;
  const hasA = ma.method !== undefined ? 1 : 0;
  const hasB = mb.method !== undefined ? 1 : 0;
  if (hasA !== hasB) return hasB - hasA;
  if (ma.headers.length !== mb.headers.length) return mb.headers.length - ma.headers.length;
  if (ma.queryParams.length !== mb.queryParams.length) return mb.queryParams.length - ma.queryParams.length;
  return tieBreak(a, b);
}

/** Oldest route, then "{namespace}/{name}", then rule and match order. */
function tieBreak(a: RankedRoute, b: RankedRoute): number {
  const ma = a.route.match;
  const mb = b.route.match;
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  const sa = a.route.source;
  const sb = b.route.source;
  const ka = `${sa.namespace}/${sa.name}`;
  const kb = `${sb.namespace}/${sb.name}`;
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (sa.kind !== sb.kind) return sa.kind < sb.kind ? -1 : 1;
  if (sa.rule !== sb.rule) return sa.rule - sb.rule;
  if (sa.match !== sb.match) return sa.match - sb.match;
  // Same position: fully equal matches from one source cannot both exist; compare values for a total order anyway.
  return ma.path.value < mb.path.value ? -1 : ma.path.value > mb.path.value ? 1 : 0;
}
