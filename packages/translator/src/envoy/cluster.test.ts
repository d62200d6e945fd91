import { encodeMessage, TypeUrl } from '@switchyard/protos';
import type { ClusterIR, ListenerIR } from '../ir/ir.js';
import { cluster } from './cluster.js';
import { clusterLoadAssignment } from './cluster-load-assignment.js';
import { listener } from './listener.js';
import { readMetadata } from '@switchyard/protos';

const backend = { kind: 'Service', group: '', namespace: 'ns', name: 'svc', port: 80 } as const;

describe('cluster and endpoint emitters', () => {
  it('serves a Service port over EDS with its ready endpoints, and names the backend in metadata', () => {
    const c: ClusterIR = {
      name: 'ns/svc:80',
      backend,
      protocol: 'http1',
      discovery: {
        type: 'eds',
        endpoints: [
          { address: '10.0.0.1', port: 8080 },
          { address: 'fd00::1', port: 8080 },
        ],
      },
    };
    const out = cluster(c);
    expect(out).toMatchObject({ name: 'ns/svc:80', type: 'EDS', eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } } });
    expect(out.typed_extension_protocol_options).toBeUndefined();
    expect(readMetadata(out.metadata)).toEqual({ kind: 'Service', namespace: 'ns', name: 'svc', port: '80' });
    const cla = clusterLoadAssignment(c)!;
    expect(cla.cluster_name).toBe('ns/svc:80');
    expect(cla.endpoints![0]!.lb_endpoints!.map((e) => e.endpoint!.address!.socket_address!.address)).toEqual(['10.0.0.1', 'fd00::1']);
    expect(encodeMessage(TypeUrl.Cluster, out).length).toBeGreaterThan(0);
    expect(encodeMessage(TypeUrl.ClusterLoadAssignment, cla).length).toBeGreaterThan(0);
  });
  it('sends an empty assignment for a Service without ready endpoints (Envoy answers 503, not a hang)', () => {
    expect(clusterLoadAssignment({ name: 'x', backend, protocol: 'http1', discovery: { type: 'eds', endpoints: [] } })).toEqual({
      cluster_name: 'x',
      endpoints: [],
    });
  });
  it('speaks HTTP/2 to h2c backends and resolves ExternalName by DNS', () => {
    const out = cluster({ name: 'ns/ext:443/h2c', backend, protocol: 'h2c', discovery: { type: 'dns', hostname: 'api.example.net', port: 443 } });
    expect(out.type).toBe('LOGICAL_DNS');
    expect(out.load_assignment!.endpoints![0]!.lb_endpoints![0]!.endpoint!.address!.socket_address).toEqual({ address: 'api.example.net', port_value: 443 });
    expect(out.typed_extension_protocol_options!['envoy.extensions.upstreams.http.v3.HttpProtocolOptions']).toMatchObject({
      explicit_http_config: { http2_protocol_options: {} },
    });
    expect(clusterLoadAssignment({ name: 'x', backend, protocol: 'h2c', discovery: { type: 'dns', hostname: 'a', port: 1 } })).toBeUndefined();
    expect(encodeMessage(TypeUrl.Cluster, out).length).toBeGreaterThan(0);
  });
  it('emits an HTTP listener using its route configuration over ADS, with CORS before the router', () => {
    const l: ListenerIR = { name: 'tcp-80', port: 80, transport: 'TCP', filterChains: [{ kind: 'http', name: 'http-80', routeConfigName: 'http-80' }] };
    const out = listener(l);
    expect(out.address).toEqual({ socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: 80 } });
    const hcm = out.filter_chains![0]!.filters![0]!.typed_config as unknown as {
      rds: { route_config_name: string };
      http_filters: Array<{ name: string }>;
      normalize_path: { value: boolean };
    };
    expect(hcm.rds.route_config_name).toBe('http-80');
    expect(hcm.http_filters.map((f) => f.name).slice(-2)).toEqual(['envoy.filters.http.cors', 'envoy.filters.http.router']);
    expect(hcm.normalize_path).toEqual({ value: true });
    expect(encodeMessage(TypeUrl.Listener, out).length).toBeGreaterThan(0);
  });
});
