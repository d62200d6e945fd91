// ClusterTrustBundle in caCertificateRefs (Gateway API v1.7, GEP-5075) end
// to end: on a real kube-apiserver 1.36 with certificates.k8s.io/v1beta1
// ClusterTrustBundle turned on, the controller (as its ServiceAccount under
// the shipped RBAC) watches the bundles, a BackendTLSPolicy naming one
// resolves, and a changed bundle reaches a connected Envoy as a new CA in the
// validation context; a deleted one makes the policy unresolved. On an API
// server without the API the controller runs on and reports InvalidKind.
import type { Condition, KubeObject, PolicyAncestorStatus } from '@switchyard/api';
import { TypeUrl } from '@switchyard/protos';
import { createCa, type CertificateAndKey } from '@switchyard/xds';
import type { SotwSubscription } from '@switchyard/xds/test/ads-test-client.js';
import { eventually, type TestEnv } from '../test/testenv/index.js';
import { controllerTest, fleetAdsClient, type SecretObject } from '../test/testenv/harness.js';

const G = 'gateway.networking.k8s.io';
const CTB_API = 'certificates.k8s.io/v1beta1';
const SECRET = 'ca/ClusterTrustBundle/corp-root';

const bundle = (pem: string): KubeObject => ({ apiVersion: CTB_API, kind: 'ClusterTrustBundle', metadata: { name: 'corp-root' }, spec: { trustBundle: pem } });

async function applyBackendWithPolicy(env: TestEnv, ns: string, refs: object[]): Promise<void> {
  await env.apply({
    apiVersion: `${G}/v1`,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: ns },
    spec: { gatewayClassName: 'switchyard', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  });
  await env.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'secure', namespace: ns }, spec: { ports: [{ name: 'https', port: 443 }] } });
  await env.apply({
    apiVersion: `${G}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: ns },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'secure', port: 443 }] }] },
  });
  await env.apply({
    apiVersion: `${G}/v1`,
    kind: 'BackendTLSPolicy',
    metadata: { name: 'p', namespace: ns },
    spec: { targetRefs: [{ group: '', kind: 'Service', name: 'secure' }], validation: { caCertificateRefs: refs, hostname: 'secure.example.com' } },
  });
}

async function policyConditions(env: TestEnv, ns: string): Promise<string[]> {
  const p = await env.get<KubeObject<unknown, { ancestors?: PolicyAncestorStatus[] }>>(`${G}/v1`, 'BackendTLSPolicy', ns, 'p');
  return (p?.status?.ancestors?.[0]?.conditions ?? []).map((c: Condition) => `${c.type}=${c.status}/${c.reason}`);
}

async function claimed(env: TestEnv): Promise<string[]> {
  const gc = await env.get<KubeObject<unknown, { supportedFeatures?: Array<{ name: string }> }>>(`${G}/v1`, 'GatewayClass', undefined, 'switchyard');
  return (gc?.status?.supportedFeatures ?? []).map((f) => f.name);
}

describe('ClusterTrustBundle on a cluster that serves it (real kube-apiserver, real translator)', () => {
  const NS = 'ctb';
  const t = controllerTest(NS);
  let ca1: CertificateAndKey;
  let ca2: CertificateAndKey;
  beforeAll(async () => {
    [ca1, ca2] = await Promise.all([createCa('corp root 1'), createCa('corp root 2')]);
  });

  it('resolves a BackendTLSPolicy reference, follows trustBundle changes into the validation context, and reports a deleted bundle', async () => {
    await t.env.apply(bundle(ca1.certPem));
    await applyBackendWithPolicy(t.env, NS, [{ group: 'certificates.k8s.io', kind: 'ClusterTrustBundle', name: 'corp-root' }]);
    expect(
      await eventually(async () => ((await policyConditions(t.env, NS)).includes('ResolvedRefs=True/ResolvedRefs') ? policyConditions(t.env, NS) : undefined), {
        what: 'policy status',
      }),
    ).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']);
    expect(await claimed(t.env)).toContain('ClusterTrustBundle');

    const xdsSecret = await eventually(() => t.env.get<SecretObject>('v1', 'Secret', NS, 'switchyard-gw-xds'), { what: 'fleet xDS Secret' });
    const client = fleetAdsClient(t.ctl.xdsPort, xdsSecret, 'envoy-ctb');
    let sub: SotwSubscription | undefined;
    try {
      sub = client.subscribe(TypeUrl.Secret);
      const trusted = (u: { resources: Array<Record<string, unknown>> }) =>
        (u.resources.find((r) => r.name === SECRET) as { validation_context?: { trusted_ca?: { inline_string?: string } } } | undefined)?.validation_context
          ?.trusted_ca?.inline_string;
      expect(trusted(await sub.until((u) => trusted(u) !== undefined, 30_000))).toBe(ca1.certPem);
      await t.env.apply(bundle(ca2.certPem));
      expect(trusted(await sub.until((u) => trusted(u) !== ca1.certPem, 30_000))).toBe(ca2.certPem);
    } finally {
      sub?.cancel();
      client.close();
    }

    await t.env.delete(bundle(''));
    expect(
      await eventually(
        async () => ((await policyConditions(t.env, NS)).includes('ResolvedRefs=False/InvalidCACertificateRef') ? policyConditions(t.env, NS) : undefined),
        {
          what: 'policy status after the bundle is deleted',
        },
      ),
    ).toEqual(['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidCACertificateRef']);
  }, 120_000);
});

describe('ClusterTrustBundle on a cluster that does not serve it', () => {
  const NS = 'no-ctb';
  const t = controllerTest(NS, { env: { clusterTrustBundles: false } });

  it('runs on, reports the reference as InvalidKind and does not claim the feature', async () => {
    await applyBackendWithPolicy(t.env, NS, [{ group: 'certificates.k8s.io', kind: 'ClusterTrustBundle', name: 'corp-root' }]);
    expect(
      await eventually(async () => ((await policyConditions(t.env, NS)).includes('ResolvedRefs=False/InvalidKind') ? policyConditions(t.env, NS) : undefined), {
        what: 'policy status',
      }),
    ).toEqual(['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidKind']);
    const features = await claimed(t.env);
    expect(features).toContain('BackendTLSPolicy');
    expect(features).not.toContain('ClusterTrustBundle');
  }, 120_000);
});
