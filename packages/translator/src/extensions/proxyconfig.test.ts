import { expect } from '@jest/globals';
import { EMPTY_RESOURCES } from '@switchyard/protos';
// ProxyConfig in the translator: which one a Gateway uses, the conditions
// when the reference or the spec is bad (InvalidParameters naming the
// field), and what its access log, tracing and Prometheus settings put into
// the fleet's Envoy resources.
import type { GatewayClass, KubeObject } from '@switchyard/api';
import type { Cluster, Listener } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { explain } from '@switchyard/explain';
import { backend, encodeAll, gateway, gatewayClass, httpListener, httpRoute, run } from '../../test/fixtures.js';
import type { TranslateResult } from '../translate.js';
import { PROMETHEUS_ADMIN_CLUSTER, PROMETHEUS_LISTENER, TRACING_CLUSTER } from '../envoy/observability.js';
import { PROXY_CONFIG_CONDITION } from './fleet.js';
import { proxyConfigObject, xdscheckFleets } from '../../test/extensions.js';

const listeners = [httpListener('http', 80, { allowedRoutes: { namespaces: { from: 'All' } } })];
const withParams = (name: string) => {
  const g = gateway('infra', 'gw', listeners);
  g.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name } };
  return g;
};
const classWithParams = (namespace: string | undefined, name: string): GatewayClass => {
  const c = gatewayClass();
  c.spec!.parametersRef = { group: 'switchyard.dev', kind: 'ProxyConfig', name, ...(namespace ? { namespace } : {}) };
  return c;
};
const app = [
  ...backend('apps', 'web'),
  httpRoute('apps', 'web', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] }),
];

function conditions(r: TranslateResult, kind: string, name: string, ns?: string): Array<{ type: string; status: string; reason: string; message: string }> {
  const s = r.statuses.find((x) => x.kind === kind && x.name === name && (ns === undefined || x.namespace === ns));
  return ((s?.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> }) ?? {}).conditions ?? [];
}
function hcmOf(l: Listener): HttpConnectionManager {
  return l.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
}

