// The endpoints Envoy load-balances over for a cluster: the EDS assignment
// named by eds_cluster_config.service_name (else the cluster's own name) for
// EDS clusters, the inline load_assignment otherwise. With locality weights
// Envoy first picks a locality by weight, then an endpoint inside it; the
// flat list below folds both into one weight per endpoint so one weighted
// draw picks as Envoy's two would.
import type { Cluster, ClusterLoadAssignment, EnvoyResources } from '@switchyard/protos';
import { backendSourceOf } from './metadata.js';
import type { BackendSource } from './types.js';

export interface ClusterEndpoint {
  readonly address: string;
  readonly port: number;
  /** Relative weight within the cluster (locality weight share x endpoint weight). */
  readonly weight: number;
  /** Index of the locality (LocalityLbEndpoints) in the assignment. */
  readonly locality: number;
  /** The hostname Envoy uses for auto_host_rewrite, if the endpoint names one. */
  readonly hostname?: string;
  /** The backend this endpoint's locality or endpoint metadata names, if any. */
  readonly backend?: BackendSource;
}

const UNHEALTHY = new Set(['UNHEALTHY', 'DRAINING', 'TIMEOUT', 2, 3, 4]);

export function isEdsCluster(cluster: Cluster): boolean {
  return cluster.type === 'EDS' || cluster.type === 3 || (cluster.eds_cluster_config !== undefined && cluster.eds_cluster_config !== null);
}

/** The load assignment a cluster balances over, or undefined when none is known. */
export function loadAssignmentOf(cluster: Cluster, resources: EnvoyResources): ClusterLoadAssignment | undefined {
  if (!isEdsCluster(cluster)) return cluster.load_assignment ?? undefined;
  const name = cluster.eds_cluster_config?.service_name || cluster.name;
  return resources.endpoints.find((e) => e.cluster_name === name);
}

/** The healthy socket-address endpoints of a cluster, with their effective weights. */
export function clusterEndpoints(cluster: Cluster, resources: EnvoyResources): ClusterEndpoint[] {
  const cla = loadAssignmentOf(cluster, resources);
  if (!cla) return [];
  const localities = cla.endpoints ?? [];
  const localityWeighted = localities.some((l) => (l.load_balancing_weight?.value ?? 0) > 0);
  const out: ClusterEndpoint[] = [];
  for (const [locality, l] of localities.entries()) {
    const lw = localityWeighted ? (l.load_balancing_weight?.value ?? 0) : 1;
    const members = (l.lb_endpoints ?? []).filter((e) => !UNHEALTHY.has(e.health_status as string | number) && e.endpoint?.address?.socket_address);
    const total = members.reduce((s, e) => s + (e.load_balancing_weight?.value ?? 1), 0);
    for (const e of members) {
      const sa = e.endpoint!.address!.socket_address!;
      const backend = backendSourceOf(e.metadata) ?? backendSourceOf(l.metadata);
      out.push({
        address: sa.address ?? '',
        port: sa.port_value ?? 0,
        // Scaled so that a locality's endpoints together carry its locality weight.
        weight: localityWeighted
          ? Math.max(1, Math.round((lw * (e.load_balancing_weight?.value ?? 1) * 1000) / Math.max(total, 1)))
          : (e.load_balancing_weight?.value ?? 1),
        locality,
        ...(e.endpoint?.hostname ? { hostname: e.endpoint.hostname } : {}),
        ...(backend ? { backend } : {}),
      });
    }
  }
  return out;
}
