// The route kinds Switchyard builds, each with its builder. The kinds
// themselves are @switchyard/api's KINDS rows marked `route` (in that order);
// a new kind is one line there plus its builder here (the record below is
// keyed by RouteKindName, so a kind without a builder does not compile),
// using resolveParents (route-parents.ts) for attachment and the ClusterTable
// for backends.
import { ROUTE_KINDS as ROUTE_KIND_FACTS, type KubeObject, type RouteKindName } from '@switchyard/api';
import type { ClusterTable } from './cluster-table.js';
import type { TranslationContext } from './context.js';
import { buildGRPCRoute } from './grpcroute.js';
import { buildHTTPRoute } from './httproute.js';
import { buildTCPRoute, buildTLSRoute, buildUDPRoute } from './l4-routes.js';
import type { RouteBuild } from './route-build.js';
import type { GatewayIndex } from './route-parents.js';

/** Returns undefined when the route has no parentRef to a Gateway Switchyard serves. */
type RouteBuilder = (route: KubeObject, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext) => RouteBuild | undefined;

export interface RouteKind {
  readonly group: string;
  readonly kind: RouteKindName;
  readonly build: RouteBuilder;
}

const BUILDERS: Readonly<Record<RouteKindName, RouteBuilder>> = {
  HTTPRoute: (r, g, c, x) => buildHTTPRoute(r as Parameters<typeof buildHTTPRoute>[0], g, c, x),
  GRPCRoute: (r, g, c, x) => buildGRPCRoute(r as Parameters<typeof buildGRPCRoute>[0], g, c, x),
  TLSRoute: (r, g, c, x) => buildTLSRoute(r as Parameters<typeof buildTLSRoute>[0], g, c, x),
  TCPRoute: (r, g, c, x) => buildTCPRoute(r as Parameters<typeof buildTCPRoute>[0], g, c, x),
  UDPRoute: (r, g, c, x) => buildUDPRoute(r as Parameters<typeof buildUDPRoute>[0], g, c, x),
};

export const ROUTE_KINDS: readonly RouteKind[] = ROUTE_KIND_FACTS.map(({ group, kind }) => ({ group, kind, build: BUILDERS[kind] }));
