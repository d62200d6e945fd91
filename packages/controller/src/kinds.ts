// Every kind the controller watches. Adding a kind (for example the
// project's own switchyard.dev kinds once their CRDs exist) is one line here:
// the watch, the snapshot and the RBAC test all read this table.
import { GATEWAY_GROUP, SWITCHYARD_GROUP } from '@switchyard/api';

export interface WatchedKind {
  readonly group: string;
  readonly kind: string;
  /** Versions in order of preference; the first one the API server serves is watched. */
  readonly versions: readonly string[];
  /**
   * Optional kinds may be absent (CRD not installed, or an older Gateway API
   * channel): the controller runs without them and starts watching once the
   * API server serves them.
   */
  readonly optional: boolean;
  /** Watch only objects with these labels (the fleet objects Switchyard itself created). */
  readonly labelSelector?: string;
  /** Watch only objects matching this field selector. */
  readonly fieldSelector?: string;
}

/** Label on every object Switchyard provisions for a fleet. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'switchyard';
/** Reason of the Events that report configuration Envoy rejected. */
export const NACK_EVENT_REASON = 'ConfigRejected';
const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;

export const WATCHED_KINDS: readonly WatchedKind[] = [
  { group: GATEWAY_GROUP, kind: 'GatewayClass', versions: ['v1', 'v1beta1'], optional: false },
  { group: GATEWAY_GROUP, kind: 'Gateway', versions: ['v1', 'v1beta1'], optional: false },
  { group: GATEWAY_GROUP, kind: 'HTTPRoute', versions: ['v1', 'v1beta1'], optional: false },
  { group: GATEWAY_GROUP, kind: 'GRPCRoute', versions: ['v1'], optional: true },
  { group: GATEWAY_GROUP, kind: 'TLSRoute', versions: ['v1', 'v1alpha3', 'v1alpha2'], optional: true },
  { group: GATEWAY_GROUP, kind: 'TCPRoute', versions: ['v1', 'v1alpha2'], optional: true },
  { group: GATEWAY_GROUP, kind: 'UDPRoute', versions: ['v1', 'v1alpha2'], optional: true },
  { group: GATEWAY_GROUP, kind: 'ReferenceGrant', versions: ['v1', 'v1beta1'], optional: true },
  { group: GATEWAY_GROUP, kind: 'BackendTLSPolicy', versions: ['v1', 'v1alpha3'], optional: true },
  { group: GATEWAY_GROUP, kind: 'ListenerSet', versions: ['v1'], optional: true },
  { group: SWITCHYARD_GROUP, kind: 'ProxyConfig', versions: ['v1alpha1'], optional: true },
  { group: SWITCHYARD_GROUP, kind: 'RateLimit', versions: ['v1alpha1'], optional: true },
  { group: '', kind: 'Service', versions: ['v1'], optional: false },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', versions: ['v1'], optional: false },
  // Not Helm release records nor legacy ServiceAccount tokens: often the bulk
  // of a cluster's Secrets, and never referenced by Gateway API objects.
  { group: '', kind: 'Secret', versions: ['v1'], optional: false, fieldSelector: 'type!=helm.sh/release.v1,type!=kubernetes.io/service-account-token' },
  { group: '', kind: 'ConfigMap', versions: ['v1'], optional: false },
  { group: '', kind: 'Namespace', versions: ['v1'], optional: false },
  // Fleet workloads: their status says whether the fleet has available pods.
  { group: 'apps', kind: 'DaemonSet', versions: ['v1'], optional: false, labelSelector: managed },
  { group: 'apps', kind: 'Deployment', versions: ['v1'], optional: false, labelSelector: managed },
  // The autoscaler of a fleet whose ProxyConfig asks for one (applied only when changed, deleted when no longer asked for).
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', versions: ['v2'], optional: false, labelSelector: managed },
  // NACK reports recorded by any replica, so the leader can show them on the Gateway.
  { group: '', kind: 'Event', versions: ['v1'], optional: false, fieldSelector: `reason=${NACK_EVENT_REASON}` },
];

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
