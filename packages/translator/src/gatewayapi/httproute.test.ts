import type { HTTPRoute } from '@switchyard/api';
import { explain } from '@switchyard/explain';
import { ask, backend, baseObjects, httpListener, httpRoute, referenceGrant, routeCondition, routeConditions, run } from '../../test/fixtures.js';

const parent = [{ name: 'gw', namespace: 'infra' }];
const route = (name: string, spec: Omit<NonNullable<HTTPRoute['spec']>, 'parentRefs'>, created?: string, ns = 'apps') =>
  httpRoute(ns, name, { parentRefs: parent, ...spec }, created);

describe('HTTPRoute matching', () => {
  const objs = [
    ...baseObjects(),
    ...backend('apps', 'a'),
    ...backend('apps', 'b'),
    ...backend('apps', 'c'),
    route('r', {
      rules: [
        { matches: [{ path: { type: 'Exact', value: '/exact' } }], backendRefs: [{ name: 'a', port: 8080 }] },
        { matches: [{ path: { type: 'PathPrefix', value: '/pre/' } }], backendRefs: [{ name: 'b', port: 8080 }] },
        { matches: [{ headers: [{ name: 'X-Env', value: 'canary' }] }], backendRefs: [{ name: 'c', port: 8080 }] },
        { matches: [{ queryParams: [{ name: 'v', value: '2' }] }, { method: 'DELETE' }], backendRefs: [{ name: 'c', port: 8080 }] },
        { matches: [{ path: { type: 'RegularExpression', value: '/re/[0-9]+' } }], backendRefs: [{ name: 'b', port: 8080 }] },
        // Valid: the CRD requires a leading "/" only for Exact and PathPrefix.
        { matches: [{ path: { type: 'RegularExpression', value: '.*[.]jpg' } }], backendRefs: [{ name: 'a', port: 8080 }] },
      ],
    }),
  ];
  const r = run(objs);
  it.each([
    ['/exact', {}, 'apps/a:8080'],
    ['/exact/x', {}, undefined],
    ['/pre', {}, 'apps/b:8080'],
    ['/pre/x', {}, 'apps/b:8080'],
    ['/prefix', {}, undefined],
    ['/other', { headers: { 'x-env': 'canary' } }, 'apps/c:8080'],
    ['/other?v=2', {}, 'apps/c:8080'],
    ['/re/123', {}, 'apps/b:8080'],
    ['/re/abc', {}, undefined],
    ['/img/cat.jpg', {}, 'apps/a:8080'],
    ['/img/cat.png', {}, undefined],
  ] as const)('%s %j -> %s', (path, extra, want) => {
    const o = ask(r, { path, ...extra });
    if (want === undefined) expect(o.status).toBe(404);
    else expect(o.backends).toEqual({ [want]: 1 });
  });
  it('matches method', () => {
    expect(ask(r, { path: '/x', method: 'DELETE' }).backends).toEqual({ 'apps/c:8080': 1 });
    expect(ask(r, { path: '/x', method: 'GET' }).status).toBe(404);
  });
  it('accepts the route with resolved refs', () => {
    expect(routeConditions(r, 'HTTPRoute', 'apps', 'r')).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
    ]);
  });
});

