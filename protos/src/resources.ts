// The five resource types one Envoy fleet receives, as plain objects in the
// shape of the generated types. This is the hand-off between the translator,
// which builds them, and the xDS server, which encodes and serves them.
import type { Listener } from './generated/envoy/config/listener/v3/Listener.js';
import type { RouteConfiguration } from './generated/envoy/config/route/v3/RouteConfiguration.js';
import type { Cluster } from './generated/envoy/config/cluster/v3/Cluster.js';
import type { ClusterLoadAssignment } from './generated/envoy/config/endpoint/v3/ClusterLoadAssignment.js';
import type { Secret } from './generated/envoy/extensions/transport_sockets/tls/v3/Secret.js';
import { TypeUrl, type ResourceTypeUrl } from './type-url.js';

export type { Listener, RouteConfiguration, Cluster, ClusterLoadAssignment, Secret };

export interface EnvoyResources {
  readonly listeners: readonly Listener[];
  readonly routes: readonly RouteConfiguration[];
  readonly clusters: readonly Cluster[];
  readonly endpoints: readonly ClusterLoadAssignment[];
  readonly secrets: readonly Secret[];
}

export const EMPTY_RESOURCES: EnvoyResources = { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };

/** Which EnvoyResources field holds which type URL. */
export const RESOURCE_FIELDS: ReadonlyArray<readonly [keyof EnvoyResources, ResourceTypeUrl]> = [
  ['clusters', TypeUrl.Cluster],
  ['endpoints', TypeUrl.ClusterLoadAssignment],
  ['secrets', TypeUrl.Secret],
  ['listeners', TypeUrl.Listener],
  ['routes', TypeUrl.RouteConfiguration],
];

/** The name of any resource: ClusterLoadAssignment names itself by cluster_name. */
export function resourceName(r: { name?: string } | { cluster_name?: string }): string {
  return ('name' in r ? r.name : (r as { cluster_name?: string }).cluster_name) ?? '';
}