describe('ProxyConfig observability in the fleet', () => {
  const pc = proxyConfigObject('infra', 'observed', {
    accessLog: { fields: ['method', 'path', 'response_code'], customFields: { tenant: '%REQ(X-TENANT)%' } },
    tracing: { collector: 'otel-collector.observability.svc:4317', samplingPercent: 25 },
    metrics: { prometheus: {} },
  });
  const r = run([gatewayClass(), withParams('observed'), pc, ...app]);
  const res = r.fleets.get('infra/gw')!;
  const gwListener = res.listeners.find((l) => l.name === 'tcp-80')!;

  it('accepts the Gateway', () => {
    expect(conditions(r, 'Gateway', 'gw').find((c) => c.type === 'Accepted')).toMatchObject({ status: 'True' });
  });

  it('access log: stdout, one JSON object per request with the chosen fields and the custom one', () => {
    expect(hcmOf(gwListener).access_log).toEqual([
      {
        name: 'envoy.access_loggers.stdout',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
          log_format: {
            json_format: {
              fields: {
                method: { stringValue: '%REQ(:METHOD)%' },
                path: { stringValue: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%' },
                response_code: { stringValue: '%RESPONSE_CODE%' },
                tenant: { stringValue: '%REQ(X-TENANT)%' },
              },
            },
          },
        },
      },
    ]);
  });

  it('tracing: OpenTelemetry over the collector cluster, 25% of new traces', () => {
    expect(hcmOf(gwListener).tracing).toEqual({
      random_sampling: { value: 25 },
      provider: {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          grpc_service: { envoy_grpc: { cluster_name: TRACING_CLUSTER, authority: 'otel-collector.observability.svc' }, timeout: { seconds: '1', nanos: 0 } },
          service_name: 'infra/gw',
        },
      },
    });
    const c = res.clusters.find((x) => x.name === TRACING_CLUSTER) as Cluster;
    expect(c).toMatchObject({
      type: 'STRICT_DNS',
      load_assignment: {
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'otel-collector.observability.svc', port_value: 4317 } } } }] }],
      },
    });
    // OTLP/gRPC needs HTTP/2 to the collector.
    expect(JSON.stringify(c.typed_extension_protocol_options)).toContain('http2_protocol_options');
  });

  it('Prometheus: a stats listener on 19002 that serves only GET /stats/prometheus and /metrics from the loopback admin', () => {
    const stats = res.listeners.find((l) => l.name === PROMETHEUS_LISTENER)!;
    expect(stats.address).toEqual({ socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: 19002 } });
    const admin = res.clusters.find((c) => c.name === PROMETHEUS_ADMIN_CLUSTER)!;
    expect(admin.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address).toEqual({
      socket_address: { address: '127.0.0.1', port_value: 19000 },
    });
    const req = (path: string, method = 'GET') => explain(res, { port: 19002, method, scheme: 'http', host: '10.0.0.7:19002', path });
    for (const path of ['/stats/prometheus', '/stats/prometheus?usedonly', '/metrics']) {
      const e = req(path);
      if (e.kind !== 'route' || e.action.kind !== 'clusters') throw new Error(`${path}: ${e.kind}`);
      expect(e.action.backends.map((b) => (b.target.kind === 'backend' ? b.target.cluster : ''))).toEqual([PROMETHEUS_ADMIN_CLUSTER]);
      expect(e.action.backends[0]!.upstream.path).toMatch(/^\/stats\/prometheus/);
    }
    // Nothing else of the admin interface is reachable.
    expect(req('/quitquitquit', 'POST').kind).toBe('no-route');
    expect(req('/config_dump').kind).toBe('no-route');
    expect(req('/stats/prometheus', 'POST').kind).toBe('no-route');
  });

  it('encodes and passes xdscheck', () => {
    expect(() => encodeAll(res)).not.toThrow();
    const c = xdscheckFleets(r);
    expect(c.output).toMatch(/OK\n$/);
  });

  it('text access logs write the operators in order, one line per request', () => {
    const t = run([
      gatewayClass(),
      withParams('t'),
      proxyConfigObject('infra', 't', { accessLog: { format: 'Text', fields: ['start_time', 'method', 'response_code'] } }),
      ...app,
    ]);
    const log = hcmOf(t.fleets.get('infra/gw')!.listeners[0]!).access_log![0]!.typed_config as unknown as { log_format: unknown };
    expect(log.log_format).toEqual({ text_format_source: { inline_string: '%START_TIME% %REQ(:METHOD)% %RESPONSE_CODE%\n' } });
    expect(xdscheckFleets(t).code).toBe(0);
  });

  it('leaves the fleet as without a ProxyConfig when everything is off', () => {
    const off = run([
      gatewayClass(),
      withParams('off'),
      proxyConfigObject('infra', 'off', { accessLog: { enabled: false }, metrics: { prometheus: { enabled: false } } }),
      ...app,
    ]);
    const plain = run([gatewayClass(), gateway('infra', 'gw', listeners), ...app]);
    expect(JSON.stringify(off.fleets.get('infra/gw'))).toBe(JSON.stringify(plain.fleets.get('infra/gw')));
  });

  it('a tracing collector given as an IP address is a STATIC cluster', () => {
    const ip = run([gatewayClass(), withParams('ip'), proxyConfigObject('infra', 'ip', { tracing: { collector: '10.1.2.3:4317' } }), ...app]);
    expect(ip.fleets.get('infra/gw')!.clusters.find((c) => c.name === TRACING_CLUSTER)?.type).toBe('STATIC');
    expect(hcmOf(ip.fleets.get('infra/gw')!.listeners[0]!).tracing?.random_sampling).toEqual({ value: 100 });
  });
});

describe('which ProxyConfig a Gateway uses', () => {
  const logs = (r: TranslateResult) => hcmOf(r.fleets.get('infra/gw')!.listeners[0]!).access_log?.length ?? 0;
  const classPc = proxyConfigObject('switchyard-system', 'class-wide', { accessLog: {} });

  it("the GatewayClass's parametersRef applies to its Gateways", () => {
    const r = run([classWithParams('switchyard-system', 'class-wide'), gateway('infra', 'gw', listeners), classPc, ...app]);
    expect(conditions(r, 'GatewayClass', 'switchyard').find((c) => c.type === 'Accepted')).toMatchObject({ status: 'True' });
    expect(logs(r)).toBe(1);
  });

  it("the Gateway's own infrastructure.parametersRef overrides the class's field by field", () => {
    const cls = proxyConfigObject('switchyard-system', 'class-wide', { accessLog: {}, metrics: { prometheus: {} } });
    const own = proxyConfigObject('infra', 'own', { metrics: { prometheus: { port: 9102 } } });
    const r = run([classWithParams('switchyard-system', 'class-wide'), withParams('own'), cls, own, ...app]);
    // accessLog from the class (the Gateway's sets none) ...
    expect(logs(r)).toBe(1);
    // ... metrics from the Gateway's, replacing the class's whole field.
    expect(r.fleets.get('infra/gw')!.listeners.find((l) => l.name === PROMETHEUS_LISTENER)?.address?.socket_address?.port_value).toBe(9102);
  });

  it('a field the Gateway turns off stays off', () => {
    const own = proxyConfigObject('infra', 'own', { accessLog: { enabled: false } });
    const r = run([classWithParams('switchyard-system', 'class-wide'), withParams('own'), classPc, own, ...app]);
    expect(logs(r)).toBe(0);
  });
});

