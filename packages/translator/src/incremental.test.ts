// Differential property test: after every step of a random sequence of
// changes (routes added, replaced, moved between Gateways and deleted; one
// field of a route edited: hostnames, parentRefs, a rule added or removed, a
// timeout; a GRPCRoute added or removed; EndpointSlices, Services, Gateways
// and ReferenceGrants changed), the
// incremental translation equals a full translation of the same snapshot,
// byte for byte: every fleet's encoded resources, the IR's fleets and every
// status. Unchanged fleets and resources are the previous objects.
import fc from 'fast-check';
import { groupOf, kindKey, nameKey, snapshotOf, type HTTPRoute, type KubeObject } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { endpointSlice, encodeAll, gateway, gatewayClass, grpcRoute, httpListener, httpRoute, referenceGrant, service, G } from '../test/fixtures.js';
import { translateDetailed, type TranslateDetail } from './translate.js';
import { translateIncremental, type Translation } from './incremental.js';

const OPTIONS = { now: '2026-01-01T00:00:00Z' };
const GATEWAYS = ['gw-0', 'gw-1', 'gw-2'];
const SERVICES = ['svc-0', 'svc-1', 'svc-2'];
const ROUTES = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5'];
const ns = fc.constantFrom('a', 'b');

const hostnames = fc.array(fc.constantFrom('a.example.com', 'b.example.com', '*.example.com', 'c.example.com'), { maxLength: 2 });
const parentRefs = fc.array(
  fc.record({
    name: fc.constantFrom(...GATEWAYS, 'missing'),
    namespace: fc.constant('infra'),
    sectionName: fc.option(fc.constantFrom('http', 'alt'), { nil: undefined }),
  }),
  { minLength: 0, maxLength: 2 },
);
const backendRef = fc.record({
  name: fc.constantFrom(...SERVICES, 'nope'),
  namespace: fc.option(ns, { nil: undefined }),
  port: fc.constant(80),
  weight: fc.option(fc.constantFrom(0, 1, 3), { nil: undefined, freq: 2 }),
});
const filter = fc.oneof(
  fc.record({
    type: fc.constant('RequestMirror'),
    requestMirror: fc.record({ backendRef: fc.record({ name: fc.constantFrom(...SERVICES), port: fc.constant(80) }) }),
  }),
  fc.record({ type: fc.constant('RequestRedirect'), requestRedirect: fc.record({ scheme: fc.constant('https'), statusCode: fc.constant(301) }) }),
);
const rule = fc.record(
  {
    matches: fc.array(fc.record({ path: fc.record({ type: fc.constantFrom('PathPrefix', 'Exact'), value: fc.constantFrom('/', '/x', '/y/z') }) }), {
      maxLength: 2,
    }),
    backendRefs: fc.array(backendRef, { maxLength: 2 }),
    filters: fc.array(filter, { maxLength: 1 }),
    timeouts: fc.record({ request: fc.constantFrom('1s', '5s') }),
  },
  { requiredKeys: ['matches', 'backendRefs'] },
);
const routeSpec: fc.Arbitrary<HTTPRoute['spec']> = fc.record({ parentRefs, hostnames, rules: fc.array(rule, { minLength: 1, maxLength: 2 }) });

/** One field of an existing route changed: the changes a user makes most. */
type Edit =
  | { readonly field: 'hostnames'; readonly hostnames: string[] }
  | { readonly field: 'parentRefs'; readonly parentRefs: NonNullable<NonNullable<HTTPRoute['spec']>['parentRefs']> }
  | { readonly field: 'addRule'; readonly rule: NonNullable<NonNullable<HTTPRoute['spec']>['rules']>[number] }
  | { readonly field: 'removeRule' }
  | { readonly field: 'timeout'; readonly request: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ field: fc.constant('hostnames' as const), hostnames }),
  fc.record({ field: fc.constant('parentRefs' as const), parentRefs }),
  fc.record({ field: fc.constant('addRule' as const), rule }),
  fc.record({ field: fc.constant('removeRule' as const) }),
  fc.record({ field: fc.constant('timeout' as const), request: fc.constantFrom('2s', '3s', '4s') }),
);

