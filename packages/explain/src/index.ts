// explain: what a fleet's Envoy would do with a request, by Envoy's own
// matching rules, traced back to the Gateway API objects that configured it.
export type * from './types.js';
export { explain, connectionOf } from './explain.js';
export { selectListener, selectFilterChain, filterChainName, type ConnectionFacts, type FilterChainChoice } from './filter-chain.js';
export { pickBackend, pickWeighted, weightDistribution, backendKey, type WeightShare } from './weights.js';
export { applyHeaderChanges, headerListValue } from './header-mutation.js';
export { formatExplanation } from './format.js';
export { DEFAULT_ROUTE_TIMEOUT_SECONDS } from './route-action.js';
export { routeSourceOf, backendSourceOf } from './metadata.js';
export { evaluateCors, type CorsOutcome } from './cors.js';
export { evaluateLocalRateLimit } from './local-ratelimit.js';
export * from './tls.js';
export { resourcesFromConfigDump, ConfigDumpError, type ConfigDumpResources } from './config-dump.js';
export { notModelledHttpFilters, notModelledRouteFields, MODELLED_HTTP_FILTERS } from './not-modelled.js';
