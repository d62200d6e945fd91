// What a ProxyConfig adds to a fleet's Envoy resources:
// - access logs: every HTTP connection manager writes one line per request to
//   stdout (envoy.access_loggers.stdout), JSON or text, with the chosen fields;
// - tracing: every HTTP connection manager samples requests into OpenTelemetry
//   spans sent over OTLP/gRPC to the collector: a ProxyConfig's host:port
//   through the cluster TRACING_CLUSTER (HTTP/2, DNS-resolved unless the
//   collector is an IP), or an XTelemetryPolicy's backendRef through that
//   Service's cluster of the fleet. Custom span attributes are the tracing's
//   custom_tags; a span name is each route's decorator operation (Envoy has
//   no connection-manager-wide span name);
// - Prometheus: a listener on the stats port whose only routes forward
//   GET /stats/prometheus (and GET /metrics, rewritten to it) to Envoy's
//   loopback-only admin interface through PROMETHEUS_ADMIN_CLUSTER. The admin
//   port itself stays on 127.0.0.1, so nothing else of the admin API is
//   reachable from outside the pod.
import type { Cluster, Listener } from '@switchyard/protos';
import type { AccessLog } from '@switchyard/protos/generated/envoy/config/accesslog/v3/AccessLog.js';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { StdoutAccessLog } from '@switchyard/protos/generated/envoy/extensions/access_loggers/stream/v3/StdoutAccessLog.js';
import type { OpenTelemetryConfig } from '@switchyard/protos/generated/envoy/config/trace/v3/OpenTelemetryConfig.js';
import type { HttpProtocolOptions } from '@switchyard/protos/generated/envoy/extensions/upstreams/http/v3/HttpProtocolOptions.js';
import type { CustomTag } from '@switchyard/protos/generated/envoy/type/tracing/v3/CustomTag.js';
import type { RouteConfiguration } from '@switchyard/protos';
import type { AccessLogIR, ObservabilityIR, PrometheusIR, TracingIR, TracingTagIR } from '../extensions/ir.js';
import { HCM_TYPE, ROUTER_TYPE } from '@switchyard/protos';

export const TRACING_CLUSTER = 'switchyard_tracing';
export const PROMETHEUS_LISTENER = 'switchyard_prometheus';
export const PROMETHEUS_ADMIN_CLUSTER = 'switchyard_prometheus_admin';
/** Envoy's admin interface, loopback only, as both bootstraps in envoy/ define it. */
export const ENVOY_ADMIN_PORT = 19000;

const STDOUT_ACCESS_LOG_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';
const OPENTELEMETRY_TYPE = 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig';
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export function accessLog(a: AccessLogIR): AccessLog {
  const config: StdoutAccessLog & { '@type': string } = {
    '@type': STDOUT_ACCESS_LOG_TYPE,
    log_format:
      a.format === 'JSON'
        ? { json_format: { fields: Object.fromEntries(a.fields.map(([name, op]) => [name, { stringValue: op }])) } }
        : { text_format_source: { inline_string: `${a.fields.map(([, op]) => op).join(' ')}\n` } },
  };
  return { name: 'envoy.access_loggers.stdout', typed_config: config };
}

export function tracing(t: TracingIR): NonNullable<HttpConnectionManager['tracing']> {
  const c = t.collector;
  const target = c.kind === 'address' ? { cluster_name: TRACING_CLUSTER, authority: c.host } : { cluster_name: c.cluster, authority: c.authority };
  const otel: OpenTelemetryConfig & { '@type': string } = {
    '@type': OPENTELEMETRY_TYPE,
    grpc_service: {
      envoy_grpc: target,
      timeout: { seconds: '1', nanos: 0 },
      ...(t.exportHeaders?.length ? { initial_metadata: t.exportHeaders.map((h) => ({ key: h.name, value: h.value })) } : {}),
    },
    service_name: t.serviceName,
  };
  return {
    // random_sampling applies to requests without a sampling decision; a
    // request whose trace context says "sampled" is traced regardless.
    random_sampling: { value: t.samplingPercent },
    provider: { name: 'envoy.tracers.opentelemetry', typed_config: otel },
    ...(t.tags?.length ? { custom_tags: t.tags.map(customTag) } : {}),
  };
}

