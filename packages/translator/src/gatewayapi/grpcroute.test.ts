import { ask, backend, baseObjects, grpcRoute, httpRoute, routeCondition, run } from '../../test/fixtures.js';

const parent = [{ name: 'gw', namespace: 'infra' }];
const call = (path: string, headers: Record<string, string> = {}) => ({ path, method: 'POST', headers: { 'content-type': 'application/grpc', ...headers } });

describe('GRPCRoute', () => {
  const r = run([
    ...baseObjects(),
    ...backend('apps', 'exact'),
    ...backend('apps', 'svc'),
    ...backend('apps', 'meth'),
    ...backend('apps', 're'),
    ...backend('apps', 'hdr'),
    grpcRoute('apps', 'g', {
      parentRefs: parent,
      rules: [
        { name: 'exact', matches: [{ method: { service: 'pkg.Echo', method: 'Say' } }], backendRefs: [{ name: 'exact', port: 8080 }] },
        { matches: [{ method: { service: 'pkg.Echo' } }], backendRefs: [{ name: 'svc', port: 8080 }] },
        { matches: [{ method: { method: 'Health' } }], backendRefs: [{ name: 'meth', port: 8080 }] },
        { matches: [{ method: { type: 'RegularExpression', service: 'pkg\\.v[0-9]+\\.Store', method: 'Get.*' } }], backendRefs: [{ name: 're', port: 8080 }] },
        { matches: [{ headers: [{ name: 'x-tenant', value: 'a' }] }], backendRefs: [{ name: 'hdr', port: 8080 }] },
      ],
    }),
  ]);
  it.each([
    ['/pkg.Echo/Say', {}, 'exact'],
    ['/pkg.Echo/Other', {}, 'svc'],
    ['/any.Service/Health', {}, 'meth'],
    ['/pkg.v2.Store/GetItem', {}, 're'],
    ['/pkg.v2.Store/Put', { 'x-tenant': 'a' }, 'hdr'],
  ] as const)('%s %j -> %s', (path, headers, want) => {
    expect(ask(r, call(path, headers)).backends).toEqual({ [`apps/${want}:8080`]: 1 });
  });
  it('answers 404 for an unmatched method', () => {
    expect(ask(r, call('/pkg.v2.Store/Put')).status).toBe(404);
  });
  it('speaks HTTP/2 to backends and disables the route timeout for streams', () => {
    const f = r.fleets.get('infra/gw')!;
    const c = f.clusters.find((x) => x.name === 'apps/exact:8080/h2c')!;
    expect(c.typed_extension_protocol_options).toBeDefined();
    const route = f.routes[0]!.virtual_hosts![0]!.routes!.find((x) => x.route?.cluster === 'apps/exact:8080/h2c')!;
    expect(route.route!.timeout).toEqual({ seconds: '0', nanos: 0 });
    expect(route.metadata!.filter_metadata!['switchyard.dev']!.fields!['ruleName']).toEqual({ stringValue: 'exact' });
  });
  it('rejects a match with neither service nor method, naming the field', () => {
    const r2 = run([...baseObjects(), grpcRoute('apps', 'bad', { parentRefs: parent, rules: [{ matches: [{ method: { type: 'Exact' } }] }] })]);
    const c = routeCondition(r2, 'GRPCRoute', 'apps', 'bad', 'Accepted')!;
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c.message).toContain('spec.rules[0].matches[0].method');
  });
  it('rejects filters GRPCRoute does not have', () => {
    const r2 = run([
      ...baseObjects(),
      ...backend('apps', 'a'),
      grpcRoute('apps', 'bad', { parentRefs: parent, rules: [{ filters: [{ type: 'URLRewrite' as never }], backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    expect(routeCondition(r2, 'GRPCRoute', 'apps', 'bad', 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
  });
});

describe('HTTPRoute and GRPCRoute on one listener', () => {
  const objs = (grpcHost: string, grpcCreated: string) => [
    ...baseObjects(),
    ...backend('apps', 'web'),
    ...backend('apps', 'rpc'),
    httpRoute(
      'apps',
      'web',
      { parentRefs: parent, hostnames: ['shared.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
      '2026-01-02T00:00:00Z',
    ),
    grpcRoute('apps', 'rpc', { parentRefs: parent, hostnames: [grpcHost], rules: [{ backendRefs: [{ name: 'rpc', port: 8080 }] }] }, grpcCreated),
  ];
  it('accepts only the older route when their hostnames intersect', () => {
    const newer = run(objs('*.example.com', '2026-01-03T00:00:00Z'));
    expect(routeCondition(newer, 'GRPCRoute', 'apps', 'rpc', 'Accepted')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(routeCondition(newer, 'HTTPRoute', 'apps', 'web', 'Accepted')).toMatchObject({ status: 'True' });
    expect(ask(newer, { host: 'shared.example.com', ...call('/pkg.Svc/M') }).backends).toEqual({ 'apps/web:8080': 1 });
    const older = run(objs('shared.example.com', '2026-01-01T00:00:00Z'));
    expect(routeCondition(older, 'GRPCRoute', 'apps', 'rpc', 'Accepted')).toMatchObject({ status: 'True' });
    expect(routeCondition(older, 'HTTPRoute', 'apps', 'web', 'Accepted')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });
  it('accepts both when their hostnames do not intersect', () => {
    const r = run(objs('grpc.example.net', '2026-01-03T00:00:00Z'));
    expect(routeCondition(r, 'GRPCRoute', 'apps', 'rpc', 'Accepted')).toMatchObject({ status: 'True' });
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'web', 'Accepted')).toMatchObject({ status: 'True' });
  });
});

describe('GRPCRoute precedence', () => {
  it('prefers the longer service, then the longer method, over rule order', () => {
    const r = run([
      ...baseObjects(),
      ...backend('apps', 'meth'),
      ...backend('apps', 'svc'),
      ...backend('apps', 'both'),
      grpcRoute('apps', 'g', {
        parentRefs: parent,
        rules: [
          { matches: [{ method: { method: 'Say' } }], backendRefs: [{ name: 'meth', port: 8080 }] },
          { matches: [{ method: { service: 'pkg.Echo' } }], backendRefs: [{ name: 'svc', port: 8080 }] },
        ],
      }),
      grpcRoute(
        'apps',
        'later',
        { parentRefs: parent, rules: [{ matches: [{ method: { service: 'pkg.Echo', method: 'Say' } }], backendRefs: [{ name: 'both', port: 8080 }] }] },
        '2026-06-01T00:00:00Z',
      ),
    ]);
    expect(ask(r, call('/pkg.Echo/Say')).backends).toEqual({ 'apps/both:8080': 1 });
    expect(ask(r, call('/pkg.Echo/Other')).backends).toEqual({ 'apps/svc:8080': 1 });
    expect(ask(r, call('/other.Svc/Say')).backends).toEqual({ 'apps/meth:8080': 1 });
  });
});
