// @switchyard/explain — the Envoy model: what an Envoy does with a request or
// a connection, computed from its v3 resources by Envoy's documented rules.
// It depends on @switchyard/protos only and knows nothing of Gateway API;
// Switchyard's switchyard.dev metadata, when present, names the objects that
// made a route or cluster. Every stage is a pure function over Envoy
// resources, usable alone (an Envoy stand-in composes them), in the order a
// request meets them:
export type * from './types.js';

// The whole answer: one HTTP request (explain) or one TLS/TCP/UDP connection (explainTlsConnection, in tls.js).
export { explain, connectionOf } from './explain.js';
export { formatExplanation } from './format.js';
export * from './tls.js';

// 1. Listener by port, filter chain by destination port, SNI, transport protocol and ALPN.
export { selectListener, selectFilterChain, filterChainName, listenerPort, type ConnectionFacts, type FilterChainChoice } from './filter-chain.js';
// 2. The HTTP connection manager of a chain, its route table (RDS or inline), Host/path handling before routing.
export {
  httpConnectionManagerOf,
  routeTableOf,
  authorityAfterConnectionManager,
  hostForMatching,
  normalizePathForRouting,
  splitHostPort,
  type RouteTable,
} from './http-connection-manager.js';
export { routerRequest, headerValue, splitPath, queryParameters, type RouterRequest } from './request.js';
// 3. Virtual host by Host; the first route whose match holds (path, headers, query parameters, gRPC).
export { selectVirtualHost, type VirtualHostChoice } from './virtual-host.js';
export { matchRoute, matchHeader, matchQueryParameter, type MatchOutcome, type PathMatch } from './route-match.js';
export { matchString, regexFullMatch, InvalidRegexError } from './string-matcher.js';
// 4. The route's action: clusters and weights, rewrites, redirects, direct responses, timeouts, retries, mirrors.
export { describeAction, routeFilterConfigs, durationSeconds, DEFAULT_ROUTE_TIMEOUT_SECONDS, type RouteContext } from './route-action.js';
export { pickBackend, pickWeighted, weightDistribution, backendKey, type WeightShare } from './weights.js';
export { rewritePath } from './path-rewrite.js';
export { redirectLocation, redirectStatus, type RedirectRequest } from './redirect.js';
// 5. Header mutation at every level, and the HTTP filters the model evaluates.
export { applyHeaderChanges, headerChanges, headerListValue } from './header-mutation.js';
export { evaluateCors, type CorsOutcome } from './cors.js';
export { evaluateLocalRateLimit } from './local-ratelimit.js';
// 6. What a proxy carrying the answer out needs besides: whether to retry an attempt, and the endpoints of a cluster.
export { shouldRetry, type AttemptOutcome } from './retry.js';
export { clusterEndpoints, loadAssignmentOf, isEdsCluster, type ClusterEndpoint } from './endpoints.js';
// What the model does not evaluate, so an answer can say so.
export { httpFilterRuns, notModelledHttpFilters, notModelledRouteFields, notModelledFilterChainFields, MODELLED_HTTP_FILTERS } from './not-modelled.js';

// Sources of resources and names: any Envoy's config dump; Switchyard's metadata.
export { resourcesFromConfigDump, ConfigDumpError, type ConfigDumpResources } from './config-dump.js';
export { routeSourceOf, backendSourceOf } from './metadata.js';
