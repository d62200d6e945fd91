// ListenerSet (v1): listeners contributed to a Gateway by other objects,
// possibly from other namespaces, when the Gateway's
// spec.allowedListeners lets them in (None by default, Same, All,
// Selector on the ListenerSet's namespace labels).
//
// The contributed listeners join the Gateway's listener list (with an
// origin) after its own listeners: routes attach to them through a
// ListenerSet parentRef (route-parents.ts), the fleet serves them like the
// Gateway's own. Conflicts are settled in favour of what was there first —
// the Gateway's own listeners, then older ListenerSets (creation time, then
// namespace/name) — and only the losing listener is Conflicted; the spec's
// "no winner" rule is for listeners of one object. Their status is the
// ListenerSet's, not the Gateway's.
import { GATEWAY_GROUP, compareByCreationThenName, type Listener, type ListenerSet } from '@switchyard/api';
import { condition, ConditionType, ListenerReason, type PendingCondition } from './conditions.js';
import type { TranslationContext } from './context.js';
import { isProgrammable, resolveListener, type GatewayState, type ListenerState } from './gateway.js';
import { selectorMatches } from './label-selector.js';
import { listenerStatuses, prevConditions, stamp, type ObjectStatus, type StatusContext } from './status.js';

export interface ListenerSetState {
  readonly object: ListenerSet;
  readonly key: string;
  readonly gateway: GatewayState;
  readonly conditions: PendingCondition[];
  readonly listeners: ListenerState[];
}

function allowed(gw: GatewayState, namespace: string, ctx: TranslationContext): boolean {
  const ns = gw.object.spec?.allowedListeners?.namespaces;
  switch (ns?.from ?? 'None') {
    case 'All':
      return true;
    case 'Same':
      return namespace === gw.namespace;
    case 'Selector':
      return ns?.selector ? selectorMatches(ns.selector, ctx.namespaceLabels(namespace)) : false;
    default:
      return false;
  }
}

/**
 * Resolves every ListenerSet whose parentRef names a Gateway Switchyard
 * serves, appending the allowed ones' listeners to that Gateway, counting
 * the accepted ones on GatewayState.attachedListenerSets. Call after
 * resolveGateways and before routes are built; gatewayIndex() then lets
 * routes name the sets as parents.
 */
