// The finest grain of a routes pass: when only HTTPRoutes changed, only the
// virtual hosts those routes contribute to (before or after the change) are
// built again; every other virtual host, route configuration, listener,
// cluster and ClusterLoadAssignment is the previous object.
//
// Why this equals a full translation: a route's IR routes depend on its own
// object and on the Gateways, listeners and backends it names, never on other
// routes, except through
// - precedence within a virtual host: a rebuilt virtual host is rebuilt from
//   every route it held before plus the changed routes, so its order is
//   decided over the same set as in a full translation;
// - HTTPRoute/GRPCRoute conflicts on a listener: with a GRPCRoute on the
//   Gateways this pass is not attempted (the caller checks);
// - statuses: the Gateway's attachedRoutes count every route. The changed
//   routes are translated alone before and after the change; when every other
//   status comes out the same, their contribution did not change and the
//   previous statuses stand.
// The fleet's clusters are those the routes placed on it use (their IR routes
// name them), plus TCP/UDP chains' and the tracing collector's. Anything this
// reasoning does not cover answers undefined, and the caller translates the
// Gateways whole.
import { kindKey, nameKey, type KubeObject, type Snapshot } from '@switchyard/api';
import { resourceName, type ClusterLoadAssignment, type EnvoyResources, type RouteConfiguration } from '@switchyard/protos';
import type { Cluster } from '@switchyard/protos/generated/envoy/config/cluster/v3/Cluster.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import { emitFleet } from './envoy/index.js';
import { compareHostnames } from './gatewayapi/hostname.js';
import { ROUTE_KINDS } from './gatewayapi/route-kinds.js';
import type { ObjectStatus } from './gatewayapi/status.js';
import { sameValue } from './incremental-equality.js';
import type { ClusterIR, FleetIR, HttpRouteIR, RouteConfigIR, VirtualHostIR } from './ir/ir.js';
import { translateDetailed, type FleetId, type TranslateDetail, type TranslateOptions } from './translate.js';

type Inputs = ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;

const HTTP_ROUTE = ROUTE_KINDS.find((k) => k.kind === 'HTTPRoute')!;
const HTTP_ROUTE_KEY = `${HTTP_ROUTE.group}/HTTPRoute`;
const GATEWAY_KEY = `${HTTP_ROUTE.group}/Gateway`;
const ROUTE_KIND_KEYS: ReadonlySet<string> = new Set(ROUTE_KINDS.map((k) => `${k.group}/${k.kind}`));

export interface VirtualHostPass {
  readonly fleets: ReadonlyMap<FleetId, EnvoyResources>;
  readonly ir: ReadonlyMap<FleetId, FleetIR>;
  /**
   * The new statuses of the changed routes and of the Gateways whose
   * attachedRoutes they moved, in the order of a full translation's list;
   * every other status is the previous one.
   */
  readonly statuses: readonly ObjectStatus[];
  /** Keys ("namespace/name") of the Gateways among `statuses`. */
  readonly gatewayStatuses: ReadonlySet<string>;
  /** The virtual hosts built again, "fleet route-configuration virtual-host". */
  readonly virtualHosts: readonly string[];
}

/**
 * `changed`: the keys ("namespace/name") of the HTTPRoutes that changed, the
 * only changes since `previous`. `gateways`: the Gateways those routes attach
 * to, closed over routes shared with other Gateways, none with a GRPCRoute
 * (the caller checks). Undefined when the change cannot be confined to
 * virtual hosts.
 */
