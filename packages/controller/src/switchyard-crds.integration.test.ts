// The switchyard.dev CRDs (deploy/crds/) on a real kube-apiserver: valid
// ProxyConfigs and RateLimits are stored with their defaults filled in, and
// bad specs are refused with a message that names the field, so a user sees
// the mistake at `kubectl apply` time rather than in a status later.
import type { KubeObject } from '@switchyard/api';
import { TestEnv, switchyardCrds } from '../test/testenv/index.js';
import { fleetObjects, fleetSpec } from './fleet.js';

const NS = 'crd-tests';

const proxyConfig = (name: string, spec: unknown): KubeObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ProxyConfig',
  metadata: { name, namespace: NS },
  spec,
});
const rateLimit = (name: string, spec: unknown): KubeObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'RateLimit',
  metadata: { name, namespace: NS },
  spec,
});

describe('switchyard.dev CRDs on a real kube-apiserver', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.start({ gatewayApiCrds: false });
    await env.installCrds(switchyardCrds());
    await env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  /** The API server's refusal message, or undefined when the object was stored. */
  async function refusal(o: KubeObject): Promise<string | undefined> {
    try {
      await env.apply(o);
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  describe('ProxyConfig', () => {
    it('stores a full spec and fills in the defaults', async () => {
      const stored = await env.apply<KubeObject<Record<string, Record<string, unknown>>>>(
        proxyConfig('full', {
          workload: { kind: 'Deployment', autoscaling: { maxReplicas: 10 } },
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          service: { type: 'NodePort', annotations: { 'example.com/lb': 'internal' } },
          accessLog: { fields: ['method', 'path', 'response_code'], customFields: { tenant: '%REQ(X-TENANT)%' } },
          tracing: { collector: 'otel-collector.observability.svc:4317', samplingPercent: 12.5 },
          metrics: { prometheus: {} },
        }),
      );
      expect(stored.spec).toMatchObject({
        workload: { kind: 'Deployment', autoscaling: { minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 80 } },
        logLevel: 'info',
        accessLog: { enabled: true, format: 'JSON', destination: 'Stdout' },
        tracing: { samplingPercent: 12.5 },
        metrics: { prometheus: { enabled: true, port: 19002 } },
      });
    });

    it('stores an empty spec (every field is optional)', async () => {
      expect(await refusal(proxyConfig('empty', {}))).toBeUndefined();
    });

    it.each([
      [
        'autoscaling on a DaemonSet',
        { workload: { kind: 'DaemonSet', autoscaling: { maxReplicas: 3 } } },
        'workload.autoscaling requires workload.kind: Deployment',
      ],
      [
        'autoscaling without a kind (DaemonSet by default)',
        { workload: { autoscaling: { maxReplicas: 3 } } },
        'workload.autoscaling requires workload.kind: Deployment',
      ],
      ['replicas on a DaemonSet', { workload: { kind: 'DaemonSet', replicas: 3 } }, 'workload.replicas requires workload.kind: Deployment'],
      [
        'replicas and autoscaling',
        { workload: { kind: 'Deployment', replicas: 3, autoscaling: { maxReplicas: 5 } } },
        'set workload.replicas or workload.autoscaling, not both',
      ],
      [
        'minReplicas above maxReplicas',
        { workload: { kind: 'Deployment', autoscaling: { minReplicas: 5, maxReplicas: 2 } } },
        'autoscaling.minReplicas must not exceed autoscaling.maxReplicas',
      ],
      ['an unknown workload kind', { workload: { kind: 'StatefulSet' } }, 'spec.workload.kind'],
      [
        'a CPU target above 100',
        { workload: { kind: 'Deployment', autoscaling: { maxReplicas: 2, targetCPUUtilizationPercentage: 150 } } },
        'spec.workload.autoscaling.targetCPUUtilizationPercentage',
      ],
      [
        'externalTrafficPolicy on a ClusterIP Service',
        { service: { type: 'ClusterIP', externalTrafficPolicy: 'Local' } },
        'service.externalTrafficPolicy needs service.type LoadBalancer or NodePort',
      ],
      ['an unknown log level', { logLevel: 'verbose' }, 'spec.logLevel'],
      ['an unknown access log field', { accessLog: { fields: ['method', 'cookie'] } }, 'spec.accessLog.fields[1]'],
      ['an unknown access log format', { accessLog: { format: 'CSV' } }, 'spec.accessLog.format'],
      ['a bad custom field name', { accessLog: { customFields: { 'has space': '%PROTOCOL%' } } }, 'accessLog.customFields names must start with a letter'],
      ['a collector without a port', { tracing: { collector: 'otel-collector' } }, 'tracing.collector must be host:port'],
      ['a collector port out of range', { tracing: { collector: 'otel:70000' } }, 'tracing.collector must be host:port'],
      ['tracing without a collector', { tracing: { samplingPercent: 10 } }, 'spec.tracing.collector: Required value'],
      ['a sampling percentage above 100', { tracing: { collector: 'otel:4317', samplingPercent: 101 } }, 'spec.tracing.samplingPercent'],
      ['the admin port for metrics', { metrics: { prometheus: { port: 19000 } } }, 'metrics.prometheus.port must not be 19000'],
      ['a privileged metrics port', { metrics: { prometheus: { port: 80 } } }, 'spec.metrics.prometheus.port'],
    ])('refuses %s, naming the field', async (_what, spec, message) => {
      const m = await refusal(proxyConfig('bad', spec));
      expect(m).toBeDefined();
      expect(m).toContain(message);
    });
  });

  it('the fleet objects an autoscaled, scraped ProxyConfig renders (Deployment without replicas, HorizontalPodAutoscaler) pass a server-side dry-run', async () => {
    const stored = await env.apply<KubeObject<Record<string, unknown>>>(
      proxyConfig('scaled', { workload: { kind: 'Deployment', autoscaling: { minReplicas: 2, maxReplicas: 8 } }, metrics: { prometheus: {} } }),
    );
    const gw = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: NS, uid: '0b0e7a9e-0000-4000-8000-000000000001' },
      spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    const owner = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      name: 'web',
      uid: gw.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const objs = fleetObjects(fleetSpec(gw, undefined, stored), { owner, bootstrapYaml: 'node: {}', certSecretName: 'switchyard-web-xds' });
    expect(objs.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler']);
    for (const o of objs) await env.apply(o, { dryRun: true });
  });

  describe('RateLimit', () => {
    it('stores a keyed limit and defaults burst to 0', async () => {
      const stored = await env.apply<KubeObject<Record<string, unknown>>>(
        rateLimit('per-client', { requests: 100, unit: 'Second', key: { type: 'ClientAddress' } }),
      );
      expect(stored.spec).toEqual({ requests: 100, unit: 'Second', burst: 0, key: { type: 'ClientAddress' } });
      expect(await refusal(rateLimit('per-tenant', { requests: 5, unit: 'Minute', burst: 10, key: { type: 'Header', header: 'X-Tenant' } }))).toBeUndefined();
    });

    it.each([
      ['a Header key without a header name', { requests: 1, unit: 'Second', key: { type: 'Header' } }, 'key.header is required when key.type is Header'],
      [
        'a header name on a ClientAddress key',
        { requests: 1, unit: 'Second', key: { type: 'ClientAddress', header: 'X-Tenant' } },
        'key.header is required when key.type is Header, and not allowed otherwise',
      ],
      ['zero requests', { requests: 0, unit: 'Second' }, 'spec.requests'],
      ['a negative burst', { requests: 1, unit: 'Second', burst: -1 }, 'spec.burst'],
      ['an unknown unit', { requests: 1, unit: 'Day' }, 'spec.unit'],
      ['a missing unit', { requests: 1 }, 'spec.unit: Required value'],
      ['a header name with a space', { requests: 1, unit: 'Second', key: { type: 'Header', header: 'X Tenant' } }, 'spec.key.header'],
    ])('refuses %s, naming the field', async (_what, spec, message) => {
      const m = await refusal(rateLimit('bad', spec));
      expect(m).toBeDefined();
      expect(m).toContain(message);
    });
  });
});