describe('HTTPRoute precedence across routes', () => {
  it('orders exact before longer prefix before shorter, then method/headers/query, then age and name', () => {
    const objs = [
      ...baseObjects(),
      ...['a', 'b', 'c', 'd', 'e', 'f'].flatMap((n) => backend('apps', n)),
      route(
        'young-prefix',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'a', port: 8080 }] }] },
        '2026-02-01T00:00:00Z',
      ),
      route(
        'old-prefix',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'b', port: 8080 }] }] },
        '2026-01-01T00:00:00Z',
      ),
      route(
        'long',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api/v1' } }], backendRefs: [{ name: 'c', port: 8080 }] }] },
        '2026-03-01T00:00:00Z',
      ),
      route(
        'exact',
        { rules: [{ matches: [{ path: { type: 'Exact', value: '/api/v1/x' } }], backendRefs: [{ name: 'd', port: 8080 }] }] },
        '2026-03-01T00:00:00Z',
      ),
      route(
        'hdr',
        {
          rules: [
            { matches: [{ path: { type: 'PathPrefix', value: '/api/v1' }, headers: [{ name: 'x', value: '1' }] }], backendRefs: [{ name: 'e', port: 8080 }] },
          ],
        },
        '2026-04-01T00:00:00Z',
      ),
      route(
        'both-a',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/same' } }], backendRefs: [{ name: 'f', port: 8080 }] }] },
        '2026-05-01T00:00:00Z',
        'z',
      ),
      ...backend('z', 'f'),
      route(
        'both-b',
        { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/same' } }], backendRefs: [{ name: 'a', port: 8080 }] }] },
        '2026-05-01T00:00:00Z',
      ),
    ];
    const r = run(objs);
    expect(ask(r, { path: '/' }).backends).toEqual({ 'apps/b:8080': 1 });
    expect(ask(r, { path: '/api/v1/y' }).backends).toEqual({ 'apps/c:8080': 1 });
    expect(ask(r, { path: '/api/v1/x' }).backends).toEqual({ 'apps/d:8080': 1 });
    expect(ask(r, { path: '/api/v1/y', headers: { x: '1' } }).backends).toEqual({ 'apps/e:8080': 1 });
    // Same age: "apps/both-b" sorts before "z/both-a".
    expect(ask(r, { path: '/same' }).backends).toEqual({ 'apps/a:8080': 1 });
  });
});