function edited(spec: HTTPRoute['spec'], e: Edit): HTTPRoute['spec'] {
  const rules = spec?.rules ?? [];
  switch (e.field) {
    case 'hostnames':
      return { ...spec, hostnames: e.hostnames };
    case 'parentRefs':
      return { ...spec, parentRefs: e.parentRefs };
    case 'addRule':
      return { ...spec, rules: [...rules, e.rule] };
    case 'removeRule':
      return { ...spec, rules: rules.slice(0, -1) };
    case 'timeout':
      return { ...spec, rules: rules.map((r, i) => (i === 0 ? { ...r, timeouts: { request: e.request } } : r)) };
  }
}

type Change =
  | { readonly kind: 'route'; readonly ns: string; readonly name: string; readonly spec: HTTPRoute['spec'] | undefined }
  | { readonly kind: 'edit'; readonly ns: string; readonly name: string; readonly edit: Edit }
  | { readonly kind: 'grpc'; readonly gateway: string | undefined }
  | { readonly kind: 'slice'; readonly ns: string; readonly service: string; readonly ips: string[] }
  | { readonly kind: 'service'; readonly ns: string; readonly service: string; readonly present: boolean }
  | { readonly kind: 'gateway'; readonly name: string; readonly hostname: string | undefined }
  | { readonly kind: 'grant'; readonly present: boolean };

