// Incremental translation: the one function the controller's reconciler and
// standalone mode call for every pass. It learns what changed since the
// previous pass (from the caller's changed keys, or by comparing the new
// snapshot with the previous inputs: incremental-inputs.ts) and does the
// least work that gives the same bytes as a full translate():
//
// - nothing changed: the previous translation stands;
// - only EndpointSlices changed: refreshEndpoints (ClusterLoadAssignments only);
// - only routes changed: the Gateways those routes attach to (before and after
//   the change), closed over every route attached to any of them, are
//   rebuilt; every other fleet, IR and status is the previous object. Within
//   them, when only HTTPRoutes changed, only the virtual hosts those routes
//   are in are built again (incremental-virtual-hosts.ts); when that cannot
//   be confined, the Gateways are translated again from a snapshot holding
//   only their routes;
// - anything else: a full translation.
//
// In every case a resource whose content equals the previous pass's resource
// of the same name is handed back as the previous object, and a fleet whose
// resources all are, as the previous EnvoyResources: downstream, the xDS
// cache's identity checks then skip hashing and encoding everything that did
// not change. The property tests check byte equality with translate() after
// every step of random change sequences.
import { GATEWAY_GROUP, KINDS, snapshotOfMaps, type KubeObject, type Snapshot } from '@switchyard/api';
import { RESOURCE_FIELDS, resourceName, type EnvoyResources, type RouteConfiguration } from '@switchyard/protos';
import { refreshEndpoints } from './endpoints-refresh.js';
import type { FleetIR } from './ir/ir.js';
import { ROUTE_KINDS } from './gatewayapi/route-kinds.js';
import type { ObjectStatus } from './gatewayapi/status.js';
import { sameValue } from './incremental-equality.js';
import { applyChanges, diffInputs, type InputChanges } from './incremental-inputs.js';
import { carryRouteIndex, parentGateways, routeIndexOf } from './incremental-route-index.js';
import { retranslateVirtualHosts } from './incremental-virtual-hosts.js';
import { translateDetailed, type FleetId, type TranslateDetail, type TranslateOptions } from './translate.js';

/** One pass's result and the inputs it was computed from (a copy: a live store's maps change under it). */
export interface Translation {
  readonly detail: TranslateDetail;
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;
}

/** What a pass did: how much was translated again. */
export type PassKind = 'unchanged' | 'endpoints' | 'routes' | 'full';

export interface IncrementalResult {
  readonly translation: Translation;
  readonly pass: PassKind;
  /** The fleets translated again ('routes' passes); all fleets for 'full'. */
  readonly rebuilt: readonly FleetId[];
  /**
   * Set when a 'routes' pass rebuilt only these virtual hosts of the fleets in
   * `rebuilt` ("fleet route-configuration virtual-host"); absent when it
   * translated those fleets whole.
   */
  readonly rebuiltVirtualHosts?: readonly string[];
}

const ENDPOINT_SLICE = 'discovery.k8s.io/EndpointSlice';
const HTTP_ROUTE_KEY = `${GATEWAY_GROUP}/HTTPRoute`;
const GRPC_ROUTE_KEY = `${GATEWAY_GROUP}/GRPCRoute`;
const ROUTE_KIND_KEYS: ReadonlySet<string> = new Set(ROUTE_KINDS.map((k) => `${k.group}/${k.kind}`));
// Kinds whose statuses may depend on which routes exist; with any of them
// present, a route change is translated in full.
const ROUTE_DEPENDENT_STATUS_KINDS: readonly string[] = KINDS.filter((k) => 'statusFollowsRoutes' in k).map((k) => `${k.group}/${k.kind}`);

/**
 * Translates `snapshot`, reusing `previous` (the last pass, or undefined for
 * the first) wherever the inputs allow. Options must be the same from pass to
 * pass, except `now`: statuses of objects not translated again keep their
 * previous time stamps, as their conditions did not transition.
 *
 * `changed`, when the caller knows it (a store that sees every event): per
 * kind key, the keys ("namespace/name") of the objects added, modified or
 * deleted since `previous` was computed; every other object must be the one
 * `previous` was computed from. Only those objects are then read and
 * compared. Without it, every object of the snapshot is compared with the
 * previous inputs. The result is the same either way.
 */
export function translateIncremental(
  previous: Translation | undefined,
  snapshot: Snapshot,
  options: TranslateOptions = {},
  changed?: InputChanges,
): IncrementalResult {
  const { inputs, changes } = previous && changed ? applyChanges(previous.inputs, snapshot.kinds, changed) : diffInputs(previous?.inputs, snapshot.kinds);
  const full = (): IncrementalResult => {
    const detail = translateDetailed(snapshot, options);
    return {
      translation: { detail: previous ? reuseUnchanged(previous.detail, detail, undefined) : detail, inputs },
      pass: 'full',
      rebuilt: [...detail.fleets.keys()],
    };
  };
  if (!previous) return full();
  if (![...changes.keys()].some((k) => ROUTE_KIND_KEYS.has(k))) carryRouteIndex(previous.inputs, inputs, changes);
  if (changes.size === 0) return { translation: { detail: previous.detail, inputs }, pass: 'unchanged', rebuilt: [] };
  const kinds = [...changes.keys()];
  if (kinds.every((k) => k === ENDPOINT_SLICE)) {
    const refreshed = refreshEndpoints(previous.detail, snapshot, options);
    if (refreshed) return { translation: { detail: refreshed, inputs }, pass: 'endpoints', rebuilt: [] };
    return full();
  }
  if (kinds.every((k) => ROUTE_KIND_KEYS.has(k)) && !ROUTE_DEPENDENT_STATUS_KINDS.some((k) => (inputs.get(k)?.size ?? 0) > 0)) {
    const partial = retranslateRoutes(previous, snapshot, inputs, changes, options);
    if (partial) return partial;
  }
  return full();
}