export function retranslateVirtualHosts(
  previous: { readonly detail: TranslateDetail; readonly inputs: Inputs },
  inputs: Inputs,
  changed: ReadonlySet<string>,
  gateways: ReadonlySet<FleetId>,
  options: TranslateOptions,
): VirtualHostPass | undefined {
  const prev = previous.detail;

  // The changed routes alone, before and after: what they touch, and whether anything but their own statuses moves.
  const before = translateDetailed(withHttpRoutes(previous.inputs, changed, gateways), options);
  const after = translateDetailed(withHttpRoutes(inputs, changed, gateways), options);
  const isChangedRoute = (s: ObjectStatus) =>
    s.kind === 'HTTPRoute' && s.apiVersion.startsWith(`${HTTP_ROUTE.group}/`) && changed.has(`${s.namespace ?? ''}/${s.name}`);
  const statuses = newStatuses(prev.statuses, before.statuses, after.statuses, isChangedRoute);
  if (!statuses) return undefined;

  // fleet -> route configuration -> virtual hosts the changed routes are in, before or after.
  const touched = new Map<FleetId, Map<string, Set<string>>>();
  for (const d of [before, after]) {
    for (const id of gateways) {
      for (const rc of d.ir.get(id)?.routeConfigs ?? []) {
        for (const vh of rc.virtualHosts) {
          if (!vh.routes.some((r) => r.source.kind === 'HTTPRoute')) continue;
          let byConfig = touched.get(id);
          if (!byConfig) touched.set(id, (byConfig = new Map<string, Set<string>>()));
          let hosts = byConfig.get(rc.name);
          if (!hosts) byConfig.set(rc.name, (hosts = new Set<string>()));
          hosts.add(vh.name);
        }
      }
    }
  }
  // Every route those virtual hosts held is built again with the changed ones.
  const rebuilt = new Set(changed);
  for (const [id, byConfig] of touched) {
    const f = prev.ir.get(id);
    if (!f) return undefined;
    for (const rc of f.routeConfigs) {
      const hosts = byConfig.get(rc.name);
      if (!hosts) continue;
      for (const vh of rc.virtualHosts) {
        if (!hosts.has(vh.name)) continue;
        for (const r of vh.routes) {
          if (r.source.kind === 'HTTPRoute') rebuilt.add(`${r.source.namespace}/${r.source.name}`);
          else if (r.source.kind !== 'Gateway') return undefined;
        }
      }
    }
  }
  const sub = rebuilt.size === changed.size ? after : translateDetailed(withHttpRoutes(inputs, rebuilt, gateways), options);

  const fleets = new Map<FleetId, EnvoyResources>();
  const ir = new Map<FleetId, FleetIR>();
  const virtualHosts: string[] = [];
  for (const [id, resources] of prev.fleets) {
    const f = prev.ir.get(id)!;
    if (!gateways.has(id)) {
      fleets.set(id, resources);
      ir.set(id, f);
      continue;
    }
    const next = sub.ir.get(id);
    if (!next) return undefined;
    const merged = mergeFleet(f, resources, next, before.ir.get(id), touched.get(id) ?? new Map<string, Set<string>>(), rebuilt);
    if (!merged) return undefined;
    fleets.set(id, merged.resources);
    ir.set(id, merged.ir);
    for (const vh of merged.rebuilt) virtualHosts.push(`${id} ${vh}`);
  }
  for (const id of sub.fleets.keys()) if (gateways.has(id) && !prev.fleets.has(id)) return undefined;
  return { fleets, ir, statuses: statuses.list, gatewayStatuses: statuses.gateways, virtualHosts };
}

/**
 * The statuses a full translation would give that differ from the previous
 * ones, from translations of the changed routes alone before (`before`) and
 * after (`after`) the change: the changed routes' own, and each Gateway
 * whose listeners' attachedRoutes they moved (the previous status with the
 * counts moved as much: every route counts once per listener). Undefined
 * when anything else differs.
 */
