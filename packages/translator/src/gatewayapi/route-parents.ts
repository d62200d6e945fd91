// Route attachment, common to every route kind: which listeners of which
// Gateways a route's parentRefs select, whether the listeners allow the
// route (namespace, kind), and the hostnames it serves on each. Produces the
// Accepted condition per parentRef; the kind-specific builders add the
// rest.
import { GATEWAY_GROUP, type CommonRouteSpec, type KubeObject, type ParentReference } from '@switchyard/api';
import type { TranslationContext } from './context.js';
import { condition, ConditionType, RouteReason, type PendingCondition } from './conditions.js';
import type { GatewayState, ListenerState } from './gateway.js';
import { hostnameProblem, hostnameWithin, intersectHostnames, isWildcard } from './hostname.js';
import { selectorMatches } from './label-selector.js';
import type { ListenerSetState } from './listenerset.js';

export interface Attachment {
  readonly gateway: GatewayState;
  readonly listener: ListenerState;
  /** Effective hostnames on this listener ("*" = any); listener isolation already applied. */
  readonly hostnames: readonly string[];
  /** The route's own spec.hostnames ([] = any): precedence ranks by the one each effective hostname comes from. */
  readonly routeHostnames: readonly string[];
}

export interface ParentResult {
  readonly parentRef: ParentReference;
  readonly gateway: GatewayState;
  readonly attachments: readonly Attachment[];
  /** Accepted condition for this parentRef (before rule-level problems are folded in). */
  readonly accepted: PendingCondition;
}

/** What a route's parentRefs can name, by "namespace/name". */
export interface GatewayIndex {
  readonly gateways: ReadonlyMap<string, GatewayState>;
  /** ListenerSets that contributed listeners (listenerset.ts), to the Gateway they joined. */
  readonly listenerSets: ReadonlyMap<string, GatewayState>;
}

/** The index routes resolve parentRefs against, once ListenerSets are attached. */
export function gatewayIndex(gateways: ReadonlyMap<string, GatewayState>, listenerSets: readonly ListenerSetState[]): GatewayIndex {
  return { gateways, listenerSets: new Map(listenerSets.filter((s) => s.listeners.length > 0).map((s) => [s.key, s.gateway])) };
}

/**
 * Resolves a route's parentRefs. Only parentRefs to Gateways Switchyard serves
 * get a result (and hence a status entry); others belong to other controllers.
 */
export function resolveParents(
  route: KubeObject<CommonRouteSpec & { hostnames?: string[] }>,
  kind: string,
  gateways: GatewayIndex,
  ctx: TranslationContext,
): ParentResult[] {
  const routeNs = route.metadata.namespace ?? '';
  const parentRefs = Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : [];
  const rawHostnames: unknown[] | undefined = Array.isArray(route.spec?.hostnames) ? route.spec.hostnames : undefined;
  // An invalid hostname (the CRD would have refused it) would become an Envoy domain nobody can reach
  // or, worse, a wildcard; the route is not accepted and the status names the entry.
  const badHostname = rawHostnames?.findIndex((h) => typeof h !== 'string' || hostnameProblem(h) !== undefined) ?? -1;
  const routeHostnames = rawHostnames?.filter((h): h is string => typeof h === 'string');
  const out: ParentResult[] = [];
  const seen = new Set<string>();
  for (const ref of parentRefs) {
    if (!ref || typeof ref !== 'object' || typeof ref.name !== 'string') continue;
    if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP) continue;
    const parentKind = ref.kind ?? 'Gateway';
    if (parentKind !== 'Gateway' && parentKind !== 'ListenerSet') continue;
    const gwKey = `${ref.namespace ?? routeNs}/${ref.name}`;
    // A ListenerSet parent is its Gateway, restricted to the set's listeners (listenerset.ts).
    const gateway = (parentKind === 'Gateway' ? gateways.gateways : gateways.listenerSets).get(gwKey);
    if (!gateway) continue;
    // The same parentRef twice gets one status entry.
    const dedupeKey = `${parentKind}|${gwKey}|${ref.sectionName ?? ''}|${ref.port ?? ''}`;
    if (seen.has(dedupeKey)) continue;
    seen.add(dedupeKey);
    if (badHostname >= 0) {
      const h = rawHostnames![badHostname];
      const problem = typeof h === 'string' ? hostnameProblem(h) : 'must be a string';
      out.push({
        parentRef: ref,
        gateway,
        attachments: [],
        accepted: condition(ConditionType.Accepted, false, RouteReason.UnsupportedValue, `spec.hostnames[${badHostname}]: ${problem}`),
      });
      continue;
    }
    out.push(attach(kind, routeNs, routeHostnames, ref, gateway, ctx));
  }
  return out;
}

