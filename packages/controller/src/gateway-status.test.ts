import { snapshotOf, type Gateway, type GatewayStatus, type KubeObject } from '@switchyard/api';
import { fleetSpec } from './fleet.js';
import { fleetReadiness, withFleetStatus, CONFIG_REJECTED_CONDITION } from './gateway-status.js';

const gw: Gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'web', namespace: 'shop', generation: 3 },
  spec: { gatewayClassName: 'sy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
};
const computed: GatewayStatus = {
  conditions: [
    { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 3 },
    { type: 'Programmed', status: 'True', reason: 'Programmed', message: '', observedGeneration: 3 },
  ],
  listeners: [{ name: 'http', supportedKinds: [], attachedRoutes: 0, conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed', message: '' }] }],
};
const spec = fleetSpec(gw, undefined);
const ds = (available: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'switchyard-web', namespace: 'shop' },
  status: { numberAvailable: available },
});
const svc = (ingress: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'switchyard-web', namespace: 'shop' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress } },
});
const programmed = (objs: KubeObject[]) => {
  const s = withFleetStatus(gw, computed, spec, fleetReadiness(spec, snapshotOf(objs)), undefined, 'now');
  return {
    gw: s.conditions!.find((c) => c.type === 'Programmed')!,
    listener: s.listeners![0]!.conditions.find((c) => c.type === 'Programmed')!,
    addresses: s.addresses,
  };
};

