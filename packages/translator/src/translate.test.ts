import { snapshotOf, type Condition } from '@switchyard/api';
import { encodeAll, endpointSlice, gateway, gatewayClass, httpListener, httpRoute, service } from '../test/fixtures.js';
import { translate } from './translate.js';

describe('translate (smoke)', () => {
  it('serves a Gateway with one HTTPRoute and reports status', () => {
    const objs = [
      gatewayClass(),
      gateway('infra', 'gw', [httpListener('http', 80, { allowedRoutes: { namespaces: { from: 'All' } } })]),
      httpRoute('apps', 'web', {
        parentRefs: [{ name: 'gw', namespace: 'infra' }],
        hostnames: ['example.com'],
        rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }],
      }),
      service('apps', 'web', [{ port: 8080, name: 'http' }]),
      endpointSlice('apps', 'web', ['10.0.0.2', '10.0.0.1', { ip: '10.0.0.9', ready: false }], [{ name: 'http', port: 9090 }]),
    ];
    const r = translate(snapshotOf(objs));
    const fleet = r.fleets.get('infra/gw')!;
    expect(fleet.listeners.map((l) => l.name)).toEqual(['tcp-80']);
    expect(fleet.routes[0]!.virtual_hosts!.map((v) => v.domains)).toEqual([['example.com'], ['*']]);
    expect(fleet.endpoints[0]!.endpoints![0]!.lb_endpoints!.map((e) => e.endpoint!.address!.socket_address!.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(encodeAll(fleet).size).toBe(4);
    const route = r.statuses.find((s) => s.kind === 'HTTPRoute')!.status as { parents: Array<{ conditions: Condition[] }> };
    expect(route.parents[0]!.conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Accepted', 'True', 'Accepted', 3],
      ['ResolvedRefs', 'True', 'ResolvedRefs', 3],
    ]);
  });
});
