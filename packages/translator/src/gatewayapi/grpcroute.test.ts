import { ask, backend, baseObjects, grpcRoute, routeCondition, run } from '../test-fixtures.js';

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
    const r2 = run([...baseObjects(), ...backend('apps', 'a'), grpcRoute('apps', 'bad', { parentRefs: parent, rules: [{ filters: [{ type: 'URLRewrite' as never }], backendRefs: [{ name: 'a', port: 8080 }] }] })]);
    expect(routeCondition(r2, 'GRPCRoute', 'apps', 'bad', 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
  });
});
