// XTelemetryPolicy in the translator: what Envoy receives for the Gateways a
// policy targets (OpenTelemetry tracing on every HTTP connection manager,
// the collector Service's cluster, span names and attributes), the rule
// between it and a ProxyConfig's tracing, and every status: GEP-713
// ancestors with Accepted (Conflicted, Invalid, TargetNotFound) and
// ResolvedRefs, the Gateway's and the ProxyConfig's.
import type { Cluster, Listener } from '@switchyard/protos';
import { snapshotOf, type Condition, type PolicyAncestorStatus, type TelemetryPolicySpec, type XTelemetryPolicy } from '@switchyard/api';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { backend, encodeAll, gateway, gatewayClass, httpListener, httpRoute, referenceGrant, run } from '../../test/fixtures.js';
import { proxyConfigObject, xdscheckFleets } from '../../test/extensions.js';
import { TRACING_CLUSTER } from '../envoy/observability.js';
import { PROXY_CONFIG_CONDITION } from '../extensions/fleet.js';
import { CONTROLLER_NAME, translateDetailed, type TranslateResult } from '../translate.js';
import { refreshEndpoints } from '../endpoints-refresh.js';

const X = 'gateway.networking.x-k8s.io';
const listeners = [httpListener('http', 80, { allowedRoutes: { namespaces: { from: 'All' } } })];
const app = [
  ...backend('apps', 'web'),
  httpRoute('apps', 'web', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] }),
];
const collector = backend('infra', 'otel-collector', 4317, ['10.9.0.1']);
const target = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' };
const enabled = { mode: 'Enabled' as const, provider: { backendRef: { name: 'otel-collector', port: 4317 } } };

function policy(name: string, spec: TelemetryPolicySpec | Record<string, unknown>, created = '2026-01-01T00:00:00Z', namespace = 'infra'): XTelemetryPolicy {
  return {
    apiVersion: `${X}/v1alpha1`,
    kind: 'XTelemetryPolicy',
    metadata: { namespace, name, generation: 2, creationTimestamp: created },
    spec: spec as TelemetryPolicySpec,
  };
}
const gwWithParams = (pc: string) => {
  const g = gateway('infra', 'gw', listeners);
  g.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: pc } };
  return g;
};
function ancestors(r: TranslateResult, name: string, ns = 'infra'): PolicyAncestorStatus[] {
  const s = r.statuses.find((x) => x.kind === 'XTelemetryPolicy' && x.namespace === ns && x.name === name);
  return (s?.status as { ancestors: PolicyAncestorStatus[] } | undefined)?.ancestors ?? [];
}
/** A string matcher typed as the string it stands for. */
const containing = (part: string): string => expect.stringContaining(part) as string;
const cond = (a: PolicyAncestorStatus | undefined, type: string): Condition | undefined => a?.conditions?.find((c) => c.type === type);
const objectConditions = (r: TranslateResult, kind: string, name: string) =>
  ((r.statuses.find((x) => x.kind === kind && x.name === name)?.status as { conditions?: Condition[] }) ?? {}).conditions ?? [];
const hcmOf = (l: Listener) => l.filter_chains![0]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
const tracingOf = (r: TranslateResult) => hcmOf(r.fleets.get('infra/gw')!.listeners.find((l) => l.name === 'tcp-80')!).tracing;

