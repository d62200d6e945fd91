// RateLimit through ExtensionRef filters: what Envoy receives (the local rate
// limit filter in the connection manager, the per-route bucket and key
// actions), what the route's status says when the reference cannot be
// resolved (and that those requests get 500), and that explain shows it.
import type { GRPCRoute, HTTPRoute, KubeObject } from '@switchyard/api';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { explain, formatExplanation } from '@switchyard/explain';
import { ask, backend, baseObjects, encodeAll, grpcRoute, httpRoute, routeCondition, routeConditions, run } from '../../test/fixtures.js';
import type { TranslateResult } from '../translate.js';
import { decodeMessage, encodeMessage, toProto3Json, TypeUrl } from '@switchyard/protos';
import { LOCAL_RATE_LIMIT_FILTER } from '@switchyard/protos';
import { rateLimitObject, rateLimitRef, xdscheckFleets } from '../../test/extensions.js';

const parent = [{ name: 'gw', namespace: 'infra' }];
const route = (name: string, spec: Omit<NonNullable<HTTPRoute['spec']>, 'parentRefs'>) => httpRoute('apps', name, { parentRefs: parent, ...spec });

function envoyRoutes(r: TranslateResult): Route[] {
  return r.fleets.get('infra/gw')!.routes.flatMap((rc) => (rc.virtual_hosts ?? []).flatMap((vh) => vh.routes ?? []));
}
function envoyRoute(r: TranslateResult, rule: number, name = 'r'): Route {
  const found = envoyRoutes(r).find((x) => x.name === `httproute/apps/${name}/rule/${rule}/match/0`);
  if (!found) throw new Error(`no route for rule ${rule}`);
  return found;
}
function httpFilters(r: TranslateResult): string[] {
  const l = r.fleets.get('infra/gw')!.listeners.find((x) => x.name === 'tcp-80')!;
  const hcm = l.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
  return (hcm.http_filters ?? []).map((f) => f.name!);
}
type PerRoute = Record<string, unknown> & { token_bucket?: Record<string, unknown>; descriptors?: unknown[] };
const perRoute = (x: Route): PerRoute | undefined => (x.typed_per_filter_config as Record<string, PerRoute> | undefined)?.[LOCAL_RATE_LIMIT_FILTER];

