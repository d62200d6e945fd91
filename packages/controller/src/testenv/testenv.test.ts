import { TestEnv } from './index.js';

// The harness itself: a real kube-apiserver on etcd, Gateway API CRDs served,
// data surviving an API server restart, RBAC enforced for non-admin users.
describe('TestEnv', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await TestEnv.start();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('serves the Gateway API kinds (experimental channel included) and keeps data across an API server restart', async () => {
    expect(await env.discovery.resource('gateway.networking.k8s.io/v1', 'Gateway')).toMatchObject({ plural: 'gateways', namespaced: true });
    expect(await env.discovery.resource('gateway.networking.k8s.io/v1alpha2', 'TCPRoute')).toMatchObject({ plural: 'tcproutes' });
    await env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
    await env.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'keep', name: 'c' }, data: { a: '1' } } as never);
    await env.stopApiServer();
    await env.startApiServer();
    const cm = await env.get<{ apiVersion: string; kind: string; metadata: { name: string }; data?: Record<string, string> }>('v1', 'ConfigMap', 'keep', 'c');
    expect(cm?.data).toEqual({ a: '1' });
  }, 120_000);

  it('enforces RBAC for the controller ServiceAccount user', async () => {
    const { KubeClient, ApiError } = await import('../rest.js');
    const sa = new KubeClient(env.kubeConfig(env.controllerUser()));
    await expect(sa.list('/api/v1/secrets')).rejects.toBeInstanceOf(ApiError);
  });
});
