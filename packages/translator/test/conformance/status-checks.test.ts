// The conformance status checks must fail where the suite's helpers would keep waiting.
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@switchyard/api';
import { CONTROLLER_NAME, type ObjectStatus } from '../../src/index.js';
import { checkStatus, statusView, supportedFeatures } from './status-checks.js';

const route = (generation: number): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'web', name: 'r', generation },
});
const gateway: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace: 'infra', name: 'gw', generation: 1 } };
const ok = (type: string, reason: string, observedGeneration = 1) => ({ type, status: 'True', reason, observedGeneration });

function statuses(parentRef: Record<string, unknown>, observedGeneration = 1): ObjectStatus[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: 'web',
      name: 'r',
      status: {
        parents: [
          {
            parentRef,
            controllerName: CONTROLLER_NAME,
            conditions: [ok('Accepted', 'Accepted', observedGeneration), ok('ResolvedRefs', 'ResolvedRefs', observedGeneration)],
          },
        ],
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      namespace: 'infra',
      name: 'gw',
      status: {
        conditions: [ok('Accepted', 'Accepted'), ok('Programmed', 'Programmed')],
        listeners: [
          {
            name: 'http',
            attachedRoutes: 1,
            supportedKinds: [{ kind: 'HTTPRoute' }],
            conditions: [ok('Accepted', 'Accepted'), ok('ResolvedRefs', 'ResolvedRefs'), ok('Programmed', 'Programmed')],
          },
        ],
      },
    },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: 'gc', status: { supportedFeatures: [{ name: 'HTTPRoute' }, 'Gateway'] } },
  ];
}

describe('conformance status checks', () => {
  const step = { kind: 'accepted' as const, gateway: 'infra/gw', routes: ['web/r'] };

  it('accept a route in another namespace only when its parentRef names the namespace (group and kind default as the API server does)', () => {
    expect(checkStatus(statusView([route(1), gateway], statuses({ name: 'gw', namespace: 'infra' })), step)).toEqual([]);
    expect(checkStatus(statusView([route(1), gateway], statuses({ name: 'gw' })), step)).toHaveLength(1);
  });

  it('reject conditions that are not at the latest observedGeneration', () => {
    const problems = checkStatus(statusView([route(2), gateway], statuses({ name: 'gw', namespace: 'infra' }, 1)), step);
    expect(problems[0]).toMatch(/not at observedGeneration 2/);
  });

  it('compare listener status exactly where the suite does', () => {
    const view = statusView([route(1), gateway], statuses({ name: 'gw', namespace: 'infra' }));
    const listeners = (attachedRoutes: number) => ({
      kind: 'gateway-listeners' as const,
      gateway: 'infra/gw',
      listeners: [{ name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes, conditions: [{ type: 'Accepted', status: 'True' as const }] }],
    });
    expect(checkStatus(view, listeners(1))).toEqual([]);
    expect(checkStatus(view, listeners(2))).toEqual(['listener http: expected attachedRoutes 2, have 1']);
    expect(supportedFeatures(view, 'gc')).toEqual(['HTTPRoute', 'Gateway']);
  });
});
