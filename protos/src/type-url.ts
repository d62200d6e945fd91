// Type URLs of the resources served over ADS, and the order they are pushed in.

/** Type URLs of the resource types served over ADS. */
export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;
export type ResourceTypeUrl = (typeof TypeUrl)[keyof typeof TypeUrl];

/** The order in which make-before-break pushes resource types to Envoy. */
export const RESOURCE_TYPE_ORDER: readonly ResourceTypeUrl[] = [
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Secret,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

/** Builds a type URL for a fully qualified message name. */
export function typeUrlOf(fullName: string): string {
  return `type.googleapis.com/${fullName}`;
}
