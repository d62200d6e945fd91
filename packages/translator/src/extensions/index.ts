// Switchyard's own kinds (switchyard.dev/v1alpha1) in the translator:
// RateLimit through ExtensionRef filters, ProxyConfig's access logs, tracing
// and Prometheus stats. See docs/extensions.md.
export type { LocalRateLimitIR, LocalRateLimitKeyIR, ObservabilityIR, AccessLogIR, TracingIR, PrometheusIR } from './ir.js';
export { resolveExtensionRef, rateLimitSpecProblem, RATE_LIMIT_KIND, type ExtensionRefResult } from './ratelimit.js';
export { applyRateLimit, localRateLimitHttpFilter, localRateLimitPerRoute, rateLimitActions } from './local-ratelimit.js';
export { proxyConfigsOf, effectiveProxyConfigSpec, proxyConfigSpecProblem, observabilityOf, collectorAddress, PROXY_CONFIG_KIND } from './proxyconfig.js';
export { decorateConnectionManager, observabilityResources, accessLog, tracing, tracingCluster, prometheusListener, prometheusAdminCluster, TRACING_CLUSTER, PROMETHEUS_LISTENER, PROMETHEUS_ADMIN_CLUSTER } from './observability.js';
export { withProxyConfig, PROXY_CONFIG_CONDITION } from './fleet.js';