describe('bad parametersRef and ProxyConfig specs', () => {
  const accepted = (r: TranslateResult, kind: string, name: string) => conditions(r, kind, name).find((c) => c.type === 'Accepted');

  it('Gateway: a missing ProxyConfig is Accepted=False InvalidParameters naming the field; an empty fleet', () => {
    const r = run([gatewayClass(), withParams('missing'), ...app]);
    expect(accepted(r, 'Gateway', 'gw')).toMatchObject({
      status: 'False',
      reason: 'InvalidParameters',
      message: 'spec.infrastructure.parametersRef: ProxyConfig infra/missing not found',
    });
    expect(r.fleets.get('infra/gw')).toEqual(EMPTY_RESOURCES); // an empty fleet: its Envoys initialise and serve nothing
  });

  it('Gateway: a ProxyConfig (from a file) the CRD would refuse names the ProxyConfig field', () => {
    const bad = proxyConfigObject('infra', 'bad', { workload: { kind: 'DaemonSet', autoscaling: { maxReplicas: 4 } } });
    const r = run([gatewayClass(), withParams('bad'), bad, ...app]);
    expect(accepted(r, 'Gateway', 'gw')).toMatchObject({
      status: 'False',
      reason: 'InvalidParameters',
      message: 'spec.infrastructure.parametersRef: ProxyConfig infra/bad: spec.workload.autoscaling requires spec.workload.kind: Deployment',
    });
  });

  it.each([
    [{ tracing: { collector: 'otel' } }, 'spec.tracing.collector must be host:port'],
    [{ accessLog: { fields: ['method', 'cookies'] } }, 'spec.accessLog.fields[1]: cookies is not one of'],
    [{ metrics: { prometheus: { port: 19000 } } }, 'spec.metrics.prometheus.port must be 1024-65535 and not 19000'],
    [{ workload: { kind: 'Deployment', replicas: 2, autoscaling: { maxReplicas: 3 } } }, 'set spec.workload.replicas or spec.workload.autoscaling, not both'],
    [{ logLevel: 'loud' }, 'spec.logLevel must be one of'],
  ])('Gateway: %j -> %s', (spec, message) => {
    const r = run([gatewayClass(), withParams('bad'), proxyConfigObject('infra', 'bad', spec), ...app]);
    expect(accepted(r, 'Gateway', 'gw')?.message).toContain(message);
  });

  it('GatewayClass: a bad ProxyConfig is Accepted=False InvalidParameters naming spec.parametersRef, and its Gateways are not accepted', () => {
    const r = run([
      classWithParams('infra', 'bad'),
      gateway('infra', 'gw', listeners),
      proxyConfigObject('infra', 'bad', { accessLog: { format: 'XML' } }),
      ...app,
    ]);
    expect(accepted(r, 'GatewayClass', 'switchyard')).toMatchObject({
      status: 'False',
      reason: 'InvalidParameters',
      message: 'spec.parametersRef: ProxyConfig infra/bad: spec.accessLog.format must be JSON or Text',
    });
    expect(accepted(r, 'Gateway', 'gw')).toMatchObject({ status: 'False' });
  });

  it('GatewayClass: a parametersRef without a namespace names the field', () => {
    const r = run([classWithParams(undefined, 'x'), gateway('infra', 'gw', listeners)]);
    expect(accepted(r, 'GatewayClass', 'switchyard')).toMatchObject({
      status: 'False',
      reason: 'InvalidParameters',
      message: 'spec.parametersRef: namespace is required for a ProxyConfig',
    });
  });

  it('a Prometheus port a Gateway listener uses: traffic wins, the stats listener is left out and the Gateway says so', () => {
    const l8080 = [...listeners, httpListener('alt', 9102, { allowedRoutes: { namespaces: { from: 'All' } } })];
    const g = gateway('infra', 'gw', l8080);
    g.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'p' } };
    const r = run([gatewayClass(), g, proxyConfigObject('infra', 'p', { metrics: { prometheus: { port: 9102 } }, accessLog: {} }), ...app] as KubeObject[]);
    const res = r.fleets.get('infra/gw')!;
    expect(res.listeners.map((l) => l.name)).toEqual(['tcp-80', 'tcp-9102']);
    expect(res.clusters.some((c) => c.name === PROMETHEUS_ADMIN_CLUSTER)).toBe(false);
    expect(conditions(r, 'Gateway', 'gw').find((c) => c.type === PROXY_CONFIG_CONDITION)).toMatchObject({ status: 'False', reason: 'PortConflict' });
    expect(accepted(r, 'Gateway', 'gw')).toMatchObject({ status: 'True' });
    // The rest of the ProxyConfig still applies.
    expect(hcmOf(res.listeners[0]!).access_log).toHaveLength(1);
  });
});

