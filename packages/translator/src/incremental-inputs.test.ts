import fc from 'fast-check';
import type { KubeObject } from '@switchyard/api';
import { applyChanges, diffInputs, LayeredMap } from './incremental-inputs.js';

const K = 'gateway.networking.k8s.io/HTTPRoute';
const route = (name: string, v: number): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'a', name },
  spec: { v },
});
const sorted = (m: ReadonlyMap<string, KubeObject>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

describe('incremental inputs', () => {
  it('read as the live store did at each pass, though the store is mutated afterwards, named or diffed', () => {
    const step = fc.record({ name: fc.constantFrom(...'abcdefghij'.split('')), v: fc.option(fc.nat(3), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.boolean(), (steps, named) => {
        const live = new Map<string, KubeObject>([...'abcdef'].map((n) => [`a/${n}`, route(n, 0)]));
        let inputs = diffInputs(undefined, new Map([[K, live]])).inputs;
        const seen: Array<[ReadonlyMap<string, KubeObject>, Array<[string, KubeObject]>]> = [];
        for (const s of steps) {
          const key = `a/${s.name}`;
          if (s.v === undefined) live.delete(key);
          else live.set(key, route(s.name, s.v));
          const r = named ? applyChanges(inputs, new Map([[K, live]]), new Map([[K, new Set([key, 'a/a'])]])) : diffInputs(inputs, new Map([[K, live]]));
          inputs = r.inputs;
          const m = inputs.get(K)!;
          expect(sorted(m)).toEqual(sorted(live));
          expect(m.size).toBe(live.size);
          for (const n of 'abcdefghij') expect([m.has(`a/${n}`), m.get(`a/${n}`)]).toEqual([live.has(`a/${n}`), live.get(`a/${n}`)]);
          seen.push([m, sorted(live)]);
        }
        // Every pass's inputs still read as the store was then.
        for (const [m, then] of seen) expect(sorted(m)).toEqual(then);
      }),
    );
  });

  it('names only objects that differ, and layers a change over the previous map instead of copying it', () => {
    const live = new Map<string, KubeObject>([...'abcdefghijklmnopqrstuvwxyz'].map((n) => [`a/${n}`, route(n, 0)]));
    const first = diffInputs(undefined, new Map([[K, live]])).inputs;
    live.set('a/b', route('b', 1));
    live.set('a/c', route('c', 0)); // an equal copy
    const next = applyChanges(first, new Map([[K, live]]), new Map([[K, new Set(['a/b', 'a/c'])]]));
    expect(next.changes).toEqual(new Map([[K, new Set(['a/b'])]]));
    expect(next.inputs.get(K)).toBeInstanceOf(LayeredMap);
    expect((next.inputs.get(K) as LayeredMap).base).toBe(first.get(K));
    expect(next.inputs.get(K)!.get('a/c')).toBe(first.get(K)!.get('a/c'));
  });
});
