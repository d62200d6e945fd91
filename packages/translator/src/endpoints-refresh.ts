// A fast path for the commonest change in a cluster: EndpointSlices (pods
// coming and going). Endpoints only ever feed ClusterLoadAssignments: no
// condition, route, listener or cluster depends on them. So when nothing but
// EndpointSlices changed since a full translation, its IR is kept and only
// each EDS cluster's ready endpoints are recomputed and re-emitted — the
// result is byte-identical to a full translate() of the new snapshot (the
// tests check exactly that), at a fraction of the cost.
import type { Service, ServicePort, Snapshot } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { clusterLoadAssignment } from './envoy/cluster-load-assignment.js';
import type { BackendSource, ClusterIR, EndpointIR, FleetIR } from './ir/ir.js';
import { readyEndpoints } from './gatewayapi/backends.js';
import { createContext, type TranslationContext } from './gatewayapi/context.js';
import { arrayOf } from './gatewayapi/shape.js';
import { CONTROLLER_NAME, type FleetId, type TranslateDetail } from './translate.js';

/**
 * Recomputes endpoints from `snapshot`'s EndpointSlices for the fleets of a
 * previous full translation of a snapshot that differed only in EndpointSlices.
 * Returns undefined when a backend's Service or port is gone (something else
 * changed): the caller must then run translateDetailed().
 */
export function refreshEndpoints(previous: TranslateDetail, snapshot: Snapshot): TranslateDetail | undefined {
  const ctx = createContext(snapshot, CONTROLLER_NAME);
  const fleets = new Map<FleetId, EnvoyResources>();
  const ir = new Map<FleetId, FleetIR>();
  for (const [id, f] of previous.ir) {
    const clusters: ClusterIR[] = [];
    for (const c of f.clusters) {
      const next = refreshCluster(c, ctx);
      if (!next) return undefined;
      clusters.push(next);
    }
    const fleet: FleetIR = { ...f, clusters };
    ir.set(id, fleet);
    const resources = previous.fleets.get(id);
    if (!resources) return undefined;
    fleets.set(id, {
      ...resources,
      endpoints: clusters.flatMap((c) => {
        const cla = clusterLoadAssignment(c);
        return cla ? [cla] : [];
      }),
    });
  }
  return { fleets, statuses: previous.statuses, ir };
}

function refreshCluster(c: ClusterIR, ctx: TranslationContext): ClusterIR | undefined {
  const l4 = c.protocol === 'udp' ? 'UDP' : 'TCP';
  switch (c.discovery.type) {
    case 'dns':
      return c;
    case 'eds': {
      const endpoints = endpointsOf(c.backend, l4, ctx);
      return endpoints && { ...c, discovery: { type: 'eds', endpoints } };
    }
    case 'weighted-eds': {
      const localities = [];
      for (const l of c.discovery.localities) {
        const endpoints = endpointsOf(l.backend, l4, ctx);
        if (!endpoints) return undefined;
        localities.push({ ...l, endpoints });
      }
      return { ...c, discovery: { type: 'weighted-eds', localities } };
    }
  }
}

function endpointsOf(b: BackendSource, l4: 'TCP' | 'UDP', ctx: TranslationContext): EndpointIR[] | undefined {
  if (b.kind !== 'Service' || b.group !== '') return undefined;
  const svc = ctx.snapshot.get<Service>('', 'Service', b.namespace, b.name);
  const sp = arrayOf<ServicePort>(svc?.spec?.ports).find((p) => p && p.port === b.port);
  if (!sp) return undefined;
  return readyEndpoints(ctx.endpointSlices(b.namespace, b.name), sp, l4);
}
