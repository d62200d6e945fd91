// The fleet settings a switchyard.dev ProxyConfig gives the controller beyond
// workload and Service: a HorizontalPodAutoscaler for a Deployment fleet
// (and no replica count of our own for it to fight), and the Prometheus
// stats port as a container port plus the scrape annotations Prometheus'
// pod discovery reads.
import { snapshotOf, type Gateway, type KubeObject } from '@switchyard/api';
import { fleetObjects, fleetSpec, type ProxyConfig, type ProxyConfigSpec } from './fleet.js';
import { specsFor } from './fleet-provisioner.js';

const gw: Gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'shop', uid: 'u1' },
  spec: { gatewayClassName: 'sy', listeners: [{ name: 'a', port: 8080, protocol: 'HTTP' }] },
};
const owner = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };
const pc = (spec: ProxyConfigSpec): ProxyConfig => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ProxyConfig',
  metadata: { name: 'p', namespace: 'shop' },
  spec,
});
const render = (spec: ProxyConfigSpec) => fleetObjects(fleetSpec(gw, undefined, pc(spec)), { owner, bootstrapYaml: 'x', certSecretName: 's' });
const byKind = (objs: KubeObject[], kind: string) => objs.find((o) => o.kind === kind) as (KubeObject & { spec: Record<string, unknown> }) | undefined;

describe('ProxyConfig autoscaling', () => {
  it('renders a HorizontalPodAutoscaler (autoscaling/v2, CPU utilisation) for the Deployment, with defaults', () => {
    const objs = render({ workload: { kind: 'Deployment', autoscaling: { maxReplicas: 6 } } });
    const hpa = byKind(objs, 'HorizontalPodAutoscaler')!;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.metadata).toMatchObject({
      name: 'switchyard-web',
      namespace: 'shop',
      ownerReferences: [owner],
      labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
    });
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'switchyard-web' },
      minReplicas: 1,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
  });

  it('leaves the replica count out of the Deployment so the autoscaler owns it', () => {
    const d = byKind(
      render({ workload: { kind: 'Deployment', autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 60 } } }),
      'Deployment',
    )!;
    expect(d.spec).not.toHaveProperty('replicas');
    expect(byKind(render({ workload: { kind: 'Deployment', replicas: 3 } }), 'Deployment')!.spec.replicas).toBe(3);
  });

  it('renders no autoscaler without autoscaling, or for a DaemonSet', () => {
    expect(byKind(render({ workload: { kind: 'Deployment', replicas: 3 } }), 'HorizontalPodAutoscaler')).toBeUndefined();
    // The CRD refuses this combination; objects from elsewhere still never get an HPA on a DaemonSet.
    expect(byKind(render({ workload: { kind: 'DaemonSet', autoscaling: { maxReplicas: 3 } } }), 'HorizontalPodAutoscaler')).toBeUndefined();
  });
});

describe('ProxyConfig Prometheus metrics', () => {
  type Pod = { metadata: { annotations: Record<string, string> }; spec: { containers: Array<{ ports: Array<{ name: string; containerPort: number }> }> } };
  const template = (objs: KubeObject[]) => (byKind(objs, 'DaemonSet') ?? byKind(objs, 'Deployment'))!.spec.template as Pod;

  it('annotates the pods for scraping and names the stats port', () => {
    const t = template(render({ metrics: { prometheus: {} } }));
    expect(t.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '19002', 'prometheus.io/path': '/stats/prometheus' });
    expect(t.spec.containers[0]!.ports).toContainEqual({ name: 'metrics', containerPort: 19002, protocol: 'TCP' });
  });

  it('uses the configured port, and nothing when disabled or absent', () => {
    expect(template(render({ metrics: { prometheus: { port: 9102 } } })).metadata.annotations['prometheus.io/port']).toBe('9102');
    for (const spec of [{ metrics: { prometheus: { enabled: false } } }, {}]) {
      const t = template(render(spec));
      expect(t.metadata.annotations).not.toHaveProperty('prometheus.io/scrape');
      expect(t.spec.containers[0]!.ports.some((p) => p.name === 'metrics')).toBe(false);
    }
  });
});

describe('the ProxyConfig a fleet gets', () => {
  it("merges the class's ProxyConfig with the Gateway's, the Gateway's fields winning", () => {
    const gc = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'sy' },
      spec: { controllerName: 'ctl', parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'defaults', namespace: 'infra' } },
    };
    const own: Gateway = { ...gw, spec: { ...gw.spec!, infrastructure: { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'own' } } } };
    const objs = [
      gc,
      own,
      {
        ...pc({ workload: { kind: 'Deployment', replicas: 5 }, service: { type: 'NodePort' }, logLevel: 'warning' }),
        metadata: { name: 'defaults', namespace: 'infra' },
      },
      { ...pc({ workload: { kind: 'Deployment', autoscaling: { maxReplicas: 9 } } }), metadata: { name: 'own', namespace: 'shop' } },
    ] as KubeObject[];
    const [spec] = specsFor(snapshotOf(objs), 'ctl');
    // workload from the Gateway's (whole field: no replicas from the class), Service and log level from the class's.
    expect(spec).toMatchObject({ workload: 'Deployment', serviceType: 'NodePort', logLevel: 'warning', autoscaling: { minReplicas: 1, maxReplicas: 9 } });
    expect(byKind(fleetObjects(spec!, { owner, bootstrapYaml: 'x', certSecretName: 's' }), 'Deployment')!.spec).not.toHaveProperty('replicas');
  });
});
