// Gateway and listener resolution: which Gateways Switchyard serves, which
// of their listeners are valid (protocol, hostname, allowed route kinds,
// conflicts between listeners on one port), and their conditions. Routes
// attach to the listeners found usable here (route-parents.ts).
import { GATEWAY_GROUP, type Gateway, type Listener, type RouteGroupKind } from '@switchyard/api';
import type { ClusterIR, DownstreamTlsIR, PreRoutingFilterIR, SecretIR } from '../ir/ir.js';
import { resolveListenerFilters } from './listenerfilters.js';
import type { TranslationContext } from './context.js';
import { condition, ConditionType, GatewayReason, ListenerReason, type PendingCondition } from './conditions.js';
import type { GatewayClassState } from './gatewayclass.js';
import { hostnameProblem } from './hostname.js';
import { LISTENER_PROTOCOLS, type ListenerProtocol } from './listener-protocols.js';
import { selectorProblem } from './label-selector.js';
import { proxyConfigSpecProblem } from '../extensions/proxyconfig.js';
import { ignoredListenerFields } from '../extensions/ignored-fields.js';

export interface ListenerState {
  readonly gatewayKey: string;
  readonly spec: Listener;
  readonly index: number;
  readonly protocol?: ListenerProtocol;
  readonly supportedKinds: RouteGroupKind[];
  /** Accepted and not conflicted: routes may attach to it (and count in attachedRoutes). */
  usable: boolean;
  /** Its references (certificates...) resolved. See isProgrammable. */
  refsResolved: boolean;
  accepted: PendingCondition;
  resolvedRefs: PendingCondition;
  conflicted: PendingCondition;
  /** Set to override the derived Programmed condition (see listenerProgrammed). */
  programmed?: PendingCondition;
  attachedRoutes: number;
  tls?: DownstreamTlsIR;
  secrets: readonly SecretIR[];
  /** Gateway-level conditions a listener's protocol asked for (e.g. a Gateway-wide TLS setting). */
  gatewayConditions: readonly PendingCondition[];
  /** Set for listeners a ListenerSet contributes (listenerset.ts); absent for the Gateway's own. */
  readonly origin?: ListenerSetOrigin;
  /** spec.listeners[].filters (listenerfilters.ts): absent when it has none. */
  preRouting?:
    { readonly kind: 'resolved'; readonly filters: readonly PreRoutingFilterIR[]; readonly clusters: readonly ClusterIR[] } | { readonly kind: 'unresolved' };
}

/** The ListenerSet a listener comes from. */
export interface ListenerSetOrigin {
  readonly kind: 'ListenerSet';
  readonly namespace: string;
  readonly name: string;
}

export interface GatewayState {
  readonly key: string; // fleet id, "namespace/name"
  readonly object: Gateway;
  readonly namespace: string;
  readonly name: string;
  readonly listeners: ListenerState[];
  readonly conditions: PendingCondition[];
  /** Accepted=True (whole or partial): it gets a fleet. */
  readonly accepted: boolean;
  /**
   * status.attachedListenerSets: how many ListenerSets were accepted onto this
   * Gateway; undefined while none names it (the field is then left out).
   * Set by attachListenerSets (listenerset.ts).
   */
  attachedListenerSets?: number;
}

const VALID_PORT = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

export function resolveGateways(gateways: readonly Gateway[], classes: ReadonlyMap<string, GatewayClassState>, ctx: TranslationContext): GatewayState[] {
  const out: GatewayState[] = [];
  for (const gw of gateways) {
    const cls = gw.spec ? classes.get(gw.spec.gatewayClassName) : undefined;
    if (!cls) continue; // not ours (or no spec): not our business to write status.
    out.push(resolveGateway(gw, cls, ctx));
  }
  return out;
}

