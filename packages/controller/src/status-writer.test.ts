import { snapshotOf, type KubeObject } from '@switchyard/api';
import { mergeStatus, statusEqual, ownsStatus } from './status-writer.js';

const ME = 'switchyard.dev/gateway-controller';

describe('mergeStatus', () => {
  it('keeps other controllers’ route parents and replaces ours', () => {
    const current = {
      parents: [
        { parentRef: { name: 'a' }, controllerName: 'other.io/c', conditions: [] },
        { parentRef: { name: 'b' }, controllerName: ME, conditions: [{ type: 'Accepted', status: 'False' }] },
      ],
    };
    const computed = { parents: [{ parentRef: { name: 'b' }, controllerName: ME, conditions: [{ type: 'Accepted', status: 'True' }] }] };
    expect(mergeStatus(current, computed, ME)).toEqual({ parents: [current.parents[0], computed.parents[0]] });
  });
});

describe('mergeStatus and conditions of other controllers', () => {
  const foreign = { type: 'special.io/SomeField', status: 'True', reason: 'Seeded', observedGeneration: 1, lastTransitionTime: '2026-01-01T00:00:00Z' };

  it('keeps a Gateway condition and a listener condition Switchyard does not own, unchanged and in place', () => {
    const current = {
      conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 1 }, foreign, { type: 'Programmed', status: 'True', observedGeneration: 1 }],
      listeners: [{ name: 'http', attachedRoutes: 0, conditions: [foreign, { type: 'Accepted', status: 'True', observedGeneration: 1 }] }],
    };
    const computed = {
      conditions: [
        { type: 'Accepted', status: 'True', observedGeneration: 2 },
        { type: 'Programmed', status: 'True', observedGeneration: 2 },
      ],
      listeners: [{ name: 'http', attachedRoutes: 1, conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 2 }] }],
    };
    expect(mergeStatus(current, computed, ME)).toEqual({
      conditions: [computed.conditions[0], foreign, computed.conditions[1]],
      listeners: [{ name: 'http', attachedRoutes: 1, conditions: [foreign, computed.listeners[0]!.conditions[0]] }],
    });
  });

  it('drops a condition of its own that it no longer reports, and appends new ones', () => {
    const current = { conditions: [{ type: 'ResolvedRefs', status: 'False' }, foreign] };
    const computed = { conditions: [{ type: 'Accepted', status: 'True' }] };
    expect(mergeStatus(current, computed, ME)).toEqual({ conditions: [foreign, { type: 'Accepted', status: 'True' }] });
  });

  it('sees nothing to write when only a foreign condition differs from what it computed', () => {
    const current = { conditions: [{ type: 'Accepted', status: 'True' }, foreign] };
    const computed = { conditions: [{ type: 'Accepted', status: 'True' }] };
    expect(statusEqual(current, mergeStatus(current, computed, ME))).toBe(true);
  });
});

describe('statusEqual', () => {
  it('ignores lastTransitionTime and condition order, not status changes', () => {
    const a = {
      conditions: [
        { type: 'A', status: 'True', lastTransitionTime: 't1' },
        { type: 'B', status: 'True' },
      ],
    };
    const b = {
      conditions: [
        { type: 'B', status: 'True' },
        { type: 'A', status: 'True', lastTransitionTime: 't2' },
      ],
    };
    expect(statusEqual(a, b)).toBe(true);
    expect(
      statusEqual(a, {
        conditions: [
          { type: 'A', status: 'False' },
          { type: 'B', status: 'True' },
        ],
      }),
    ).toBe(false);
  });
});

describe('ownsStatus', () => {
  const objs: KubeObject[] = [
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'mine' }, spec: { controllerName: ME } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'theirs' }, spec: { controllerName: 'other.io/c' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g1', namespace: 'n' }, spec: { gatewayClassName: 'mine' } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g2', namespace: 'n' }, spec: { gatewayClassName: 'theirs' } },
  ];
  const snap = snapshotOf(objs);
  it('writes only GatewayClasses and Gateways of our controller', () => {
    expect(objs.map((o) => ownsStatus(o, snap, ME))).toEqual([true, false, true, false]);
  });
  it('writes policies of the experimental group (XTelemetryPolicy): their ancestors are merged per controllerName', () => {
    const policy: KubeObject = { apiVersion: 'gateway.networking.x-k8s.io/v1alpha1', kind: 'XTelemetryPolicy', metadata: { name: 'p', namespace: 'n' } };
    expect(ownsStatus(policy, snap, ME)).toBe(true);
    const other: KubeObject = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't', namespace: 'n' } };
    expect(ownsStatus(other, snap, ME)).toBe(false);
  });
});
