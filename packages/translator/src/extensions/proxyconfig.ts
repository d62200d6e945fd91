// ProxyConfig (switchyard.dev/v1alpha1): which one a Gateway uses, whether
// its spec is usable, and what it asks of the fleet's Envoy resources
// (access logs, tracing, Prometheus stats). The workload settings (kind,
// replicas, autoscaling, resources, Service, log level) are the controller's
// (packages/controller/src/fleet.ts); the translator only validates them.
//
// Which ProxyConfig: the GatewayClass's spec.parametersRef (with its
// namespace) gives defaults, the Gateway's spec.infrastructure.parametersRef
// (same namespace) overrides them, as the spec recommends. The merge is by
// top-level field: each field the Gateway's ProxyConfig sets (workload,
// service, accessLog, tracing, metrics, ...) replaces the class's whole, so
// no field mixes settings of both and every CRD rule (all within one field)
// still holds for the result.
import {
  ACCESS_LOG_FIELDS,
  DEFAULT_ACCESS_LOG_FIELDS,
  DEFAULT_PROMETHEUS_PORT,
  GATEWAY_GROUP,
  SWITCHYARD_GROUP,
  type AccessLogField,
  type Gateway,
  type GatewayClass,
  type ProxyConfig,
  type ProxyConfigSpec,
  type Snapshot,
} from '@switchyard/api';
import type { AccessLogIR, ObservabilityIR } from './ir.js';

export const PROXY_CONFIG_KIND = 'ProxyConfig';

/** The ProxyConfigs that make up a Gateway's settings: its class's, then its own (either may be absent). */
export function proxyConfigsOf(gw: Gateway, snapshot: Snapshot): ProxyConfig[] {
  const out: ProxyConfig[] = [];
  const cls = gw.spec?.gatewayClassName ? snapshot.get<GatewayClass>(GATEWAY_GROUP, 'GatewayClass', undefined, gw.spec.gatewayClassName) : undefined;
  const ref = cls?.spec?.parametersRef;
  if (ref && ref.group === SWITCHYARD_GROUP && ref.kind === PROXY_CONFIG_KIND && ref.namespace) {
    const pc = snapshot.get<ProxyConfig>(SWITCHYARD_GROUP, PROXY_CONFIG_KIND, ref.namespace, ref.name);
    if (pc) out.push(pc);
  }
  const own = gw.spec?.infrastructure?.parametersRef;
  if (own && own.group === SWITCHYARD_GROUP && own.kind === PROXY_CONFIG_KIND) {
    const pc = snapshot.get<ProxyConfig>(SWITCHYARD_GROUP, PROXY_CONFIG_KIND, gw.metadata.namespace ?? '', own.name);
    if (pc) out.push(pc);
  }
  return out;
}

/** The settings a Gateway's fleet gets: the class's ProxyConfig overridden field by field by the Gateway's (see the file comment). */
export function effectiveProxyConfigSpec(gw: Gateway, snapshot: Snapshot): ProxyConfigSpec | undefined {
  const sources = proxyConfigsOf(gw, snapshot);
  if (sources.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const pc of sources) {
    if (!obj(pc.spec)) continue;
    for (const [k, v] of Object.entries(pc.spec)) if (v !== undefined) out[k] = v;
  }
  return out;
}

const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off']);
const COLLECTOR = /^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):([0-9]{1,5})$/;
const CUSTOM_FIELD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type Raw = Record<string, unknown>;
const obj = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v);
const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * What the CRD's schema and CEL rules refuse, checked again because objects
 * may come from files (`switchyard translate -f`, `serve --from-dir`) that no
 * API server has seen. Returns the first problem, naming the field.
 */