function resolveGateway(gw: Gateway, cls: GatewayClassState, ctx: TranslationContext): GatewayState {
  const namespace = gw.metadata.namespace ?? '';
  const key = `${namespace}/${gw.metadata.name}`;
  // Entries that are not objects have no name to report status under; the API server never stores them.
  const specListeners = Array.isArray(gw.spec?.listeners) ? gw.spec.listeners.filter((l): l is Listener => !!l && typeof l === 'object') : [];
  const listeners = specListeners.map((l, i) => resolveListener(key, gw, l, i, ctx));
  detectConflicts(listeners);

  const conditions: PendingCondition[] = [];
  // First listener asking for a Gateway-level condition type wins; types are unique in a status.
  const extraGatewayConditions: PendingCondition[] = [];
  for (const l of listeners) for (const c of l.gatewayConditions) if (!extraGatewayConditions.some((x) => x.type === c.type)) extraGatewayConditions.push(c);

  if (!cls.accepted) {
    // InvalidParameters is for the Gateway's own parametersRef; a class that is not accepted makes the Gateway invalid.
    const why = cls.conditions.find((c) => c.type === ConditionType.Accepted)?.message ?? '';
    conditions.push(condition(ConditionType.Accepted, false, GatewayReason.Invalid, `GatewayClass ${cls.object.metadata.name} is not accepted: ${why}`));
    conditions.push(condition(ConditionType.Programmed, false, GatewayReason.Invalid, 'Gateway is not accepted'));
    for (const l of listeners) l.usable = false;
    return { key, object: gw, namespace, name: gw.metadata.name, listeners, conditions, accepted: false };
  }

  // spec.addresses are the controller's business (it assigns them through the fleet Service and reports
  // UnsupportedAddress/AddressNotUsable); infrastructure.parametersRef must name a ProxyConfig that exists.
  const params = gw.spec?.infrastructure?.parametersRef;
  if (params) {
    const problem = proxyConfigProblem(params, namespace, ctx);
    if (problem) {
      conditions.push(condition(ConditionType.Accepted, false, GatewayReason.InvalidParameters, `spec.infrastructure.parametersRef: ${problem}`));
      conditions.push(condition(ConditionType.Programmed, false, GatewayReason.Invalid, 'Gateway is not accepted'));
      for (const l of listeners) l.usable = false;
      return { key, object: gw, namespace, name: gw.metadata.name, listeners, conditions, accepted: false };
    }
  }

  // A listener's unresolved references are its ResolvedRefs condition's
  // business and do not make the Gateway less Accepted or Programmed (the
  // spec's Gateway ResolvedRefs condition: it "does not directly impact the
  // Gateway's Accepted or Programmed conditions"); a ListenerSet is judged
  // on programmable listeners instead (listenerset.ts).
  const invalid = listeners.filter((l) => !l.usable);
  const valid = listeners.filter((l) => l.usable);
  if (invalid.length === 0) {
    conditions.push(condition(ConditionType.Accepted, true, GatewayReason.Accepted, 'Gateway accepted'));
  } else {
    const names = invalid.map((l) => `${l.spec.name} (${l.conflicted.status === 'True' ? l.conflicted.reason : l.accepted.reason})`).join(', ');
    const message = valid.length > 0 ? `Listeners not valid: ${names}; the other listeners are served` : `No valid listeners: ${names}`;
    conditions.push(condition(ConditionType.Accepted, valid.length > 0, GatewayReason.ListenersNotValid, message));
  }
  const accepted = valid.length > 0;
  conditions.push(
    accepted
      ? condition(ConditionType.Programmed, true, GatewayReason.Programmed, 'Configuration sent to the fleet')
      : condition(ConditionType.Programmed, false, GatewayReason.Invalid, 'Gateway has no valid listeners'),
  );
  conditions.push(...extraGatewayConditions);
  return { key, object: gw, namespace, name: gw.metadata.name, listeners, conditions, accepted };
}