describe('HTTPRoute hostnames', () => {
  it('serves only intersecting hostnames; requests for other hosts get 404', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('r', { hostnames: ['a.example.com', '*.wild.example.com'], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    expect(ask(r, { host: 'a.example.com' }).backends).toEqual({ 'apps/a:8080': 1 });
    expect(ask(r, { host: 'a.example.com:80' }).backends).toEqual({ 'apps/a:8080': 1 });
    expect(ask(r, { host: 'x.y.wild.example.com' }).backends).toEqual({ 'apps/a:8080': 1 });
    expect(ask(r, { host: 'wild.example.com' }).status).toBe(404);
    expect(ask(r, { host: 'b.example.com' }).status).toBe(404);
  });
  it('rejects a route whose hostnames do not intersect the listener hostname', () => {
    const r = run([
      ...baseObjects([{ name: 'http', port: 80, protocol: 'HTTP', hostname: '*.example.com', allowedRoutes: { namespaces: { from: 'All' } } }]),
      ...backend('apps', 'a'),
      route('r', { hostnames: ['example.net'], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    expect(routeConditions(r, 'HTTPRoute', 'apps', 'r')[0]).toEqual(['Accepted', 'False', 'NoMatchingListenerHostname']);
  });
});

describe("HTTPRoute precedence by the route's own hostname (GatewayRouteHostnameIntersectionPrecedence)", () => {
  const objs = (listenerHostname: string, olderHostname: string, newerHostname: string) => [
    ...baseObjects([{ name: 'http', port: 80, protocol: 'HTTP', hostname: listenerHostname, allowedRoutes: { namespaces: { from: 'All' } } }]),
    ...backend('apps', 'old'),
    ...backend('apps', 'new'),
    route(
      'older',
      {
        hostnames: [olderHostname],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/path/prefix' }, headers: [{ name: 'Header-B', value: 'B' }] }],
            backendRefs: [{ name: 'old', port: 8080 }],
          },
        ],
      },
      '2026-01-01T00:00:00Z',
    ),
    route(
      'newer',
      {
        hostnames: [newerHostname],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/path' }, headers: [{ name: 'Header-A', value: 'A' }] }],
            backendRefs: [{ name: 'new', port: 8080 }],
          },
        ],
      },
      '2026-02-01T00:00:00Z',
    ),
  ];
  it.each([
    ['an exact hostname over a wildcard', 'abc.example.com', '*.example.com', 'abc.example.com'],
    ['a longer wildcard over a shorter one', '*.example.com', '*.com', '*.example.com'],
  ])('ranks %s before match specificity and age, and passes what it does not match on', (_, listener, older, newer) => {
    const r = run(objs(listener, older, newer));
    const host = 'abc.example.com';
    // Both routes serve the same intersection; the newer one's own hostname is more specific.
    expect(ask(r, { host, path: '/path/prefix/longer', headers: { 'header-a': 'A', 'header-b': 'B' } }).backends).toEqual({ 'apps/new:8080': 1 });
    expect(ask(r, { host, path: '/path/prefix/longer', headers: { 'header-b': 'B' } }).backends).toEqual({ 'apps/old:8080': 1 });
  });
});

describe('HTTPRoute CORS (HTTPRouteCORS)', () => {
  const r = run([
    ...baseObjects(),
    ...backend('apps', 'a'),
    route('r', {
      rules: [
        {
          filters: [
            {
              type: 'CORS',
              cors: {
                allowOrigins: ['https://*.example.com'],
                allowMethods: ['*'],
                allowHeaders: ['*'],
                exposeHeaders: ['*', 'x-mine'],
                allowCredentials: true,
              },
            },
          ],
          backendRefs: [{ name: 'a', port: 8080 }],
        },
      ],
    }),
  ]);
  const preflight = (origin: string) =>
    explain(r.fleets.get('infra/gw')!, {
      port: 80,
      method: 'OPTIONS',
      scheme: 'http',
      host: 'example.com',
      path: '/',
      headers: { origin, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'x-one, x-two' },
    });
  it('with credentials, echoes the origin, the requested method and headers, never "*"', () => {
    const e = preflight('https://a.b.example.com');
    expect(e.kind === 'route' && e.cors).toEqual({
      kind: 'preflight',
      status: 200,
      responseHeaders: [
        ['access-control-allow-origin', 'https://a.b.example.com'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'PATCH'],
        ['access-control-allow-headers', 'x-one, x-two'],
        ['access-control-max-age', '5'],
        // The spec forbids "*" in exposeHeaders with credentials: only the named header is exposed.
        ['access-control-expose-headers', 'x-mine'],
      ],
    });
  });
  it('gives an origin outside the wildcard no access-control-allow-origin', () => {
    const e = preflight('https://example.org');
    expect(e.kind === 'route' && e.cors && e.cors.kind).toBe('not-allowed');
    expect(e.kind === 'route' && e.cors && e.cors.responseHeaders.map(([n]) => n)).not.toContain('access-control-allow-origin');
  });
});

describe('HTTPRoute filters', () => {
  const r = run([
    ...baseObjects(),
    ...backend('apps', 'a'),
    ...backend('apps', 'm'),
    route('f', {
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/redir' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'secure.example.com', statusCode: 301 } }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/port' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { port: 8443, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/strip' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
          backendRefs: [{ name: 'a', port: 8080 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/full' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/one' } } }],
          backendRefs: [{ name: 'a', port: 8080 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/prefix/one' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/one' } } }],
          backendRefs: [{ name: 'a', port: 8080 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/mirror' } }],
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'm', port: 8080 }, percent: 25 } }],
          backendRefs: [{ name: 'a', port: 8080 }],
        },
      ],
    }),
  ]);
  it('redirects with scheme, host and status; port omitted when default', () => {
    expect(ask(r, { path: '/redir/x' })).toMatchObject({ status: 301, location: 'https://secure.example.com/redir/x' });
  });
  it('redirects to an explicit port with a prefix replacement', () => {
    expect(ask(r, { path: '/port/a' })).toMatchObject({ status: 302, location: 'http://example.com:8443/new/a' });
  });
  it('rewrites host and strips a prefix without a double slash', () => {
    expect(ask(r, { path: '/strip/three' })).toMatchObject({ path: '/three', host: 'internal' });
    expect(ask(r, { path: '/strip' })).toMatchObject({ path: '/' });
  });
  it('replaces the full path and a prefix', () => {
    expect(ask(r, { path: '/full/x/y?q=1' })).toMatchObject({ path: '/one?q=1' });
    expect(ask(r, { path: '/prefix/one/two' })).toMatchObject({ path: '/one/two' });
    expect(ask(r, { path: '/prefix/one' })).toMatchObject({ path: '/one' });
  });
  it('mirrors a percentage to another backend', () => {
    const rc = r.fleets.get('infra/gw')!.routes[0]!;
    const mirror = rc.virtual_hosts!.flatMap((v) => v.routes!).find((x) => x.route?.request_mirror_policies)!;
    expect(mirror.route!.request_mirror_policies).toEqual([
      { cluster: 'apps/m:8080', runtime_fraction: { default_value: { numerator: 25, denominator: 'HUNDRED' } } },
    ]);
  });
  it('rejects RequestRedirect together with URLRewrite as IncompatibleFilters', () => {
    const r2 = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('bad', {
        rules: [
          {
            filters: [
              { type: 'RequestRedirect', requestRedirect: {} },
              { type: 'URLRewrite', urlRewrite: { hostname: 'x' } },
            ],
            backendRefs: [{ name: 'a', port: 8080 }],
          },
        ],
      }),
    ]);
    expect(routeConditions(r2, 'HTTPRoute', 'apps', 'bad')[0]).toEqual(['Accepted', 'False', 'IncompatibleFilters']);
  });
  it('modifies request and response headers (literal % escaped for Envoy)', () => {
    const r2 = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('h', {
        rules: [
          {
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: { set: [{ name: 'X-Set', value: '100%' }], add: [{ name: 'X-Add', value: 'a' }], remove: ['X-Gone'] },
              },
              { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'X-R', value: '1' }] } },
            ],
            backendRefs: [{ name: 'a', port: 8080 }],
          },
        ],
      }),
    ]);
    const rt = r2.fleets.get('infra/gw')!.routes[0]!.virtual_hosts![0]!.routes![0]!;
    expect(rt.request_headers_to_add).toEqual([
      { header: { key: 'X-Set', value: '100%%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'X-Add', value: 'a' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    expect(rt.request_headers_to_remove).toEqual(['X-Gone']);
    expect(rt.response_headers_to_add).toEqual([{ header: { key: 'X-R', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
  });
  it('answers 500 for an ExtensionRef to an unknown kind and says so', () => {
    const r2 = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('x', {
        rules: [
          { filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Magic', name: 'm' } }], backendRefs: [{ name: 'a', port: 8080 }] },
        ],
      }),
    ]);
    expect(ask(r2, {}).status).toBe(500);
    expect(routeCondition(r2, 'HTTPRoute', 'apps', 'x', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidKind' });
  });
});

describe('HTTPRoute URLRewrite on a backendRef (HTTPRouteBackendURLRewrite)', () => {
  const rewrite = {
    type: 'URLRewrite' as const,
    urlRewrite: { hostname: 'internal', path: { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: '/v2' } },
  };
  it("rewrites when it is the rule's only backend", () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('bw', { rules: [{ matches: [{ path: { value: '/v1' } }], backendRefs: [{ name: 'a', port: 8080, filters: [rewrite] }] }] }),
    ]);
    expect(ask(r, { path: '/v1/users' })).toMatchObject({ path: '/v2/users', host: 'internal', backends: { 'apps/a:8080': 1 } });
  });
  it('drops the rule, naming the field, when other backends share it (Envoy rewrites per route, not per weighted backend)', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      ...backend('apps', 'b'),
      route('bw', {
        rules: [
          {
            matches: [{ path: { value: '/v1' } }],
            backendRefs: [
              { name: 'a', port: 8080, filters: [rewrite] },
              { name: 'b', port: 8080 },
            ],
          },
        ],
      }),
    ]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'bw', 'Accepted')!;
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c.message).toContain("spec.rules[0].backendRefs: a URLRewrite on a backendRef needs it to be the rule's only backend");
  });
});

