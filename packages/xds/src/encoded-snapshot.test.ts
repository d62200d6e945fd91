// Encoding a fleet's resources: content-hash versions, per-type diffs, and
// the references make-before-break relies on.
import { messageType, TypeUrl, type EnvoyResources } from '@switchyard/protos';
import { encodeSnapshot, referencesOf } from './encoded-snapshot.js';
import { encodeAny, encodeDeltaResource } from './wire.js';
import { fixture } from '../test/fixtures.js';

test('versions are content hashes: equal content gives equal versions, any change a new one', () => {
  const a = encodeSnapshot('ns/gw', fixture({ clusters: ['x', 'y'] }));
  const b = encodeSnapshot('ns/gw', fixture({ clusters: ['x', 'y'] }));
  expect(b.version).toBe(a.version);
  const c = encodeSnapshot('ns/gw', fixture({ clusters: ['x', 'y'], endpointIp: '10.9.9.9' }), a);
  expect(c.version).not.toBe(a.version);
  // Unchanged types keep their set object; the changed type records what changed.
  expect(c.types.get(TypeUrl.Cluster)).toBe(a.types.get(TypeUrl.Cluster));
  const eds = c.types.get(TypeUrl.ClusterLoadAssignment)!;
  expect(eds.base).toEqual({ version: a.types.get(TypeUrl.ClusterLoadAssignment)!.version, changed: ['x', 'y'], removed: [] });
  const d = encodeSnapshot('ns/gw', fixture({ clusters: ['x'], endpointIp: '10.9.9.9' }), c);
  expect(d.types.get(TypeUrl.Cluster)!.base).toMatchObject({ changed: [], removed: ['y'] });
  // An unchanged resource keeps its encoded object across snapshots.
  expect(d.types.get(TypeUrl.Cluster)!.resources.get('x')).toBe(a.types.get(TypeUrl.Cluster)!.resources.get('x'));
});

test('the Any of every resource is the same bytes inside its delta Resource, held once', () => {
  const s = encodeSnapshot('ns/gw', fixture({ clusters: ['x', 'y'] }));
  let n = 0;
  for (const set of s.types.values()) {
    for (const r of set.resources.values()) {
      n++;
      // What the two envelope encoders give, byte for byte.
      const decoded = messageType('google.protobuf.Any').decode(r.any) as unknown as { type_url: string; value: Uint8Array };
      expect(decoded.type_url).toBe(r.typeUrl);
      expect(Buffer.compare(r.any, encodeAny(r.typeUrl, decoded.value))).toBe(0);
      expect(Buffer.compare(r.delta, encodeDeltaResource(r.name, r.version, r.any))).toBe(0);
      // A view of the delta's memory, not a copy.
      expect(r.any.buffer).toBe(r.delta.buffer);
      expect(r.any.byteOffset).toBeGreaterThan(r.delta.byteOffset);
      expect(r.any.byteOffset + r.any.length).toBeLessThanOrEqual(r.delta.byteOffset + r.delta.length);
    }
  }
  expect(n).toBeGreaterThan(4);
});

test('a nameless or duplicate resource is a programming error named in the message', () => {
  const r = fixture({ clusters: ['x'] });
  const dup: EnvoyResources = { ...r, clusters: [r.clusters[0]!, r.clusters[0]!] };
  expect(() => encodeSnapshot('ns/gw', dup)).toThrow('xds: fleet ns/gw: duplicate Cluster name "x"');
  const nameless: EnvoyResources = { ...r, clusters: [{ ...r.clusters[0]!, name: '' }] };
  expect(() => encodeSnapshot('ns/gw', nameless)).toThrow('xds: fleet ns/gw: a Cluster has no name');
});

test('references: routes, tcp_proxy, HCM rds, TLS secrets, EDS service names', () => {
  const route = referencesOf(TypeUrl.RouteConfiguration, 'rc', {
    name: 'rc',
    virtual_hosts: [
      {
        name: 'vh',
        domains: ['*'],
        routes: [
          { match: { prefix: '/a' }, route: { cluster: 'a', request_mirror_policies: [{ cluster: 'mirror' }] } },
          {
            match: { prefix: '/w' },
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'w1', weight: 1 },
                  { name: 'w2', weight: 1 },
                ],
              },
            },
          },
        ],
      },
    ],
  });
  expect([...route.clusters].sort()).toEqual(['a', 'mirror', 'w1', 'w2']);
  const listener = referencesOf(TypeUrl.Listener, 'l', {
    name: 'l',
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
              stat_prefix: 'tcp',
              weighted_clusters: { clusters: [{ name: 't1', weight: 1 }] },
            },
          },
          { name: 'hcm', typed_config: { '@type': 'x', rds: { route_config_name: 'rc-1' } } },
        ],
        transport_socket: {
          name: 'tls',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
            common_tls_context: { tls_certificate_sds_secret_configs: [{ name: 's1' }], validation_context_sds_secret_config: { name: 'ca' } },
          },
        },
      },
    ],
  });
  expect(listener).toEqual({ clusters: ['t1'], endpoints: [], secrets: ['s1', 'ca'], routeConfigs: ['rc-1'] });
  const cluster = referencesOf(TypeUrl.Cluster, 'c', { name: 'c', type: 'EDS', eds_cluster_config: { service_name: 'svc' } });
  expect(cluster.endpoints).toEqual(['svc']);
  expect(referencesOf(TypeUrl.Cluster, 'c', { name: 'c', type: 'EDS', eds_cluster_config: {} }).endpoints).toEqual(['c']);
  expect(referencesOf(TypeUrl.Cluster, 'c', { name: 'c', type: 'STATIC' }).endpoints).toEqual([]);
});