export function attachListenerSets(gateways: ReadonlyMap<string, GatewayState>, ctx: TranslationContext): ListenerSetState[] {
  const out: ListenerSetState[] = [];
  const sets = [...ctx.snapshot.list<ListenerSet>(GATEWAY_GROUP, 'ListenerSet')]
    .filter((o) => o && o.metadata && typeof o.metadata.name === 'string')
    .sort(compareByCreationThenName);
  for (const ls of sets) {
    const ref = ls.spec?.parentRef;
    if (!ref || typeof ref.name !== 'string' || (ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
    const namespace = ls.metadata.namespace ?? '';
    const gw = gateways.get(`${ref.namespace ?? namespace}/${ref.name}`);
    if (!gw) continue; // not a Gateway of ours: not ours to report on
    gw.attachedListenerSets ??= 0;
    const state: ListenerSetState = { object: ls, key: `${namespace}/${ls.metadata.name}`, gateway: gw, conditions: [], listeners: [] };
    out.push(state);
    if (!gw.accepted) {
      state.conditions.push(
        condition(ConditionType.Accepted, false, 'ParentNotAccepted', `Gateway ${gw.key} is not accepted`),
        condition(ConditionType.Programmed, false, 'ParentNotAccepted', `Gateway ${gw.key} is not accepted`),
      );
      continue;
    }
    if (!allowed(gw, namespace, ctx)) {
      const from = gw.object.spec?.allowedListeners?.namespaces?.from ?? 'None';
      const msg = `Gateway ${gw.key} does not allow listeners from namespace ${namespace} (spec.allowedListeners.namespaces.from: ${from})`;
      state.conditions.push(condition(ConditionType.Accepted, false, 'NotAllowed', msg), condition(ConditionType.Programmed, false, 'NotAllowed', msg));
      continue;
    }
    const origin = { kind: 'ListenerSet' as const, namespace, name: ls.metadata.name };
    const entries = Array.isArray(ls.spec?.listeners) ? ls.spec.listeners.filter((l) => !!l && typeof l === 'object') : [];
    entries.forEach((entry, i) => {
      const l = resolveListener(gw.key, gw.object, entry as Listener, i, ctx, origin);
      if (l.usable) conflictWithExisting(l, gw.listeners);
      state.listeners.push(l);
      gw.listeners.push(l);
    });
    // A listener whose references do not resolve (a certificate it may not
    // use, for instance) is not programmed either: a ListenerSet with no
    // listener left to program is not accepted (GEP-1713, ListenersNotValid;
    // the upstream conformance test ListenerSetReferenceGrant expects
    // Accepted=False for a set whose one listener has RefNotPermitted).
    const valid = state.listeners.filter(isProgrammable);
    if (valid.length === 0) {
      const msg =
        state.listeners.length === 0
          ? 'spec.listeners is empty'
          : `No valid listeners: ${state.listeners.map((l) => `${l.spec.name} (${invalidReason(l)})`).join(', ')}`;
      state.conditions.push(
        condition(ConditionType.Accepted, false, 'ListenersNotValid', msg),
        condition(ConditionType.Programmed, false, 'ListenersNotValid', msg),
      );
      continue;
    }
    state.conditions.push(
      condition(ConditionType.Accepted, true, 'Accepted', 'ListenerSet accepted'),
      condition(ConditionType.Programmed, true, 'Programmed', 'Listeners sent to the Gateway fleet'),
    );
    gw.attachedListenerSets += 1;
  }
  return out;
}

function invalidReason(l: ListenerState): string {
  if (l.conflicted.status === 'True') return l.conflicted.reason;
  return l.usable ? l.resolvedRefs.reason : l.accepted.reason;
}

/** A contributed listener loses to any usable listener already on its port with another protocol family or the same hostname. */
function conflictWithExisting(l: ListenerState, existing: readonly ListenerState[]): void {
  for (const o of existing) {
    if (!o.usable || !o.protocol || !l.protocol || o.protocol.transport !== l.protocol.transport || o.spec.port !== l.spec.port) continue;
    const where = o.origin ? `ListenerSet ${o.origin.namespace}/${o.origin.name}` : `Gateway ${o.gatewayKey}`;
    let reason: string | undefined;
    if (o.protocol.family !== l.protocol.family) reason = ListenerReason.ProtocolConflict;
    else if ((o.spec.hostname ?? '') === (l.spec.hostname ?? '')) reason = ListenerReason.HostnameConflict;
    if (!reason) continue;
    const msg = `port ${l.spec.port}${reason === ListenerReason.HostnameConflict ? ` and hostname "${l.spec.hostname ?? ''}"` : ''} already used by listener ${o.spec.name} of ${where}${reason === ListenerReason.ProtocolConflict ? ` (${o.spec.protocol})` : ''}`;
    l.conflicted = condition(ConditionType.Conflicted, true, reason, msg);
    l.accepted = condition(ConditionType.Accepted, false, reason, msg);
    l.programmed = condition(ConditionType.Programmed, false, reason, msg);
    l.usable = false;
    return;
  }
}

export function listenerSetStatus(s: ListenerSetState, sc: StatusContext): ObjectStatus {
  const o = s.object;
  const gen = o.metadata.generation;
  const prev = o.status;
  const listeners = listenerStatuses(s.listeners, prev?.listeners, gen, sc.now);
  return {
    apiVersion: o.apiVersion,
    kind: 'ListenerSet',
    namespace: o.metadata.namespace ?? '',
    name: o.metadata.name,
    status: { conditions: stamp(s.conditions, gen, prevConditions(o), sc.now), listeners },
  };
}