describe('XTelemetryPolicy: what Envoy receives', () => {
  const p = policy('traces', {
    targetRefs: [target],
    tracing: {
      ...enabled,
      provider: { ...enabled.provider, headers: [{ name: 'Authorization', value: 'Bearer abc' }] },
      samplingRate: { numerator: 5, denominator: 1000 },
      parentBasedSampling: { mode: 'Enabled' },
      serviceName: 'shop-edge',
      spanName: 'shop ingress',
      attributes: [
        { name: 'env', sourceType: 'Literal', literalValue: 'prod' },
        { name: 'tenant', sourceType: 'Header', headerName: 'X-Tenant' },
        { name: 'http.request.method', sourceType: 'Attribute', attributeKey: 'http.request.method' },
        { name: 'request.id', sourceType: 'Attribute', attributeKey: 'http.request.header.x-request-id' },
      ],
    },
  });
  const r = run([gatewayClass(), gateway('infra', 'gw', listeners), p, ...collector, ...app]);
  const res = r.fleets.get('infra/gw')!;

  it('every HTTP connection manager gets OpenTelemetry tracing to the collector Service, with sampling, service name, attributes and export headers', () => {
    expect(tracingOf(r)).toEqual({
      random_sampling: { value: 0.5 },
      provider: {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          grpc_service: {
            envoy_grpc: { cluster_name: 'infra/otel-collector:4317/h2c', authority: 'otel-collector.infra.svc' },
            timeout: { seconds: '1', nanos: 0 },
            initial_metadata: [{ key: 'authorization', value: 'Bearer abc' }],
          },
          service_name: 'shop-edge',
        },
      },
      custom_tags: [
        { tag: 'env', literal: { value: 'prod' } },
        { tag: 'tenant', request_header: { name: 'x-tenant' } },
        { tag: 'http.request.method', request_header: { name: ':method' } },
        { tag: 'request.id', request_header: { name: 'x-request-id' } },
      ],
    });
  });

  it("the collector is the Service's cluster: EDS endpoints, HTTP/2 (OTLP/gRPC), no ProxyConfig tracing cluster", () => {
    const c = res.clusters.find((x) => x.name === 'infra/otel-collector:4317/h2c') as Cluster;
    expect(c).toMatchObject({ type: 'EDS' });
    expect(JSON.stringify(c.typed_extension_protocol_options)).toContain('http2_protocol_options');
    const cla = res.endpoints.find((e) => e.cluster_name === c.name);
    expect(cla?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address).toEqual({ socket_address: { address: '10.9.0.1', port_value: 5317, protocol: 'TCP' } });
    expect(res.clusters.some((x) => x.name === TRACING_CLUSTER)).toBe(false);
    // Clusters stay sorted by name (determinism).
    const names = res.clusters.map((x) => x.name!);
    expect(names).toEqual([...names].sort());
  });

  it('spanName is the decorator operation of every route', () => {
    const routes = res.routes.flatMap((rc) => rc.virtual_hosts!.flatMap((vh) => vh.routes!));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route.decorator).toEqual({ operation: 'shop ingress' });
  });

  it('status: one ancestor, the Gateway, Accepted and ResolvedRefs', () => {
    expect(ancestors(r, 'traces')).toEqual([
      {
        ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'gw' },
        controllerName: CONTROLLER_NAME,
        conditions: [
          expect.objectContaining({ type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 2 }),
          expect.objectContaining({ type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' }),
        ],
      },
    ]);
  });

  it('encodes and passes xdscheck', () => {
    expect(() => encodeAll(res)).not.toThrow();
    expect(xdscheckFleets(r).output).toMatch(/OK\n$/);
  });

  it('defaults: 100% sampling, service name the Gateway namespace/name, no span name, tags or metadata', () => {
    const d = run([gatewayClass(), gateway('infra', 'gw', listeners), policy('d', { targetRefs: [target], tracing: enabled }), ...collector, ...app]);
    const t = tracingOf(d)!;
    expect(t.random_sampling).toEqual({ value: 100 });
    expect(t.custom_tags).toBeUndefined();
    expect(JSON.stringify(t.provider)).toContain('"service_name":"infra/gw"');
    expect(JSON.stringify(t.provider)).not.toContain('initial_metadata');
    expect(JSON.stringify(d.fleets.get('infra/gw')!.routes)).not.toContain('decorator');
  });

  it("the collector's endpoints follow its EndpointSlices on the endpoints-only path, as a full translation gives them", () => {
    const objects = [gatewayClass(), gateway('infra', 'gw', listeners), p, ...app];
    const before = translateDetailed(snapshotOf([...objects, ...collector]));
    const after = snapshotOf([...objects, ...backend('infra', 'otel-collector', 4317, ['10.9.0.2', '10.9.0.3'])]);
    const refreshed = refreshEndpoints(before, after);
    expect(refreshed).toBeDefined();
    expect(JSON.stringify([...refreshed!.fleets])).toBe(JSON.stringify([...translateDetailed(after).fleets]));
    const cla = refreshed!.fleets.get('infra/gw')!.endpoints.find((e) => e.cluster_name === 'infra/otel-collector:4317/h2c');
    expect(cla?.endpoints?.[0]?.lb_endpoints).toHaveLength(2);
  });

  it('a BackendTLSPolicy on the collector Service gives the export connection TLS, and names the Gateway as its ancestor', () => {
    const btls = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { namespace: 'infra', name: 'collector-tls' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'otel-collector' }],
        validation: { hostname: 'otel.example.com', wellKnownCACertificates: 'System' },
      },
    };
    const t = run([gatewayClass(), gateway('infra', 'gw', listeners), p, btls, ...collector, ...app]);
    const c = t.fleets.get('infra/gw')!.clusters.find((x) => x.name === 'infra/otel-collector:4317/h2c')!;
    expect(JSON.stringify(c.transport_socket)).toContain('"sni":"otel.example.com"');
    const s = t.statuses.find((x) => x.kind === 'BackendTLSPolicy')?.status as { ancestors: PolicyAncestorStatus[] };
    expect(s.ancestors.map((a) => a.ancestorRef.name)).toEqual(['gw']);
    expect(xdscheckFleets(t).code).toBe(0);
  });

  it('a Gateway the policy does not target has no tracing', () => {
    const other = { ...gateway('infra', 'other', [httpListener('http', 80)]) };
    const o = run([gatewayClass(), gateway('infra', 'gw', listeners), other, policy('d', { targetRefs: [target], tracing: enabled }), ...collector]);
    expect(hcmOf(o.fleets.get('infra/other')!.listeners[0]!).tracing).toBeUndefined();
  });
});