function attach(
  kind: string,
  routeNs: string,
  routeHostnames: readonly string[] | undefined,
  ref: ParentReference,
  gateway: GatewayState,
  ctx: TranslationContext,
): ParentResult {
  const reject = (reason: string, message: string): ParentResult => ({
    parentRef: ref,
    gateway,
    attachments: [],
    accepted: condition(ConditionType.Accepted, false, reason, message),
  });

  // A Gateway parentRef selects the Gateway's own listeners, a ListenerSet parentRef only that set's.
  const ownedBy = (ref.kind ?? 'Gateway') === 'ListenerSet' ? `${ref.namespace ?? routeNs}/${ref.name}` : undefined;
  const selected = gateway.listeners.filter(
    (l) =>
      (l.origin ? `${l.origin.namespace}/${l.origin.name}` : undefined) === ownedBy &&
      (ref.sectionName === undefined || l.spec.name === ref.sectionName) &&
      (ref.port === undefined || l.spec.port === ref.port),
  );
  if (selected.length === 0) {
    const what = [ref.sectionName !== undefined ? `sectionName "${ref.sectionName}"` : '', ref.port !== undefined ? `port ${ref.port}` : '']
      .filter(Boolean)
      .join(' and ');
    return reject(RouteReason.NoMatchingParent, `Gateway ${gateway.key} has no listener with ${what || 'any name'}`);
  }
  // The spec (ListenerStatus.attachedRoutes): "Successful attachment of a Route to a Listener is based
  // solely on the combination of the AllowedRoutes field on the corresponding Listener and the Route's
  // ParentRefs field"; a listener that is not Accepted (conflicted, unsupported protocol) still counts
  // the routes attached to it. Such a listener is not programmed, so they get no traffic through it
  // (fleet.ts and l4-fleet.ts place routes on usable listeners only).
  const allowed = selected.filter((l) => kindAllowed(l, kind) && namespaceAllowed(l, l.origin?.namespace ?? gateway.namespace, routeNs, ctx));
  if (allowed.length === 0) return reject(RouteReason.NotAllowedByListeners, `no listener of Gateway ${gateway.key} allows ${kind} from namespace ${routeNs}`);

  const attachments: Attachment[] = [];
  for (const l of allowed) {
    const hostnames = l.protocol?.usesHostname ? isolate(l, intersectHostnames(emptyToUndefined(l.spec.hostname), routeHostnames), gateway) : ['*'];
    if (hostnames.length > 0) attachments.push({ gateway, listener: l, hostnames, routeHostnames: routeHostnames ?? [] });
  }
  if (attachments.length === 0)
    return reject(
      RouteReason.NoMatchingListenerHostname,
      `spec.hostnames do not intersect the hostname of any listener of Gateway ${gateway.key} that allows this route`,
    );
  return { parentRef: ref, gateway, attachments, accepted: condition(ConditionType.Accepted, true, RouteReason.Accepted, 'Route accepted') };
}

/** The listener's supported kinds; for a listener that is not valid, also the kinds its allowedRoutes names. */
function kindAllowed(l: ListenerState, kind: string): boolean {
  if (l.supportedKinds.some((k) => k.kind === kind)) return true;
  const kinds = l.spec.allowedRoutes?.kinds;
  return !l.usable && Array.isArray(kinds) && kinds.some((k) => k?.kind === kind && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
}

function emptyToUndefined(s: string | undefined): string | undefined {
  return s === '' ? undefined : s;
}

function namespaceAllowed(l: ListenerState, gatewayNs: string, routeNs: string, ctx: TranslationContext): boolean {
  const ns = l.spec.allowedRoutes?.namespaces;
  switch (ns?.from ?? 'Same') {
    case 'All':
      return true;
    case 'Same':
      return routeNs === gatewayNs;
    case 'Selector':
      return ns?.selector ? selectorMatches(ns.selector, ctx.namespaceLabels(routeNs)) : false;
    default:
      return false;
  }
}

/**
 * Listener isolation: a request matches at most one listener, the one with
 * the most specific hostname. So a hostname a route serves through a broader
 * listener is dropped when a more specific listener on the same port covers
 * it (that listener's own vhost answers, even with 404).
 */
function isolate(l: ListenerState, hostnames: readonly string[], gateway: GatewayState): string[] {
  const mine = emptyToUndefined(l.spec.hostname);
  const others = gateway.listeners.filter(
    (o) => o !== l && o.usable && o.protocol?.family === l.protocol?.family && o.spec.port === l.spec.port && emptyToUndefined(o.spec.hostname) !== undefined,
  );
  return hostnames.filter((h) => {
    for (const o of others) {
      const oh = o.spec.hostname as string;
      if (!moreSpecific(oh, mine)) continue;
      // h falls entirely within the more specific listener: that listener owns it.
      if (hostnameWithin(h, oh)) return false;
    }
    return true;
  });
}

/** Whether listener hostname a is strictly more specific than b (b undefined = any). */
function moreSpecific(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  if (a === b) return false;
  if (!isWildcard(b)) return false;
  return hostnameWithin(a, b);
}
