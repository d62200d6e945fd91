// explain: what a fleet's Envoy would do with a request, by Envoy's own
// matching rules, traced back to the Gateway API objects that configured it.
export type * from './types.js';
export { explain, connectionOf } from './explain.js';
export { selectListener, selectFilterChain, filterChainName, type ConnectionFacts, type FilterChainChoice } from './filter-chain.js';
export { pickBackend, pickWeighted, weightDistribution, backendKey, type WeightShare } from './weights.js';
export { applyHeaderChanges, headerListValue } from './header-mutation.js';
export { formatExplanation } from './format.js';
export { DEFAULT_ROUTE_TIMEOUT_SECONDS } from './route-action.js';
export { switchyardMetadata, routeSourceOf, backendSourceOf } from './metadata.js';
export { evaluateCors, CORS_FILTER, type CorsOutcome } from './cors.js';
export { evaluateLocalRateLimit, LOCAL_RATE_LIMIT_FILTER } from './local-ratelimit.js';
export * from './tls.js';
export { shouldRetry, type AttemptOutcome } from './retry.js';
export { clusterEndpoints, loadAssignmentOf, isEdsCluster, type ClusterEndpoint } from './endpoints.js';