function customTag(t: TracingTagIR): CustomTag {
  return t.kind === 'literal' ? { tag: t.tag, literal: { value: t.value } } : { tag: t.tag, request_header: { name: t.header } };
}

/** Adds access logs and tracing to an HTTP connection manager of the fleet. */
export function decorateConnectionManager(hcm: HttpConnectionManager, o: ObservabilityIR | undefined): void {
  if (o?.accessLog) hcm.access_log = [...(hcm.access_log ?? []), accessLog(o.accessLog)];
  if (o?.tracing) hcm.tracing = tracing(o.tracing);
}

/** A tracing span name: every route's decorator operation (the span name Envoy reports for requests it matches). */
export function decorateRouteConfiguration(rc: RouteConfiguration, o: ObservabilityIR | undefined): RouteConfiguration {
  const operation = o?.tracing?.spanName;
  if (!operation) return rc;
  return {
    ...rc,
    virtual_hosts: (rc.virtual_hosts ?? []).map((vh) => ({ ...vh, routes: (vh.routes ?? []).map((r) => ({ ...r, decorator: { operation } })) })),
  };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The cluster of a ProxyConfig's collector address. */
export function tracingCluster(collector: { host: string; port: number }): Cluster {
  const options: HttpProtocolOptions & { '@type': string } = {
    '@type': `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`,
    explicit_http_config: { http2_protocol_options: {} },
  };
  const ip = IPV4.test(collector.host);
  return {
    name: TRACING_CLUSTER,
    type: ip ? 'STATIC' : 'STRICT_DNS',
    ...(ip ? {} : { dns_lookup_family: 'V4_PREFERRED' as const }),
    connect_timeout: { seconds: '5', nanos: 0 },
    load_assignment: {
      cluster_name: TRACING_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: collector.host, port_value: collector.port } } } }] }],
    },
    typed_extension_protocol_options: { [HTTP_PROTOCOL_OPTIONS]: options },
  };
}

export function prometheusAdminCluster(): Cluster {
  return {
    name: PROMETHEUS_ADMIN_CLUSTER,
    type: 'STATIC',
    connect_timeout: { seconds: '1', nanos: 0 },
    load_assignment: {
      cluster_name: PROMETHEUS_ADMIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: ENVOY_ADMIN_PORT } } } }] }],
    },
  };
}

export function prometheusListener(p: PrometheusIR): Listener {
  const get = [{ name: ':method', string_match: { exact: 'GET' } }];
  const hcm: HttpConnectionManager & { '@type': string } = {
    '@type': HCM_TYPE,
    stat_prefix: PROMETHEUS_LISTENER,
    codec_type: 'AUTO',
    route_config: {
      name: PROMETHEUS_LISTENER,
      virtual_hosts: [
        {
          name: 'prometheus',
          domains: ['*'],
          routes: [
            { name: 'stats', match: { path: '/stats/prometheus', headers: get }, route: { cluster: PROMETHEUS_ADMIN_CLUSTER } },
            { name: 'metrics', match: { path: '/metrics', headers: get }, route: { cluster: PROMETHEUS_ADMIN_CLUSTER, prefix_rewrite: '/stats/prometheus' } },
          ],
        },
      ],
    },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
  };
  return {
    name: PROMETHEUS_LISTENER,
    address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: p.port } },
    filter_chains: [{ name: PROMETHEUS_LISTENER, filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] }],
  };
}

/** Listeners and clusters the fleet gets beside its Gateway's own. */
export function observabilityResources(o: ObservabilityIR | undefined): { listeners: Listener[]; clusters: Cluster[] } {
  const listeners: Listener[] = [];
  const clusters: Cluster[] = [];
  if (o?.prometheus) {
    listeners.push(prometheusListener(o.prometheus));
    clusters.push(prometheusAdminCluster());
  }
  // A backendRef collector's cluster is one of the fleet's own (FleetIR.clusters).
  if (o?.tracing?.collector.kind === 'address') clusters.push(tracingCluster(o.tracing.collector));
  return { listeners, clusters };
}