describe('HTTPRoute backends', () => {
  it('splits by weight, leaves out zero weights, and answers 500 for the share of an invalid backend', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      ...backend('apps', 'b'),
      route('w', {
        rules: [
          {
            backendRefs: [
              { name: 'a', port: 8080, weight: 3 },
              { name: 'b', port: 8080, weight: 0 },
              { name: 'missing', port: 8080, weight: 1 },
            ],
          },
        ],
      }),
    ]);
    expect(ask(r, {}).backends).toEqual({ 'apps/a:8080': 3, '500': 1 });
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'w', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'w', 'Accepted')).toMatchObject({ status: 'True' });
  });
  it('answers 500 when every backend is invalid, or all weights are zero, or there are none', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('w', {
        rules: [
          { matches: [{ path: { value: '/kind' } }], backendRefs: [{ name: 'a', kind: 'Nope', port: 8080 }] },
          { matches: [{ path: { value: '/zero' } }], backendRefs: [{ name: 'a', port: 8080, weight: 0 }] },
          { matches: [{ path: { value: '/none' } }] },
        ],
      }),
    ]);
    expect(ask(r, { path: '/kind' }).status).toBe(500);
    expect(ask(r, { path: '/zero' }).status).toBe(500);
    expect(ask(r, { path: '/none' }).status).toBe(500);
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'w', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidKind' });
  });
  it('needs a ReferenceGrant for a cross-namespace backend', () => {
    const objs = [...baseObjects(), ...backend('other', 'svc'), route('x', { rules: [{ backendRefs: [{ name: 'svc', namespace: 'other', port: 8080 }] }] })];
    const denied = run(objs);
    expect(ask(denied, {}).status).toBe(500);
    expect(routeCondition(denied, 'HTTPRoute', 'apps', 'x', 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
    const wrongName = run([
      ...objs,
      referenceGrant(
        'other',
        'g',
        [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }],
        [{ group: '', kind: 'Service', name: 'not-svc' }],
      ),
    ]);
    expect(ask(wrongName, {}).status).toBe(500);
    const granted = run([
      ...objs,
      referenceGrant('other', 'g', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], [{ group: '', kind: 'Service' }]),
    ]);
    expect(ask(granted, {}).backends).toEqual({ 'other/svc:8080': 1 });
    expect(routeCondition(granted, 'HTTPRoute', 'apps', 'x', 'ResolvedRefs')).toMatchObject({ status: 'True' });
  });
  it('reports a Service without the referenced port, and a missing port', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('p', { rules: [{ backendRefs: [{ name: 'a', port: 9999 }] }, { matches: [{ path: { value: '/np' } }], backendRefs: [{ name: 'a' }] }] }),
    ]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'p', 'ResolvedRefs')!;
    expect(c).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(c.message).toContain('spec.rules[0].backendRefs[0]: Service apps/a has no port 9999');
    expect(c.message).toContain('spec.rules[1].backendRefs[0].port is required');
  });
});

