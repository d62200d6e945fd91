// A ProxyConfig's autoscaling and Prometheus settings applied by the running
// controller (as its ServiceAccount, under the shipped RBAC) on a real API
// server with the shipped switchyard.dev CRDs: the HorizontalPodAutoscaler is
// created, the replica count stays the autoscaler's across re-applies, and
// turning autoscaling off deletes the autoscaler and pins the count again.
import type { KubeObject } from '@switchyard/api';
import { eventually } from '../test/testenv/index.js';
import { controllerTest, httpGateway, minimalTranslate } from '../test/testenv/harness.js';
import type { Workload } from '../test/workload-objects.js';

const NS = 'autoscale-test';
/** Which field manager owns which fields (server-side apply). */
type Managed = { metadata: { managedFields?: Array<{ manager?: string; fieldsV1?: unknown }> } };

describe('ProxyConfig autoscaling and metrics, applied by the controller (real kube-apiserver)', () => {
  const t = controllerTest(NS, { crds: true, controller: { translate: minimalTranslate } });

  const proxyConfig = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'switchyard.dev/v1alpha1',
    kind: 'ProxyConfig',
    metadata: { name: 'scaled', namespace: NS },
    spec,
  });
  const getHpa = () => t.env.get<KubeObject & Managed>('autoscaling/v2', 'HorizontalPodAutoscaler', NS, 'switchyard-web');
  const getDeployment = () => t.env.get<Workload & Managed>('apps/v1', 'Deployment', NS, 'switchyard-web');

  it('creates the autoscaler, leaves replicas to it, and removes it when autoscaling is turned off', async () => {
    await t.env.apply(proxyConfig({ workload: { kind: 'Deployment', autoscaling: { minReplicas: 2, maxReplicas: 5 } }, metrics: { prometheus: {} } }));
    await t.env.apply(httpGateway(NS, 'web', { proxyConfig: 'scaled' }));

    const hpa = await eventually(getHpa, { what: 'HorizontalPodAutoscaler', timeoutMs: 30_000 });
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'switchyard-web' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    expect(hpa.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Gateway', name: 'web' });

    const dep = await eventually(getDeployment, { what: 'Deployment' });
    expect(dep.spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '19002',
      'prometheus.io/path': '/stats/prometheus',
    });
    expect(dep.spec.template.spec.containers[0]?.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 19002 }));
    // The controller's field manager does not own spec.replicas.
    const ours = (dep.metadata.managedFields ?? []).filter((m) => m.manager === 'switchyard');
    expect(ours.length).toBeGreaterThan(0);
    expect(JSON.stringify(ours.map((m) => m.fieldsV1))).not.toContain('"f:replicas"');

    // The autoscaler scales (as the HPA controller would, another field manager) ...
    await t.env.admin.patch(
      `/apis/apps/v1/namespaces/${NS}/deployments/switchyard-web`,
      'merge',
      { spec: { replicas: 4 } },
      { fieldManager: 'kube-controller-manager' },
    );
    // ... and a change that makes the controller re-apply the Deployment keeps that count.
    await t.env.apply(
      proxyConfig({ workload: { kind: 'Deployment', autoscaling: { minReplicas: 2, maxReplicas: 5 } }, metrics: { prometheus: {} }, logLevel: 'debug' }),
    );
    const reapplied = await eventually(
      async () => {
        const d = await getDeployment();
        return d?.spec.template.spec.containers[0]?.args.includes('debug') ? d : undefined;
      },
      { what: 'Deployment re-applied with log level debug' },
    );
    expect(reapplied.spec.replicas).toBe(4);

    // Autoscaling off: the autoscaler goes, the count is ours again.
    await t.env.apply(proxyConfig({ workload: { kind: 'Deployment', replicas: 3 } }));
    await eventually(async () => (await getHpa()) === undefined, { what: 'HorizontalPodAutoscaler deleted' });
    const pinned = await eventually(
      async () => {
        const d = await getDeployment();
        return d?.spec.replicas === 3 ? d : undefined;
      },
      { what: 'replicas 3' },
    );
    expect(pinned.spec.template.metadata.annotations ?? {}).not.toHaveProperty('prometheus.io/scrape');
  }, 90_000);
});