describe('RateLimit through an ExtensionRef filter', () => {
  const objs: KubeObject[] = [
    ...baseObjects(),
    ...backend('apps', 'api'),
    rateLimitObject('apps', 'per-client', { requests: 100, unit: 'Second', burst: 20, key: { type: 'ClientAddress' } }),
    rateLimitObject('apps', 'per-tenant', { requests: 30, unit: 'Minute', key: { type: 'Header', header: 'X-Tenant' } }),
    rateLimitObject('apps', 'shared', { requests: 1000, unit: 'Hour' }),
    route('r', {
      rules: [
        { matches: [{ path: { type: 'PathPrefix', value: '/client' } }], filters: [rateLimitRef('per-client')], backendRefs: [{ name: 'api', port: 8080 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/tenant' } }], filters: [rateLimitRef('per-tenant')], backendRefs: [{ name: 'api', port: 8080 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/shared' } }], filters: [rateLimitRef('shared')], backendRefs: [{ name: 'api', port: 8080 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/free' } }], backendRefs: [{ name: 'api', port: 8080 }] },
      ],
    }),
  ];
  const r = run(objs);

  it('accepts the route with its references resolved, and still forwards to the backend', () => {
    expect(routeConditions(r, 'HTTPRoute', 'apps', 'r')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    expect(ask(r, { path: '/client/x' }).backends).toEqual({ 'apps/api:8080': 1 });
  });

  it('adds the local rate limit filter, disabled, between CORS and the router', () => {
    expect(httpFilters(r)).toEqual(['envoy.filters.http.cors', LOCAL_RATE_LIMIT_FILTER, 'envoy.filters.http.router']);
    const l = r.fleets.get('infra/gw')!.listeners[0]!;
    const hcm = l.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
    const f = hcm.http_filters!.find((x) => x.name === LOCAL_RATE_LIMIT_FILTER)!.typed_config as Record<string, unknown>;
    // No bucket and no filter_enabled at the listener: only routes that ask are limited.
    expect(f).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'http_local_rate_limiter',
    });
  });

  it('per client address: bucket of requests + burst refilled by requests every second, one per remote address', () => {
    const x = envoyRoute(r, 0);
    expect(perRoute(x)).toMatchObject({
      token_bucket: { max_tokens: 120, tokens_per_fill: { value: 100 }, fill_interval: { seconds: '1', nanos: 0 } },
      filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
      filter_enforced: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
      enable_retry_after_header: true,
      rate_limited_as_resource_exhausted: true,
      descriptors: [{ entries: [{ key: 'remote_address', value: '' }], token_bucket: { max_tokens: 120, tokens_per_fill: { value: 100 } } }],
      always_consume_default_token_bucket: { value: false },
      // Buckets for up to 10,000 distinct clients per pod, not Envoy's default of 20.
      max_dynamic_descriptors: { value: 10_000 },
    });
    expect(x.route?.rate_limits).toEqual([{ actions: [{ remote_address: {} }] }]);
  });

  it('the per-client key cache size survives encoding (a field newer than the bundled protos)', () => {
    type Rc = { virtual_hosts: Array<{ routes: Array<{ name: string; typed_per_filter_config?: Record<string, Record<string, unknown>> }> }> };
    const pick = (rc: Rc) =>
      rc.virtual_hosts.flatMap((vh) => vh.routes).find((y) => y.name === 'httproute/apps/r/rule/0/match/0')!.typed_per_filter_config![LOCAL_RATE_LIMIT_FILTER]!;
    const rc = r.fleets.get('infra/gw')!.routes[0]!;
    const decoded = decodeMessage(TypeUrl.RouteConfiguration, encodeMessage(TypeUrl.RouteConfiguration, rc)) as unknown as Rc;
    expect(pick(decoded)).toMatchObject({ max_dynamic_descriptors: { value: 10_000 }, enable_retry_after_header: true });
    // As Envoy's config dump (and xdscheck, which validates it) see it.
    type Json = { virtualHosts: Array<{ routes: Array<{ name: string; typedPerFilterConfig?: Record<string, Record<string, unknown>> }> }> };
    const json = toProto3Json(TypeUrl.RouteConfiguration, rc) as unknown as Json;
    const route = json.virtualHosts.flatMap((vh) => vh.routes).find((y) => y.name === 'httproute/apps/r/rule/0/match/0')!;
    expect(route.typedPerFilterConfig?.[LOCAL_RATE_LIMIT_FILTER]).toMatchObject({ maxDynamicDescriptors: 10000, enableRetryAfterHeader: true });
  });

  it('per header value: a request_headers action keyed by the lower-cased header, refilled every minute', () => {
    const x = envoyRoute(r, 1);
    expect(perRoute(x)?.token_bucket).toEqual({ max_tokens: 30, tokens_per_fill: { value: 30 }, fill_interval: { seconds: '60', nanos: 0 } });
    expect(perRoute(x)?.descriptors).toEqual([{ entries: [{ key: 'header:x-tenant', value: '' }], token_bucket: perRoute(x)?.token_bucket }]);
    expect(x.route?.rate_limits).toEqual([{ actions: [{ request_headers: { header_name: 'x-tenant', descriptor_key: 'header:x-tenant' } }] }]);
  });

  it('without a key: one shared bucket, no descriptors, refilled every hour', () => {
    const x = envoyRoute(r, 2);
    expect(perRoute(x)?.token_bucket).toEqual({ max_tokens: 1000, tokens_per_fill: { value: 1000 }, fill_interval: { seconds: '3600', nanos: 0 } });
    expect(perRoute(x)?.descriptors).toBeUndefined();
    expect(x.route?.rate_limits).toBeUndefined();
  });

  it('leaves rules without a RateLimit unlimited', () => {
    expect(perRoute(envoyRoute(r, 3))).toBeUndefined();
  });

  it('encodes as Envoy protobuf and passes xdscheck (validation rules of the Envoy the fleets run)', () => {
    expect(() => encodeAll(r.fleets.get('infra/gw')!)).not.toThrow();
    const c = xdscheckFleets(r);
    expect(c.output).toMatch(/OK\n$/);
    expect(c.code).toBe(0);
  });

  it('explain shows the rate-limited route as such', () => {
    const e = explain(r.fleets.get('infra/gw')!, { port: 80, method: 'GET', scheme: 'http', host: 'example.com', path: '/client/a' });
    if (e.kind !== 'route') throw new Error(e.kind);
    expect(e.httpFilters).toContain(LOCAL_RATE_LIMIT_FILTER);
    const cfg = e.filterConfigs.find((f) => f.filter === LOCAL_RATE_LIMIT_FILTER);
    expect(cfg).toMatchObject({ level: 'route' });
    expect(formatExplanation(e)).toMatch(/rate limit.*120.*100 per 1s.*remote_address/i);
    const free = explain(r.fleets.get('infra/gw')!, { port: 80, method: 'GET', scheme: 'http', host: 'example.com', path: '/free' });
    if (free.kind !== 'route') throw new Error(free.kind);
    expect(free.filterConfigs.some((f) => f.filter === LOCAL_RATE_LIMIT_FILTER)).toBe(false);
    expect(formatExplanation(free)).not.toMatch(/rate limit/i);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(run([...objs].reverse()).fleets.get('infra/gw'))).toBe(JSON.stringify(r.fleets.get('infra/gw')));
  });

  it('adds no rate limit filter to connection managers without rate-limited routes', () => {
    const plain = run([...baseObjects(), ...backend('apps', 'api'), route('p', { rules: [{ backendRefs: [{ name: 'api', port: 8080 }] }] })]);
    expect(httpFilters(plain)).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.router']);
  });
});