describe('XTelemetryPolicy and ProxyConfig tracing: the policy wins', () => {
  const pc = proxyConfigObject('infra', 'pc', { tracing: { collector: 'otel.legacy:4317' }, accessLog: {} });
  const base = [gatewayClass(), gwWithParams('pc'), pc, ...collector, ...app];

  it('Enabled: spans go to the policy collector; the ProxyConfig access log still applies; both statuses say so', () => {
    const r = run([...base, policy('traces', { targetRefs: [target], tracing: enabled })]);
    expect(
      (tracingOf(r)!.provider!.typed_config as unknown as { grpc_service: { envoy_grpc: { cluster_name: string } } }).grpc_service.envoy_grpc.cluster_name,
    ).toBe('infra/otel-collector:4317/h2c');
    const res = r.fleets.get('infra/gw')!;
    expect(res.clusters.some((c) => c.name === TRACING_CLUSTER)).toBe(false);
    expect(hcmOf(res.listeners[0]!).access_log).toHaveLength(1);
    expect(objectConditions(r, 'Gateway', 'gw').find((c) => c.type === PROXY_CONFIG_CONDITION)).toMatchObject({
      status: 'False',
      reason: 'Overridden',
      message: 'ProxyConfig infra/pc: spec.tracing is not applied: XTelemetryPolicy infra/traces targets this Gateway and takes precedence',
    });
    expect(objectConditions(r, 'ProxyConfig', 'pc')[0]).toMatchObject({
      status: 'True',
      message:
        'used by Gateways: infra/gw; spec.tracing not applied to Gateways: infra/gw (an XTelemetryPolicy targeting a Gateway takes precedence: infra/traces)',
    });
    expect(cond(ancestors(r, 'traces')[0], 'Accepted')?.message).toBe('Policy accepted: tracing on; overrides the spec.tracing of ProxyConfig infra/pc');
    expect(xdscheckFleets(r).code).toBe(0);
  });

  it('Disabled: no tracing at all on the Gateway', () => {
    const r = run([...base, policy('off', { targetRefs: [target], tracing: { mode: 'Disabled' } })]);
    expect(tracingOf(r)).toBeUndefined();
    expect(r.fleets.get('infra/gw')!.clusters.some((c) => c.name === TRACING_CLUSTER)).toBe(false);
    expect(cond(ancestors(r, 'off')[0], 'Accepted')).toMatchObject({ status: 'True', message: containing('tracing off') });
    expect(objectConditions(r, 'Gateway', 'gw').find((c) => c.type === PROXY_CONFIG_CONDITION)?.reason).toBe('Overridden');
  });

  it('ImplementationDefault leaves tracing to the ProxyConfig: nothing is overridden', () => {
    const r = run([...base, policy('default', { targetRefs: [target], tracing: {} })]);
    expect(
      (tracingOf(r)!.provider!.typed_config as unknown as { grpc_service: { envoy_grpc: { cluster_name: string } } }).grpc_service.envoy_grpc.cluster_name,
    ).toBe(TRACING_CLUSTER);
    expect(objectConditions(r, 'Gateway', 'gw').some((c) => c.type === PROXY_CONFIG_CONDITION)).toBe(false);
    expect(objectConditions(r, 'ProxyConfig', 'pc')[0]?.message).toBe('used by Gateways: infra/gw');
    expect(cond(ancestors(r, 'default')[0], 'Accepted')).toMatchObject({ status: 'True', message: containing('ImplementationDefault') });
  });

  it('a policy that is not accepted changes nothing: the ProxyConfig tracing applies', () => {
    const r = run([...base, policy('bad', { targetRefs: [target], tracing: { ...enabled, parentBasedSampling: { mode: 'Disabled' } } })]);
    expect(JSON.stringify(tracingOf(r))).toContain(TRACING_CLUSTER);
    expect(objectConditions(r, 'Gateway', 'gw').some((c) => c.type === PROXY_CONFIG_CONDITION)).toBe(false);
  });

  it("a Prometheus port conflict and an override share the Gateway's one ProxyConfigApplied condition", () => {
    const g = gateway('infra', 'gw', [...listeners, httpListener('alt', 9102)]);
    g.spec!.infrastructure = { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'both' } };
    const both = proxyConfigObject('infra', 'both', { tracing: { collector: 'otel.legacy:4317' }, metrics: { prometheus: { port: 9102 } } });
    const r = run([gatewayClass(), g, both, ...collector, policy('off', { targetRefs: [target], tracing: { mode: 'Disabled' } })]);
    const c = objectConditions(r, 'Gateway', 'gw').filter((x) => x.type === PROXY_CONFIG_CONDITION);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ reason: 'PortConflict', message: containing('spec.tracing is not applied: XTelemetryPolicy infra/off') });
  });
});

