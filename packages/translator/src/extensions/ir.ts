// IR for Switchyard's own kinds (switchyard.dev): what a RateLimit makes of a
// route and what a ProxyConfig makes of a fleet. Plain data, like ir/ir.ts,
// which refers to these from HttpRouteIR.rateLimit and FleetIR.observability.

/** A RateLimit applied to one route rule: one token bucket per key value (per Envoy pod). */
export interface LocalRateLimitIR {
  /** "namespace/name" of the RateLimit (stat prefix, explain). */
  readonly name: string;
  /** Bucket size: requests + burst. */
  readonly maxTokens: number;
  /** Tokens added every fill interval: requests. */
  readonly tokensPerFill: number;
  readonly fillIntervalSeconds: 1 | 60 | 3600;
  readonly key: LocalRateLimitKeyIR;
}

export type LocalRateLimitKeyIR =
  /** All requests of the rule share one bucket. */
  | { readonly type: 'None' }
  | { readonly type: 'ClientAddress' }
  /** Header name, lower case (Envoy matches header names case-insensitively). */
  | { readonly type: 'Header'; readonly header: string };

/** What a fleet reports, from its Gateway's ProxyConfig (tracing: or the XTelemetryPolicy targeting the Gateway). */
export interface ObservabilityIR {
  readonly accessLog?: AccessLogIR;
  readonly tracing?: TracingIR;
  readonly prometheus?: PrometheusIR;
}

export type AccessLogIR =
  /** JSON lines: output name -> Envoy command operator, in this order. */
  | { readonly format: 'JSON'; readonly fields: ReadonlyArray<readonly [string, string]> }
  /** A text line: the operators separated by spaces. */
  | { readonly format: 'Text'; readonly fields: ReadonlyArray<readonly [string, string]> };

/** OpenTelemetry tracing on every HTTP connection manager of the fleet, spans exported over OTLP/gRPC. */
export interface TracingIR {
  readonly collector: TracingCollectorIR;
  /** Share of requests without a sampling decision that start a trace, 0-100. */
  readonly samplingPercent: number;
  /** The OpenTelemetry resource's service.name. */
  readonly serviceName: string;
  /** Span name for every request (each route's decorator operation); absent: Envoy's default. */
  readonly spanName?: string;
  /** Span attributes added to every span, in this order. */
  readonly tags?: readonly TracingTagIR[];
  /** gRPC metadata sent with every export request (names lower case). */
  readonly exportHeaders?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export type TracingCollectorIR =
  /** ProxyConfig spec.tracing.collector: host:port, reached through the fleet's own cluster TRACING_CLUSTER. */
  | { readonly kind: 'address'; readonly host: string; readonly port: number }
  /** XTelemetryPolicy provider.backendRef: a cluster of the fleet (in FleetIR.clusters), and the :authority of export requests. */
  | { readonly kind: 'cluster'; readonly cluster: string; readonly authority: string };

export type TracingTagIR =
  | { readonly tag: string; readonly kind: 'literal'; readonly value: string }
  /** A request header's value (pseudo-headers such as :method included); absent header: no attribute. */
  | { readonly tag: string; readonly kind: 'request-header'; readonly header: string };

export interface PrometheusIR {
  readonly port: number;
}
