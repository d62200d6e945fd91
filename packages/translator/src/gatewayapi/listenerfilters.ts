// GatewayListenerFilters (experimental, v1.7): spec.listeners[].filters.requests
// on Gateway and ListenerSet listeners, pre-routing filters that run on every
// request a listener accepts, in the order written, before route matching.
//
// Resolution: each ExternalAuth filter's backendRef becomes a cluster (like
// any backendRef: Service port, ReferenceGrant across namespaces). A filter
// that cannot be resolved must not be skipped, so the listener keeps serving
// but answers 500 to everything (ResolvedRefs=False names the field): failing
// closed, never falling through to another listener without the filter.
// Shapes the CRDs refuse (files only) make the listener not Accepted.
//
// Placement: every listener gets its own filter instances, named after it,
// in its connection manager; a virtual host runs the instances of the
// listener its hostname belongs to. Listeners sharing a port (one connection
// manager) therefore never compete for one filter order, and Switchyard never
// needs the InvalidListenerFilterOrder reason.
//
// ExtensionRef: no kind is supported before routing yet (RateLimit is a
// route filter), so it is an unresolved reference (InvalidKind).
import type { Listener } from '@switchyard/api';
import type { ClusterIR, FilterChainIR, HttpRouteIR, ListenerIR, PreRoutingFilterIR, RouteConfigIR, VirtualHostIR } from '../ir/ir.js';
import { resolveBackend } from './backends.js';
import { RouteReason } from './conditions.js';
import { resolveExternalAuth } from './externalauth.js';
import type { TranslationContext } from './context.js';
import type { ListenerSetOrigin, ListenerState } from './gateway.js';

/** What a listener's filters resolve to. */
export type ListenerFiltersResult =
  | { readonly kind: 'none' }
  /** A shape the CRDs refuse: the listener is not accepted. */
  | { readonly kind: 'invalid'; readonly message: string }
  /** A reference that does not resolve: ResolvedRefs=False, the listener answers 500. */
  | { readonly kind: 'unresolved'; readonly reason: string; readonly message: string }
  | { readonly kind: 'resolved'; readonly filters: readonly PreRoutingFilterIR[]; readonly clusters: readonly ClusterIR[] };

/** Resolves spec.listeners[index].filters of a Gateway or ListenerSet listener. */
export function resolveListenerFilters(
  l: Listener,
  index: number,
  isHttp: boolean,
  namespace: string,
  origin: ListenerSetOrigin | undefined,
  ctx: TranslationContext,
): ListenerFiltersResult {
  const field = `spec.listeners[${index}].filters`;
  const filters: unknown = l.filters;
  if (filters === undefined || filters === null) return { kind: 'none' };
  if (typeof filters !== 'object' || Array.isArray(filters)) return { kind: 'invalid', message: `${field} must be an object` };
  const requests: unknown = (filters as { requests?: unknown }).requests;
  if (requests === undefined || requests === null) return { kind: 'none' };
  if (!Array.isArray(requests)) return { kind: 'invalid', message: `${field}.requests must be a list` };
  if (requests.length === 0) return { kind: 'none' };
  if (!isHttp) return { kind: 'invalid', message: `${field}: filters may only be set when protocol is HTTP or HTTPS` };
  if (requests.length > 16) return { kind: 'invalid', message: `${field}.requests: at most 16 filters` };

  const prefix = `listener/${origin ? `${origin.namespace}/${origin.name}/` : ''}${l.name}`;
  const out: PreRoutingFilterIR[] = [];
  const clusters: ClusterIR[] = [];
  let unresolved: { reason: string; message: string } | undefined;
  for (let i = 0; i < requests.length; i++) {
    const at = `${field}.requests[${i}]`;
    const f = requests[i] as { type?: unknown; externalAuth?: unknown; extensionRef?: unknown } | null;
    if (!f || typeof f !== 'object') return { kind: 'invalid', message: `${at} must be an object` };
    if (f.type === 'ExternalAuth') {
      if (f.extensionRef !== undefined) return { kind: 'invalid', message: `${at}.extensionRef must be nil if the filter.type is not ExtensionRef` };
      const from = origin ? { kind: 'ListenerSet', namespace: origin.namespace } : { kind: 'Gateway', namespace };
      const r = resolveExternalAuth(f.externalAuth, `${at}.externalAuth`, (ref, traffic, fld) => resolveBackend(ref, from, traffic, fld, ctx));
      if (r.kind === 'invalid') return r;
      if (r.kind === 'unresolved') {
        unresolved ??= { reason: r.reason, message: `${r.message}; the listener answers 500 until it resolves` };
        continue;
      }
      clusters.push(r.cluster);
      out.push({ kind: 'ExternalAuth', name: `${prefix}/${i}/ext_authz`, externalAuth: r.externalAuth });
    } else if (f.type === 'ExtensionRef') {
      if (f.externalAuth !== undefined) return { kind: 'invalid', message: `${at}.externalAuth must be nil if the filter.type is not ExternalAuth` };
      const ref = (f.extensionRef ?? {}) as { group?: unknown; kind?: unknown; name?: unknown };
      if (typeof ref.kind !== 'string' || typeof ref.name !== 'string')
        return { kind: 'invalid', message: `${at}.extensionRef must be specified for ExtensionRef filter.type` };
      unresolved ??= {
        reason: RouteReason.InvalidKind,
        message: `${at}.extensionRef: ${typeof ref.group === 'string' && ref.group ? ref.group : 'core'}/${ref.kind} ${ref.name} is not a pre-routing filter kind Switchyard supports (none is yet); the listener answers 500`,
      };
    } else {
      return { kind: 'invalid', message: `${at}.type: ${String(f.type)} is not supported (ExternalAuth, ExtensionRef)` };
    }
  }
  if (unresolved) return { kind: 'unresolved', ...unresolved };
  return { kind: 'resolved', filters: out, clusters };
}

