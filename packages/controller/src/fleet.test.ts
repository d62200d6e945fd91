import type { Gateway, GatewayClass } from '@switchyard/api';
import type { Workload } from '../test/workload-objects.js';
import { fleetSpec, fleetObjects, fleetObjectName, ownerReferenceTo, proxyConfigRef, type FleetSpec, type ProxyConfig, type ProxyConfigSpec } from './fleet.js';

const gw = (spec: Partial<NonNullable<Gateway['spec']>> = {}, name = 'web'): Gateway => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: 'shop', uid: 'u1' },
  spec: { gatewayClassName: 'sy', listeners: [{ name: 'a', port: 8080, protocol: 'HTTP' }], ...spec },
});
const pc = (spec: ProxyConfigSpec): ProxyConfig => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ProxyConfig',
  metadata: { name: 'p', namespace: 'shop' },
  spec,
});
const owner = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true };

describe('fleetSpec', () => {
  it('defaults to a DaemonSet behind a LoadBalancer Service, one port per distinct port/protocol', () => {
    const s = fleetSpec(
      gw({
        listeners: [
          { name: 'a', port: 443, protocol: 'HTTPS' },
          { name: 'b', port: 443, protocol: 'TLS' },
          { name: 'c', port: 53, protocol: 'UDP' },
          { name: 'd', port: 80, protocol: 'HTTP' },
        ],
      }),
      undefined,
    );
    expect(s).toMatchObject({ fleet: 'shop/web', workload: 'DaemonSet', serviceType: 'LoadBalancer', name: 'switchyard-web' });
    expect(s.ports).toEqual([
      { name: 'udp-53', port: 53, protocol: 'UDP' },
      { name: 'tcp-80', port: 80, protocol: 'TCP' },
      { name: 'tcp-443', port: 443, protocol: 'TCP' },
    ]);
  });

  it('takes workload, replicas, Service type and image from the ProxyConfig', () => {
    const pc: ProxyConfig = {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'ProxyConfig',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { workload: { kind: 'Deployment', replicas: 4 }, service: { type: 'NodePort' }, image: 'envoy:test' },
    };
    expect(fleetSpec(gw(), undefined, pc)).toMatchObject({ workload: 'Deployment', replicas: 4, serviceType: 'NodePort', image: 'envoy:test' });
  });

  it('prefers the Gateway infrastructure parametersRef over the GatewayClass one', () => {
    const gc: GatewayClass = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'sy' },
      spec: { controllerName: 'x', parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'cls', namespace: 'infra' } },
    };
    expect(proxyConfigRef(gw(), gc)).toEqual({ namespace: 'infra', name: 'cls' });
    expect(proxyConfigRef(gw({ infrastructure: { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: 'own' } } }), gc)).toEqual({
      namespace: 'shop',
      name: 'own',
    });
    expect(proxyConfigRef(gw({ infrastructure: { parametersRef: { group: 'example.com', kind: 'Other', name: 'x' } } }), undefined)).toBeUndefined();
  });

  it('splits spec.addresses into IPs, hostnames, types asked for without a value, malformed IPs and types it cannot use', () => {
    const s = fleetSpec(
      gw({
        addresses: [
          { value: '10.1.1.1' },
          { type: 'IPAddress', value: '10.1.1.2' },
          { type: 'IPAddress' },
          { type: 'Hostname', value: 'a.example' },
          { type: 'Hostname' },
          { type: 'IPAddress', value: 'not-an-ip' },
          { type: 'example.com/pool', value: 'p' },
        ],
      }),
      undefined,
    );
    expect(s.addresses).toEqual({
      ips: ['10.1.1.1', '10.1.1.2'],
      hostnames: ['a.example'],
      anyOfType: ['IPAddress', 'Hostname'],
      cluster: false,
      clusterIps: [],
      malformed: ['not-an-ip'],
      unsupported: [{ index: 6, address: { type: 'example.com/pool', value: 'p' }, field: 'type' }],
    });
  });

  it('routability Cluster: a ClusterIP Service only when every address asks for it, and its value becomes spec.clusterIP', () => {
    const ctx = { owner: ownerReferenceTo(gw()), bootstrapYaml: '', certSecretName: 'x' };
    const serviceOf = (spec: FleetSpec) => fleetObjects(spec, ctx).find((o) => o.kind === 'Service') as unknown as { spec: Record<string, unknown> };
    const only = fleetSpec(gw({ addresses: [{ value: '10.96.0.7', routability: 'Cluster' }] }), undefined, pc({ service: { type: 'LoadBalancer' } }));
    expect(only.serviceType).toBe('ClusterIP');
    expect(only.addresses).toMatchObject({ cluster: true, clusterIps: ['10.96.0.7'], ips: [], anyOfType: [] });
    expect(serviceOf(only).spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.0.7' });
    expect(serviceOf(only).spec.externalIPs).toBeUndefined();
    const mixed = fleetSpec(gw({ addresses: [{ type: 'IPAddress' }, { type: 'IPAddress', routability: 'Cluster' }] }), undefined);
    expect(mixed.serviceType).toBe('LoadBalancer');
    expect(serviceOf(mixed).spec.clusterIP).toBeUndefined();
    const odd = fleetSpec(
      gw({
        addresses: [
          { value: '10.0.0.1', routability: 'example.com/vpc' },
          { type: 'Hostname', routability: 'Cluster' },
        ],
      }),
      undefined,
    );
    expect(odd.addresses.unsupported.map((u) => [u.index, u.field])).toEqual([
      [0, 'routability'],
      [1, 'routability'],
    ]);
  });

  it('asks a load balancer for the first requested IP, and gives other Service types the IPs as externalIPs', () => {
    const ctx = { owner: ownerReferenceTo(gw()), bootstrapYaml: '', certSecretName: 'x' };
    const serviceOf = (spec: FleetSpec) => fleetObjects(spec, ctx).find((o) => o.kind === 'Service') as unknown as { spec: Record<string, unknown> };
    const addresses = [{ value: '10.1.1.1' }, { value: '10.1.1.2' }];
    const lb = serviceOf(fleetSpec(gw({ addresses }), undefined));
    expect(lb.spec.loadBalancerIP).toBe('10.1.1.1');
    expect(lb.spec.externalIPs).toBeUndefined();
    const cip = serviceOf(fleetSpec(gw({ addresses }), undefined, pc({ service: { type: 'ClusterIP' } })));
    expect(cip.spec.externalIPs).toEqual(['10.1.1.1', '10.1.1.2']);
    expect(cip.spec.loadBalancerIP).toBeUndefined();
    // An address asked for without a value requests nothing: the load balancer assigns one.
    const empty = serviceOf(fleetSpec(gw({ addresses: [{ type: 'IPAddress' }] }), undefined));
    expect(empty.spec.loadBalancerIP).toBeUndefined();
  });

  it('keeps Service names within 63 characters, distinct for distinct long Gateway names', () => {
    const a = fleetObjectName('x'.repeat(70));
    const b = fleetObjectName('x'.repeat(71));
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });

  it('does not let infrastructure labels override the labels fleets are selected by', () => {
    const s = fleetSpec(
      gw({ infrastructure: { labels: { 'gateway.networking.k8s.io/gateway-name': 'evil', 'app.kubernetes.io/managed-by': 'me', team: 't' } } }),
      undefined,
    );
    expect(s.labels).toEqual({ team: 't' });
  });
});

