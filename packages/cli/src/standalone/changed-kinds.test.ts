import type { KubeObject } from '@switchyard/api';
import { changedKinds } from './changed-kinds.js';

const svc = (name: string, port = 80): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'web' }, spec: { ports: [{ port }] } });
const slice = (name: string, ip: string): KubeObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'web' }, endpoints: [{ addresses: [ip] }] } as KubeObject);

describe('changedKinds', () => {
  it('finds no change between two parses of the same objects', () => {
    expect(changedKinds([svc('a'), slice('a-1', '10.0.0.1')], [slice('a-1', '10.0.0.1'), svc('a')])).toEqual(new Set());
  });
  it('names the kinds with an object changed, added or removed', () => {
    expect(changedKinds([svc('a'), slice('a-1', '10.0.0.1')], [svc('a'), slice('a-1', '10.0.0.2')])).toEqual(new Set(['discovery.k8s.io/EndpointSlice']));
    expect(changedKinds([svc('a'), slice('a-1', '10.0.0.1')], [svc('a', 81), slice('a-1', '10.0.0.1')])).toEqual(new Set(['/Service']));
    expect(changedKinds([svc('a')], [svc('a'), svc('b')])).toEqual(new Set(['/Service']));
    expect(changedKinds([svc('a'), slice('a-1', '10.0.0.1')], [svc('a')])).toEqual(new Set(['discovery.k8s.io/EndpointSlice']));
    // Same name, another namespace: a different object.
    expect(changedKinds([svc('a')], [{ ...svc('a'), metadata: { name: 'a', namespace: 'other' } }])).toEqual(new Set(['/Service']));
  });
});
