import { snapshotOf } from './snapshot.js';

describe('snapshotOf', () => {
  it('indexes objects by kind and namespace/name, sorted, later duplicates winning', () => {
    const svc = (ns: string, name: string, port: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { port } });
    const s = snapshotOf([svc('b', 'x', 1), svc('a', 'y', 2), svc('b', 'x', 3)]);
    expect(s.list('', 'Service').map((o) => o.metadata.name)).toEqual(['y', 'x']);
    expect(s.get('', 'Service', 'b', 'x')?.spec).toEqual({ port: 3 });
    expect(s.get('gateway.networking.k8s.io', 'Gateway', 'a', 'y')).toBeUndefined();
  });
});
