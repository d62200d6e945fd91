// Shorthands for the conformance table, named after the suite's helpers so a
// table row reads like the Go test it encodes.
import type { ExpectedCondition, HttpExpectation, HttpRequestSpec, NN, RouteKind, Step } from './types.js';

export const INFRA = 'gateway-conformance-infra';
export const WEB = 'gateway-conformance-web-backend';
export const APP = 'gateway-conformance-app-backend';
export const V1 = 'infra-backend-v1';
export const V2 = 'infra-backend-v2';
export const V3 = 'infra-backend-v3';
export const SAME_NAMESPACE: NN = `${INFRA}/same-namespace`;

export const infra = (name: string): NN => `${INFRA}/${name}`;

/** GatewayAndHTTPRoutesMustBeAccepted / GatewayAndRoutesMustBeAccepted. */
export function accepted(gateway: NN, routes: readonly NN[], o: { listeners?: readonly string[]; routeKind?: RouteKind } = {}): Step {
  return { kind: 'accepted', gateway, routes, ...(o.listeners ? { listeners: o.listeners } : {}), ...(o.routeKind ? { routeKind: o.routeKind } : {}) };
}

export function routeCondition(route: NN, gateway: NN, condition: ExpectedCondition, routeKind?: RouteKind): Step {
  return { kind: 'route-condition', route, gateway, condition, ...(routeKind ? { routeKind } : {}) };
}

/** HTTPRouteMustHaveResolvedRefsConditionsTrue. */
export const resolvedRefs = (route: NN, gateway: NN, routeKind?: RouteKind): Step =>
  routeCondition(route, gateway, { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }, routeKind);

/** accepted + resolvedRefs for each route: the opening of most tests. */
export function acceptedAndResolved(gateway: NN, routes: readonly NN[], o: { listeners?: readonly string[]; routeKind?: RouteKind } = {}): Step[] {
  return [accepted(gateway, routes, o), ...routes.map((r) => resolvedRefs(r, gateway, o.routeKind))];
}

type HttpExtra = Partial<Omit<HttpExpectation, 'kind' | 'gateway' | 'request'>> & {
  readonly host?: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
};

function requestOf(path: string, x: HttpExtra): HttpRequestSpec {
  return {
    path,
    ...(x.host !== undefined ? { host: x.host } : {}),
    ...(x.method !== undefined ? { method: x.method } : {}),
    ...(x.headers !== undefined ? { headers: x.headers } : {}),
  };
}

function expectation(gateway: NN, path: string, x: HttpExtra): HttpExpectation {
  const { host: _h, method: _m, headers: _hd, ...rest } = x;
  return { kind: 'http', gateway, request: requestOf(path, x), ...rest };
}

/** A request that must reach `backend` in `namespace` with status 200. */
export function reaches(gateway: NN, path: string, backend: string, namespace: string = INFRA, x: HttpExtra = {}): HttpExpectation {
  return expectation(gateway, path, { backend, namespace, ...x });
}

/** A request Envoy must answer with this status itself (404 for no route, 500 for invalid backends...). */
export function answers(gateway: NN, path: string, status: number, x: HttpExtra = {}): HttpExpectation {
  return expectation(gateway, path, { response: { statusCodes: [status] }, ...x });
}

/** A request that must be redirected (UnfollowRedirect). */
export function redirects(gateway: NN, path: string, status: number, redirect: NonNullable<HttpExpectation['redirect']>, x: HttpExtra = {}): HttpExpectation {
  return expectation(gateway, path, { response: { statusCodes: [status] }, redirect, namespace: INFRA, ...x });
}

export const cond = (type: string, status?: 'True' | 'False', reason?: string): ExpectedCondition => ({
  type,
  ...(status ? { status } : {}),
  ...(reason ? { reason } : {}),
});

/** Marks a step the translator cannot pass yet; `missing` names what it lacks. */
export function failing<S extends Step>(step: S, missing: string): S {
  return { ...step, failing: missing };
}

/** The suite sends Host with a port and expects the backend to receive it unchanged. */
export const HOST_PORT_KEPT =
  'Host keeps its port upstream: the listener sets strip_any_host_port, which rewrites Host; ignore_port_in_host_matching would only ignore it for matching';
