import type { EnvoyResources } from '@switchyard/protos';
import { publishFleets } from './publish-fleets.js';
import { SnapshotCache } from './snapshot-cache.js';
import { fixture } from '../test/fixtures.js';

const empty = (): EnvoyResources => fixture({ clusters: [] });
const withCluster = (name: string): EnvoyResources => fixture({ clusters: [name] });

describe('publishFleets', () => {
  it('sets new fleets, reports only those whose content changed, and drops fleets no longer translated', () => {
    const cache = new SnapshotCache();
    const handed = new Map<string, EnvoyResources>();
    expect(
      publishFleets(
        cache,
        handed,
        new Map([
          ['ns/a', withCluster('x')],
          ['ns/b', empty()],
        ]),
      ),
    ).toEqual({ changed: ['ns/a', 'ns/b'], removed: [] });
    expect(cache.fleetIds()).toEqual(['ns/a', 'ns/b']);

    // Equal content in new objects: handed to the cache, which finds nothing changed.
    const versionA = cache.snapshot('ns/a')!.version;
    expect(
      publishFleets(
        cache,
        handed,
        new Map([
          ['ns/a', withCluster('x')],
          ['ns/b', handed.get('ns/b')!],
        ]),
      ),
    ).toEqual({ changed: [], removed: [] });
    expect(cache.snapshot('ns/a')!.version).toBe(versionA);

    // A changed fleet is reported; a fleet gone from the translation leaves the cache.
    expect(publishFleets(cache, handed, new Map([['ns/a', withCluster('y')]]))).toEqual({ changed: ['ns/a'], removed: ['ns/b'] });
    expect(cache.fleetIds()).toEqual(['ns/a']);
    expect(cache.snapshot('ns/a')!.version).not.toBe(versionA);
  });

  it('does not hand the cache a fleet that is the very object it was handed last time', () => {
    const calls: string[] = [];
    const cache = { setFleet: (f: string) => (calls.push(f), true), deleteFleet: (f: string) => void calls.push(`-${f}`) };
    const handed = new Map<string, EnvoyResources>();
    const a = empty();
    publishFleets(cache, handed, new Map([['ns/a', a]]));
    publishFleets(cache, handed, new Map([['ns/a', a]]));
    expect(calls).toEqual(['ns/a']);
  });

  it('tries a fleet the cache refused again on the next call', () => {
    let refuse = true;
    const calls: string[] = [];
    const cache = {
      setFleet: (f: string) => {
        calls.push(f);
        if (refuse) throw new Error('cannot encode');
        return true;
      },
      deleteFleet: () => undefined,
    };
    const handed = new Map<string, EnvoyResources>();
    const a = empty();
    expect(() => publishFleets(cache, handed, new Map([['ns/a', a]]))).toThrow('cannot encode');
    refuse = false;
    expect(publishFleets(cache, handed, new Map([['ns/a', a]]))).toEqual({ changed: ['ns/a'], removed: [] });
    expect(calls).toEqual(['ns/a', 'ns/a']);
  });
});