describe('HTTPRoute invalid rules', () => {
  it('drops a rule with an invalid RE2 regex (PartiallyInvalid) and keeps the others', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('re', {
        rules: [
          { matches: [{ path: { type: 'RegularExpression', value: '/(?=lookahead)' } }], backendRefs: [{ name: 'a', port: 8080 }] },
          { matches: [{ path: { value: '/ok' } }], backendRefs: [{ name: 'a', port: 8080 }] },
        ],
      }),
    ]);
    expect(ask(r, { path: '/ok' }).backends).toEqual({ 'apps/a:8080': 1 });
    const pi = routeCondition(r, 'HTTPRoute', 'apps', 're', 'PartiallyInvalid')!;
    expect(pi.status).toBe('True');
    expect(pi.message).toMatch(/^Dropped Rule/);
    expect(pi.message).toContain('spec.rules[0].matches[0].path.value');
    expect(routeCondition(r, 'HTTPRoute', 'apps', 're', 'Accepted')).toMatchObject({ status: 'True' });
    // Nothing of the dropped rule reaches Envoy.
    expect(JSON.stringify(r.fleets.get('infra/gw'))).not.toContain('lookahead');
  });
  it('rejects the route when every rule is invalid', () => {
    const r = run([...baseObjects(), route('re', { rules: [{ matches: [{ headers: [{ name: 'x', type: 'RegularExpression', value: '(' }] }] }] })]);
    expect(routeConditions(r, 'HTTPRoute', 'apps', 're')[0]).toEqual(['Accepted', 'False', 'UnsupportedValue']);
    expect(ask(r, {}).status).toBe(404);
  });
});

