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
});
