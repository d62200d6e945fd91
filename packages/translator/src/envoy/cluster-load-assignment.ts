// ClusterLoadAssignment (EDS) for each EDS cluster: its ready endpoints in
// one locality. An empty list is sent too, so Envoy answers 503 (no healthy
// upstream) instead of waiting for endpoints forever.
import type { ClusterLoadAssignment } from '@switchyard/protos';
import type { ClusterIR } from '../ir/ir.js';

export function clusterLoadAssignment(c: ClusterIR): ClusterLoadAssignment | undefined {
  if (c.discovery.type !== 'eds') return undefined;
  const protocol = c.protocol === 'udp' ? 'UDP' : 'TCP';
  return {
    cluster_name: c.name,
    endpoints:
      c.discovery.endpoints.length === 0
        ? []
        : [{ lb_endpoints: c.discovery.endpoints.map((e) => ({ endpoint: { address: { socket_address: { protocol, address: e.address, port_value: e.port } } } })) }],
  };
}