/**
 * The 'routes' pass: undefined when the change cannot be confined to some
 * Gateways (then the caller translates in full).
 */
function retranslateRoutes(
  previous: Translation,
  snapshot: Snapshot,
  inputs: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>,
  changes: ReadonlyMap<string, ReadonlySet<string>>,
  options: TranslateOptions,
): IncrementalResult | undefined {
  // Every route's parent Gateways, and every Gateway's routes.
  const index = routeIndexOf(previous.inputs, inputs, changes);
  if (index.unconfined.size > 0) return undefined;
  // Start from the changed routes' parents, before and after the change.
  const gateways = new Set<string>();
  for (const [kind, keys] of changes) {
    for (const key of keys) {
      const old = previous.inputs.get(kind)?.get(key);
      const oldParents = old ? parentGateways(old) : [];
      if (!oldParents) return undefined;
      for (const g of [...oldParents, ...(index.parentsOf.get(`${kind}|${key}`) ?? [])]) gateways.add(g);
    }
  }
  // Close over routes shared between Gateways: a route's status covers all its parents.
  const queue = [...gateways];
  while (queue.length > 0) {
    for (const id of index.sharedOf.get(queue.pop()!) ?? []) {
      for (const g of index.parentsOf.get(id) ?? []) {
        if (gateways.has(g)) continue;
        gateways.add(g);
        queue.push(g);
      }
    }
  }
  // Every route of those Gateways; changed routes with no parent (or deleted) still need their statuses recomputed (or dropped).
  const routesOfGateways = (): Set<string> => {
    const out = new Set<string>();
    for (const g of gateways) for (const id of index.routesOf.get(g) ?? []) out.add(id);
    for (const [kind, keys] of changes) for (const key of keys) out.add(`${kind}|${key}`);
    return out;
  };
  const gatewayObjects = inputs.get(`${GATEWAY_GROUP}/Gateway`);
  if (![...gateways].some((g) => gatewayObjects?.has(g))) return undefined;
  const prev = previous.detail;
  const rebuiltFleets = () => [...prev.fleets.keys()].filter((id) => gateways.has(id));

  // Only HTTPRoutes changed: rebuild only the virtual hosts they touch, when that can be confined.
  const changedHttpRoutes = changes.get(HTTP_ROUTE_KEY);
  if (changedHttpRoutes && changes.size === 1) {
    const grpc = [...gateways].some((g) => index.count(g, GRPC_ROUTE_KEY) > 0);
    const byHost = grpc ? undefined : retranslateVirtualHosts(previous, inputs, changedHttpRoutes, gateways, options);
    // The predicate sees every status (10,000s): the name first.
    const names = new Set([...changedHttpRoutes].map((key) => key.slice(key.indexOf('/') + 1)));
    const statuses =
      byHost &&
      mergeStatuses(
        prev.statuses,
        byHost.statuses,
        (s) =>
          (names.has(s.name) && s.kind === 'HTTPRoute' && groupKind(s) === HTTP_ROUTE_KEY && changedHttpRoutes.has(`${s.namespace ?? ''}/${s.name}`)) ||
          (s.kind === 'Gateway' && byHost.gatewayStatuses.has(`${s.namespace ?? ''}/${s.name}`)),
      );
    if (byHost && statuses) {
      const detail = reuseUnchanged(prev, { fleets: byHost.fleets, statuses, ir: byHost.ir }, gateways);
      return { translation: { detail, inputs }, pass: 'routes', rebuilt: rebuiltFleets(), rebuiltVirtualHosts: byHost.virtualHosts };
    }
  }

  const routes = routesOfGateways();
  const kinds = new Map<string, ReadonlyMap<string, KubeObject>>();
  for (const [kind, objects] of inputs) {
    if (!ROUTE_KIND_KEYS.has(kind)) kinds.set(kind, objects);
    else kinds.set(kind, new Map([...objects].filter(([key]) => routes.has(`${kind}|${key}`))));
  }
  const sub = translateDetailed(snapshotOfMaps(kinds), options);

  const fleets = new Map<FleetId, EnvoyResources>();
  const ir = new Map<FleetId, FleetIR>();
  for (const [id, resources] of prev.fleets) {
    if (!gateways.has(id)) {
      fleets.set(id, resources);
      ir.set(id, prev.ir.get(id)!);
      continue;
    }
    const f = sub.fleets.get(id);
    const i = sub.ir.get(id);
    if (!f || !i) return undefined;
    fleets.set(id, f);
    ir.set(id, i);
  }
  // Whether a Gateway is accepted does not depend on routes; a fleet that appears is a surprise: translate in full.
  for (const id of sub.fleets.keys()) if (gateways.has(id) && !prev.fleets.has(id)) return undefined;

  const statuses = mergeStatuses(prev.statuses, sub.statuses, (s) =>
    s.kind === 'Gateway' ? gateways.has(`${s.namespace ?? ''}/${s.name}`) : routes.has(`${groupKind(s)}|${s.namespace ?? ''}/${s.name}`),
  );
  if (!statuses) return undefined;
  const detail = reuseUnchanged(prev, { fleets, statuses, ir }, gateways);
  return { translation: { detail, inputs }, pass: 'routes', rebuilt: rebuiltFleets() };
}

