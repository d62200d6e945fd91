// The route kinds Switchyard builds, each with its builder. A new kind
// (TLSRoute, TCPRoute, UDPRoute) is one entry here plus its builder file,
// using resolveParents (route-parents.ts) for attachment and the
// ClusterTable for backends.
import { GATEWAY_GROUP, type KubeObject } from '@switchyard/api';
import type { ClusterTable } from './cluster-table.js';
import type { TranslationContext } from './context.js';
import { buildGRPCRoute } from './grpcroute.js';
import { buildHTTPRoute } from './httproute.js';
import { buildTCPRoute, buildTLSRoute, buildUDPRoute } from './l4-routes.js';
import type { RouteBuild } from './route-build.js';
import type { GatewayIndex } from './route-parents.js';

export interface RouteKind {
  readonly group: string;
  readonly kind: string;
  /** Returns undefined when the route has no parentRef to a Gateway Switchyard serves. */
  build(route: KubeObject, gateways: GatewayIndex, clusters: ClusterTable, ctx: TranslationContext): RouteBuild | undefined;
}

export const ROUTE_KINDS: readonly RouteKind[] = [
  { group: GATEWAY_GROUP, kind: 'HTTPRoute', build: (r, g, c, x) => buildHTTPRoute(r as Parameters<typeof buildHTTPRoute>[0], g, c, x) },
  { group: GATEWAY_GROUP, kind: 'GRPCRoute', build: (r, g, c, x) => buildGRPCRoute(r as Parameters<typeof buildGRPCRoute>[0], g, c, x) },
  { group: GATEWAY_GROUP, kind: 'TLSRoute', build: (r, g, c, x) => buildTLSRoute(r as Parameters<typeof buildTLSRoute>[0], g, c, x) },
  { group: GATEWAY_GROUP, kind: 'TCPRoute', build: (r, g, c, x) => buildTCPRoute(r as Parameters<typeof buildTCPRoute>[0], g, c, x) },
  { group: GATEWAY_GROUP, kind: 'UDPRoute', build: (r, g, c, x) => buildUDPRoute(r as Parameters<typeof buildUDPRoute>[0], g, c, x) },
];