describe('HTTPRoute timeouts and retry', () => {
  it('sets the route timeout, per-try timeout and retry policy', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('t', {
        rules: [
          {
            timeouts: { request: '10s', backendRequest: '500ms' },
            retry: { codes: [503, 500], attempts: 3, backoff: '100ms' },
            backendRefs: [{ name: 'a', port: 8080 }],
          },
        ],
      }),
    ]);
    const ra = r.fleets.get('infra/gw')!.routes[0]!.virtual_hosts![0]!.routes![0]!.route!;
    expect(ra.timeout).toEqual({ seconds: '10', nanos: 0 });
    expect(ra.retry_policy).toEqual({
      retry_on: 'connect-failure,refused-stream,reset-before-request,retriable-status-codes',
      num_retries: { value: 3 },
      retriable_status_codes: [500, 503],
      retry_back_off: { base_interval: { seconds: '0', nanos: 100_000_000 } },
      per_try_timeout: { seconds: '0', nanos: 500_000_000 },
    });
  });
  it('takes attempts as the CRD does: default 1, 0 disables retries, no upper bound', () => {
    const policy = (retry: object) =>
      run([...baseObjects(), ...backend('apps', 'a'), route('t', { rules: [{ retry, backendRefs: [{ name: 'a', port: 8080 }] }] })]).fleets.get('infra/gw')!
        .routes[0]!.virtual_hosts![0]!.routes![0]!.route!.retry_policy;
    expect(policy({ codes: [500] })?.num_retries).toEqual({ value: 1 });
    expect(policy({ codes: [500], attempts: 0 })?.num_retries).toEqual({ value: 0 });
    expect(policy({ attempts: 1000 })?.num_retries).toEqual({ value: 1000 });
  });
  it('rejects an invalid duration naming the field', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('t', { rules: [{ timeouts: { request: '10 seconds' }, backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 't', 'Accepted')!;
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c.message).toContain('spec.rules[0].timeouts.request');
  });
});

describe('HTTPRoute spec.hostnames validation', () => {
  it('does not accept a route with an invalid hostname, naming the entry', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      route('h', { hostnames: ['ok.example.com', 'Bad_Host'], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'h', 'Accepted')!;
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c.message).toContain('spec.hostnames[1]');
    expect(ask(r, { host: 'ok.example.com' }).status).toBe(404);
  });
});

describe('path normalization', () => {
  it('matches on the normalized path, so dot segments and double slashes cannot bypass a prefix', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'public'),
      ...backend('apps', 'admin'),
      route('p', {
        rules: [{ matches: [{ path: { value: '/admin' } }], backendRefs: [{ name: 'admin', port: 8080 }] }, { backendRefs: [{ name: 'public', port: 8080 }] }],
      }),
    ]);
    expect(ask(r, { path: '/public/../admin/x' }).backends).toEqual({ 'apps/admin:8080': 1 });
    expect(ask(r, { path: '//admin/x' }).backends).toEqual({ 'apps/admin:8080': 1 });
  });
});

describe('redirect ports (the spec: no port -> the scheme default when the scheme changes, else the listener port)', () => {
  const objs = (redirect: object) => [
    ...baseObjects([httpListener('http', 8080, { allowedRoutes: { namespaces: { from: 'All' } } })]),
    route('r', { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: redirect }] }] }),
  ];
  const location = (redirect: object, host = 'example.com:8080') => ask(run(objs(redirect)), { port: 8080, host, path: '/p' }).location;
  it('keeps the listener port when only the host changes', () => {
    expect(location({ hostname: 'other.example.com' })).toBe('http://other.example.com:8080/p');
  });
  it('uses the scheme default port when the scheme changes (never the request port)', () => {
    expect(location({ scheme: 'https', hostname: 'other.example.com' })).toBe('https://other.example.com/p');
    expect(location({ scheme: 'https' })).toMatch(/^https:\/\/example\.com(:443)?\/p$/);
  });
  it('uses an explicit port', () => {
    expect(location({ port: 9443, scheme: 'https' })).toBe('https://example.com:9443/p');
  });
});
