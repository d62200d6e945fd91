// Switchyard's own kinds, API group switchyard.dev, version v1alpha1. The
// CRDs (charts/switchyard/crds/, rendered into deploy/crds/) hold the
// schema, defaults and CEL rules the API server enforces; these types are
// what the translator and controller read. Objects may also come from files
// (`switchyard translate -f`, `serve --from-dir`) without an API server in
// between, so readers still validate.
import type { KubeObject } from './object.js';

export const SWITCHYARD_GROUP = 'switchyard.dev';
export const SWITCHYARD_VERSION = 'v1alpha1';
export const SWITCHYARD_API_VERSION = `${SWITCHYARD_GROUP}/${SWITCHYARD_VERSION}`;

// ---- ProxyConfig ------------------------------------------------------------

/** How the Envoy pods of a fleet run. */
export type ProxyWorkloadKind = 'DaemonSet' | 'Deployment';
export type ProxyServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';
export type EnvoyLogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'off';

/** HorizontalPodAutoscaler for a Deployment fleet (autoscaling/v2, CPU utilisation). */
export interface ProxyAutoscaling {
  minReplicas?: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage?: number;
}

export interface ProxyWorkload {
  kind?: ProxyWorkloadKind;
  /** Deployment only; ignored when autoscaling is set (the HPA owns the count). */
  replicas?: number;
  autoscaling?: ProxyAutoscaling;
}

export interface ProxyResources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface ProxyService {
  type?: ProxyServiceType;
  annotations?: Record<string, string>;
  externalTrafficPolicy?: 'Cluster' | 'Local';
}

/**
 * Well-known access log fields, each an Envoy command operator. A JSON log
 * writes them under these names; a text log writes them in this order.
 */
export const ACCESS_LOG_FIELDS = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  authority: '%REQ(:AUTHORITY)%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration_ms: '%DURATION%',
  upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  client_address: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  route_name: '%ROUTE_NAME%',
  trace_id: '%TRACE_ID%',
} as const;
export type AccessLogField = keyof typeof ACCESS_LOG_FIELDS;
/** Written when accessLog.fields is not given. */
export const DEFAULT_ACCESS_LOG_FIELDS: readonly AccessLogField[] = [
  'start_time',
  'method',
  'path',
  'protocol',
  'authority',
  'response_code',
  'response_flags',
  'bytes_received',
  'bytes_sent',
  'duration_ms',
  'upstream_host',
  'client_address',
  'user_agent',
  'request_id',
];

export interface ProxyAccessLog {
  /** Default true once accessLog is present. */
  enabled?: boolean;
  /** Default JSON (one object per line). */
  format?: 'JSON' | 'Text';
  /** Well-known fields to write (default DEFAULT_ACCESS_LOG_FIELDS). */
  fields?: AccessLogField[];
  /** Further fields: output name -> Envoy command operator, e.g. {tenant: "%REQ(X-TENANT)%"}. */
  customFields?: Record<string, string>;
  /** Where the log goes; only the container's stdout today. */
  destination?: 'Stdout';
}

export interface ProxyTracing {
  /** host:port of an OpenTelemetry collector's OTLP gRPC endpoint, e.g. otel-collector.observability:4317. */
  collector: string;
  /** Share of requests that start a trace, 0-100 (default 1). Requests carrying a sampled trace context are always traced. */
  samplingPercent?: number;
  /** service.name reported to the collector (default the Gateway's "namespace/name"). */
  serviceName?: string;
}

export interface ProxyMetrics {
  prometheus?: {
    /** Default true once prometheus is present. */
    enabled?: boolean;
    /** Port of the stats listener on every Envoy pod (default 19002). */
    port?: number;
  };
}

export interface ProxyConfigSpec {
  workload?: ProxyWorkload;
  resources?: ProxyResources;
  service?: ProxyService;
  /** The Envoy image (default: the controller's). */
  image?: string;
  logLevel?: EnvoyLogLevel;
  accessLog?: ProxyAccessLog;
  tracing?: ProxyTracing;
  metrics?: ProxyMetrics;
}

export type ProxyConfig = KubeObject<ProxyConfigSpec, unknown>;

/** Default port of the Envoy stats listener (19000 is the admin interface, 19001 readiness). */
export const DEFAULT_PROMETHEUS_PORT = 19002;

// ---- RateLimit --------------------------------------------------------------

export type RateLimitUnit = 'Second' | 'Minute' | 'Hour';

export type RateLimitKey =
  /** One bucket per client IP address (the connection's peer, or X-Forwarded-For's last hop as Envoy sees it). */
  | { type: 'ClientAddress' }
  /** One bucket per value of a request header; requests without the header share one bucket. */
  | { type: 'Header'; header: string };

export interface RateLimitSpec {
  /** Requests allowed per unit (the refill rate). */
  requests: number;
  unit: RateLimitUnit;
  /** Extra requests allowed at once on top of `requests` (bucket size = requests + burst). Default 0. */
  burst?: number;
  /** Without a key, every client of the route shares one bucket per Envoy pod. */
  key?: RateLimitKey;
}

export type RateLimit = KubeObject<RateLimitSpec, unknown>;