const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edit' as const), ns, name: fc.constantFrom(...ROUTES), edit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grpc' as const), gateway: fc.option(fc.constantFrom(...GATEWAYS), { nil: undefined }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('route' as const),
      ns,
      name: fc.constantFrom(...ROUTES),
      spec: fc.option(routeSpec, { nil: undefined, freq: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('slice' as const),
      ns,
      service: fc.constantFrom(...SERVICES),
      ips: fc.array(fc.constantFrom('10.0.0.1', '10.0.0.2', '10.0.0.3'), { maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('service' as const), ns, service: fc.constantFrom(...SERVICES), present: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('gateway' as const),
      name: fc.constantFrom(...GATEWAYS),
      hostname: fc.option(fc.constantFrom('*.example.com', 'a.example.com'), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('grant' as const), present: fc.boolean() }) },
);

const key = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function apply(world: Map<string, KubeObject>, c: Change): void {
  const put = (o: KubeObject) => world.set(key(o), o);
  switch (c.kind) {
    case 'route':
      if (c.spec) put(httpRoute(c.ns, c.name, c.spec, created(c.name)));
      else world.delete(`HTTPRoute/${c.ns}/${c.name}`);
      return;
    case 'edit': {
      // The named route, or else one that exists: an edit is of an existing route.
      const existing = [...world.keys()].filter((k) => k.startsWith('HTTPRoute/')).sort();
      const named = `HTTPRoute/${c.ns}/${c.name}`;
      const old = world.get(world.has(named) ? named : (existing[ROUTES.indexOf(c.name) % Math.max(existing.length, 1)] ?? named)) as HTTPRoute | undefined;
      if (old) put({ ...old, metadata: { ...old.metadata, generation: (old.metadata.generation ?? 1) + 1 }, spec: edited(old.spec, c.edit) });
      return;
    }
    case 'grpc':
      if (c.gateway)
        put(
          grpcRoute('a', 'grpc', {
            parentRefs: [{ name: c.gateway, namespace: 'infra' }],
            hostnames: ['a.example.com'],
            rules: [{ backendRefs: [{ name: 'svc-0', port: 80 }] }],
          }),
        );
      else world.delete('GRPCRoute/a/grpc');
      return;
    case 'slice':
      put(endpointSlice(c.ns, c.service, c.ips, [{ port: 8080 }]));
      return;
    case 'service':
      if (c.present) put(service(c.ns, c.service, [{ port: 80 }]));
      else world.delete(`Service/${c.ns}/${c.service}`);
      return;
    case 'gateway':
      put(gateway('infra', c.name, listeners(c.hostname)));
      return;
    case 'grant':
      if (c.present) put(referenceGrant('b', 'grant', [{ group: G, kind: 'HTTPRoute', namespace: 'a' }], [{ group: '', kind: 'Service' }]));
      else world.delete('ReferenceGrant/b/grant');
  }
}

/** Two listeners: any host on port 80, and one hostname on 8080. */
function listeners(hostname: string | undefined) {
  return [
    httpListener('http', 80, { allowedRoutes: { namespaces: { from: 'All' } }, ...(hostname ? { hostname } : {}) }),
    httpListener('alt', 8080, { allowedRoutes: { namespaces: { from: 'All' } }, hostname: 'b.example.com' }),
  ];
}

/** Two creation times, so precedence ties are broken by age as well as by name. */
function created(name: string): string {
  return Number(name.slice(2)) % 2 === 0 ? '2026-01-01T00:00:00Z' : '2025-06-01T00:00:00Z';
}

function initialWorld(routes: Array<[string, string, HTTPRoute['spec']]>): Map<string, KubeObject> {
  const world = new Map<string, KubeObject>();
  const objects: KubeObject[] = [gatewayClass(), ...GATEWAYS.map((g) => gateway('infra', g, listeners(undefined)))];
  for (const n of ['a', 'b']) for (const s of SERVICES) objects.push(service(n, s, [{ port: 80 }]), endpointSlice(n, s, ['10.0.0.1'], [{ port: 8080 }]));
  for (const [n, name, spec] of routes) objects.push(httpRoute(n, name, spec, created(name)));
  for (const o of objects) world.set(key(o), o);
  return world;
}

/** Per kind key, the keys of the objects that differ between two worlds, and the first object of `after` too. */
function changedKeys(before: Map<string, KubeObject>, after: Map<string, KubeObject>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (o: KubeObject) => {
    const k = kindKey(groupOf(o.apiVersion), o.kind);
    if (!out.has(k)) out.set(k, new Set());
    out.get(k)!.add(nameKey(o.metadata.namespace, o.metadata.name));
  };
  for (const [k, o] of after) if (before.get(k) !== o) add(o);
  for (const [k, o] of before) if (!after.has(k)) add(o);
  const first = after.values().next();
  if (!first.done) add(first.value);
  return out;
}

/** Everything a translation hands on, as bytes and JSON. */
function observable(d: TranslateDetail): unknown {
  const fleets: Record<string, Record<string, string>> = {};
  for (const [id, r] of d.fleets) fleets[id] = Object.fromEntries([...encodeAll(r)].map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { fleetOrder: [...d.fleets.keys()], fleets, ir: JSON.stringify([...d.ir]), statuses: JSON.stringify(d.statuses) };
}

/** Every virtual host equal to the previous one of its name (and RouteConfiguration) is the previous object. */
function expectVirtualHostsReused(before: EnvoyResources | undefined, after: EnvoyResources): void {
  for (const rc of after.routes) {
    const old = new Map(before?.routes.find((p) => p.name === rc.name)?.virtual_hosts?.map((vh) => [vh.name, vh]));
    for (const vh of rc.virtual_hosts ?? []) {
      const p = old.get(vh.name);
      if (p && JSON.stringify(p) === JSON.stringify(vh)) expect(vh).toBe(p);
    }
  }
}

describe('translateIncremental', () => {
  it('equals a full translation after every step of random change sequences', () => {
    const passes: Record<string, number> = {};
    fc.assert(
      fc.property(
        fc.array(fc.tuple(ns, fc.constantFrom(...ROUTES), routeSpec), { minLength: 3, maxLength: 10 }),
        fc.array(change, { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (routes, changes, named) => {
          const world = initialWorld(routes);
          let previous: Translation | undefined;
          for (const c of [undefined, ...changes]) {
            const old = new Map(world);
            if (c) apply(world, c);
            const snapshot = snapshotOf([...world.values()]);
            const before = previous;
            // Half the sequences name the changed objects, as the controller's store does (plus one unchanged
            // object, as a status-only event would); the others leave finding them to translateIncremental.
            const r = translateIncremental(previous, snapshot, OPTIONS, named ? changedKeys(old, world) : undefined);
            const kind = r.rebuiltVirtualHosts ? 'virtual hosts' : r.pass;
            passes[kind] = (passes[kind] ?? 0) + 1;
            expect(observable(r.translation.detail)).toEqual(observable(translateDetailed(snapshot, OPTIONS)));
            // What was not translated again is the previous object.
            if (before)
              for (const [id, f] of r.translation.detail.fleets)
                if (!r.rebuilt.includes(id) && r.pass !== 'endpoints') expect(f).toBe(before.detail.fleets.get(id));
                else expectVirtualHostsReused(before.detail.fleets.get(id), f);
            previous = r.translation;
          }
        },
      ),
      // 400 runs (about 4,400 passes, over 160 of them virtual-host passes) passed once; 100 keep the suite quick.
      { numRuns: 100 },
    );
    // Every kind of pass was exercised, the virtual-host one often (about 100 of 1,100 passes; 80-90 fall back to whole Gateways).
    expect(Object.keys(passes).sort()).toEqual(['endpoints', 'full', 'routes', 'unchanged', 'virtual hosts']);
    expect(passes['virtual hosts']).toBeGreaterThan(40);
  });

  it('translates only the Gateways a route change touches, and hands back unchanged resources as the previous objects', () => {
    const spec = (gw: string, path: string, hostname = 'a.example.com'): HTTPRoute['spec'] => ({
      parentRefs: [{ name: gw, namespace: 'infra' }],
      hostnames: [hostname],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: 'svc-0', port: 80 }] }],
    });
    const world = initialWorld([
      ['a', 'r-0', spec('gw-0', '/x')],
      ['a', 'r-1', spec('gw-1', '/x')],
      ['a', 'r-2', spec('gw-2', '/x')],
      ['b', 'r-1', spec('gw-1', '/x', 'b.example.com')],
    ]);
    const first = translateIncremental(undefined, snapshotOf([...world.values()]), OPTIONS);
    expect(first.pass).toBe('full');
    apply(world, { kind: 'route', ns: 'a', name: 'r-1', spec: spec('gw-1', '/changed') });
    const second = translateIncremental(first.translation, snapshotOf([...world.values()]), OPTIONS);
    expect(second.pass).toBe('routes');
    expect(second.rebuilt).toEqual(['infra/gw-1']);
    const before = first.translation.detail.fleets;
    const after = second.translation.detail.fleets;
    expect(after.get('infra/gw-0')).toBe(before.get('infra/gw-0'));
    expect(after.get('infra/gw-2')).toBe(before.get('infra/gw-2'));
    // In the touched fleet, only the RouteConfiguration changed.
    expect(after.get('infra/gw-1')!.routes[0]).not.toBe(before.get('infra/gw-1')!.routes[0]);
    expect(after.get('infra/gw-1')!.listeners[0]).toBe(before.get('infra/gw-1')!.listeners[0]);
    expect(after.get('infra/gw-1')!.clusters[0]).toBe(before.get('infra/gw-1')!.clusters[0]);
    // In it, only the changed route's virtual host is new: the xDS cache encodes that one alone.
    const hosts = (f: EnvoyResources) => new Map(f.routes[0]!.virtual_hosts!.map((vh) => [vh.domains![0], vh]));
    expect(hosts(after.get('infra/gw-1')!).get('b.example.com')).toBe(hosts(before.get('infra/gw-1')!).get('b.example.com'));
    expect(hosts(after.get('infra/gw-1')!).get('a.example.com')).not.toBe(hosts(before.get('infra/gw-1')!).get('a.example.com'));
    // Moving the route to another Gateway rebuilds both.
    apply(world, { kind: 'route', ns: 'a', name: 'r-1', spec: spec('gw-2', '/changed') });
    const third = translateIncremental(second.translation, snapshotOf([...world.values()]), OPTIONS);
    expect([third.pass, [...third.rebuilt].sort()]).toEqual(['routes', ['infra/gw-1', 'infra/gw-2']]);
    expect(third.translation.detail.fleets.get('infra/gw-0')).toBe(before.get('infra/gw-0'));
  });
});