export function resolveListener(
  gatewayKey: string,
  gw: Gateway,
  l: Listener,
  index: number,
  ctx: TranslationContext,
  origin?: ListenerSetOrigin,
): ListenerState {
  const ok = (type: string, reason: string, message: string) => condition(type, true, reason, message);
  const state: ListenerState = {
    gatewayKey,
    spec: l,
    index,
    supportedKinds: [],
    usable: true,
    refsResolved: true,
    accepted: ok(ConditionType.Accepted, ListenerReason.Accepted, 'Listener accepted'),
    resolvedRefs: ok(ConditionType.ResolvedRefs, ListenerReason.ResolvedRefs, 'All references resolved'),
    conflicted: condition(ConditionType.Conflicted, false, ListenerReason.NoConflicts, 'No conflicts'),
    attachedRoutes: 0,
    secrets: [],
    gatewayConditions: [],
    ...(origin ? { origin } : {}),
  };
  const reject = (reason: string, message: string) => {
    state.accepted = condition(ConditionType.Accepted, false, reason, message);
    state.usable = false;
  };
  const protocol = typeof l.protocol === 'string' ? LISTENER_PROTOCOLS.get(l.protocol) : undefined;
  if (!protocol) {
    reject(ListenerReason.UnsupportedProtocol, `spec.listeners[${index}].protocol: ${String(l.protocol)} is not supported`);
    return state;
  }
  (state as { protocol?: ListenerProtocol }).protocol = protocol;

  // supportedKinds: allowedRoutes.kinds filtered to what the protocol serves; default all of them.
  const requested = l.allowedRoutes?.kinds;
  if (Array.isArray(requested) && requested.length > 0) {
    const bad: string[] = [];
    for (const k of requested) {
      const group = k?.group ?? GATEWAY_GROUP;
      if (k && group === GATEWAY_GROUP && protocol.routeKinds.includes(k.kind)) {
        if (!state.supportedKinds.some((s) => s.kind === k.kind)) state.supportedKinds.push({ group: GATEWAY_GROUP, kind: k.kind });
      } else bad.push(`${group}/${String(k?.kind)}`);
    }
    if (bad.length > 0) {
      state.resolvedRefs = condition(
        ConditionType.ResolvedRefs,
        false,
        ListenerReason.InvalidRouteKinds,
        `spec.listeners[${index}].allowedRoutes.kinds: ${bad.join(', ')} not supported on ${protocol.protocol} listeners`,
      );
    }
  } else {
    for (const kind of protocol.routeKinds) state.supportedKinds.push({ group: GATEWAY_GROUP, kind });
  }

  if (!VALID_PORT(l.port)) {
    reject(ListenerReason.UnsupportedValue, `spec.listeners[${index}].port: ${String(l.port)} is not a port number (1-65535)`);
    return state;
  }
  if (l.hostname !== undefined && l.hostname !== '') {
    if (!protocol.usesHostname) {
      reject(ListenerReason.UnsupportedValue, `spec.listeners[${index}].hostname must not be set for protocol ${protocol.protocol}`);
      return state;
    }
    const problem = typeof l.hostname === 'string' ? hostnameProblem(l.hostname) : 'not a string';
    if (problem) {
      reject(ListenerReason.UnsupportedValue, `spec.listeners[${index}].hostname: ${problem}`);
      return state;
    }
  }
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  if (!['All', 'Same', 'Selector'].includes(from)) {
    reject(ListenerReason.UnsupportedValue, `spec.listeners[${index}].allowedRoutes.namespaces.from: ${String(from)} is not supported`);
    return state;
  }
  if (from === 'Selector') {
    const sel = l.allowedRoutes?.namespaces?.selector;
    const problem = sel ? selectorProblem(sel) : 'selector is required when from is Selector';
    if (problem) {
      reject(ListenerReason.UnsupportedValue, `spec.listeners[${index}].allowedRoutes.namespaces.selector: ${problem}`);
      return state;
    }
  }

  const v = protocol.validate(l, gw, ctx, origin);
  if (v.unresolvedRefs) state.resolvedRefs = condition(ConditionType.ResolvedRefs, false, v.unresolvedRefs.reason, v.unresolvedRefs.message);
  if (v.notAccepted) {
    reject(v.notAccepted.reason, v.notAccepted.message);
    return state;
  }
  // A listener whose references do not resolve is not programmed (e.g. no certificate to serve), but
  // routes still attach to it and count in attachedRoutes (as the conformance suite expects).
  if (v.unresolvedRefs) state.refsResolved = false;
  if (v.tls) state.tls = v.tls;
  if (v.secrets) state.secrets = v.secrets;
  if (v.gatewayConditions) state.gatewayConditions = v.gatewayConditions;
  const isHttp = protocol.protocol === 'HTTP' || protocol.protocol === 'HTTPS';
  const filters = resolveListenerFilters(l, index, isHttp, gw.metadata.namespace ?? '', origin, ctx);
  switch (filters.kind) {
    case 'invalid':
      reject(ListenerReason.UnsupportedValue, filters.message);
      return state;
    case 'unresolved':
      // Still programmed: its hosts answer 500 rather than fall through to a listener without the filters.
      if (state.resolvedRefs.status === 'True') state.resolvedRefs = condition(ConditionType.ResolvedRefs, false, filters.reason, filters.message);
      state.preRouting = { kind: 'unresolved' };
      break;
    case 'resolved':
      state.preRouting = { kind: 'resolved', filters: filters.filters, clusters: filters.clusters };
      break;
  }
  // Say what is ignored (guide-style options) instead of dropping it in silence.
  const ignored = ignoredListenerFields(l, index);
  if (ignored.length > 0) state.accepted = ok(ConditionType.Accepted, ListenerReason.Accepted, `Listener accepted; ignored: ${ignored.join('; ')}`);
  return state;
}