describe('RateLimit on a GRPCRoute rule', () => {
  it('limits the gRPC method route the same way', () => {
    const g: GRPCRoute = grpcRoute('apps', 'g', {
      parentRefs: parent,
      rules: [{ matches: [{ method: { service: 'shop.Cart', method: 'Add' } }], filters: [rateLimitRef('rl')], backendRefs: [{ name: 'grpc', port: 9000 }] }],
    });
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'grpc', 9000),
      rateLimitObject('apps', 'rl', { requests: 5, unit: 'Second', key: { type: 'ClientAddress' } }),
      g,
    ]);
    expect(routeConditions(r, 'GRPCRoute', 'apps', 'g')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
    const x = envoyRoutes(r).find((y) => y.name?.startsWith('grpcroute/apps/g/'))!;
    expect(perRoute(x)?.token_bucket).toMatchObject({ max_tokens: 5 });
    expect(x.route?.rate_limits).toEqual([{ actions: [{ remote_address: {} }] }]);
    expect(xdscheckFleets(r).code).toBe(0);
  });
});

describe('RateLimit references that cannot be resolved', () => {
  const base = [...baseObjects(), ...backend('apps', 'api')];
  const limited = (filters: unknown[], extra: KubeObject[] = []) =>
    run([
      ...base,
      ...extra,
      route('r', {
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: filters as never, backendRefs: [{ name: 'api', port: 8080 }] }],
      }),
    ]);

  it('a missing RateLimit: ResolvedRefs=False BackendNotFound naming the filter, requests get 500 (never unlimited)', () => {
    const r = limited([rateLimitRef('nope')]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'r', 'ResolvedRefs');
    expect(c).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(c?.message).toContain('spec.rules[0].filters[0].extensionRef: RateLimit apps/nope not found');
    expect(ask(r, { path: '/api' }).status).toBe(500);
    expect(xdscheckFleets(r).code).toBe(0);
  });

  it('a kind Switchyard does not define: InvalidKind, 500', () => {
    const r = limited([{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Quota', name: 'q' } }]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'r', 'ResolvedRefs');
    expect(c).toMatchObject({ status: 'False', reason: 'InvalidKind' });
    expect(c?.message).toContain('example.com/Quota q is not a filter kind Switchyard supports');
    expect(ask(r, { path: '/api' }).status).toBe(500);
  });

  it('a RateLimit from a file the CRD would refuse: UnsupportedValue naming its field, 500', () => {
    const r = limited([rateLimitRef('bad')], [rateLimitObject('apps', 'bad', { requests: 10, unit: 'Second', key: { type: 'Header' } })]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'r', 'ResolvedRefs');
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c?.message).toContain('RateLimit apps/bad: spec.key.header must be a header name when spec.key.type is Header');
    expect(ask(r, { path: '/api' }).status).toBe(500);
  });

  it('a RateLimit in another namespace is not found (ExtensionRef is a local reference)', () => {
    const r = limited([rateLimitRef('elsewhere')], [rateLimitObject('other', 'elsewhere', { requests: 1, unit: 'Second' })]);
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'r', 'ResolvedRefs')?.reason).toBe('BackendNotFound');
  });

  it('two RateLimits on one rule: the rule is dropped with IncompatibleFilters', () => {
    const two = [rateLimitObject('apps', 'a', { requests: 1, unit: 'Second' }), rateLimitObject('apps', 'b', { requests: 2, unit: 'Second' })];
    const r = limited([rateLimitRef('a'), rateLimitRef('b')], two);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'r', 'Accepted');
    expect(c).toMatchObject({ status: 'False', reason: 'IncompatibleFilters' });
    expect(c?.message).toContain('a rule takes at most one RateLimit');
    expect(ask(r, { path: '/api' }).status).toBe(404);
  });

  it('a RateLimit on a backendRef: that share answers 500 and the message says to move it to the rule', () => {
    const r = run([
      ...base,
      ...backend('apps', 'other'),
      rateLimitObject('apps', 'rl', { requests: 1, unit: 'Second' }),
      route('r', {
        rules: [
          {
            backendRefs: [
              { name: 'api', port: 8080, filters: [rateLimitRef('rl')] as never },
              { name: 'other', port: 8080 },
            ],
          },
        ],
      }),
    ]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'r', 'ResolvedRefs');
    expect(c?.message).toContain("spec.rules[0].backendRefs[0].filters[0].extensionRef: a RateLimit applies to a whole rule; move it to the rule's filters");
    expect(ask(r, { path: '/' }).backends).toEqual({ '500': 1, 'apps/other:8080': 1 });
  });
});
