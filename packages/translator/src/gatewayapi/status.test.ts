import type { Condition, HTTPRoute } from '@switchyard/api';
import { backend, baseObjects, httpRoute, run } from '../../test/fixtures.js';
import { CONTROLLER_NAME } from '../translate.js';

const route = (): HTTPRoute =>
  httpRoute('apps', 'r', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }] });
type Parents = { parents: Array<{ controllerName: string; parentRef: { name: string }; conditions: Condition[] }> };

describe('status', () => {
  it('stamps observedGeneration and keeps lastTransitionTime while a status does not change', () => {
    const first = run([...baseObjects(), ...backend('apps', 'a'), route()], { now: '2026-01-01T00:00:00Z' });
    const st = first.statuses.find((s) => s.kind === 'HTTPRoute')!.status as Parents;
    expect(st.parents[0]!.conditions[0]).toMatchObject({ observedGeneration: 3, lastTransitionTime: '2026-01-01T00:00:00Z' });

    // Same objects later, with the status written back: times stay.
    const written = { ...route(), status: st };
    const again = run([...baseObjects(), ...backend('apps', 'a'), written], { now: '2026-02-01T00:00:00Z' });
    const st2 = again.statuses.find((s) => s.kind === 'HTTPRoute')!.status as Parents;
    expect(st2).toEqual(st);

    // The backend disappears: ResolvedRefs flips and gets the new time; Accepted keeps its time.
    const flipped = run([...baseObjects(), written], { now: '2026-03-01T00:00:00Z' });
    const c = (flipped.statuses.find((s) => s.kind === 'HTTPRoute')!.status as Parents).parents[0]!.conditions;
    expect(c.find((x) => x.type === 'Accepted')!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(c.find((x) => x.type === 'ResolvedRefs')).toMatchObject({ status: 'False', lastTransitionTime: '2026-03-01T00:00:00Z' });
  });
  it('keeps parent entries written by other controllers', () => {
    const other = { parentRef: { name: 'theirs' }, controllerName: 'example.com/other', conditions: [] };
    const r = run([...baseObjects(), ...backend('apps', 'a'), { ...route(), status: { parents: [other] } }]);
    const st = r.statuses.find((s) => s.kind === 'HTTPRoute')!.status as Parents;
    expect(st.parents.map((p) => [p.controllerName, p.parentRef.name])).toEqual([
      ['example.com/other', 'theirs'],
      [CONTROLLER_NAME, 'gw'],
    ]);
  });
  it('writes no status for routes whose parents are not Switchyard Gateways', () => {
    const r = run([...baseObjects(), httpRoute('apps', 'x', { parentRefs: [{ name: 'elsewhere' }] })]);
    expect(r.statuses.some((s) => s.kind === 'HTTPRoute')).toBe(false);
  });
  it('counts attached routes per listener once, even with two parentRefs to the same listener', () => {
    const twice = httpRoute('apps', 'r', {
      parentRefs: [
        { name: 'gw', namespace: 'infra' },
        { name: 'gw', namespace: 'infra', sectionName: 'http' },
      ],
      rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }],
    });
    const r = run([...baseObjects(), ...backend('apps', 'a'), twice, httpRoute('apps', 'r2', { parentRefs: [{ name: 'gw', namespace: 'infra' }] })]);
    const gw = r.statuses.find((s) => s.kind === 'Gateway')!.status as { listeners: Array<{ attachedRoutes: number }> };
    expect(gw.listeners[0]!.attachedRoutes).toBe(2);
    expect((r.statuses.find((s) => s.name === 'r')!.status as Parents).parents).toHaveLength(2);
  });
});

describe('stale route status', () => {
  it('removes the entries Switchyard wrote once the route no longer names a Switchyard Gateway', () => {
    const mine = { parentRef: { name: 'gw', namespace: 'infra' }, controllerName: CONTROLLER_NAME, conditions: [] };
    const theirs = { parentRef: { name: 'other' }, controllerName: 'example.com/other', conditions: [] };
    const moved = { ...httpRoute('apps', 'r', { parentRefs: [{ name: 'other' }] }), status: { parents: [mine, theirs] } };
    const r = run([...baseObjects(), moved]);
    expect((r.statuses.find((s) => s.kind === 'HTTPRoute')!.status as Parents).parents).toEqual([theirs]);
    const untouched = { ...httpRoute('apps', 'r', { parentRefs: [{ name: 'other' }] }), status: { parents: [theirs] } };
    expect(run([...baseObjects(), untouched]).statuses.some((s) => s.kind === 'HTTPRoute')).toBe(false);
  });
});