describe('fleetObjects', () => {
  const render = (g: Gateway) => fleetObjects(fleetSpec(g, undefined), { owner, bootstrapYaml: 'b', certSecretName: 's' });
  const pod = (objs: ReturnType<typeof render>) => (objs.find((o) => o.kind === 'DaemonSet') as Workload).spec.template.spec;

  it('runs Envoy as non-root and adds NET_BIND_SERVICE plus the unprivileged-port sysctl only for ports below 1024', () => {
    const high = pod(render(gw()));
    expect(high.securityContext.runAsNonRoot).toBe(true);
    expect(high.securityContext.sysctls).toBeUndefined();
    expect(high.containers[0]?.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    const low = pod(render(gw({ listeners: [{ name: 'a', port: 80, protocol: 'HTTP' }] })));
    expect(low.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    expect(low.containers[0]?.securityContext.capabilities).toEqual({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] });
  });

  it('stamps a content hash that changes with the content and not otherwise', () => {
    const h = (g: Gateway) => render(g).map((o) => o.metadata.annotations?.['switchyard.dev/spec-hash']);
    expect(h(gw())).toEqual(h(gw()));
    expect(h(gw({ listeners: [{ name: 'a', port: 9000, protocol: 'HTTP' }] }))).not.toEqual(h(gw()));
  });
});
