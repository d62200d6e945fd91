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

/** What a fleet reports, from its Gateway's ProxyConfig. */
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

export interface TracingIR {
  readonly collector: { readonly host: string; readonly port: number };
  /** 0-100. */
  readonly samplingPercent: number;
  readonly serviceName: string;
}

export interface PrometheusIR {
  readonly port: number;
}
