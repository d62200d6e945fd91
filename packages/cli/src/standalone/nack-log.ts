// The NACKs standalone mode reports: each is logged, the last MAX_NACKS are
// kept for the /status document.
import type { Logger } from 'pino';
import type { FleetCache, NackEvent } from './xds-contract.js';

const MAX_NACKS = 50;

export interface NackLog {
  /** The kept NACKs, oldest first (a copy). */
  readonly recent: () => NackEvent[];
  readonly close: () => void;
}

export function recordNacks(cache: FleetCache, logger: Logger): NackLog {
  const nacks: NackEvent[] = [];
  const unsubscribe = cache.onNack((e) => {
    nacks.push(e);
    if (nacks.length > MAX_NACKS) nacks.shift();
    logger.warn({ fleet: e.fleet, node: e.nodeId, typeUrl: e.typeUrl, resources: e.resourceNames, version: e.version }, `Envoy rejected config: ${e.message}`);
  });
  return { recent: () => [...nacks], close: unsubscribe };
}