/**
 * Puts the listeners' filters into a fleet: each virtual host whose hostname
 * a listener with filters owns names that listener's filters (or, for a
 * listener whose filters did not resolve, answers 500), and each HTTP filter
 * chain lists the filters of its virtual hosts. `owners`: route table name ->
 * hostname -> the listener the hostname belongs to.
 */
export function placeListenerFilters(
  listeners: readonly ListenerIR[],
  routeConfigs: readonly RouteConfigIR[],
  owners: ReadonlyMap<string, ReadonlyMap<string, ListenerState>>,
  gateway: { readonly namespace: string; readonly name: string },
): { listeners: ListenerIR[]; routeConfigs: RouteConfigIR[] } {
  const chainFilters = new Map<string, PreRoutingFilterIR[]>();
  const outConfigs = routeConfigs.map((rc): RouteConfigIR => {
    const byHost = owners.get(rc.name);
    const filters: PreRoutingFilterIR[] = [];
    const virtualHosts = rc.virtualHosts.map((vh): VirtualHostIR => {
      // Misdirected-request hosts (HTTPS) belong to no listener of this chain.
      const owner = vh.name === vh.hostname ? byHost?.get(vh.hostname) : undefined;
      const pre = owner?.preRouting;
      if (!pre) return vh;
      if (pre.kind === 'unresolved') return { ...vh, routes: [unresolvedRoute(gateway)] };
      for (const f of pre.filters) if (!filters.some((x) => x.name === f.name)) filters.push(f);
      return pre.filters.length > 0 ? { ...vh, preRoutingFilters: pre.filters.map((f) => f.name) } : vh;
    });
    chainFilters.set(rc.name, filters);
    return { ...rc, virtualHosts };
  });
  const outListeners = listeners.map((l): ListenerIR => {
    if (!l.filterChains.some((c) => c.kind === 'http' && (chainFilters.get(c.routeConfigName)?.length ?? 0) > 0)) return l;
    const filterChains = l.filterChains.map((c): FilterChainIR => {
      if (c.kind !== 'http') return c;
      const f = chainFilters.get(c.routeConfigName);
      return f && f.length > 0 ? { ...c, preRoutingFilters: f } : c;
    });
    return { ...l, filterChains };
  });
  return { listeners: outListeners, routeConfigs: outConfigs };
}

/** The one route of a host whose listener's filters did not resolve: filters are never skipped. */
function unresolvedRoute(gateway: { readonly namespace: string; readonly name: string }): HttpRouteIR {
  return {
    source: { kind: 'Gateway', namespace: gateway.namespace, name: gateway.name, rule: 0, ruleName: 'listener-filters-unresolved', match: 0 },
    match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
    action: { kind: 'direct', status: 500 },
  };
}