function newStatuses(
  previous: readonly ObjectStatus[],
  before: readonly ObjectStatus[],
  after: readonly ObjectStatus[],
  isChangedRoute: (s: ObjectStatus) => boolean,
): { list: ObjectStatus[]; gateways: Set<string> } | undefined {
  const b = before.filter((s) => !isChangedRoute(s));
  const a = after.filter((s) => !isChangedRoute(s));
  if (a.length !== b.length) return undefined;
  const patched = new Map<ObjectStatus, ObjectStatus>();
  const gateways = new Set<string>();
  for (let i = 0; i < a.length; i++) {
    const x = b[i]!;
    const y = a[i]!;
    if (sameValue(x, y)) continue;
    if (y.kind !== 'Gateway' || x.kind !== 'Gateway' || x.name !== y.name || x.namespace !== y.namespace) return undefined;
    const xl = listenersOf(x);
    const yl = listenersOf(y);
    if (!xl || !yl || xl.length !== yl.length) return undefined;
    // Equal but for the counts?
    if (
      !sameValue(
        x,
        withListeners(
          y,
          yl.map((l, j) => ({ ...l, attachedRoutes: xl[j]!.attachedRoutes })),
        ),
      )
    )
      return undefined;
    const old = previous.find((s) => s.kind === 'Gateway' && s.name === y.name && s.namespace === y.namespace && s.apiVersion === y.apiVersion);
    const ol = old && listenersOf(old);
    if (!old || !ol || ol.length !== yl.length || ol.some((l, j) => l.name !== yl[j]!.name)) return undefined;
    patched.set(
      y,
      withListeners(
        old,
        ol.map((l, j) => ({ ...l, attachedRoutes: l.attachedRoutes + yl[j]!.attachedRoutes - xl[j]!.attachedRoutes })),
      ),
    );
    gateways.add(`${y.namespace ?? ''}/${y.name}`);
  }
  const list: ObjectStatus[] = [];
  for (const s of after) {
    const p = patched.get(s);
    if (p) list.push(p);
    else if (isChangedRoute(s)) list.push(s);
  }
  return { list, gateways };
}

interface ListenerCount {
  readonly name: string;
  readonly attachedRoutes: number;
}

function listenersOf(s: ObjectStatus): readonly ListenerCount[] | undefined {
  const l = (s.status as { listeners?: unknown } | undefined)?.listeners;
  return Array.isArray(l) && l.every((x: ListenerCount) => x && typeof x.name === 'string' && typeof x.attachedRoutes === 'number')
    ? (l as ListenerCount[])
    : undefined;
}

function withListeners(s: ObjectStatus, listeners: readonly ListenerCount[]): ObjectStatus {
  return { ...s, status: { ...(s.status as object), listeners } };
}

/**
 * The snapshot with only the given HTTPRoutes, no route of another kind, and
 * only the given Gateways (a Gateway resolves, and its fleet is built,
 * independently of the others).
 */
function withHttpRoutes(inputs: Inputs, keys: ReadonlySet<string>, gateways: ReadonlySet<FleetId>): Snapshot {
  const kinds = new Map<string, ReadonlyMap<string, KubeObject>>();
  for (const [kind, objects] of inputs) {
    if (kind === GATEWAY_KEY) {
      const kept = new Map<string, KubeObject>();
      for (const key of gateways) {
        const o = objects.get(key);
        if (o) kept.set(key, o);
      }
      kinds.set(kind, kept);
    } else if (kind === HTTP_ROUTE_KEY) {
      const kept = new Map<string, KubeObject>();
      for (const key of keys) {
        const o = objects.get(key);
        if (o) kept.set(key, o);
      }
      kinds.set(kind, kept);
    } else if (!ROUTE_KIND_KEYS.has(kind)) kinds.set(kind, objects);
  }
  return new InputsSnapshot(kinds);
}

// A pass's inputs are copies no one mutates (incremental.ts), and a kind that did not change keeps its
// map from pass to pass: its sorted list is computed once, not once per sub-translation.
const sortedLists = new WeakMap<ReadonlyMap<string, KubeObject>, readonly KubeObject[]>();

/** A snapshot of a pass's inputs (never mutated), with lists sorted as every snapshot sorts them (by namespace/name). */
class InputsSnapshot implements Snapshot {
  constructor(readonly kinds: ReadonlyMap<string, ReadonlyMap<string, KubeObject>>) {}

  list<T extends KubeObject>(group: string, kind: string): readonly T[] {
    const m = this.kinds.get(kindKey(group, kind));
    if (!m) return [];
    let out = sortedLists.get(m);
    if (!out) sortedLists.set(m, (out = [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)));
    return out as readonly T[];
  }