describe('XTelemetryPolicy statuses', () => {
  const gws = [gatewayClass(), gateway('infra', 'gw', listeners), ...collector];

  it('two policies on one Gateway: the older applies, the other is Conflicted; ties go by namespace/name', () => {
    const r = run([
      ...gws,
      policy('newer', { targetRefs: [target], tracing: { mode: 'Disabled' } }, '2026-03-01T00:00:00Z'),
      policy('older', { targetRefs: [target], tracing: enabled }, '2026-02-01T00:00:00Z'),
    ]);
    expect(cond(ancestors(r, 'older')[0], 'Accepted')).toMatchObject({ status: 'True' });
    expect(cond(ancestors(r, 'newer')[0], 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'Conflicted',
      message: containing('already has XTelemetryPolicy infra/older'),
    });
    expect(tracingOf(r)).toBeDefined();
    const tie = run([...gws, policy('b', { targetRefs: [target], tracing: enabled }), policy('a', { targetRefs: [target], tracing: { mode: 'Disabled' } })]);
    expect(cond(ancestors(tie, 'a')[0], 'Accepted')?.status).toBe('True');
    expect(cond(ancestors(tie, 'b')[0], 'Accepted')?.reason).toBe('Conflicted');
    expect(tracingOf(tie)).toBeUndefined();
  });

  it('targets that are not Gateways, or do not exist, are TargetNotFound; a Gateway of another controller gets no entry', () => {
    const theirs = gateway('infra', 'theirs', listeners, 'other-class');
    const r = run([
      ...gws,
      theirs,
      policy('mixed', {
        targetRefs: [
          target,
          { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web' },
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'nope' },
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'theirs' },
        ],
        tracing: enabled,
      }),
    ]);
    const a = ancestors(r, 'mixed');
    expect(a.map((x) => [x.ancestorRef.kind, x.ancestorRef.name, cond(x, 'Accepted')?.reason])).toEqual([
      ['Gateway', 'gw', 'Accepted'],
      ['HTTPRoute', 'web', 'TargetNotFound'],
      ['Gateway', 'nope', 'TargetNotFound'],
    ]);
    expect(cond(a[1], 'Accepted')?.message).toBe(
      'spec.targetRefs[1]: gateway.networking.k8s.io/HTTPRoute web is not a Gateway; XTelemetryPolicy targets Gateways (gateway.networking.k8s.io)',
    );
    expect(cond(a[2], 'Accepted')?.message).toBe('spec.targetRefs[2]: Gateway infra/nope not found');
    // Only another controller's Gateway: not ours to report on, no status at all.
    const only = run([...gws, theirs, policy('theirs', { targetRefs: [{ ...target, name: 'theirs' }], tracing: enabled })]);
    expect(only.statuses.some((s) => s.kind === 'XTelemetryPolicy')).toBe(false);
  });

  it.each([
    [
      'a missing Service',
      { name: 'gone', port: 4317 },
      'BackendNotFound',
      'spec.tracing.provider.backendRef: Service infra/gone not found; no spans are exported until it resolves',
    ],
    [
      'another namespace without a ReferenceGrant',
      { name: 'otel', namespace: 'observability', port: 4317 },
      'RefNotPermitted',
      'spec.tracing.provider.backendRef: reference to Service observability/otel is not permitted by any ReferenceGrant in namespace observability',
    ],
    [
      'a kind that is not a Service',
      { group: 'example.com', kind: 'Collector', name: 'otel' },
      'InvalidKind',
      'spec.tracing.provider.backendRef: example.com/Collector is not a supported backend kind (only core/Service)',
    ],
  ])('ResolvedRefs=False for %s: Accepted, but no tracing on the Gateway', (_what, backendRef, reason, message) => {
    const r = run([
      ...gws,
      ...backend('observability', 'otel', 4317),
      policy('p', { targetRefs: [target], tracing: { mode: 'Enabled', provider: { backendRef } } }),
    ]);
    const a = ancestors(r, 'p')[0];
    expect(cond(a, 'Accepted')?.status).toBe('True');
    expect(cond(a, 'ResolvedRefs')).toMatchObject({ status: 'False', reason, message: containing(message) });
    expect(tracingOf(r)).toBeUndefined();
  });

  it('a ReferenceGrant from XTelemetryPolicy lets the collector live in another namespace', () => {
    const grant = referenceGrant('observability', 'traces', [{ group: X, kind: 'XTelemetryPolicy', namespace: 'infra' }], [{ group: '', kind: 'Service' }]);
    const backendRef = { name: 'otel', namespace: 'observability', port: 4317 };
    const r = run([
      ...gws,
      ...backend('observability', 'otel', 4317),
      grant,
      policy('p', { targetRefs: [target], tracing: { mode: 'Enabled', provider: { backendRef } } }),
    ]);
    expect(cond(ancestors(r, 'p')[0], 'ResolvedRefs')?.status).toBe('True');
    expect(JSON.stringify(tracingOf(r))).toContain('observability/otel:4317/h2c');
    expect(xdscheckFleets(r).code).toBe(0);
  });

  it.each([
    [{ parentBasedSampling: { mode: 'Disabled' } }, 'spec.tracing.parentBasedSampling.mode: Disabled is not supported'],
    [{ parentBasedSampling: { mode: 'Enabled', samplingRate: { numerator: 50 } } }, 'spec.tracing.parentBasedSampling.samplingRate: only 100% is supported'],
    [
      { attributes: [{ name: 'status', sourceType: 'Attribute', attributeKey: 'http.response.status_code' }] },
      'spec.tracing.attributes[0].attributeKey: http.response.status_code is not supported',
    ],
  ])('a setting Envoy cannot honour, %j: Accepted=False Invalid naming the field, no tracing', (extra, message) => {
    const r = run([...gws, policy('p', { targetRefs: [target], tracing: { ...enabled, ...extra } })]);
    expect(cond(ancestors(r, 'p')[0], 'Accepted')).toMatchObject({ status: 'False', reason: 'Invalid', message: containing(message) });
    expect(tracingOf(r)).toBeUndefined();
  });

  it('parentBasedSampling at 100% is what Envoy does: accepted', () => {
    const pb = { parentBasedSampling: { mode: 'Enabled', samplingRate: { numerator: 1, denominator: 1 } } };
    const r = run([...gws, policy('p', { targetRefs: [target], tracing: { ...enabled, ...pb } })]);
    expect(cond(ancestors(r, 'p')[0], 'Accepted')?.status).toBe('True');
  });

  it.each([
    [{ targetRefs: [], tracing: enabled }, 'spec.targetRefs must list 1 to 16 references'],
    [{ targetRefs: [target], tracing: { mode: 'Enabled' } }, 'spec.tracing: provider is required when mode is Enabled'],
    [{ targetRefs: [target], tracing: { mode: 'Disabled', serviceName: 'x' } }, 'spec.tracing: serviceName can only be set when mode is Enabled'],
    [{ targetRefs: [target], tracing: { ...enabled, samplingRate: { numerator: 3, denominator: 2 } } }, 'numerator must be less than or equal to denominator'],
    [{ targetRefs: [target], tracing: { mode: 'Enabled', provider: { backendRef: { name: 'otel' } } } }, 'Must have port for Service reference'],
    [{ targetRefs: [target], tracing: { ...enabled, spanName: 'two  spaces' } }, 'spec.tracing.spanName must match'],
    [{ targetRefs: [target], tracing: { ...enabled, attributes: [{ name: 'a', sourceType: 'Header' }] } }, 'spec.tracing.attributes[0].headerName is required'],
  ])('a spec the CRD would refuse (from files), %j: Accepted=False Invalid', (spec, message) => {
    const r = run([...gws, policy('p', spec)]);
    const a = ancestors(r, 'p');
    if (spec.targetRefs.length === 0) {
      expect(a).toEqual([]); // no ancestor to report on
      return;
    }
    expect(cond(a[0], 'Accepted')).toMatchObject({ status: 'False', reason: 'Invalid', message: containing(message) });
    expect(tracingOf(r)).toBeUndefined();
  });

  it("entries of other controllers are kept; Switchyard's entry for a Gateway no longer targeted goes", () => {
    const p = policy('p', { targetRefs: [{ ...target, name: 'theirs' }], tracing: { mode: 'Disabled' } });
    const other = { ancestorRef: { name: 'theirs' }, controllerName: 'example.com/other', conditions: [] };
    const stale = { ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: CONTROLLER_NAME, conditions: [] };
    p.status = { ancestors: [other, stale] };
    const r = run([...gws, gateway('infra', 'theirs', listeners, 'other-class'), p]);
    expect(ancestors(r, 'p')).toEqual([other]);
  });
});
