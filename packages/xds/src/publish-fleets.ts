// Handing a translation's fleets to the cache: the one step the controller's
// reconciler and standalone mode share after every pass. A fleet whose
// resources are the very object handed over last time (incremental passes
// keep untouched fleets by identity) is skipped without a look; any other is
// given to the cache, which compares content itself; a fleet no longer in
// the translation is dropped from the cache.
import type { EnvoyResources } from '@switchyard/protos';
import type { FleetCache } from './snapshot-cache.js';

export interface Published {
  /** Fleets whose content changed in the cache (Envoys are told). */
  readonly changed: readonly string[];
  /** Fleets dropped from the cache. */
  readonly removed: readonly string[];
}

/**
 * Publishes `fleets` to `cache`. `handed` records what was handed over per
 * fleet; it is updated as fleets are set or dropped, so a fleet the cache
 * refused (setFleet throws on resources it cannot encode) is tried again on
 * the next call.
 */
export function publishFleets(
  cache: Pick<FleetCache, 'setFleet' | 'deleteFleet'>,
  handed: Map<string, EnvoyResources>,
  fleets: ReadonlyMap<string, EnvoyResources>,
): Published {
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [fleet, resources] of fleets) {
    if (handed.get(fleet) === resources) continue;
    const didChange = cache.setFleet(fleet, resources);
    handed.set(fleet, resources);
    if (didChange) changed.push(fleet);
  }
  for (const fleet of [...handed.keys()]) {
    if (fleets.has(fleet)) continue;
    cache.deleteFleet(fleet);
    handed.delete(fleet);
    removed.push(fleet);
  }
  return { changed, removed };
}
