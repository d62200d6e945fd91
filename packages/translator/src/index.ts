// The translator's single entry point: a snapshot of Kubernetes objects in,
// per-fleet Envoy resources and Gateway API statuses out. Pure and
// deterministic; it does no I/O and never throws on user input.
export { CONTROLLER_NAME, translate, translateDetailed, type FleetId, type TranslateOptions, type TranslateResult, type TranslateDetail } from './translate.js';
export type { ObjectStatus } from './gatewayapi/status.js';
export { refreshEndpoints } from './endpoints-refresh.js';
export type * as ir from './ir/ir.js';
export { SUPPORTED_FEATURES } from './gatewayapi/features.js';
export { OWN_CONDITION_TYPES } from './gatewayapi/conditions.js';

export {
  PROXY_CONFIG_CONDITION,
  proxyConfigSpecProblem,
  rateLimitSpecProblem,
  observabilityOf,
  proxyConfigsOf,
  effectiveProxyConfigSpec,
} from './extensions/index.js';
export { TRACING_CLUSTER, PROMETHEUS_LISTENER, PROMETHEUS_ADMIN_CLUSTER } from './envoy/observability.js';
export { translateIncremental, type Translation, type PassKind, type IncrementalResult } from './incremental.js';
export type { InputChanges } from './incremental-inputs.js';