function groupKind(s: ObjectStatus): string {
  const slash = s.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : s.apiVersion.slice(0, slash)}/${s.kind}`;
}

function statusKey(s: ObjectStatus): string {
  return `${groupKind(s)}|${s.namespace ?? ''}/${s.name}`;
}

/**
 * The previous statuses with those of the objects translated again replaced
 * in place. A full translation lists statuses in an order of its own (stale
 * routes, classes, Gateways, routes, ...); the in-place merge equals it only
 * when the recomputed objects come in the same order in both lists, so
 * otherwise (a route added, one that lost its last parent) the answer is
 * undefined, and the caller translates in full.
 */
function mergeStatuses(
  previous: readonly ObjectStatus[],
  recomputed: readonly ObjectStatus[],
  isRecomputed: (s: ObjectStatus) => boolean,
): ObjectStatus[] | undefined {
  const fresh = recomputed.filter(isRecomputed);
  const freshKeys = new Set(fresh.map(statusKey));
  let next = 0;
  const out: ObjectStatus[] = [];
  for (const s of previous) {
    if (!isRecomputed(s)) {
      out.push(s);
      continue;
    }
    // Deleted, or no longer reported: it goes.
    if (!freshKeys.has(statusKey(s))) continue;
    const r = fresh[next++];
    if (!r || statusKey(r) !== statusKey(s)) return undefined;
    out.push(r);
  }
  return next === fresh.length ? out : undefined;
}

/**
 * The new translation with every resource equal to the previous one of the
 * same name replaced by the previous object, and every fleet whose resources
 * all are by the previous EnvoyResources. `only` limits the comparison to
 * those fleets (the others are already the previous objects).
 */
function reuseUnchanged(previous: TranslateDetail, next: TranslateDetail, only: ReadonlySet<string> | undefined): TranslateDetail {
  const fleets = new Map<FleetId, EnvoyResources>();
  for (const [id, resources] of next.fleets) {
    const old = previous.fleets.get(id);
    if (!old || old === resources || (only && !only.has(id))) {
      fleets.set(id, resources);
      continue;
    }
    let same = true;
    const merged: Record<string, readonly unknown[]> = {};
    for (const [field] of RESOURCE_FIELDS) {
      // A virtual-host pass hands back unchanged lists themselves.
      if (resources[field] === old[field]) {
        merged[field] = old[field];
        continue;
      }
      const before = new Map((old[field] as Array<{ name?: string } | { cluster_name?: string }>).map((r) => [resourceName(r), r]));
      const list = resources[field] as Array<{ name?: string } | { cluster_name?: string }>;
      if (list.length !== old[field].length) same = false;
      merged[field] = list.map((r, i) => {
        const p = before.get(resourceName(r));
        const kept = p === undefined ? r : field === 'routes' ? reuseVirtualHosts(p as RouteConfiguration, r as RouteConfiguration) : sameValue(p, r) ? p : r;
        if (kept !== p || old[field][i] !== p) same = false;
        return kept;
      });
    }
    fleets.set(id, same ? old : { ...resources, ...merged });
  }
  return { ...next, fleets };
}

/**
 * `next` with every virtual host equal to the previous configuration's
 * virtual host of the same name replaced by that previous object, or
 * `previous` itself when everything is equal. A one-route change thus hands
 * the xDS cache one new virtual host, and the cache encodes only that one
 * (it keeps encodings per virtual host object).
 */
function reuseVirtualHosts(previous: RouteConfiguration, next: RouteConfiguration): RouteConfiguration {
  if (!previous.virtual_hosts || !next.virtual_hosts) return sameValue(previous, next) ? previous : next;
  const { virtual_hosts: beforeHosts = [], ...beforeRest } = previous;
  const { virtual_hosts: nextHosts = [], ...nextRest } = next;
  const byName = new Map(beforeHosts.map((vh) => [vh.name, vh]));
  let same = sameValue(beforeRest, nextRest) && beforeHosts.length === nextHosts.length;
  const hosts = nextHosts.map((vh, i) => {
    const p = byName.get(vh.name);
    if (p !== undefined && sameValue(p, vh)) {
      if (beforeHosts[i] !== p) same = false;
      return p;
    }
    same = false;
    return vh;
  });
  return same ? previous : { ...next, virtual_hosts: hosts };
}