describe('withFleetStatus', () => {
  it('Programmed is False/AddressNotAssigned until the Service has an address', () => {
    const p = programmed([ds(1), svc([])]);
    expect(p.gw).toMatchObject({ status: 'False', reason: 'AddressNotAssigned', observedGeneration: 3 });
    expect(p.listener).toMatchObject({ status: 'False', reason: 'Pending' });
  });
  it('Programmed is False/Pending while no pod is available', () => {
    expect(programmed([ds(0), svc([{ ip: '1.2.3.4' }])]).gw).toMatchObject({ status: 'False', reason: 'Pending' });
  });
  it('Programmed stays True with pods and an address, which is published typed', () => {
    const p = programmed([ds(2), svc([{ ip: '1.2.3.4' }, { hostname: 'lb.example' }])]);
    expect(p.gw.status).toBe('True');
    expect(p.addresses).toEqual([
      { type: 'IPAddress', value: '1.2.3.4' },
      { type: 'Hostname', value: 'lb.example' },
    ]);
  });
  it('keeps a translator Programmed=False (invalid configuration) as it is', () => {
    const bad: GatewayStatus = {
      ...computed,
      conditions: [computed.conditions![0]!, { type: 'Programmed', status: 'False', reason: 'Invalid', message: 'no valid listeners' }],
    };
    const s = withFleetStatus(gw, bad, spec, fleetReadiness(spec, snapshotOf([ds(1), svc([{ ip: '1.2.3.4' }])])), undefined, 'now');
    expect(s.conditions!.find((c) => c.type === 'Programmed')).toMatchObject({ status: 'False', reason: 'Invalid' });
  });
  it('names the rejected resource in the ConfigRejected condition', () => {
    const s = withFleetStatus(
      gw,
      computed,
      spec,
      fleetReadiness(spec, snapshotOf([ds(1), svc([{ ip: '1.2.3.4' }])])),
      { typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', resourceNames: ['shop/api:80'], message: 'bad', nodeId: 'n1', at: 'now' },
      'now',
    );
    expect(s.conditions!.find((c) => c.type === CONFIG_REJECTED_CONDITION)).toMatchObject({
      status: 'True',
      message: 'Envoy n1 rejected Cluster shop/api:80: bad',
    });
  });

  describe('spec.addresses', () => {
    const withAddresses = (addresses: NonNullable<Gateway['spec']>['addresses'], objs: KubeObject[]) => {
      const g: Gateway = { ...gw, spec: { ...gw.spec!, addresses } };
      const sp = fleetSpec(g, undefined);
      const s = withFleetStatus(g, computed, sp, fleetReadiness(sp, snapshotOf(objs)), undefined, 'now');
      return {
        accepted: s.conditions!.find((c) => c.type === 'Accepted')!,
        programmed: s.conditions!.find((c) => c.type === 'Programmed')!,
        addresses: s.addresses,
      };
    };
    it('an IPAddress the load balancer did not assign is AddressNotUsable, named with what it assigned', () => {
      const r = withAddresses([{ value: '192.0.2.1' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.accepted.status).toBe('True');
      expect(r.programmed).toMatchObject({ status: 'False', reason: 'AddressNotUsable' });
      expect(r.programmed.message).toContain('192.0.2.1');
      expect(r.programmed.message).toContain('ingress: 10.0.0.9');
      expect(r.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.9' }]);
    });
    it('the requested IPAddress the load balancer assigned is the one status address, and Programmed is True', () => {
      const r = withAddresses([{ type: 'IPAddress', value: '10.0.0.9' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.programmed).toMatchObject({ status: 'True', reason: 'Programmed' });
      expect(r.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.9' }]);
    });
    it('a second IPAddress on a LoadBalancer Service is unusable unless the load balancer assigned it too', () => {
      const second = withAddresses([{ value: '10.0.0.9' }, { value: '10.0.0.8' }], [ds(1), svc([{ ip: '10.0.0.9' }])]).programmed;
      expect(second.reason).toBe('AddressNotUsable');
      expect(second.message).toContain('10.0.0.8: a LoadBalancer Service requests only the first IPAddress');
      const both = withAddresses([{ value: '10.0.0.9' }, { value: '10.0.0.8' }], [ds(1), svc([{ ip: '10.0.0.9' }, { ip: '10.0.0.8' }])]);
      expect(both.programmed.status).toBe('True');
      expect(both.addresses!.map((a) => a.value)).toEqual(['10.0.0.9', '10.0.0.8']);
    });
    it('an address type without a value (GatewayAddressEmpty) is satisfied by any assigned address of that type', () => {
      const r = withAddresses([{ type: 'IPAddress' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.accepted.status).toBe('True');
      expect(r.programmed.status).toBe('True');
      expect(r.addresses).toEqual([{ type: 'IPAddress', value: '10.0.0.9' }]);
      const host = withAddresses([{ type: 'Hostname' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(host.programmed).toMatchObject({ status: 'False', reason: 'AddressNotAssigned' });
      expect(host.programmed.message).toContain('type Hostname');
    });
    it('a Hostname is usable only when the load balancer assigns exactly it', () => {
      expect(withAddresses([{ type: 'Hostname', value: 'lb.example' }], [ds(1), svc([{ hostname: 'lb.example' }])]).programmed.status).toBe('True');
      const r = withAddresses([{ type: 'Hostname', value: 'gw.example' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.accepted.status).toBe('True');
      expect(r.programmed).toMatchObject({ status: 'False', reason: 'AddressNotUsable' });
      expect(r.programmed.message).toContain('cannot request a hostname');
    });
    it('an IPAddress value that is not an IP is AddressNotUsable; a type Switchyard cannot use is Accepted=False UnsupportedAddress', () => {
      const malformed = withAddresses([{ value: 'nope' }], [ds(1), svc([{ ip: '10.0.0.9' }])]).programmed;
      expect(malformed.reason).toBe('AddressNotUsable');
      expect(malformed.message).toContain('"nope": not an IP address');
      const r = withAddresses([{ type: 'test/fake-invalid-type', value: 'x' }, { value: '10.0.0.9' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.accepted).toMatchObject({ status: 'False', reason: 'UnsupportedAddress' });
      expect(r.accepted.message).toContain('test/fake-invalid-type "x"');
      expect(r.programmed).toMatchObject({ status: 'False', reason: 'Invalid' });
    });
  });

  describe('spec.addresses routability (GEP-1651)', () => {
    const clusterSvc = (clusterIP: string, type = 'ClusterIP', ingress: unknown[] = []): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'switchyard-web', namespace: 'shop' },
      spec: { type, clusterIP, clusterIPs: [clusterIP] },
      status: { loadBalancer: { ingress } },
    });
    const withAddresses = (addresses: NonNullable<Gateway['spec']>['addresses'], objs: KubeObject[], serviceError?: string) => {
      const g: Gateway = { ...gw, spec: { ...gw.spec!, addresses } };
      const sp = fleetSpec(g, undefined);
      const s = withFleetStatus(g, computed, sp, fleetReadiness(sp, snapshotOf(objs), serviceError), undefined, 'now');
      return {
        spec: sp,
        accepted: s.conditions!.find((c) => c.type === 'Accepted')!,
        programmed: s.conditions!.find((c) => c.type === 'Programmed')!,
        addresses: s.addresses,
      };
    };
    it('Cluster routability alone: a ClusterIP Service whose cluster IP is reported with routability Cluster', () => {
      const r = withAddresses([{ type: 'IPAddress', routability: 'Cluster' }], [ds(1), clusterSvc('10.96.0.20')]);
      expect(r.spec.serviceType).toBe('ClusterIP');
      expect(r.programmed).toMatchObject({ status: 'True', reason: 'Programmed' });
      expect(r.addresses).toEqual([{ type: 'IPAddress', value: '10.96.0.20', routability: 'Cluster' }]);
    });
    it('a static Cluster value must be the cluster IP the Service has, else AddressNotUsable naming it', () => {
      const ok = withAddresses([{ value: '10.96.0.30', routability: 'Cluster' }], [ds(1), clusterSvc('10.96.0.30')]);
      expect(ok.programmed.status).toBe('True');
      expect(ok.addresses).toEqual([{ type: 'IPAddress', value: '10.96.0.30', routability: 'Cluster' }]);
      const other = withAddresses([{ value: '10.96.0.30', routability: 'Cluster' }], [ds(1), clusterSvc('10.96.0.31')]);
      expect(other.programmed).toMatchObject({ status: 'False', reason: 'AddressNotUsable' });
      expect(other.programmed.message).toContain('10.96.0.30: Service shop/switchyard-web has cluster IP 10.96.0.31');
      const refused = withAddresses([{ value: '10.96.0.30', routability: 'Cluster' }], [ds(1)], 'PATCH /api/v1/namespaces/shop/services/x: 422 out of range');
      expect(refused.programmed).toMatchObject({ status: 'False', reason: 'AddressNotUsable' });
      expect(refused.programmed.message).toContain('10.96.0.30: the API server refused it');
      expect(refused.programmed.message).toContain('422 out of range');
      const second = withAddresses(
        [
          { value: '10.96.0.30', routability: 'Cluster' },
          { value: '10.96.0.32', routability: 'Cluster' },
        ],
        [ds(1), clusterSvc('10.96.0.30')],
      );
      expect(second.programmed.message).toContain('10.96.0.32: a Service has one cluster IP');
    });
    it('mixed: the load balancer address without routability, the cluster IP with routability Cluster', () => {
      const r = withAddresses([{ type: 'IPAddress' }, { type: 'IPAddress', routability: 'Cluster' }], [ds(1), clusterSvc('10.96.0.40', 'LoadBalancer', [])]);
      expect(r.spec.serviceType).toBe('LoadBalancer');
      // The cluster IP does not satisfy an address of default routability.
      expect(r.programmed).toMatchObject({ status: 'False', reason: 'AddressNotAssigned' });
      const lb = withAddresses(
        [{ type: 'IPAddress' }, { type: 'IPAddress', routability: 'Cluster' }],
        [ds(1), clusterSvc('10.96.0.40', 'LoadBalancer', [{ ip: '203.0.113.5' }])],
      );
      expect(lb.programmed.status).toBe('True');
      expect(lb.addresses).toEqual([
        { type: 'IPAddress', value: '203.0.113.5' },
        { type: 'IPAddress', value: '10.96.0.40', routability: 'Cluster' },
      ]);
    });
    it('an implementation-specific routability, or Cluster on a Hostname, is Accepted=False UnsupportedAddress naming the field', () => {
      const r = withAddresses([{ value: '10.0.0.9' }, { type: 'IPAddress', routability: 'example.com/vpc' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(r.accepted).toMatchObject({ status: 'False', reason: 'UnsupportedAddress' });
      expect(r.accepted.message).toContain('spec.addresses[1].routability: "example.com/vpc" is not supported');
      expect(r.programmed).toMatchObject({ status: 'False', reason: 'Invalid' });
      const host = withAddresses([{ type: 'Hostname', routability: 'Cluster' }], [ds(1), svc([{ ip: '10.0.0.9' }])]);
      expect(host.accepted.message).toContain('spec.addresses[0].routability: "Cluster" is not supported for Hostname');
    });
  });
});
