// Status objects for everything Switchyard owns, in the exact shape of the
// Gateway API status stanzas, with observedGeneration from each object and
// lastTransitionTime kept from the previous status when a condition's status
// did not change (so an unchanged status compares equal and is not written).
import { GATEWAY_GROUP, type Condition, type KubeObject, type ListenerStatus, type RouteParentStatus, type RouteStatus } from '@switchyard/api';
import { setCondition } from '@switchyard/api';
import type { PendingCondition } from './conditions.js';
import type { GatewayState, ListenerState } from './gateway.js';
import { listenerProgrammed } from './gateway.js';
import type { GatewayClassState } from './gatewayclass.js';
import type { RouteBuild } from './route-build.js';

/** The status Switchyard computed for one object it owns or reports on. */
export interface ObjectStatus {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The full status stanza to write (the subresource's new value). */
  readonly status: unknown;
}

export interface StatusContext {
  readonly now: string;
  readonly controllerName: string;
}

export function stamp(
  pending: readonly PendingCondition[],
  generation: number | undefined,
  previous: readonly Condition[] | undefined,
  now: string,
): Condition[] {
  const out: Condition[] = [];
  for (const p of pending)
    setCondition(out, { ...p, ...(generation !== undefined ? { observedGeneration: generation } : {}) }, Array.isArray(previous) ? previous : undefined, now);
  return out;
}

export function prevConditions(o: KubeObject): Condition[] | undefined {
  const s = o.status as { conditions?: Condition[] } | undefined;
  return s && Array.isArray(s.conditions) ? s.conditions : undefined;
}

/**
 * status.listeners of a Gateway or a ListenerSet: each listener's kinds,
 * attached routes and conditions, stamped against the listener of the same
 * name in the previous status (so unchanged conditions keep their times).
 */
export function listenerStatuses(
  listeners: readonly ListenerState[],
  previous: readonly ListenerStatus[] | undefined,
  generation: number | undefined,
  now: string,
): ListenerStatus[] {
  const prevListeners = new Map<string, readonly Condition[] | undefined>(
    (Array.isArray(previous) ? previous : []).map((l: ListenerStatus) => [l.name, l.conditions]),
  );
  return listeners.map((l) => ({
    name: l.spec.name,
    supportedKinds: l.supportedKinds.map((k) => ({ group: k.group ?? GATEWAY_GROUP, kind: k.kind })),
    attachedRoutes: l.attachedRoutes,
    conditions: stamp([l.accepted, l.programmed ?? listenerProgrammed(l), l.resolvedRefs, l.conflicted], generation, prevListeners.get(l.spec.name), now),
  }));
}

export function gatewayClassStatus(gc: GatewayClassState, sc: StatusContext): ObjectStatus {
  const o = gc.object;
  return {
    apiVersion: o.apiVersion,
    kind: 'GatewayClass',
    name: o.metadata.name,
    status: { conditions: stamp(gc.conditions, o.metadata.generation, prevConditions(o), sc.now), supportedFeatures: gc.supportedFeatures },
  };
}

export function gatewayStatus(gw: GatewayState, sc: StatusContext): ObjectStatus {
  const o = gw.object;
  const gen = o.metadata.generation;
  const prev = o.status;
  // Listeners a ListenerSet contributes report in the ListenerSet's status (listenerset.ts).
  const listeners = listenerStatuses(
    gw.listeners.filter((l) => l.spec && typeof l.spec.name === 'string' && !l.origin),
    prev?.listeners,
    gen,
    sc.now,
  );
  return {
    apiVersion: o.apiVersion,
    kind: 'Gateway',
    namespace: gw.namespace,
    name: gw.name,
    status: {
      conditions: stamp(gw.conditions, gen, prevConditions(o), sc.now),
      listeners,
      ...(gw.attachedListenerSets !== undefined ? { attachedListenerSets: gw.attachedListenerSets } : {}),
    },
  };
}

/**
 * Route status: one parents entry per parentRef to a Gateway Switchyard
 * serves; entries other controllers wrote are kept as they are.
 */
export function routeStatus(route: KubeObject, b: RouteBuild, sc: StatusContext): ObjectStatus {
  const gen = route.metadata.generation;
  const prev = (route.status as RouteStatus | undefined)?.parents;
  const prevParents = Array.isArray(prev) ? prev : [];
  const ours: RouteParentStatus[] = b.parents.map((p) => {
    const chosen = p.accepted.status === 'True' && b.notAccepted ? b.notAccepted : p.accepted;
    // Say what is ignored instead of dropping it in silence (as listeners do).
    const accepted = chosen.status === 'True' && b.ignored ? { ...chosen, message: `${chosen.message}; ignored: ${b.ignored.join('; ')}` } : chosen;
    const pending: PendingCondition[] = [accepted, b.resolvedRefs];
    if (p.accepted.status === 'True' && !b.notAccepted && b.partiallyInvalid) pending.push(b.partiallyInvalid);
    const previous = prevParents.find((x) => x && x.controllerName === sc.controllerName && sameParent(x.parentRef, p.parentRef, b.namespace))?.conditions;
    return { parentRef: { ...p.parentRef }, controllerName: sc.controllerName, conditions: stamp(pending, gen, previous, sc.now) };
  });
  const others = prevParents.filter((x) => x && x.controllerName !== sc.controllerName);
  return { apiVersion: route.apiVersion, kind: b.kind, namespace: b.namespace, name: b.name, status: { parents: [...others, ...ours] } };
}

function sameParent(a: RouteParentStatus['parentRef'] | undefined, b: RouteParentStatus['parentRef'], routeNs: string): boolean {
  if (!a) return false;
  return (
    (a.group ?? GATEWAY_GROUP) === (b.group ?? GATEWAY_GROUP) &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    (a.namespace ?? routeNs) === (b.namespace ?? routeNs) &&
    a.name === b.name &&
    a.sectionName === b.sectionName &&
    a.port === b.port
  );
}

/**
 * A route that no longer names any Gateway Switchyard serves, but still
 * carries parent entries Switchyard wrote earlier: those entries must go
 * (the spec: a controller removes its status for parentRefs that are gone).
 * Returns undefined when there is nothing of Switchyard's to remove.
 */
export function staleRouteStatus(route: KubeObject, sc: StatusContext): ObjectStatus | undefined {
  const prev = (route.status as RouteStatus | undefined)?.parents;
  if (!Array.isArray(prev) || !prev.some((x) => x && x.controllerName === sc.controllerName)) return undefined;
  return {
    apiVersion: route.apiVersion,
    kind: route.kind,
    ...(route.metadata.namespace !== undefined ? { namespace: route.metadata.namespace } : {}),
    name: route.metadata.name,
    status: { parents: prev.filter((x) => x && x.controllerName !== sc.controllerName) },
  };
}