  get<T extends KubeObject>(group: string, kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.kinds.get(kindKey(group, kind))?.get(nameKey(namespace, name)) as T | undefined;
  }
}

/**
 * The previous fleet with the touched virtual hosts taken from `sub` (a
 * translation of the routes they hold), its clusters adjusted, and only
 * what is new emitted. `old`: the fleet of the changed routes alone, before
 * the change.
 */
function mergeFleet(
  f: FleetIR,
  resources: EnvoyResources,
  sub: FleetIR,
  old: FleetIR | undefined,
  touched: ReadonlyMap<string, ReadonlySet<string>>,
  rebuilt: ReadonlySet<string>,
): { ir: FleetIR; resources: EnvoyResources; rebuilt: string[] } | undefined {
  const newHosts: VirtualHostIR[] = [];
  const names: string[] = [];
  const routeConfigs: RouteConfigIR[] = [];
  for (const rc of f.routeConfigs) {
    const hosts = touched.get(rc.name);
    if (!hosts) {
      routeConfigs.push(rc);
      continue;
    }
    const fresh = sub.routeConfigs.find((x) => x.name === rc.name);
    if (!fresh) return undefined;
    const byName = new Map(fresh.virtualHosts.map((vh) => [vh.name, vh]));
    const out: VirtualHostIR[] = [];
    for (const vh of rc.virtualHosts) {
      if (!hosts.has(vh.name)) {
        out.push(vh);
        continue;
      }
      const n = byName.get(vh.name);
      if (n) {
        out.push(n);
        newHosts.push(n);
      }
      names.push(`${rc.name} ${vh.name}`);
    }
    const added = [...hosts].filter((h) => byName.has(h) && !rc.virtualHosts.some((vh) => vh.name === h)).map((h) => byName.get(h)!);
    if (out.length !== rc.virtualHosts.length || added.length > 0) {
      // The set of virtual hosts changed. A plain HTTP table is its virtual hosts sorted by hostname
      // (gatewayapi/fleet.ts); an HTTPS one adds 421 virtual hosts for the names it lacks: translate whole.
      if (!rc.name.startsWith('http-')) return undefined;
      for (const vh of added) {
        out.push(vh);
        newHosts.push(vh);
        names.push(`${rc.name} ${vh.name}`);
      }
      out.sort((a, b) => compareHostnames(a.hostname, b.hostname));
    }
    // The listener carries the rate limit filter when some route of its configuration is limited: the
    // virtual hosts not rebuilt decide only when the rebuilt ones changed their say.
    const limitedBefore = rc.virtualHosts.some((vh) => hosts.has(vh.name) && rateLimited(vh));
    const limitedAfter = out.some((vh) => hosts.has(vh.name) && rateLimited(vh));
    if (limitedBefore !== limitedAfter && !rc.virtualHosts.some((vh) => !hosts.has(vh.name) && rateLimited(vh))) return undefined;
    routeConfigs.push({ ...rc, virtualHosts: out });
  }

  // Clusters: the previous ones, those of the rebuilt routes (from `sub`), less those only the changed
  // routes used before (`old`: a translation of them alone) and no other route names now.
  const known = clusterNames(f.clusters);
  const newClusters = sub.clusters.filter((c) => !known.has(c.name));
  if (newClusters.some((c) => c.tls)) return undefined; // secrets follow clusters' TLS
  let kept = f.clusters;
  const subNames = new Set(sub.clusters.map((c) => c.name));
  const candidates = (old?.clusters ?? []).filter((c) => known.has(c.name) && !subNames.has(c.name));
  if (candidates.length > 0) {
    const needed = new Set<string>();
    for (const rc of f.routeConfigs)
      for (const vh of rc.virtualHosts)
        for (const r of vh.routes) if (!(r.source.kind === 'HTTPRoute' && rebuilt.has(`${r.source.namespace}/${r.source.name}`))) namedClusters(r, needed);
    let l4 = false;
    for (const l of f.listeners) {
      if (l.udpProxy) {
        l4 = true;
        needed.add(l.udpProxy.cluster);
      }
      for (const c of l.filterChains) {
        if (c.kind !== 'tcp_proxy') continue;
        l4 = true;
        for (const b of c.backends) if (b.cluster) needed.add(b.cluster);
      }
    }
    const collector = f.observability?.tracing?.collector;
    if (collector?.kind === 'cluster') needed.add(collector.cluster);
    const dropped = new Set(candidates.filter((c) => !needed.has(c.name)).map((c) => c.name));
    if (dropped.size > 0) {
      // TCP/UDP chains hold all their routes' clusters, not only those they name; secrets follow clusters' TLS.
      if (l4 || f.clusters.some((c) => c.tls && dropped.has(c.name))) return undefined;
      kept = f.clusters.filter((c) => !dropped.has(c.name));
    }
  }
  if (newHosts.length === 0 && names.length === 0 && kept.length === f.clusters.length && newClusters.length === 0) return { ir: f, resources, rebuilt: [] };
  const clusters = newClusters.length === 0 ? kept : [...kept, ...newClusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Stage 2 for what is new only: the virtual hosts (emitted one by one in any route configuration) and clusters.
  const emitted = emitFleet({
    id: f.id,
    listeners: [],
    routeConfigs: [{ name: '', virtualHosts: newHosts }],
    clusters: newClusters,
    secrets: [],
    ...(f.observability ? { observability: f.observability } : {}),
  });
  const hostOf = new Map<VirtualHostIR, VirtualHost>();
  newHosts.forEach((vh, i) => hostOf.set(vh, emitted.routes[0]!.virtual_hosts![i]!));
  f.routeConfigs.forEach((rc, j) => {
    if (routeConfigs[j] !== rc) rc.virtualHosts.forEach((vh, i) => hostOf.set(vh, resources.routes[j]!.virtual_hosts![i]!));
  });
  const routes = routeConfigs.map((rc, j): RouteConfiguration =>
    rc === f.routeConfigs[j] ? resources.routes[j]! : { ...resources.routes[j]!, virtual_hosts: rc.virtualHosts.map((vh) => hostOf.get(vh)!) },
  );
  if (clusters === f.clusters) return { ir: { ...f, routeConfigs }, resources: { ...resources, routes }, rebuilt: names };
  const clusterOf = new Map<ClusterIR, Cluster>();
  newClusters.forEach((c, i) => clusterOf.set(c, emitted.clusters[i]!));
  f.clusters.forEach((c, i) => clusterOf.set(c, resources.clusters[i]!));
  const assignments = new Map<string, ClusterLoadAssignment>();
  for (const cla of [...resources.endpoints, ...emitted.endpoints]) assignments.set(resourceName(cla), cla);
  const endpoints: ClusterLoadAssignment[] = [];
  for (const c of clusters) {
    const cla = assignments.get(c.name);
    if (cla) endpoints.push(cla);
  }
  return {
    ir: { ...f, routeConfigs, clusters },
    resources: {
      ...resources,
      routes,
      // After the fleet's own clusters come those emitted for its listeners and observability, unchanged.
      clusters: [...clusters.map((c) => clusterOf.get(c)!), ...resources.clusters.slice(f.clusters.length)],
      endpoints,
    },
    rebuilt: names,
  };
}

// A fleet's cluster list is kept from pass to pass while it does not change: its names are read once.
const namesOfClusters = new WeakMap<readonly ClusterIR[], ReadonlySet<string>>();

function clusterNames(clusters: readonly ClusterIR[]): ReadonlySet<string> {
  let names = namesOfClusters.get(clusters);
  if (!names) namesOfClusters.set(clusters, (names = new Set(clusters.map((c) => c.name))));
  return names;
}

function rateLimited(vh: VirtualHostIR): boolean {
  return vh.routes.some((r) => r.rateLimit);
}

/** The clusters an IR route sends requests to (its backends and mirrors). */
function namedClusters(r: HttpRouteIR, out: Set<string>): void {
  if (r.action.kind !== 'forward') return;
  for (const b of r.action.backends) if (b.cluster) out.add(b.cluster);
  for (const m of r.action.mirrors) out.add(m.cluster);
}
