import { EMPTY_RESOURCES } from '@switchyard/protos';
import type { Condition, ListenerStatus } from '@switchyard/api';
import { ask, backend, baseObjects, gateway, gatewayClass, httpListener, httpRoute, namespace, run } from '../../test/fixtures.js';
import type { TranslateResult } from '../translate.js';

function gatewayStatusOf(r: TranslateResult, ns = 'infra', name = 'gw') {
  return r.statuses.find((s) => s.kind === 'Gateway' && s.namespace === ns && s.name === name)?.status as
    { conditions: Condition[]; listeners: ListenerStatus[] } | undefined;
}
const cond = (cs: Condition[] | undefined, type: string) => cs?.find((c) => c.type === type);

describe('GatewayClass', () => {
  it('accepts classes with our controllerName and lists supported features; ignores others', () => {
    const r = run([gatewayClass('mine'), gatewayClass('theirs', 'example.com/other')]);
    expect(r.statuses.map((s) => s.name)).toEqual(['mine']);
    const st = r.statuses[0]!.status as { conditions: Condition[]; supportedFeatures: Array<{ name: string }> };
    expect(cond(st.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted', observedGeneration: 1 });
    const names = st.supportedFeatures.map((f) => f.name);
    expect(names).toContain('HTTPRoute');
    expect(names).toContain('GRPCRoute');
    expect([...names].sort()).toEqual(names);
  });
  it('rejects a parametersRef that is not an existing switchyard.dev ProxyConfig', () => {
    const gc = gatewayClass();
    gc.spec!.parametersRef = { group: 'example.com', kind: 'Params', name: 'p' };
    const r = run([gc, gateway('infra', 'gw', [httpListener()])]);
    expect(cond((r.statuses[0]!.status as { conditions: Condition[] }).conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidParameters' });
    expect(r.fleets.get('infra/gw')).toEqual(EMPTY_RESOURCES); // an empty fleet: its Envoys initialise and serve nothing
  });
  it('accepts a parametersRef to an existing ProxyConfig (class and Gateway infrastructure)', () => {
    const gc = gatewayClass();
    gc.spec!.parametersRef = { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'p', namespace: 'infra' };
    const gw = gateway('infra', 'gw', [httpListener()]);
    gw.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'p' } };
    const pc = { apiVersion: 'switchyard.dev/v1alpha1', kind: 'ProxyConfig', metadata: { namespace: 'infra', name: 'p' }, spec: {} };
    const ok = run([gc, gw, pc]);
    expect(cond((ok.statuses[0]!.status as { conditions: Condition[] }).conditions, 'Accepted')).toMatchObject({ status: 'True' });
    expect(ok.fleets.has('infra/gw')).toBe(true);
    const missing = run([gatewayClass(), gw]);
    const c = cond(gatewayStatusOf(missing)!.conditions, 'Accepted')!;
    expect(c).toMatchObject({ status: 'False', reason: 'InvalidParameters' });
    expect(c.message).toContain('spec.infrastructure.parametersRef: ProxyConfig infra/p not found');
  });
});

describe('Gateway listeners', () => {
  it('accepts a valid Gateway: Accepted and Programmed, listener conditions, supportedKinds', () => {
    const r = run(baseObjects());
    const st = gatewayStatusOf(r)!;
    expect(cond(st.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(cond(st.conditions, 'Programmed')).toMatchObject({ status: 'True', reason: 'Programmed' });
    expect(st.listeners).toHaveLength(1);
    const l = st.listeners[0]!;
    expect(l.supportedKinds).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
      { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' },
    ]);
    expect(l.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'True', 'Accepted'],
      ['Programmed', 'True', 'Programmed'],
      ['ResolvedRefs', 'True', 'ResolvedRefs'],
      ['Conflicted', 'False', 'NoConflicts'],
    ]);
  });
  it('marks an unsupported protocol; Gateway stays accepted with ListenersNotValid while one listener is valid', () => {
    const r = run([gatewayClass(), gateway('infra', 'gw', [httpListener(), { name: 'bad', port: 1111, protocol: 'INVALID' }])]);
    const st = gatewayStatusOf(r)!;
    expect(cond(st.conditions, 'Accepted')).toMatchObject({ status: 'True', reason: 'ListenersNotValid' });
    const bad = st.listeners.find((l) => l.name === 'bad')!;
    expect(cond(bad.conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
    expect(bad.supportedKinds).toEqual([]);
    expect(r.fleets.get('infra/gw')!.listeners.map((l) => l.name)).toEqual(['tcp-80']);
  });
  it('does not accept a Gateway whose only listener is invalid', () => {
    const r = run([gatewayClass(), gateway('infra', 'gw', [{ name: 'bad', port: 1111, protocol: 'INVALID' }])]);
    expect(cond(gatewayStatusOf(r)!.conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'ListenersNotValid' });
    expect(r.fleets.get('infra/gw')).toEqual(EMPTY_RESOURCES); // an empty fleet: its Envoys initialise and serve nothing
  });
  it('reports invalid route kinds and keeps the valid ones', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [httpListener('http', 80, { allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }, { kind: 'TCPRoute' }] } })]),
    ]);
    const l = gatewayStatusOf(r)!.listeners[0]!;
    expect(l.supportedKinds).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    expect(cond(l.conditions, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidRouteKinds' });
  });
  it('conflicts every listener sharing port and hostname, with no winner', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        httpListener('a', 80, { hostname: 'x.example.com' }),
        httpListener('b', 80, { hostname: 'x.example.com' }),
        httpListener('c', 80, { hostname: 'y.example.com' }),
      ]),
    ]);
    const ls = gatewayStatusOf(r)!.listeners;
    expect(ls.map((l) => [l.name, cond(l.conditions, 'Conflicted')!.status, cond(l.conditions, 'Conflicted')!.reason])).toEqual([
      ['a', 'True', 'HostnameConflict'],
      ['b', 'True', 'HostnameConflict'],
      ['c', 'False', 'NoConflicts'],
    ]);
    expect(r.fleets.get('infra/gw')!.routes[0]!.virtual_hosts!.map((v) => v.name)).toEqual(['y.example.com']);
  });
  it('gives one fleet per Gateway holding only its own routes', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'one', [httpListener()]),
      gateway('infra', 'two', [httpListener()]),
      ...backend('infra', 'a'),
      httpRoute('infra', 'r1', { parentRefs: [{ name: 'one' }], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    expect([...r.fleets.keys()]).toEqual(['infra/one', 'infra/two']);
    expect(r.fleets.get('infra/one')!.clusters.map((c) => c.name)).toEqual(['infra/a:8080']);
    expect(r.fleets.get('infra/two')!.clusters).toEqual([]);
    expect(ask(r, {}, 'infra/two').status).toBe(404);
  });
  it('ignores Gateways of other classes', () => {
    const r = run([gatewayClass(), gateway('infra', 'gw', [httpListener()], 'other')]);
    expect(r.fleets.size).toBe(0);
    expect(r.statuses.some((s) => s.kind === 'Gateway')).toBe(false);
  });
});

