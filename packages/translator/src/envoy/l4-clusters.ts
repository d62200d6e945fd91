// The one cluster Switchyard defines that stands for no backend: tcp_proxy
// shares of invalid TLSRoute/TCPRoute backendRefs go there. It has no
// endpoints, so Envoy closes each such connection at once (there is no
// response code to give on a raw TCP connection).
import { INVALID_TCP_BACKEND_CLUSTER, type Cluster } from '@switchyard/protos';
import type { FleetIR } from '../ir/ir.js';

export function usesInvalidTcpBackend(f: FleetIR): boolean {
  return f.listeners.some(
    (l) =>
      l.udpProxy?.cluster === INVALID_TCP_BACKEND_CLUSTER ||
      l.filterChains.some(
        (c) =>
          c.kind === 'tcp_proxy' &&
          (c.backends.length === 0 || c.backends.some((b) => b.cluster === null && b.weight > 0) || c.backends.every((b) => b.weight <= 0)),
      ),
  );
}

export function invalidTcpBackendCluster(): Cluster {
  return {
    name: INVALID_TCP_BACKEND_CLUSTER,
    type: 'STATIC',
    connect_timeout: { seconds: '1', nanos: 0 },
    load_assignment: { cluster_name: INVALID_TCP_BACKEND_CLUSTER, endpoints: [] },
  };
}