export function proxyConfigSpecProblem(spec: unknown): string | undefined {
  if (spec === undefined) return undefined;
  if (!obj(spec)) return 'spec must be an object';
  const s = spec;
  if (s.workload !== undefined) {
    if (!obj(s.workload)) return 'spec.workload must be an object';
    const w = s.workload;
    if (w.kind !== undefined && w.kind !== 'DaemonSet' && w.kind !== 'Deployment') return 'spec.workload.kind must be DaemonSet or Deployment';
    const deployment = w.kind === 'Deployment';
    if (w.replicas !== undefined) {
      if (!int(w.replicas, 0, 1000)) return 'spec.workload.replicas must be an integer 0-1000';
      if (!deployment) return 'spec.workload.replicas requires spec.workload.kind: Deployment';
    }
    if (w.autoscaling !== undefined) {
      if (!deployment) return 'spec.workload.autoscaling requires spec.workload.kind: Deployment';
      if (w.replicas !== undefined) return 'set spec.workload.replicas or spec.workload.autoscaling, not both';
      if (!obj(w.autoscaling)) return 'spec.workload.autoscaling must be an object';
      const a = w.autoscaling;
      if (!int(a.maxReplicas, 1, 1000)) return 'spec.workload.autoscaling.maxReplicas must be an integer 1-1000';
      if (a.minReplicas !== undefined && !int(a.minReplicas, 1, 1000)) return 'spec.workload.autoscaling.minReplicas must be an integer 1-1000';
      if (((a.minReplicas as number | undefined) ?? 1) > (a.maxReplicas as number)) return 'spec.workload.autoscaling.minReplicas must not exceed maxReplicas';
      if (a.targetCPUUtilizationPercentage !== undefined && !int(a.targetCPUUtilizationPercentage, 1, 100))
        return 'spec.workload.autoscaling.targetCPUUtilizationPercentage must be an integer 1-100';
    }
  }
  if (s.service !== undefined) {
    if (!obj(s.service)) return 'spec.service must be an object';
    const t = s.service.type;
    if (t !== undefined && t !== 'LoadBalancer' && t !== 'NodePort' && t !== 'ClusterIP')
      return 'spec.service.type must be LoadBalancer, NodePort or ClusterIP';
    if (s.service.annotations !== undefined && (!obj(s.service.annotations) || !Object.values(s.service.annotations).every((v) => typeof v === 'string')))
      return 'spec.service.annotations must map names to strings';
  }
  if (s.logLevel !== undefined && !LOG_LEVELS.has(s.logLevel as string)) return `spec.logLevel must be one of ${[...LOG_LEVELS].join(', ')}`;
  if (s.accessLog !== undefined) {
    if (!obj(s.accessLog)) return 'spec.accessLog must be an object';
    const a = s.accessLog;
    if (a.format !== undefined && a.format !== 'JSON' && a.format !== 'Text') return 'spec.accessLog.format must be JSON or Text';
    if (a.fields !== undefined) {
      if (!Array.isArray(a.fields)) return 'spec.accessLog.fields must be a list';
      const bad = a.fields.findIndex((f) => typeof f !== 'string' || !(f in ACCESS_LOG_FIELDS));
      if (bad >= 0) return `spec.accessLog.fields[${bad}]: ${String(a.fields[bad])} is not one of ${Object.keys(ACCESS_LOG_FIELDS).join(', ')}`;
    }
    if (a.customFields !== undefined) {
      if (!obj(a.customFields)) return 'spec.accessLog.customFields must map names to Envoy command operators';
      for (const [k, v] of Object.entries(a.customFields)) {
        if (!CUSTOM_FIELD.test(k)) return `spec.accessLog.customFields: ${k} is not a valid field name`;
        if (typeof v !== 'string' || v.length === 0 || v.length > 256) return `spec.accessLog.customFields.${k} must be a non-empty string`;
      }
    }
    if (a.destination !== undefined && a.destination !== 'Stdout') return 'spec.accessLog.destination must be Stdout';
  }
  if (s.tracing !== undefined) {
    if (!obj(s.tracing)) return 'spec.tracing must be an object';
    const t = s.tracing;
    if (typeof t.collector !== 'string' || !collectorAddress(t.collector))
      return 'spec.tracing.collector must be host:port (a DNS name or IPv4 address and a port 1-65535)';
    if (t.samplingPercent !== undefined && !(typeof t.samplingPercent === 'number' && t.samplingPercent >= 0 && t.samplingPercent <= 100))
      return 'spec.tracing.samplingPercent must be a number 0-100';
    if (t.serviceName !== undefined && (typeof t.serviceName !== 'string' || t.serviceName.length === 0))
      return 'spec.tracing.serviceName must be a non-empty string';
  }
  if (s.metrics !== undefined) {
    if (!obj(s.metrics)) return 'spec.metrics must be an object';
    const p = s.metrics.prometheus;
    if (p !== undefined) {
      if (!obj(p)) return 'spec.metrics.prometheus must be an object';
      if (p.port !== undefined && (!int(p.port, 1024, 65535) || p.port === 19000 || p.port === 19001))
        return 'spec.metrics.prometheus.port must be 1024-65535 and not 19000 (Envoy admin) or 19001 (readiness)';
    }
  }
  return undefined;
}

export function collectorAddress(s: string): { host: string; port: number } | undefined {
  const m = COLLECTOR.exec(s);
  if (!m) return undefined;
  const port = Number(m[3]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

/** What the fleet's Envoy resources must carry for these settings (undefined: nothing). Assumes a spec without problems. */
export function observabilityOf(spec: ProxyConfigSpec | undefined, fleet: string): ObservabilityIR | undefined {
  const s: ProxyConfigSpec = spec ?? {};
  const out: { accessLog?: AccessLogIR; tracing?: ObservabilityIR['tracing']; prometheus?: ObservabilityIR['prometheus'] } = {};
  if (s.accessLog && s.accessLog.enabled !== false) {
    const names: readonly AccessLogField[] = s.accessLog.fields ?? DEFAULT_ACCESS_LOG_FIELDS;
    const fields: Array<readonly [string, string]> = names.map((n) => [n, ACCESS_LOG_FIELDS[n]] as const);
    // Custom fields after the well-known ones, sorted: map order is not part of the object.
    for (const k of Object.keys(s.accessLog.customFields ?? {}).sort()) {
      const i = fields.findIndex(([n]) => n === k);
      const entry = [k, s.accessLog.customFields![k]!] as const;
      if (i >= 0) fields[i] = entry;
      else fields.push(entry);
    }
    out.accessLog = { format: s.accessLog.format ?? 'JSON', fields };
  }
  if (s.tracing) {
    const collector = collectorAddress(s.tracing.collector);
    if (collector)
      out.tracing = {
        collector: { kind: 'address', ...collector },
        samplingPercent: s.tracing.samplingPercent ?? 100,
        serviceName: s.tracing.serviceName ?? fleet,
      };
  }
  if (s.metrics?.prometheus && s.metrics.prometheus.enabled !== false) out.prometheus = { port: s.metrics.prometheus.port ?? DEFAULT_PROMETHEUS_PORT };
  return Object.keys(out).length > 0 ? out : undefined;
}
