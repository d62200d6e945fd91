// NACKs: an Envoy rejected configuration the xDS server sent. Whichever
// replica's xDS server saw the NACK records a Warning Event on the Gateway
// (reason ConfigRejected, details in an annotation); the leader watches those
// Events and shows the latest one on the Gateway as the
// switchyard.dev/ConfigRejected condition until the fleet's configuration
// changes again. Events are the channel because every replica may write them,
// while only the leader writes status.
import { NACK_EVENT_REASON } from '@switchyard/api';
import { GATEWAY_GROUP, type KubeObject, type Snapshot } from '@switchyard/api';
import { describeRejection, type FleetRejection } from './gateway-status.js';
import type { EventRecorder } from './events.js';
import type { ControllerMetrics } from './metrics.js';
import type { Logger } from 'pino';

/** What the xDS server reports for a NACK (the xds package's NackEvent). */
export interface NackReport {
  readonly fleet: string;
  readonly nodeId: string;
  readonly typeUrl: string;
  readonly resourceNames: readonly string[];
  readonly message: string;
  readonly version: string;
  readonly nonce: string;
  readonly at: string;
}

export const REJECTION_ANNOTATION = 'switchyard.dev/rejection';

export async function recordNack(n: NackReport, snapshot: Snapshot, events: EventRecorder): Promise<boolean> {
  const [namespace, name] = n.fleet.split('/');
  if (!namespace || !name) return false;
  const gateway = snapshot.get(GATEWAY_GROUP, 'Gateway', namespace, name);
  if (!gateway) return false;
  const rejection: FleetRejection = { typeUrl: n.typeUrl, resourceNames: [...n.resourceNames], message: n.message, nodeId: n.nodeId, at: n.at };
  await events.record(gateway, {
    type: 'Warning',
    reason: NACK_EVENT_REASON,
    message: describeRejection(rejection),
    annotations: { [REJECTION_ANNOTATION]: JSON.stringify(rejection) },
  });
  return true;
}

interface EventLike extends KubeObject {
  involvedObject?: { kind?: string; namespace?: string; name?: string };
  reason?: string;
  lastTimestamp?: string;
}

/**
 * The latest rejection per fleet that is newer than the fleet's last
 * configuration change (an older one was about configuration no longer served).
 */
export function currentRejections(snapshot: Snapshot, lastChange: ReadonlyMap<string, number>): Map<string, FleetRejection> {
  const out = new Map<string, FleetRejection>();
  for (const ev of snapshot.list<EventLike>('', 'Event')) {
    if (ev.reason !== NACK_EVENT_REASON || ev.involvedObject?.kind !== 'Gateway') continue;
    const raw = ev.metadata.annotations?.[REJECTION_ANNOTATION];
    if (!raw) continue;
    let r: FleetRejection;
    try {
      r = JSON.parse(raw) as FleetRejection;
    } catch {
      continue;
    }
    const fleet = `${ev.involvedObject.namespace ?? ''}/${ev.involvedObject.name ?? ''}`;
    const at = Date.parse(r.at);
    const changed = lastChange.get(fleet) ?? 0;
    if (!(at >= changed)) continue;
    const prev = out.get(fleet);
    if (!prev || Date.parse(prev.at) < at) out.set(fleet, r);
  }
  return out;
}

/**
 * What this replica does with every NACK its xDS server sees: count it,
 * log it, and record it as an Event on the fleet's Gateway. Returns the
 * function that stops listening.
 */
export function reportNacks(
  cache: { onNack(listener: (n: NackReport) => void): () => void },
  o: { snapshot: () => Snapshot; events: EventRecorder; metrics: ControllerMetrics; log: Logger },
): () => void {
  return cache.onNack((n) => {
    o.metrics.nacks.inc({ fleet: n.fleet, type: n.typeUrl.slice(n.typeUrl.lastIndexOf('.') + 1) });
    o.log.warn({ fleet: n.fleet, node: n.nodeId, type: n.typeUrl, resources: n.resourceNames, message: n.message }, 'Envoy rejected configuration (NACK)');
    void recordNack(n, o.snapshot(), o.events).catch((e: unknown) => o.log.warn({ err: String(e) }, 'could not record NACK event'));
  });
}
