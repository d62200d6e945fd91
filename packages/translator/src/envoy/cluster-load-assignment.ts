// ClusterLoadAssignment (EDS) for each EDS cluster: its ready endpoints in
// one locality. An empty list is sent too, so Envoy answers 503 (no healthy
// upstream) instead of waiting for endpoints forever.
import type { ClusterLoadAssignment } from '@switchyard/protos';
import type { ClusterIR } from '../ir/ir.js';
import { clusterMetadata } from './metadata.js';

export function clusterLoadAssignment(c: ClusterIR): ClusterLoadAssignment | undefined {
  if (c.blocked) return undefined; // a STATIC cluster with an empty inline load_assignment
  const protocol = c.protocol === 'udp' ? 'UDP' : 'TCP';
  if (c.discovery.type === 'weighted-eds') {
    // One locality per backend, weighted (the cluster enables locality-weighted
    // load balancing); the locality (and each endpoint) names its backend in metadata so tools
    // can tell the shares apart. Zero-weight backends are left out: Envoy
    // rejects a locality weight of 0.
    return {
      cluster_name: c.name,
      endpoints: c.discovery.localities
        .filter((l) => l.weight > 0)
        .map((l) => ({
          locality: { sub_zone: `${l.backend.namespace}/${l.backend.name}:${l.backend.port}` },
          metadata: clusterMetadata(l.backend),
          load_balancing_weight: { value: l.weight },
          lb_endpoints: l.endpoints.map((e) => ({
            metadata: clusterMetadata(l.backend),
            endpoint: { address: { socket_address: { protocol, address: e.address, port_value: e.port } } },
          })),
        })),
    };
  }
  if (c.discovery.type !== 'eds') return undefined;
  return {
    cluster_name: c.name,
    endpoints:
      c.discovery.endpoints.length === 0
        ? []
        : [
            {
              lb_endpoints: c.discovery.endpoints.map((e) => ({
                endpoint: { address: { socket_address: { protocol, address: e.address, port_value: e.port } } },
              })),
            },
          ],
  };
}
