// Switchyard's own kinds (switchyard.dev/v1alpha1) in the translator:
// RateLimit through ExtensionRef filters, ProxyConfig's access logs, tracing
// and Prometheus stats, as stage 1 reads them. Their Envoy config is
// emitted by envoy/local-ratelimit.ts and envoy/observability.ts. See
// docs/extensions.md.
export type { LocalRateLimitIR, LocalRateLimitKeyIR, ObservabilityIR, AccessLogIR, TracingIR, PrometheusIR } from './ir.js';
export { resolveExtensionRef, rateLimitSpecProblem, RATE_LIMIT_KIND, type ExtensionRefResult } from './ratelimit.js';
export { proxyConfigsOf, effectiveProxyConfigSpec, proxyConfigSpecProblem, observabilityOf, collectorAddress, PROXY_CONFIG_KIND } from './proxyconfig.js';
export { withProxyConfig, PROXY_CONFIG_CONDITION } from './fleet.js';