describe('status of the switchyard.dev objects', () => {
  const status = (r: TranslateResult, kind: string, ns: string, name: string) => {
    const s = r.statuses.find((x) => x.kind === kind && x.namespace === ns && x.name === name);
    return (s?.status as { conditions: Array<{ type: string; status: string; reason: string; message: string; observedGeneration?: number }> } | undefined)
      ?.conditions;
  };

  it('a ProxyConfig says which Gateways and GatewayClasses use it, or that none does', () => {
    const gc = classWithParams('infra', 'shared');
    const r = run([
      gc,
      withParams('own'),
      gateway('infra', 'plain', listeners),
      proxyConfigObject('infra', 'own', {}),
      proxyConfigObject('infra', 'shared', {}),
      proxyConfigObject('infra', 'unused', {}),
    ]);
    expect(status(r, 'ProxyConfig', 'infra', 'own')).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'used by Gateways: infra/gw', observedGeneration: 1 }),
    ]);
    // The class's ProxyConfig gives both Gateways their defaults.
    expect(status(r, 'ProxyConfig', 'infra', 'shared')?.[0]?.message).toBe('GatewayClasses: switchyard; used by Gateways: infra/gw, infra/plain');
    expect(status(r, 'ProxyConfig', 'infra', 'unused')?.[0]?.message).toBe('not referenced by any Gateway or GatewayClass of this controller');
  });

  it('an invalid ProxyConfig says why', () => {
    const r = run([gatewayClass(), proxyConfigObject('infra', 'bad', { tracing: { collector: 'nope' } })]);
    expect(status(r, 'ProxyConfig', 'infra', 'bad')?.[0]).toMatchObject({
      status: 'False',
      reason: 'Invalid',
      message: expect.stringContaining('spec.tracing.collector must be host:port'),
    });
  });

  it('a RateLimit lists the rules that use it', () => {
    const ref = { type: 'ExtensionRef' as const, extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name: 'rl' } };
    const r = run([
      gatewayClass(),
      {
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'RateLimit',
        metadata: { namespace: 'apps', name: 'rl', generation: 2 },
        spec: { requests: 1, unit: 'Second' },
      },
      { apiVersion: 'switchyard.dev/v1alpha1', kind: 'RateLimit', metadata: { namespace: 'apps', name: 'idle' }, spec: { requests: 1, unit: 'Second' } },
      httpRoute('apps', 'web', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [] }, { filters: [ref], backendRefs: [] }] }),
    ]);
    expect(status(r, 'RateLimit', 'apps', 'rl')).toEqual([
      expect.objectContaining({ status: 'True', message: 'used by: HTTPRoute apps/web rule 1', observedGeneration: 2 }),
    ]);
    expect(status(r, 'RateLimit', 'apps', 'idle')?.[0]?.message).toBe('not used by any HTTPRoute or GRPCRoute rule');
  });
});

describe('access logs on TCP routes', () => {
  it('tcp_proxy chains log one line per connection too', () => {
    const g = gateway('infra', 'gw', [{ name: 'db', port: 5432, protocol: 'TCP' }]);
    g.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'logs' } };
    const tcpRoute: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1alpha2',
      kind: 'TCPRoute',
      metadata: { namespace: 'infra', name: 'pg' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'pg', port: 5432 }] }] },
    };
    const r = run([
      gatewayClass(),
      g,
      proxyConfigObject('infra', 'logs', { accessLog: { fields: ['start_time', 'duration_ms', 'bytes_sent', 'upstream_host', 'client_address'] } }),
      ...backend('infra', 'pg', 5432),
      tcpRoute,
    ]);
    const l = r.fleets.get('infra/gw')!.listeners.find((x) => x.name === 'tcp-5432')!;
    const tcp = l.filter_chains![0]!.filters![0]!.typed_config as unknown as { access_log?: Array<{ name: string }> };
    expect(tcp.access_log?.map((a) => a.name)).toEqual(['envoy.access_loggers.stdout']);
    expect(xdscheckFleets(r).code).toBe(0);
  });
});
