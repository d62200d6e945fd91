// Which Gateways each route names as parents, and which routes each Gateway
// has: what a routes pass starts from to confine a change. Building it reads
// every route (10,000 in the benchmarks), so it is kept from pass to pass and
// updated with the routes that changed.
import { GATEWAY_GROUP, type KubeObject } from '@switchyard/api';
import { ROUTE_KINDS } from './gatewayapi/route-kinds.js';

type Inputs = ReadonlyMap<string, ReadonlyMap<string, KubeObject>>;

const ROUTE_KIND_KEYS: readonly string[] = ROUTE_KINDS.map((k) => `${k.group}/${k.kind}`);

export class RouteIndex {
  /** "kind|namespace/name" -> the Gateway keys ("namespace/name") its parentRefs name. */
  readonly parentsOf = new Map<string, readonly string[]>();
  /** Gateway key -> its routes, "kind|namespace/name". */
  readonly routesOf = new Map<string, Set<string>>();
  /** Gateway key -> its routes that name other Gateways too: what closing over shared routes follows. */
  readonly sharedOf = new Map<string, Set<string>>();
  /** Gateway key -> its routes of one kind, by kind key ("group/Kind"). */
  private readonly counts = new Map<string, Map<string, number>>();
  /** Routes with a parentRef to something other than a Gateway (a ListenerSet), or one that cannot be read. */
  readonly unconfined = new Set<string>();

  /** How many routes of `kind` ("group/Kind") the Gateway has. */
  count(gateway: string, kind: string): number {
    return this.counts.get(gateway)?.get(kind) ?? 0;
  }

  static of(inputs: Inputs): RouteIndex {
    const index = new RouteIndex();
    for (const kind of ROUTE_KIND_KEYS) for (const [key, route] of inputs.get(kind) ?? []) index.set(`${kind}|${key}`, route);
    return index;
  }

  /** Replaces what the index holds for route `id` by `route` (undefined: deleted). */
  set(id: string, route: KubeObject | undefined): void {
    const kind = id.slice(0, id.indexOf('|'));
    for (const g of new Set(this.parentsOf.get(id))) {
      this.routesOf.get(g)?.delete(id);
      this.sharedOf.get(g)?.delete(id);
      const byKind = this.counts.get(g)!;
      byKind.set(kind, byKind.get(kind)! - 1);
    }
    this.parentsOf.delete(id);
    this.unconfined.delete(id);
    if (!route) return;
    const parents = parentGateways(route);
    if (!parents) {
      this.unconfined.add(id);
      return;
    }
    this.parentsOf.set(id, parents);
    const distinct = new Set(parents);
    for (const g of distinct) {
      let routes = this.routesOf.get(g);
      if (!routes) this.routesOf.set(g, (routes = new Set<string>()));
      routes.add(id);
      let byKind = this.counts.get(g);
      if (!byKind) this.counts.set(g, (byKind = new Map<string, number>()));
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      if (distinct.size < 2) continue;
      let shared = this.sharedOf.get(g);
      if (!shared) this.sharedOf.set(g, (shared = new Set<string>()));
      shared.add(id);
    }
  }
}

// One index per pass's inputs; a pass hands it on to the next and it follows the changes.
const indexes = new WeakMap<Inputs, RouteIndex>();

/**
 * The route index of `inputs`: the previous pass's, updated with the changed
 * routes (`changes`: kind key -> keys), or built when there is none.
 */
export function routeIndexOf(previousInputs: Inputs | undefined, inputs: Inputs, changes: ReadonlyMap<string, ReadonlySet<string>>): RouteIndex {
  let index = previousInputs && indexes.get(previousInputs);
  if (index) {
    // Moved, not shared: the index now describes `inputs`.
    indexes.delete(previousInputs!);
    for (const kind of ROUTE_KIND_KEYS) for (const key of changes.get(kind) ?? []) index.set(`${kind}|${key}`, inputs.get(kind)?.get(key));
  } else index = RouteIndex.of(inputs);
  indexes.set(inputs, index);
  return index;
}

/** Hands the previous pass's index, if any, on to `inputs` (routes unchanged); none is built. */
export function carryRouteIndex(previousInputs: Inputs | undefined, inputs: Inputs, changes: ReadonlyMap<string, ReadonlySet<string>>): void {
  if (previousInputs && indexes.has(previousInputs)) routeIndexOf(previousInputs, inputs, changes);
}

interface ParentRefLike {
  readonly group?: unknown;
  readonly kind?: unknown;
  readonly namespace?: unknown;
  readonly name?: unknown;
}

// Objects are never mutated, so a route's parents are read once per object.
const parentsRead = new WeakMap<KubeObject, string[] | null>();

/** The Gateway keys a route's parentRefs name; undefined when one names something else (a ListenerSet) or is malformed. */
export function parentGateways(route: KubeObject): string[] | undefined {
  let p = parentsRead.get(route);
  if (p === undefined) parentsRead.set(route, (p = readParentGateways(route) ?? null));
  return p ?? undefined;
}

function readParentGateways(route: KubeObject): string[] | undefined {
  const refs = (route.spec as { parentRefs?: unknown } | undefined)?.parentRefs;
  if (refs === undefined) return [];
  if (!Array.isArray(refs)) return undefined;
  const out: string[] = [];
  for (const r of refs as ParentRefLike[]) {
    if (!r || typeof r !== 'object' || typeof r.name !== 'string') return undefined;
    if ((r.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (r.kind ?? 'Gateway') !== 'Gateway') return undefined;
    const ns = r.namespace ?? route.metadata.namespace ?? '';
    if (typeof ns !== 'string') return undefined;
    out.push(`${ns}/${r.name}`);
  }
  return out;
}
