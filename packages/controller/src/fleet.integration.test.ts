// Fleet provisioning against a real API server, with the controller running
// as its ServiceAccount under the shipped RBAC. The translator is replaced by
// a minimal one (see harness.ts) so these tests pin controller behaviour only.
import { X509Certificate } from 'node:crypto';
import type { Gateway, KubeObject } from '@switchyard/api';
import { fleetIdentity } from '@switchyard/xds';
import { eventually } from '../test/testenv/index.js';
import { controllerTest, httpGateway, minimalTranslate, markFleetAvailable, conditionOf } from '../test/testenv/harness.js';
import type { ServiceObject, Workload } from '../test/workload-objects.js';

const NS = 'fleet-test';

describe('fleet provisioning (real kube-apiserver)', () => {
  const t = controllerTest(NS, {
    prepare: async (env) => {
      await env.apply({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'other' },
        spec: { controllerName: 'example.com/other' },
      });
    },
    controller: { translate: minimalTranslate },
  });

  const gw = (name: string, spec: Record<string, unknown>): KubeObject => httpGateway(NS, name, { spec });
  const getGw = () => t.env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'web');

  it('creates DaemonSet, LoadBalancer Service, bootstrap ConfigMap and xDS client Secret owned by the Gateway, and Programmed follows pods and address', async () => {
    const created = await t.env.apply<Gateway>(
      gw('web', {
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'alt', port: 8443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'none' }] } },
        ],
        infrastructure: { labels: { team: 'payments' }, annotations: { 'example.com/owner': 'alice' } },
      }),
    );
    const ds = await eventually(() => t.env.get<Workload>('apps/v1', 'DaemonSet', NS, 'switchyard-web'), { what: 'DaemonSet' });
    const svc = await eventually(() => t.env.get<ServiceObject>('v1', 'Service', NS, 'switchyard-web'), { what: 'Service' });
    const cm = await eventually(() => t.env.get<KubeObject & { data?: Record<string, string> }>('v1', 'ConfigMap', NS, 'switchyard-web-bootstrap'), {
      what: 'ConfigMap',
    });
    const secret = await eventually(() => t.env.get<KubeObject & { data?: Record<string, string> }>('v1', 'Secret', NS, 'switchyard-web-xds'), {
      what: 'Secret',
    });

    for (const o of [ds, svc, cm, secret]) {
      expect(o.metadata.ownerReferences).toEqual([
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(o.metadata.labels).toMatchObject({
        team: 'payments',
        'app.kubernetes.io/managed-by': 'switchyard',
        'gateway.networking.k8s.io/gateway-name': 'web',
      });
      expect(o.metadata.annotations).toMatchObject({ 'example.com/owner': 'alice' });
    }
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(['TCP/80', 'TCP/8443']);
    const pod = ds.spec.template.spec;
    expect(ds.spec.template.metadata.labels).toMatchObject({ team: 'payments' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 101, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] });
    expect(pod.containers[0]?.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
    expect(cm.data?.['envoy.yaml']).toContain(`${NS}/web`);
    // The fleet certificate names the fleet and chains to the controller's CA.
    const cert = new X509Certificate(Buffer.from(secret.data!['tls.crt']!, 'base64'));
    expect(cert.subjectAltName).toContain(`URI:${fleetIdentity(`${NS}/web`)}`);
    expect(cert.verify(new X509Certificate(t.ctl.ca.certPem).publicKey)).toBe(true);
    expect(Buffer.from(secret.data!['ca.crt']!, 'base64').toString()).toBe(t.ctl.ca.certPem);

    // No kubelet and no cloud LB here: Programmed waits for an address, then for pods.
    const noAddr = await eventually(
      async () => {
        const c = conditionOf(await getGw(), 'Programmed');
        return c?.reason === 'AddressNotAssigned' ? c : undefined;
      },
      { what: 'Programmed=False AddressNotAssigned' },
    );
    expect(noAddr.status).toBe('False');
    await t.env.admin.patch(`/api/v1/namespaces/${NS}/services/switchyard-web/status`, 'merge', {
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } },
    });
    await eventually(async () => conditionOf(await getGw(), 'Programmed')?.reason === 'Pending', { what: 'Programmed=False Pending' });
    const pending = await getGw();
    expect(pending?.status?.listeners?.find((l) => l.name === 'http')?.conditions.find((c) => c.type === 'Programmed')?.status).toBe('False');
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-web' });
    const ready = await eventually(
      async () => {
        const g = await getGw();
        return conditionOf(g, 'Programmed')?.status === 'True' ? g : undefined;
      },
      { what: 'Programmed=True' },
    );
    expect(ready.status?.addresses).toEqual([{ type: 'IPAddress', value: '203.0.113.7' }]);
    expect(conditionOf(ready, 'Programmed')?.observedGeneration).toBe(ready.metadata.generation);
  }, 60_000);

  it('updates the fleet when listeners change, and leaves the status alone when nothing changed', async () => {
    const before = await getGw();
    await t.env.apply(
      gw('web', {
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
        infrastructure: { labels: { team: 'payments' }, annotations: { 'example.com/owner': 'alice' } },
      }),
    );
    const svc = await eventually(
      async () => {
        const s = await t.env.get<ServiceObject>('v1', 'Service', NS, 'switchyard-web');
        return s?.spec.ports.length === 2 && s.spec.ports[1]?.protocol === 'UDP' ? s : undefined;
      },
      { what: 'Service ports updated' },
    );
    expect(svc.spec.ports.map((p) => p.name)).toEqual(['tcp-80', 'udp-5353']);
    const after = await eventually(
      async () => {
        const g = await getGw();
        return conditionOf(g, 'Programmed')?.observedGeneration === g?.metadata.generation && conditionOf(g, 'Programmed')?.status === 'True' ? g : undefined;
      },
      { what: 'Gateway status at the new generation' },
    );
    // lastTransitionTime survives: Programmed stayed True across the change.
    expect(conditionOf(after, 'Programmed')?.lastTransitionTime).toBe(conditionOf(before, 'Programmed')?.lastTransitionTime);
    const writes = async () =>
      (await t.ctl.metrics.registry.getSingleMetric('switchyard_status_writes_total')!.get()).values
        .filter((v) => v.labels.kind === 'Gateway' && v.labels.result === 'written')
        .reduce((a, v) => a + v.value, 0);
    // Let the change settle (its fleet updates feed back as watch events).
    let n = await writes();
    for (let stable = 0; stable < 3;) {
      await new Promise((r) => setTimeout(r, 400));
      const m = await writes();
      stable = m === n ? stable + 1 : 0;
      n = m;
    }
    // An unrelated change triggers passes; the Gateway's status is not rewritten.
    await t.env.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noise', namespace: NS } });
    await new Promise((r) => setTimeout(r, 500));
    expect(await writes()).toBe(n);
  }, 60_000);

  it('re-issues a fleet certificate that no longer chains to the current CA, and rolls the pods to load it', async () => {
    const certHash = async () =>
      (await t.env.get<Workload>('apps/v1', 'DaemonSet', NS, 'switchyard-web'))?.spec.template.metadata.annotations?.['switchyard.dev/xds-cert-hash'];
    const before = await certHash();
    expect(before).toBeTruthy();
    const old = (await t.env.get<KubeObject & { data: Record<string, string> }>('v1', 'Secret', NS, 'switchyard-web-xds'))!;
    await t.env.admin.patch(`/api/v1/namespaces/${NS}/secrets/switchyard-web-xds`, 'merge', {
      data: { 'ca.crt': Buffer.from('not the CA').toString('base64') },
    });
    const renewed = await eventually(
      async () => {
        const s = await t.env.get<KubeObject & { data: Record<string, string> }>('v1', 'Secret', NS, 'switchyard-web-xds');
        return s && s.data['tls.crt'] !== old.data['tls.crt'] && Buffer.from(s.data['ca.crt']!, 'base64').toString() === t.ctl.ca.certPem ? s : undefined;
      },
      { what: 'certificate re-issued' },
    );
    expect(renewed.metadata.ownerReferences?.[0]?.name).toBe('web');
    await eventually(async () => (await certHash()) !== before, { what: 'pod template rolled' });
  }, 60_000);

  it('asks the load balancer for a static IPAddress, reports it unusable until assigned, and rejects unsupported address types', async () => {
    const gwCondition = async (name: string, type: string, reason: string, says = '') =>
      eventually(
        async () => {
          const c = conditionOf(await t.env.get('gateway.networking.k8s.io/v1', 'Gateway', NS, name), type);
          return c?.reason === reason && c.message.includes(says) ? c : undefined;
        },
        { what: `${name}: ${type} ${reason}` },
      );
    type ServiceSpec = { loadBalancerIP?: string; externalIPs?: string[] };
    await t.env.apply(gw('static', { addresses: [{ type: 'IPAddress', value: '198.51.100.10' }] }));
    const svc = await eventually(() => t.env.get<KubeObject<ServiceSpec>>('v1', 'Service', NS, 'switchyard-static'), { what: 'Service' });
    expect(svc.spec?.loadBalancerIP).toBe('198.51.100.10');
    expect(svc.spec?.externalIPs).toBeUndefined();
    // The load balancer assigned another address: the requested one is not usable, and the message says what it got.
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-static', ingress: { ip: '203.0.113.9' } });
    const notUsable = await gwCondition('static', 'Programmed', 'AddressNotUsable', 'ingress: 203.0.113.9');
    expect(notUsable.message).toContain('cannot use 198.51.100.10: the load balancer of Service fleet-test/switchyard-static did not assign it');
    // Now it assigned the requested one.
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-static', ingress: { ip: '198.51.100.10' } });
    await gwCondition('static', 'Programmed', 'Programmed');
    const g = await t.env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'static');
    expect(g?.status?.addresses).toEqual([{ type: 'IPAddress', value: '198.51.100.10' }]);

    // GatewayAddressEmpty: a type without a value is whatever the load balancer assigns.
    await t.env.apply(gw('empty', { addresses: [{ type: 'IPAddress' }] }));
    const empty = await eventually(() => t.env.get<KubeObject<ServiceSpec>>('v1', 'Service', NS, 'switchyard-empty'), { what: 'Service' });
    expect(empty.spec?.loadBalancerIP).toBeUndefined();
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-empty', ingress: { ip: '203.0.113.10' } });
    await gwCondition('empty', 'Programmed', 'Programmed');
    expect((await t.env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'empty'))?.status?.addresses).toEqual([
      { type: 'IPAddress', value: '203.0.113.10' },
    ]);

    // A hostname cannot be requested from a Service: usable only if the load balancer assigns exactly it.
    await t.env.apply(gw('named', { addresses: [{ type: 'Hostname', value: 'gw.example.com' }] }));
    await eventually(() => t.env.get('v1', 'Service', NS, 'switchyard-named'), { what: 'Service' });
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-named', ingress: { ip: '203.0.113.11' } });
    expect((await gwCondition('named', 'Programmed', 'AddressNotUsable')).message).toContain('gw.example.com');

    await t.env.apply(gw('fake', { addresses: [{ type: 'example.com/pool', value: 'blue' }] }));
    const acc = await gwCondition('fake', 'Accepted', 'UnsupportedAddress');
    expect(acc.status).toBe('False');
    expect(acc.message).toContain('example.com/pool "blue"');
  }, 90_000);

  it('routability Cluster (GEP-1651): a ClusterIP Service, its cluster IP in status with routability Cluster, a static cluster IP, and unsupported values', async () => {
    const gwCondition = async (name: string, type: string, reason: string, says = '') =>
      eventually(
        async () => {
          const c = conditionOf(await t.env.get('gateway.networking.k8s.io/v1', 'Gateway', NS, name), type);
          return c?.reason === reason && c.message.includes(says) ? c : undefined;
        },
        { what: `${name}: ${type} ${reason} ${says}` },
      );
    const service = (name: string) => eventually(() => t.env.get<ServiceObject>('v1', 'Service', NS, `switchyard-${name}`), { what: `Service of ${name}` });
    const addressesOf = async (name: string) => (await t.env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, name))?.status?.addresses;

    // Every address asks for Cluster: a ClusterIP Service (not the default LoadBalancer), its cluster IP reported as Cluster.
    await t.env.apply(gw('incluster', { addresses: [{ type: 'IPAddress', routability: 'Cluster' }] }));
    const svc = await service('incluster');
    expect(svc.spec.type).toBe('ClusterIP');
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-incluster' });
    await gwCondition('incluster', 'Programmed', 'Programmed');
    expect(await addressesOf('incluster')).toEqual([{ type: 'IPAddress', value: svc.spec.clusterIP, routability: 'Cluster' }]);

    // A value with Cluster routability is the cluster IP the Service is created with (the API server's range is 10.0.0.0/24).
    await t.env.apply(gw('pinned', { addresses: [{ type: 'IPAddress', value: '10.0.0.10', routability: 'Cluster' }] }));
    expect((await service('pinned')).spec.clusterIP).toBe('10.0.0.10');
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-pinned' });
    await gwCondition('pinned', 'Programmed', 'Programmed');
    expect(await addressesOf('pinned')).toEqual([{ type: 'IPAddress', value: '10.0.0.10', routability: 'Cluster' }]);

    // One outside the range: the API server refuses the Service, and the Gateway says which address and why.
    await t.env.apply(gw('outside', { addresses: [{ type: 'IPAddress', value: '192.0.2.77', routability: 'Cluster' }] }));
    const refused = await gwCondition('outside', 'Programmed', 'AddressNotUsable', '192.0.2.77: the API server refused it as the cluster IP');
    expect(refused.status).toBe('False');
    expect(await t.env.get('v1', 'Service', NS, 'switchyard-outside')).toBeUndefined();

    // Mixed: a LoadBalancer Service; the load balancer's address without routability, the cluster IP with Cluster.
    await t.env.apply(gw('mixed', { addresses: [{ type: 'IPAddress' }, { type: 'IPAddress', routability: 'Cluster' }] }));
    const mixed = await service('mixed');
    expect(mixed.spec.type).toBe('LoadBalancer');
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-mixed', ingress: { ip: '203.0.113.20' } });
    await gwCondition('mixed', 'Programmed', 'Programmed');
    expect(await addressesOf('mixed')).toEqual([
      { type: 'IPAddress', value: '203.0.113.20' },
      { type: 'IPAddress', value: mixed.spec.clusterIP, routability: 'Cluster' },
    ]);

    // An implementation-specific routability Switchyard does not define.
    await t.env.apply(gw('vpc', { addresses: [{ type: 'IPAddress', routability: 'example.com/vpc' }] }));
    const acc = await gwCondition('vpc', 'Accepted', 'UnsupportedAddress');
    expect(acc.status).toBe('False');
    expect(acc.message).toContain('spec.addresses[0].routability: "example.com/vpc" is not supported');
  }, 90_000);

  it('uses a Deployment when the ProxyConfig says so, and deletes the DaemonSet it replaces', async () => {
    // The ProxyConfig CRD belongs to the project's own kinds; a minimal one is installed here if not shipped yet.
    if (!(await t.env.discovery.resource('switchyard.dev/v1alpha1', 'ProxyConfig'))) {
      await t.env.installCrds([
        {
          apiVersion: 'apiextensions.k8s.io/v1',
          kind: 'CustomResourceDefinition',
          metadata: { name: 'proxyconfigs.switchyard.dev' },
          spec: {
            group: 'switchyard.dev',
            names: { kind: 'ProxyConfig', plural: 'proxyconfigs', singular: 'proxyconfig', listKind: 'ProxyConfigList' },
            scope: 'Namespaced',
            versions: [
              { name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
            ],
          },
        },
      ]);
    }
    await t.env.apply({
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ProxyConfig',
      metadata: { name: 'as-deployment', namespace: NS },
      spec: { workload: { kind: 'Deployment', replicas: 3 }, service: { type: 'ClusterIP' } },
    });
    // The controller finds the newly served kind on its next discovery round.
    await t.env.apply(httpGateway(NS, 'web', { proxyConfig: 'as-deployment' }));
    const dep = await eventually(() => t.env.get<Workload>('apps/v1', 'Deployment', NS, 'switchyard-web'), { what: 'Deployment', timeoutMs: 20_000 });
    expect(dep.spec.replicas).toBe(3);
    await eventually(async () => (await t.env.get('apps/v1', 'DaemonSet', NS, 'switchyard-web')) === undefined, { what: 'DaemonSet deleted' });
    const svc = await eventually(
      async () => {
        const s = await t.env.get<ServiceObject>('v1', 'Service', NS, 'switchyard-web');
        return s?.spec.type === 'ClusterIP' ? s : undefined;
      },
      { what: 'Service type ClusterIP' },
    );
    // A ClusterIP fleet's address is its cluster IP.
    await markFleetAvailable(t.env, { namespace: NS, name: 'switchyard-web', workload: 'Deployment' });
    const g = await eventually(
      async () => {
        const x = await getGw();
        return conditionOf(x, 'Programmed')?.status === 'True' && x?.status?.addresses?.[0]?.value === svc.spec.clusterIP ? x : undefined;
      },
      { what: 'Programmed with the cluster IP' },
    );
    expect(g.status?.addresses).toEqual([{ type: 'IPAddress', value: svc.spec.clusterIP }]);
  }, 60_000);

  it('removes a fleet whose Gateway moves to another controller, and never writes that Gateway’s status', async () => {
    await t.env.apply(gw('moving', {}));
    await eventually(() => t.env.get('apps/v1', 'DaemonSet', NS, 'switchyard-moving'), { what: 'DaemonSet' });
    await t.env.apply(gw('moving', { gatewayClassName: 'other' }));
    // kube-apiserver alone runs no garbage collector: these deletions are the controller's own.
    for (const [v, k, n] of [
      ['apps/v1', 'DaemonSet', 'switchyard-moving'],
      ['v1', 'Service', 'switchyard-moving'],
      ['v1', 'ConfigMap', 'switchyard-moving-bootstrap'],
      ['v1', 'Secret', 'switchyard-moving-xds'],
    ] as const) {
      await eventually(async () => (await t.env.get(v, k, NS, n)) === undefined, { what: `${k} ${n} deleted` });
    }
    const before = await t.env.get<Gateway>('gateway.networking.k8s.io/v1', 'Gateway', NS, 'moving');
    await t.env.admin.replace(`/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways/moving/status`, {
      ...before!,
      status: {
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'other controller', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    });
    await t.env.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'noise2', namespace: NS } });
    await new Promise((r) => setTimeout(r, 600));
    expect(conditionOf(await t.env.get('gateway.networking.k8s.io/v1', 'Gateway', NS, 'moving'), 'Accepted')?.message).toBe('other controller');
  }, 60_000);

  it('runs under the shipped RBAC, which allows Gateway status but not Gateway spec writes', async () => {
    const { KubeClient, ApiError } = await import('./rest.js');
    const sa = new KubeClient(t.env.kubeConfig(t.env.controllerUser()));
    const path = `/apis/gateway.networking.k8s.io/v1/namespaces/${NS}/gateways/web`;
    await expect(sa.patch(path, 'merge', { spec: { listeners: [{ name: 'x', port: 1, protocol: 'HTTP' }] } })).rejects.toMatchObject({ statusCode: 403 });
    await expect(sa.patch(`${path}/status`, 'merge', {})).resolves.toBeDefined();
    await expect(sa.list('/apis/rbac.authorization.k8s.io/v1/clusterroles')).rejects.toBeInstanceOf(ApiError);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const base = `http://127.0.0.1:${t.ctl.httpPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const m of [
      'switchyard_reconcile_duration_seconds_bucket',
      'switchyard_queue_depth',
      'switchyard_xds_pushes_total',
      'switchyard_status_writes_total',
      'switchyard_leader 1',
    ])
      expect(text).toContain(m);
  });
});