/**
 * Listeners sharing a port must share a protocol family and differ in
 * hostname. The spec forbids picking a winner: every listener in a conflict
 * is Conflicted=True and not served.
 */
function detectConflicts(listeners: ListenerState[]): void {
  const byPort = new Map<string, ListenerState[]>();
  for (const l of listeners) {
    if (!l.protocol || !VALID_PORT(l.spec.port)) continue;
    const k = `${l.protocol.transport}/${l.spec.port}`;
    let g = byPort.get(k);
    if (!g) byPort.set(k, (g = []));
    g.push(l);
  }
  for (const group of byPort.values()) {
    const families = new Set(group.map((l) => l.protocol!.family));
    if (families.size > 1) {
      for (const l of group)
        markConflicted(
          l,
          ListenerReason.ProtocolConflict,
          `port ${l.spec.port} is used by listeners of incompatible protocols (${[...new Set(group.map((x) => x.spec.protocol))].join(', ')})`,
        );
      continue;
    }
    const byHost = new Map<string, ListenerState[]>();
    for (const l of group) {
      const k = l.spec.hostname ?? '';
      let g = byHost.get(k);
      if (!g) byHost.set(k, (g = []));
      g.push(l);
    }
    for (const same of byHost.values()) {
      if (same.length < 2) continue;
      for (const l of same)
        markConflicted(
          l,
          ListenerReason.HostnameConflict,
          `listeners ${same.map((x) => x.spec.name).join(', ')} share port ${l.spec.port} and hostname "${l.spec.hostname ?? ''}"`,
        );
    }
  }
}

/** The only parameters kind Switchyard reads (the controller's fleet settings). */
export const PROXY_CONFIG = { group: 'switchyard.dev', kind: 'ProxyConfig' } as const;

export function proxyConfigProblem(ref: { group?: string; kind?: string; name?: string }, namespace: string, ctx: TranslationContext): string | undefined {
  if (ref.group !== PROXY_CONFIG.group || ref.kind !== PROXY_CONFIG.kind)
    return `${ref.group || 'core'}/${String(ref.kind)} is not a parameters kind Switchyard supports (switchyard.dev/ProxyConfig)`;
  const pc = typeof ref.name === 'string' ? ctx.snapshot.get(PROXY_CONFIG.group, PROXY_CONFIG.kind, namespace, ref.name) : undefined;
  if (!pc) return `ProxyConfig ${namespace}/${String(ref.name)} not found`;
  // Objects from files have not been through the CRD's validation.
  const problem = proxyConfigSpecProblem(pc.spec);
  return problem ? `ProxyConfig ${namespace}/${ref.name as string}: ${problem}` : undefined;
}

/** A conflicted listener is not accepted and not programmed, for the conflict's reason (as the conformance suite expects). */
export function markConflicted(l: ListenerState, reason: string, message: string): void {
  l.conflicted = condition(ConditionType.Conflicted, true, reason, message);
  if (l.accepted.status === 'True') l.accepted = condition(ConditionType.Accepted, false, reason, message);
  l.programmed = condition(ConditionType.Programmed, false, reason, message);
  l.usable = false;
}

/**
 * The one definition of a listener Switchyard programs into the fleet: usable
 * (accepted, not conflicted) and with every reference resolved. A usable
 * listener whose references do not resolve still takes routes (they count
 * in attachedRoutes) but is not Programmed and has no Envoy listener: the
 * upstream conformance test GatewayWithAttachedRoutes expects exactly that
 * (Programmed=False, ResolvedRefs=False, AttachedRoutes 1). Used for the
 * listener's Programmed condition, the fleet's listeners and the routes
 * placed on them (fleet.ts) and a ListenerSet's acceptance (listenerset.ts).
 */
export function isProgrammable(l: ListenerState): boolean {
  return l.usable && l.refsResolved;
}

/** Listener Programmed condition, derived once validity is final. */
export function listenerProgrammed(l: ListenerState): PendingCondition {
  return isProgrammable(l)
    ? condition(ConditionType.Programmed, true, ListenerReason.Programmed, 'Listener programmed')
    : condition(ConditionType.Programmed, false, ListenerReason.Invalid, 'Listener is not valid');
}
