// explain: what one fleet's Envoy would do with one request, computed from
// the resources the fleet receives and Envoy's documented matching rules —
// listener by port, filter chain, HTTP connection manager, route table,
// virtual host by Host, then the first route whose match holds.
import type { EnvoyResources } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { filterChainName, listenerPort, selectFilterChain, selectListener, type ConnectionFacts } from './filter-chain.js';
import {
  authorityAfterConnectionManager,
  hostForMatching,
  httpConnectionManagerOf,
  normalizePathForRouting,
  routeTableOf,
  splitHostPort,
} from './http-connection-manager.js';
import { routeSourceOf } from './metadata.js';
import { routerRequest } from './request.js';
import { matchRoute } from './route-match.js';
import { describeAction, routeFilterConfigs } from './route-action.js';
import { selectVirtualHost } from './virtual-host.js';
import { InvalidRegexError } from './string-matcher.js';
import { evaluateCors } from './cors.js';
import { evaluateLocalRateLimit } from './local-ratelimit.js';
import { httpFilterRuns, notModelledFilterChainFields, notModelledHttpFilters, notModelledRouteFields } from './not-modelled.js';
import type { ExplainRequest, Explanation, ListenerSelection, RouteAction } from './types.js';

/** The connection facts of an HTTP request: plaintext, or TLS with SNI from Host and HTTP ALPN. */
export function connectionOf(req: ExplainRequest): ConnectionFacts {
  if (req.scheme === 'http') return { destinationPort: req.port, transportProtocol: 'raw_buffer' };
  return { destinationPort: req.port, transportProtocol: 'tls', serverName: req.sni ?? splitHostPort(req.host).name, applicationProtocols: ['h2', 'http/1.1'] };
}

/**
 * Upgrades are enabled on the connection manager and may be switched on or
 * off per route; the route's setting for an upgrade type wins.
 */
function withConnectionManagerUpgrades(
  action: RouteAction,
  hcm: HttpConnectionManager,
  routeConfigs: ReadonlyArray<{ upgrade_type?: string; enabled?: { value?: boolean } | null }>,
): RouteAction {
  if (action.kind !== 'clusters') return action;
  const enabled = new Map<string, boolean>();
  for (const u of hcm.upgrade_configs ?? []) enabled.set((u.upgrade_type ?? '').toLowerCase(), u.enabled?.value !== false);
  for (const u of routeConfigs) enabled.set((u.upgrade_type ?? '').toLowerCase(), u.enabled?.value !== false);
  const upgrades = [...enabled].filter(([, on]) => on).map(([t]) => t);
  return { ...action, upgrades };
}

export function explain(resources: EnvoyResources, req: ExplainRequest): Explanation {
  const listener = selectListener(resources, req.port);
  if (!listener) {
    const ports = resources.listeners.map(listenerPort).filter((p): p is number => p !== undefined);
    return { kind: 'no-listener', port: req.port, listeningPorts: [...new Set(ports)].sort((a, b) => a - b) };
  }
  const choice = selectFilterChain(listener, connectionOf(req));
  if (!choice) return { kind: 'no-filter-chain', listener: listener.name ?? '' };
  const selection: ListenerSelection = { listener: listener.name ?? '', filterChain: filterChainName(choice), filterChainIndex: choice.index };

  const hcm = httpConnectionManagerOf(choice.chain);
  if (!hcm) return { kind: 'not-http', selection, filters: (choice.chain.filters ?? []).map((f) => f.name ?? '') };
  const table = routeTableOf(hcm, resources);
  if (table.kind === 'missing') {
    return {
      kind: 'no-route',
      status: 404,
      reason: 'route-configuration-missing',
      selection,
      routeConfiguration: table.name,
      notes: [`RouteConfiguration ${JSON.stringify(table.name)} is not in the fleet's resources`],
    };
  }

  // The connection manager rewrites Host and normalizes :path before routing; everything after sees its result.
  const authority = authorityAfterConnectionManager(req.host, hcm, req.port);
  const raw = routerRequest({ ...req, host: authority });
  const normalized = normalizePathForRouting(raw.pathOnly, hcm);
  const request = normalized === raw.pathOnly ? raw : routerRequest({ ...req, host: authority }, normalized + raw.query);

  const host = hostForMatching(authority, table.config);
  const vh = selectVirtualHost(table.config, host);
  const chainNotModelled = notModelledFilterChainFields(choice.chain.filter_chain_match);
  if (!vh)
    return {
      kind: 'no-route',
      status: 404,
      reason: 'no-virtual-host',
      selection,
      routeConfiguration: table.name,
      notes: [],
      notModelled: [...chainNotModelled, ...notModelledHttpFilters(hcm, [table.config])],
    };

  const notes: string[] = [];
  for (const [index, route] of (vh.virtualHost.routes ?? []).entries()) {
    const outcome = matchRoute(route.match, request, request.pathOnly);
    notes.push(...outcome.notes.map((n) => `route ${index}${route.name ? ` (${route.name})` : ''}: ${n}`));
    if (!outcome.matched) continue;
    const ctx = { resources, table: table.config, virtualHost: vh.virtualHost, route, match: outcome.path, request };
    let action: RouteAction;
    try {
      action = withConnectionManagerUpgrades(describeAction(ctx), hcm, route.route?.upgrade_configs ?? []);
    } catch (e) {
      // Only a rewrite regex RE2 rejects gets here; Envoy would have rejected the route table.
      if (!(e instanceof InvalidRegexError)) throw e;
      notes.push(`route ${index}: ${e.message}; Envoy would reject this route configuration`);
      action = { kind: 'unsupported', action: 'invalid regex_rewrite' };
    }
    // Disabled filters run where the route, virtual host or table enables them (pre-routing listener filters).
    const scopes = [route, vh.virtualHost, table.config];
    const httpFilters = (hcm.http_filters ?? []).filter((f) => httpFilterRuns(f, scopes)).map((f) => f.name ?? '');
    const filterConfigs = routeFilterConfigs(ctx);
    const cors = evaluateCors(httpFilters, filterConfigs, request);
    const rateLimitKeys = (route.route?.rate_limits ?? []).flatMap((rl) =>
      (rl.actions ?? []).map((a) => (a.remote_address ? 'remote_address' : (a.request_headers?.descriptor_key ?? ''))),
    );
    const rateLimit = evaluateLocalRateLimit(httpFilters, filterConfigs, rateLimitKeys);
    return {
      kind: 'route',
      selection,
      routeConfiguration: table.name,
      virtualHost: vh.virtualHost.name ?? '',
      route: { name: route.name ?? '', index, source: routeSourceOf(route.metadata) },
      action,
      httpFilters,
      filterConfigs,
      ...(cors ? { cors } : {}),
      ...(rateLimit ? { rateLimit } : {}),
      notes,
      notModelled: [...chainNotModelled, ...notModelledHttpFilters(hcm, scopes), ...notModelledRouteFields(table.config, vh.virtualHost, route)],
    };
  }
  return {
    kind: 'no-route',
    status: 404,
    reason: 'no-matching-route',
    selection,
    routeConfiguration: table.name,
    virtualHost: vh.virtualHost.name ?? '',
    notes,
    notModelled: [
      ...chainNotModelled,
      ...notModelledHttpFilters(hcm, [vh.virtualHost, table.config]),
      ...notModelledRouteFields(table.config, vh.virtualHost, undefined),
    ],
  };
}
