// refreshEndpoints keeps the identity of everything an EndpointSlice change
// did not touch: the controller and the xDS encoder skip objects they have
// already seen, so identity is what makes an endpoints-only pass cheap.
// (Byte equality with a full translation is the property test's job.)
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { refreshEndpoints } from './endpoints-refresh.js';
import { translateDetailed } from './translate.js';
import { backend, baseObjects, encodeAll, endpointSlice, httpRoute } from '../test/fixtures.js';

const route = (name: string, svc: string): KubeObject =>
  httpRoute('app', name, {
    parentRefs: [{ name: 'gw', namespace: 'infra' }],
    hostnames: [`${name}.example.com`],
    rules: [{ backendRefs: [{ name: svc, port: 8080 }] }],
  });

const world = (cartIps: string[]): KubeObject[] => [
  ...baseObjects(),
  ...backend('app', 'cart', 8080, cartIps),
  ...backend('app', 'search', 8080, ['10.0.1.1']),
  route('cart', 'cart'),
  route('search', 'search'),
];

describe('refreshEndpoints', () => {
  it('re-creates only the ClusterLoadAssignment whose endpoints changed; every other resource is the previous object', () => {
    const before = translateDetailed(snapshotOf(world(['10.0.0.1'])));
    const after = refreshEndpoints(before, snapshotOf(world(['10.0.0.1', '10.0.0.2'])))!;
    expect(after).toBeDefined();
    const prev = before.fleets.get('infra/gw')!;
    const next = after.fleets.get('infra/gw')!;
    for (const field of ['listeners', 'routes', 'clusters', 'secrets'] as const) expect(next[field]).toBe(prev[field]);
    const byName = (r: typeof prev) => new Map(r.endpoints.map((e) => [e.cluster_name, e]));
    const changed = [...byName(next)].filter(([name, cla]) => byName(prev).get(name) !== cla).map(([name]) => name);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toContain('cart');
    const cart = byName(next).get(changed[0])!;
    expect(cart.endpoints?.[0]?.lb_endpoints?.map((l) => l.endpoint?.address?.socket_address?.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(after.statuses).toBe(before.statuses);
  });

  it('hands back the previous resources of a fleet whose endpoints did not change (a new slice of a Service no route uses)', () => {
    const objects = world(['10.0.0.1', '10.0.0.2']);
    const before = translateDetailed(snapshotOf(objects));
    const unrelated = endpointSlice('app', 'unused', ['10.9.9.9'], [{ name: 'p', port: 9090 }]);
    const after = refreshEndpoints(before, snapshotOf([...objects, unrelated]))!;
    expect(after.fleets.get('infra/gw')).toBe(before.fleets.get('infra/gw'));
  });

  it('a chain of refreshes (each from the previous refresh) matches a full translation at every step', () => {
    // Each step replaces some slices (null: keep the very same object, as an unchanged slice stays in the store).
    const steps: Array<Record<'cart' | 'search', string[] | null>> = [
      { cart: ['10.0.0.1', '10.0.0.2'], search: null },
      { cart: null, search: ['10.0.1.2'] },
      { cart: ['10.0.0.2'], search: null },
      { cart: ['10.0.0.2'], search: ['10.0.1.2'] },
      { cart: [], search: null },
      { cart: null, search: ['10.0.1.1', '10.0.1.3'] },
      { cart: ['10.0.0.3', '10.0.0.1'], search: null },
    ];
    let objects = world(['10.0.0.1']);
    let detail = translateDetailed(snapshotOf(objects));
    for (const step of steps) {
      objects = objects.map((o) => {
        const svc = o.kind === 'EndpointSlice' ? (o.metadata.labels?.['kubernetes.io/service-name'] as 'cart' | 'search') : undefined;
        const ips = svc && step[svc];
        return svc && ips ? endpointSlice('app', svc, ips, [{ name: 'p', port: 9080 }]) : o;
      });
      const snapshot = snapshotOf(objects);
      const refreshed = refreshEndpoints(detail, snapshot)!;
      const full = translateDetailed(snapshot);
      expect(Object.fromEntries(encodeAll(refreshed.fleets.get('infra/gw')!))).toEqual(Object.fromEntries(encodeAll(full.fleets.get('infra/gw')!)));
      detail = refreshed;
    }
  });

  it('carries what each endpoint list was read from on the result, so a refresh from it keeps the lists of unchanged slices', () => {
    const objects = world(['10.0.0.1']);
    const full = translateDetailed(snapshotOf(objects));
    expect(full.endpointsReadFrom).toBeUndefined();
    const first = refreshEndpoints(full, snapshotOf(objects))!;
    const lists = [...first.endpointsReadFrom!.keys()];
    expect(lists).toHaveLength(2); // cart and search
    const second = refreshEndpoints(first, snapshotOf(objects))!;
    expect([...second.endpointsReadFrom!.keys()]).toEqual(lists);
    expect(second.ir.get('infra/gw')).toBe(first.ir.get('infra/gw'));
  });

  it('returns undefined when a backend Service is gone, so the caller translates in full', () => {
    const before = translateDetailed(snapshotOf(world(['10.0.0.1'])));
    expect(refreshEndpoints(before, snapshotOf(world(['10.0.0.1']).filter((o) => !(o.kind === 'Service' && o.metadata.name === 'search'))))).toBeUndefined();
  });
});
