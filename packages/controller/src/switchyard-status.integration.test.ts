// The switchyard.dev kinds end to end with the real translator: on a real
// API server with the shipped CRDs, the controller (as its ServiceAccount,
// under the shipped RBAC) writes the status of RateLimits and ProxyConfigs,
// and the status of routes that use a RateLimit, as a user reads them with
// kubectl.
import { expect } from '@jest/globals';
import type { Condition, KubeObject } from '@switchyard/api';
import { eventually } from '../test/testenv/index.js';
import { controllerTest, httpGateway } from '../test/testenv/harness.js';

const NS = 'ext-status';

describe('switchyard.dev statuses written by the controller (real kube-apiserver, real translator)', () => {
  const t = controllerTest(NS, { crds: true });

  const conditions = async (apiVersion: string, kind: string, name: string) =>
    (await t.env.get<KubeObject<unknown, { conditions?: Condition[]; parents?: Array<{ conditions: Condition[] }> }>>(apiVersion, kind, NS, name))?.status ??
    {};

  it('RateLimit, ProxyConfig and route statuses say what is in effect', async () => {
    await t.env.apply({ apiVersion: 'switchyard.dev/v1alpha1', kind: 'ProxyConfig', metadata: { name: 'logged', namespace: NS }, spec: { accessLog: {} } });
    await t.env.apply({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'RateLimit',
      metadata: { name: 'api', namespace: NS },
      spec: { requests: 10, unit: 'Second', key: { type: 'ClientAddress' } },
    });
    await t.env.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: NS }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    await t.env.apply(httpGateway(NS, 'web', { proxyConfig: 'logged' }));
    const route = (filterName: string): KubeObject => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'limited', namespace: NS },
      spec: {
        parentRefs: [{ name: 'web' }],
        rules: [
          {
            filters: [{ type: 'ExtensionRef', extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name: filterName } }],
            backendRefs: [{ name: 'api', port: 8080 }],
          },
        ],
      },
    });
    await t.env.apply(route('api'));

    const rl = await eventually(
      async () => {
        const s = await conditions('switchyard.dev/v1alpha1', 'RateLimit', 'api');
        // Until the route is seen the message is "not used by any HTTPRoute or GRPCRoute rule".
        return s.conditions?.find((c) => c.type === 'Accepted' && c.message.startsWith('used by: HTTPRoute'));
      },
      { what: 'RateLimit status' },
    );
    expect(rl).toMatchObject({ status: 'True', reason: 'Accepted', message: `used by: HTTPRoute ${NS}/limited rule 0`, observedGeneration: 1 });

    const pc = await eventually(
      async () => (await conditions('switchyard.dev/v1alpha1', 'ProxyConfig', 'logged')).conditions?.find((c) => c.message.includes('Gateways')),
      { what: 'ProxyConfig status' },
    );
    expect(pc).toMatchObject({ status: 'True', message: `used by Gateways: ${NS}/web` });

    const resolved = await eventually(
      async () => (await conditions('gateway.networking.k8s.io/v1', 'HTTPRoute', 'limited')).parents?.[0]?.conditions.find((c) => c.type === 'ResolvedRefs'),
      { what: 'route status' },
    );
    expect(resolved.status).toBe('True');

    // Pointing the filter at a RateLimit that does not exist: the route says so.
    await t.env.apply(route('missing'));
    const broken = await eventually(
      async () => {
        const c = (await conditions('gateway.networking.k8s.io/v1', 'HTTPRoute', 'limited')).parents?.[0]?.conditions.find((x) => x.type === 'ResolvedRefs');
        return c?.status === 'False' ? c : undefined;
      },
      { what: 'ResolvedRefs=False' },
    );
    expect(broken).toMatchObject({
      reason: 'BackendNotFound',
      message: expect.stringContaining(`spec.rules[0].filters[0].extensionRef: RateLimit ${NS}/missing not found`),
    });
    const idle = await eventually(
      async () => (await conditions('switchyard.dev/v1alpha1', 'RateLimit', 'api')).conditions?.find((c) => c.message.startsWith('not used')),
      { what: 'RateLimit no longer used' },
    );
    expect(idle.status).toBe('True');
  }, 90_000);
});
