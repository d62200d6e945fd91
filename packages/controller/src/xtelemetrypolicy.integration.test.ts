// XTelemetryPolicy end to end with the real translator: on a real API
// server with the Gateway API v1.7.0 experimental CRDs (so the objects pass
// the real XTelemetryPolicy schema and CEL rules), the controller, as its
// ServiceAccount under the shipped RBAC, watches the policy and writes its
// GEP-713 ancestors, and the Gateway and ProxyConfig say that the policy's
// tracing takes precedence.
import type { Condition, KubeObject, PolicyAncestorStatus } from '@switchyard/api';
import { eventually } from '../test/testenv/index.js';
import { controllerTest, httpGateway } from '../test/testenv/harness.js';

const NS = 'telemetry';
const X = 'gateway.networking.x-k8s.io/v1alpha1';

describe('XTelemetryPolicy statuses written by the controller (real kube-apiserver, real translator)', () => {
  const t = controllerTest(NS, { crds: true });

  const ancestors = async (name: string) =>
    (await t.env.get<KubeObject<unknown, { ancestors?: PolicyAncestorStatus[] }>>(X, 'XTelemetryPolicy', NS, name))?.status?.ancestors ?? [];
  const conditions = async (apiVersion: string, kind: string, name: string) =>
    (await t.env.get<KubeObject<unknown, { conditions?: Condition[] }>>(apiVersion, kind, NS, name))?.status?.conditions ?? [];

  it("the policy's ancestors, and the ProxyConfig tracing it overrides, as kubectl shows them", async () => {
    await t.env.apply({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ProxyConfig',
      metadata: { name: 'traced', namespace: NS },
      spec: { tracing: { collector: 'otel.legacy:4317' } },
    });
    await t.env.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'otel-collector', namespace: NS },
      spec: { ports: [{ name: 'otlp', port: 4317 }] },
    });
    await t.env.apply(httpGateway(NS, 'web', { proxyConfig: 'traced' }));
    await t.env.apply({
      apiVersion: X,
      kind: 'XTelemetryPolicy',
      metadata: { name: 'traces', namespace: NS },
      spec: {
        targetRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' },
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'nope' },
        ],
        tracing: {
          mode: 'Enabled',
          provider: { backendRef: { name: 'otel-collector', port: 4317 } },
          samplingRate: { numerator: 5 },
          attributes: [{ name: 'tenant', sourceType: 'Header', headerName: 'X-Tenant' }],
        },
      },
    });

    const written = await eventually(
      async () => {
        const a = await ancestors('traces');
        return a.length === 2 && a[0]!.conditions?.some((c) => c.message.includes('overrides')) ? a : undefined;
      },
      { what: 'XTelemetryPolicy status' },
    );
    expect(written.map((a) => [a.ancestorRef.name, a.controllerName, ...(a.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`)])).toEqual([
      ['web', 'switchyard.dev/gateway-controller', 'Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs'],
      ['nope', 'switchyard.dev/gateway-controller', 'Accepted=False/TargetNotFound', 'ResolvedRefs=True/ResolvedRefs'],
    ]);

    const gw = await eventually(
      async () => (await conditions('gateway.networking.k8s.io/v1', 'Gateway', 'web')).find((c) => c.type === 'switchyard.dev/ProxyConfigApplied'),
      {
        what: 'Gateway condition',
      },
    );
    expect(gw).toMatchObject({ status: 'False', reason: 'Overridden' });
    const pc = await eventually(
      async () => (await conditions('switchyard.dev/v1alpha1', 'ProxyConfig', 'traced')).find((c) => c.message.includes('spec.tracing not applied')),
      { what: 'ProxyConfig status' },
    );
    expect(pc.message).toBe(
      `used by Gateways: ${NS}/web; spec.tracing not applied to Gateways: ${NS}/web (an XTelemetryPolicy targeting a Gateway takes precedence: ${NS}/traces)`,
    );
  }, 90_000);
});
