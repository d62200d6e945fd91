// HTTPRoute rule ExternalAuth filters (the listener filters' ExternalAuth is
// in listenerfilters.test.ts): each rule's own ext_authz instance, on for
// that rule's routes only, decided when the filter runs (after any listener
// filter changed the request), and Envoy's validation rules accept it.
import type { HTTPRoute } from '@switchyard/api';
import type { RouteConfiguration } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { explain } from '@switchyard/explain';
import { backend, gateway, gatewayClass, httpListener, httpRoute, routeCondition, routeConditions, run } from '../../test/fixtures.js';
import { xdscheckFleets } from '../../test/extensions.js';
import type { TranslateResult } from '../translate.js';

const AUTH = 'httproute/apps/web/rule/0/ext_authz';
const externalAuth = (backendRef: object, extra: object = {}) => ({
  type: 'ExternalAuth' as const,
  externalAuth: { protocol: 'GRPC' as const, backendRef, ...extra },
});

function objects(rule0Filters: unknown[], listenerFilters?: unknown[]) {
  const spec: HTTPRoute['spec'] = {
    parentRefs: [{ name: 'gw', namespace: 'infra' }],
    hostnames: ['shop.example.com'],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/admin' } }], filters: rule0Filters as never, backendRefs: [{ name: 'web', port: 8080 }] },
      { backendRefs: [{ name: 'web', port: 8080 }] },
    ],
  };
  return [
    gatewayClass(),
    gateway('infra', 'gw', [
      httpListener('http', 80, {
        allowedRoutes: { namespaces: { from: 'All' } },
        ...(listenerFilters ? { filters: { requests: listenerFilters as never } } : {}),
      }),
    ]),
    ...backend('apps', 'web'),
    ...backend('apps', 'authz', 9000),
    ...backend('infra', 'authz', 9000),
    httpRoute('apps', 'web', spec),
  ];
}

function envoy(r: TranslateResult) {
  const f = r.fleets.get('infra/gw')!;
  const hcm = f.listeners[0]!.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
  const table: RouteConfiguration = f.routes[0]!;
  return { f, hcm, table };
}

function expectEnvoyAccepts(r: TranslateResult): void {
  const c = xdscheckFleets(r);
  expect(c.output).toContain('OK');
  expect(c.code).toBe(0);
}

describe('HTTPRoute ExternalAuth', () => {
  it("checks the rule's requests with its own ext_authz instance, off for every other route", () => {
    const r = run(objects([externalAuth({ name: 'authz', port: 9000 }, { grpc: { allowedHeaders: ['Authorization'] } })]));
    expect(routeConditions(r, 'HTTPRoute', 'apps', 'web')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    const { f, hcm, table } = envoy(r);
    // After CORS (preflights answered first), on in the connection manager.
    expect(hcm.http_filters!.map((x) => [x.name, x.disabled ?? false])).toEqual([
      ['envoy.filters.http.cors', false],
      [AUTH, false],
      ['envoy.filters.http.router', false],
    ]);
    const cfg = hcm.http_filters![1]!.typed_config as Record<string, unknown>;
    expect(cfg).toMatchObject({
      grpc_service: { envoy_grpc: { cluster_name: 'apps/authz:9000/h2c' } },
      allowed_headers: { patterns: [{ exact: 'authorization' }] },
    });
    // A route filter runs after routing: it does not choose the route again.
    expect(cfg).not.toHaveProperty('clear_route_cache');
    // Off for the whole table; on for the rule's route.
    expect(table.typed_per_filter_config).toEqual({
      [AUTH]: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute', disabled: true },
    });
    const vh = table.virtual_hosts!.find((v) => v.name === 'shop.example.com')!;
    expect(vh.routes!.map((x) => [x.name, Object.keys(x.typed_per_filter_config ?? {})])).toEqual([
      ['httproute/apps/web/rule/0/match/0', [AUTH]],
      ['httproute/apps/web/rule/1/match/0', []],
      // Every request has a route, so no instance runs without its per-route config.
      ['switchyard/no-matching-route', []],
    ]);
    // ... also requests for a host no virtual host serves.
    expect(table.virtual_hosts!.map((v) => v.domains)).toEqual([['shop.example.com'], ['*']]);
    expect(f.clusters.map((c) => c.name)).toContain('apps/authz:9000/h2c');
    expectEnvoyAccepts(r);

    const ask = (path: string) => explain(f, { port: 80, method: 'GET', scheme: 'http', host: 'shop.example.com', path });
    const admin = ask('/admin/users');
    expect(admin.kind === 'route' ? [admin.httpFilters, admin.notModelled] : admin).toEqual([
      ['envoy.filters.http.cors', AUTH, 'envoy.filters.http.router'],
      [`HTTP filter ${AUTH} (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz)`],
    ]);
    const other = ask('/shop');
    expect(other.kind === 'route' ? [other.httpFilters, other.notModelled] : other).toEqual([['envoy.filters.http.cors', 'envoy.filters.http.router'], []]);
  });

  it('runs after the listener filters, which may change the route the request matches', () => {
    const r = run(objects([externalAuth({ name: 'authz', port: 9000 })], [externalAuth({ name: 'authz', port: 9000 })]));
    expect(routeConditions(r, 'HTTPRoute', 'apps', 'web')).toContainEqual(['ResolvedRefs', 'True', 'ResolvedRefs']);
    const { hcm } = envoy(r);
    expect(hcm.http_filters!.map((x) => x.name)).toEqual(['listener/http/0/ext_authz', 'envoy.filters.http.cors', AUTH, 'envoy.filters.http.router']);
    expect(hcm.http_filters![0]!.typed_config).toMatchObject({ clear_route_cache: true });
    expectEnvoyAccepts(r);
  });

  it('an unresolved backendRef: ResolvedRefs=False naming the field, the rule answers 500 (the filter is never skipped)', () => {
    const r = run(objects([externalAuth({ name: 'missing', port: 9000 })]));
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'web', 'ResolvedRefs')!;
    expect(c).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(c.message).toContain('spec.rules[0].filters[0].externalAuth.backendRef: Service apps/missing not found; matching requests get 500');
    const { hcm, table } = envoy(r);
    expect(hcm.http_filters!.map((x) => x.name)).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.router']);
    const route0 = table.virtual_hosts![0]!.routes![0]!;
    expect(route0).toMatchObject({ name: 'httproute/apps/web/rule/0/match/0', direct_response: { status: 500 } });
    expectEnvoyAccepts(r);
  });

  it('refuses what the CRD refuses (objects from files): the rule is dropped, naming the field', () => {
    const r = run(objects([{ type: 'ExternalAuth', externalAuth: { protocol: 'GRPC', backendRef: { name: 'authz', port: 9000 }, http: {} } }]));
    const dropped = routeCondition(r, 'HTTPRoute', 'apps', 'web', 'PartiallyInvalid')!;
    expect(dropped).toMatchObject({ status: 'True', reason: 'UnsupportedValue' });
    expect(dropped.message).toContain("spec.rules[0].filters[0].externalAuth: protocol must be 'HTTP' when http is set");
    // The other rule still serves; no ext_authz anywhere.
    const { hcm, table } = envoy(r);
    expect(hcm.http_filters!.map((x) => x.name)).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.router']);
    expect(table.virtual_hosts![0]!.routes!.map((x) => x.name)).toEqual(['httproute/apps/web/rule/1/match/0']);
  });
});
