// A fast path for the commonest change in a cluster: EndpointSlices (pods
// coming and going). Endpoints only ever feed ClusterLoadAssignments: no
// condition, route, listener or cluster depends on them. So when nothing but
// EndpointSlices changed since a full translation, its IR is kept and only
// each EDS cluster's ready endpoints are recomputed and re-emitted — the
// result is byte-identical to a full translate() of the new snapshot (the
// tests check exactly that), at a fraction of the cost.
//
// What did not change keeps its identity: listeners, routes, clusters and
// secrets are the previous objects, and so is the ClusterLoadAssignment of
// every cluster whose endpoints are the same (and the whole resource set of a
// fleet where none changed). Downstream, the controller's change detection
// and the xDS encoder skip objects they have seen, so a pass costs in
// proportion to the endpoints that changed, not to the configuration.
import type { Service, ServicePort, Snapshot } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { clusterLoadAssignment } from './envoy/cluster-load-assignment.js';
import type { BackendSource, ClusterIR, EndpointIR, FleetIR } from './ir/ir.js';
import { readyEndpoints } from './gatewayapi/backends.js';
import { createContext, type TranslationContext } from './gatewayapi/context.js';
import { arrayOf } from './gatewayapi/shape.js';
import { CONTROLLER_NAME, type EndpointsReadFrom, type FleetId, type TranslateDetail, type TranslateOptions } from './translate.js';

/**
 * Recomputes endpoints from `snapshot`'s EndpointSlices for the fleets of a
 * previous full translation of a snapshot that differed only in EndpointSlices.
 * `options` are the full translation's (the same context reads the slices).
 * Returns undefined when a backend's Service or port is gone (something else
 * changed): the caller must then run translateDetailed().
 */
export function refreshEndpoints(previous: TranslateDetail, snapshot: Snapshot, options: TranslateOptions = {}): TranslateDetail | undefined {
  const ctx = createContext(snapshot, options.controllerName ?? CONTROLLER_NAME, options.unservedKinds);
  const reads: EndpointReads = { previous: previous.endpointsReadFrom, next: new Map() };
  const fleets = new Map<FleetId, EnvoyResources>();
  const ir = new Map<FleetId, FleetIR>();
  for (const [id, f] of previous.ir) {
    const resources = previous.fleets.get(id);
    if (!resources) return undefined;
    const clusters: ClusterIR[] = [];
    let changed = false;
    for (const c of f.clusters) {
      const next = refreshCluster(c, ctx, reads);
      if (!next) return undefined;
      if (next !== c) changed = true;
      clusters.push(next);
    }
    if (!changed) {
      ir.set(id, f);
      fleets.set(id, resources);
      continue;
    }
    ir.set(id, { ...f, clusters });
    const previousAssignments = new Map(resources.endpoints.map((e) => [e.cluster_name, e]));
    fleets.set(id, {
      ...resources,
      endpoints: clusters.flatMap((c, i) => {
        const cla = c === f.clusters[i] ? previousAssignments.get(c.name) : clusterLoadAssignment(c);
        return cla ? [cla] : [];
      }),
    });
  }
  return { fleets, statuses: previous.statuses, ir, endpointsReadFrom: reads.next };
}

/** The cluster with its endpoints read again; the same object when they did not change. */
function refreshCluster(c: ClusterIR, ctx: TranslationContext, reads: EndpointReads): ClusterIR | undefined {
  const l4 = c.protocol === 'udp' ? 'UDP' : 'TCP';
  switch (c.discovery.type) {
    case 'dns':
      return c;
    case 'eds': {
      const endpoints = endpointsOf(c.backend, l4, ctx, c.discovery.endpoints, reads);
      if (!endpoints) return undefined;
      return endpoints === c.discovery.endpoints ? c : { ...c, discovery: { type: 'eds', endpoints } };
    }
    case 'weighted-eds': {
      const localities = [];
      let changed = false;
      for (const l of c.discovery.localities) {
        const endpoints = endpointsOf(l.backend, l4, ctx, l.endpoints, reads);
        if (!endpoints) return undefined;
        if (endpoints === l.endpoints) localities.push(l);
        else {
          changed = true;
          localities.push({ ...l, endpoints });
        }
      }
      return changed ? { ...c, discovery: { type: 'weighted-eds', localities } } : c;
    }
  }
}

function sameEndpoints(a: readonly EndpointIR[], b: readonly EndpointIR[]): boolean {
  return a.length === b.length && a.every((e, i) => e.address === b[i]!.address && e.port === b[i]!.port);
}

/** What the previous refresh read each endpoint list from, and what this one reads (TranslateDetail.endpointsReadFrom). */
interface EndpointReads {
  readonly previous: ReadonlyMap<readonly EndpointIR[], EndpointsReadFrom> | undefined;
  readonly next: Map<readonly EndpointIR[], EndpointsReadFrom>;
}

/** The backend's ready endpoints: `previous` itself when they did not change, undefined when its Service or port is gone. */
function endpointsOf(
  b: BackendSource,
  l4: 'TCP' | 'UDP',
  ctx: TranslationContext,
  previous: readonly EndpointIR[],
  reads: EndpointReads,
): readonly EndpointIR[] | undefined {
  if (b.kind !== 'Service' || b.group !== '') return undefined;
  const svc = ctx.snapshot.get<Service>('', 'Service', b.namespace, b.name);
  const sp = arrayOf<ServicePort>(svc?.spec?.ports).find((p) => p && p.port === b.port);
  if (!sp) return undefined;
  const slices = ctx.endpointSlices(b.namespace, b.name);
  const last = reads.previous?.get(previous);
  if (last && last.sp === sp && last.l4 === l4 && last.slices.length === slices.length && last.slices.every((x, i) => x === slices[i])) {
    reads.next.set(previous, last);
    return previous;
  }
  const read = readyEndpoints(slices, sp, l4);
  const endpoints = sameEndpoints(read, previous) ? previous : read;
  reads.next.set(endpoints, { sp, l4, slices });
  return endpoints;
}