describe('route attachment', () => {
  const objs = (listenerExtra: object, routeNs = 'apps', refExtra: object = {}) => [
    gatewayClass(),
    gateway('infra', 'gw', [httpListener('http', 80, listenerExtra), httpListener('alt', 8080, listenerExtra)]),
    namespace('apps', { team: 'a' }),
    namespace('other', { team: 'b' }),
    ...backend(routeNs, 'a'),
    httpRoute(routeNs, 'r', { parentRefs: [{ name: 'gw', namespace: 'infra', ...refExtra }], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
  ];
  const accepted = (r: TranslateResult, ns = 'apps') => {
    const s = r.statuses.find((x) => x.kind === 'HTTPRoute' && x.namespace === ns)!;
    return (s.status as { parents: Array<{ conditions: Condition[] }> }).parents[0]!.conditions.find((c) => c.type === 'Accepted')!;
  };
  it('allows only the Gateway namespace by default', () => {
    expect(accepted(run(objs({})))).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
    expect(accepted(run(objs({}, 'infra')), 'infra')).toMatchObject({ status: 'True' });
  });
  it('allows namespaces selected by label', () => {
    const sel = { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'a' } } } } };
    expect(accepted(run(objs(sel)))).toMatchObject({ status: 'True' });
    expect(accepted(run(objs(sel, 'other')), 'other')).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });
  it('selects listeners by sectionName and port', () => {
    const all = { allowedRoutes: { namespaces: { from: 'All' } } };
    expect(accepted(run(objs(all, 'apps', { sectionName: 'nope' })))).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    expect(accepted(run(objs(all, 'apps', { port: 9999 })))).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    expect(accepted(run(objs(all, 'apps', { sectionName: 'http', port: 8080 })))).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    const r = run(objs(all, 'apps', { port: 8080 }));
    expect(accepted(r)).toMatchObject({ status: 'True' });
    expect(ask(r, { port: 8080 }).backends).toEqual({ 'apps/a:8080': 1 });
    expect(ask(r, { port: 80 }).status).toBe(404);
    const ls = gatewayStatusOf(r)!.listeners;
    expect(ls.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['http', 0],
      ['alt', 1],
    ]);
  });
  it('counts routes on listeners that are not accepted (the spec: status does not impact attachment), serving them nowhere', () => {
    const routeOn = (listeners: Parameters<typeof gateway>[2], ref: object = {}) =>
      run([
        gatewayClass(),
        gateway('infra', 'gw', listeners),
        ...backend('infra', 'a'),
        httpRoute('infra', 'r', { parentRefs: [{ name: 'gw', ...ref }], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
      ]);
    // Two HTTP listeners on port 80 with hostname foo.com: both conflicted.
    const conflicted = routeOn([httpListener('a', 80, { hostname: 'foo.com' }), httpListener('b', 80, { hostname: 'foo.com' })]);
    expect(accepted(conflicted, 'infra')).toMatchObject({ status: 'True' });
    expect(gatewayStatusOf(conflicted)!.listeners.map((l) => [l.name, l.attachedRoutes, cond(l.conditions, 'Accepted')!.status])).toEqual([
      ['a', 1, 'False'],
      ['b', 1, 'False'],
    ]);
    expect(conflicted.fleets.get('infra/gw')).toEqual(EMPTY_RESOURCES); // an empty fleet: its Envoys initialise and serve nothing
    // A conflicted listener next to a valid one on the same port: the route's hostnames stay off the shared route table.
    const shared = routeOn(
      [httpListener('a', 80, { hostname: 'foo.com' }), httpListener('b', 80, { hostname: 'foo.com' }), httpListener('c', 80, { hostname: 'bar.com' })],
      { sectionName: 'a' },
    );
    expect(gatewayStatusOf(shared)!.listeners.map((l) => l.attachedRoutes)).toEqual([1, 0, 0]);
    expect(ask(shared, { host: 'foo.com' }).status).toBe(404);
    // An unsupported protocol whose allowedRoutes names the kind.
    const unsupported = routeOn([httpListener(), { name: 'odd', port: 1111, protocol: 'INVALID', allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }] } }], {
      sectionName: 'odd',
    });
    expect(accepted(unsupported, 'infra')).toMatchObject({ status: 'True' });
    expect(gatewayStatusOf(unsupported)!.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['http', 0],
      ['odd', 1],
    ]);
  });
  it('isolates listeners: a request for a more specific listener hostname never reaches a wildcard listener route', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [httpListener('wild', 80, { hostname: '*.example.com' }), httpListener('foo', 80, { hostname: 'foo.example.com' })]),
      ...backend('infra', 'a'),
      httpRoute('infra', 'wild-route', { parentRefs: [{ name: 'gw', sectionName: 'wild' }], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] }),
    ]);
    expect(ask(r, { host: 'bar.example.com' }).backends).toEqual({ 'infra/a:8080': 1 });
    expect(ask(r, { host: 'foo.example.com' }).status).toBe(404);
  });
});
