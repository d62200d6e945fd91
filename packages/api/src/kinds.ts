// Every kind Switchyard knows, with the facts each part needs: the CLI
// accepts exactly these in input files (checking version and scope), the
// controller watches those with `watch`, and the translator builds a route of
// each kind with `route`. Adding a kind is one line here (plus its route
// builder, for a route kind: the translator's table of builders is keyed by
// RouteKindName, so a missing builder is a compile error).
//
// Kinds without `watch` are accepted by the CLI and ignored by the
// translator, so a directory of manifests that also holds, say, a
// NetworkPolicy can be fed as it is; anything else is a typo or a missing CRD.
import { CERTIFICATES_GROUP } from './core.js';
import { GATEWAY_GROUP, GATEWAY_X_GROUP } from './gateway-api.js';
import { SWITCHYARD_GROUP } from './switchyard.js';

export type Scope = 'Namespaced' | 'Cluster';

/** How the controller watches a kind. */
export interface KindWatch {
  /**
   * Optional kinds may be absent (CRD not installed, or an older Gateway API
   * channel): the controller runs without them and starts watching once the
   * API server serves them.
   */
  readonly optional: boolean;
  /** Versions the controller reads, when narrower than those the API serves. */
  readonly versions?: readonly string[];
  /** Watch only objects with these labels (the fleet objects Switchyard itself created). */
  readonly labelSelector?: string;
  /** Watch only objects matching this field selector. */
  readonly fieldSelector?: string;
}

export interface KindFacts {
  /** The API group; the core group is "". */
  readonly group: string;
  readonly kind: string;
  /** Versions the API server serves, in order of preference: the controller watches the first one served. */
  readonly versions: readonly string[];
  readonly scope: Scope;
  /** A route kind: the translator builds it and attaches it to Gateways through parentRefs. */
  readonly route?: true;
  /** Its status may depend on which routes exist: with any such object present, a route change is translated in full. */
  readonly statusFollowsRoutes?: true;
  /** Watched by the controller (and read by the translator); absent for kinds only accepted in files. */
  readonly watch?: KindWatch;
}

/** Label on every object Switchyard provisions for a fleet. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'switchyard';
/** Reason of the Events that report configuration Envoy rejected. */
export const NACK_EVENT_REASON = 'ConfigRejected';

const managed = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
const required: KindWatch = { optional: false };
const optional: KindWatch = { optional: true };

export const KINDS = [
  { group: GATEWAY_GROUP, kind: 'GatewayClass', versions: ['v1', 'v1beta1'], scope: 'Cluster', watch: required },
  { group: GATEWAY_GROUP, kind: 'Gateway', versions: ['v1', 'v1beta1'], scope: 'Namespaced', watch: required },
  { group: GATEWAY_GROUP, kind: 'HTTPRoute', versions: ['v1', 'v1beta1'], scope: 'Namespaced', route: true, watch: required },
  { group: GATEWAY_GROUP, kind: 'GRPCRoute', versions: ['v1'], scope: 'Namespaced', route: true, watch: optional },
  { group: GATEWAY_GROUP, kind: 'TLSRoute', versions: ['v1', 'v1alpha3', 'v1alpha2'], scope: 'Namespaced', route: true, watch: optional },
  { group: GATEWAY_GROUP, kind: 'TCPRoute', versions: ['v1', 'v1alpha2'], scope: 'Namespaced', route: true, watch: optional },
  { group: GATEWAY_GROUP, kind: 'UDPRoute', versions: ['v1', 'v1alpha2'], scope: 'Namespaced', route: true, watch: optional },
  { group: GATEWAY_GROUP, kind: 'ReferenceGrant', versions: ['v1', 'v1beta1'], scope: 'Namespaced', watch: optional },
  { group: GATEWAY_GROUP, kind: 'BackendTLSPolicy', versions: ['v1', 'v1alpha3'], scope: 'Namespaced', statusFollowsRoutes: true, watch: optional },
  { group: GATEWAY_GROUP, kind: 'ListenerSet', versions: ['v1'], scope: 'Namespaced', statusFollowsRoutes: true, watch: optional },
  { group: GATEWAY_X_GROUP, kind: 'XBackendTrafficPolicy', versions: ['v1alpha1'], scope: 'Namespaced' },
  { group: GATEWAY_X_GROUP, kind: 'XListenerSet', versions: ['v1alpha1'], scope: 'Namespaced' },
  { group: GATEWAY_X_GROUP, kind: 'XMesh', versions: ['v1alpha1'], scope: 'Cluster' },
  // Tracing for the Gateways it targets (experimental channel CRD; optional).
  { group: GATEWAY_X_GROUP, kind: 'XTelemetryPolicy', versions: ['v1alpha1'], scope: 'Namespaced', watch: optional },
  { group: SWITCHYARD_GROUP, kind: 'ProxyConfig', versions: ['v1alpha1'], scope: 'Namespaced', watch: optional },
  { group: SWITCHYARD_GROUP, kind: 'RateLimit', versions: ['v1alpha1'], scope: 'Namespaced', statusFollowsRoutes: true, watch: optional },
  { group: 'multicluster.x-k8s.io', kind: 'ServiceImport', versions: ['v1alpha1'], scope: 'Namespaced' },
  { group: '', kind: 'Service', versions: ['v1'], scope: 'Namespaced', watch: required },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice', versions: ['v1'], scope: 'Namespaced', watch: required },
  // Not Helm release records nor legacy ServiceAccount tokens: often the bulk
  // of a cluster's Secrets, and never referenced by Gateway API objects.
  {
    group: '',
    kind: 'Secret',
    versions: ['v1'],
    scope: 'Namespaced',
    watch: { optional: false, fieldSelector: 'type!=helm.sh/release.v1,type!=kubernetes.io/service-account-token' },
  },
  { group: '', kind: 'ConfigMap', versions: ['v1'], scope: 'Namespaced', watch: required },
  { group: '', kind: 'Namespace', versions: ['v1'], scope: 'Cluster', watch: required },
  // CA bundles for caCertificateRefs (GEP-5075). Optional: Kubernetes 1.36
  // serves it only with the ClusterTrustBundle feature gate and v1beta1
  // runtime-config (GA, v1, from 1.37); without the API the controller runs on
  // and references to it resolve as InvalidKind.
  { group: CERTIFICATES_GROUP, kind: 'ClusterTrustBundle', versions: ['v1', 'v1beta1', 'v1alpha1'], scope: 'Cluster', watch: optional },
  { group: '', kind: 'Endpoints', versions: ['v1'], scope: 'Namespaced' },
  { group: '', kind: 'Pod', versions: ['v1'], scope: 'Namespaced' },
  { group: '', kind: 'ServiceAccount', versions: ['v1'], scope: 'Namespaced' },
  // NACK reports recorded by any replica, so the leader can show them on the Gateway.
  { group: '', kind: 'Event', versions: ['v1'], scope: 'Namespaced', watch: { optional: false, fieldSelector: `reason=${NACK_EVENT_REASON}` } },
  { group: 'networking.k8s.io', kind: 'Ingress', versions: ['v1'], scope: 'Namespaced' },
  { group: 'networking.k8s.io', kind: 'IngressClass', versions: ['v1'], scope: 'Cluster' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy', versions: ['v1'], scope: 'Namespaced' },
  // Fleet workloads: their status says whether the fleet has available pods.
  { group: 'apps', kind: 'DaemonSet', versions: ['v1'], scope: 'Namespaced', watch: { optional: false, labelSelector: managed } },
  { group: 'apps', kind: 'Deployment', versions: ['v1'], scope: 'Namespaced', watch: { optional: false, labelSelector: managed } },
  { group: 'apps', kind: 'StatefulSet', versions: ['v1'], scope: 'Namespaced' },
  { group: 'apps', kind: 'ReplicaSet', versions: ['v1'], scope: 'Namespaced' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role', versions: ['v1'], scope: 'Namespaced' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding', versions: ['v1'], scope: 'Namespaced' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', versions: ['v1'], scope: 'Cluster' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding', versions: ['v1'], scope: 'Cluster' },
  // The autoscaler of a fleet whose ProxyConfig asks for one (applied only
  // when changed, deleted when no longer asked for); the controller writes v2.
  {
    group: 'autoscaling',
    kind: 'HorizontalPodAutoscaler',
    versions: ['v2', 'v1'],
    scope: 'Namespaced',
    watch: { optional: false, versions: ['v2'], labelSelector: managed },
  },
  { group: 'policy', kind: 'PodDisruptionBudget', versions: ['v1'], scope: 'Namespaced' },
  { group: 'coordination.k8s.io', kind: 'Lease', versions: ['v1'], scope: 'Namespaced' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor', versions: ['v1'], scope: 'Namespaced' },
  { group: 'monitoring.coreos.com', kind: 'PodMonitor', versions: ['v1'], scope: 'Namespaced' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', versions: ['v1'], scope: 'Cluster' },
] as const satisfies readonly KindFacts[];

/** The route kinds, by name ("HTTPRoute", ...). */
export type RouteKindName = Extract<(typeof KINDS)[number], { readonly route: true }>['kind'];

/** The route kinds, in the table's order (the order the translator builds them in). */
export const ROUTE_KINDS: readonly (KindFacts & { readonly kind: RouteKindName })[] = KINDS.filter(
  (k): k is Extract<(typeof KINDS)[number], { readonly route: true }> => 'route' in k,
);

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export type KindLookup =
  | { readonly kind: 'known'; readonly facts: KindFacts }
  | { readonly kind: 'unknown-group'; readonly group: string }
  | { readonly kind: 'unknown-kind'; readonly group: string; readonly known: readonly string[] }
  | { readonly kind: 'unknown-version'; readonly group: string; readonly version: string; readonly served: readonly string[] };

/** Looks an apiVersion + kind up in KINDS. */
export function lookupKind(apiVersion: string, kind: string): KindLookup {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const inGroup: readonly KindFacts[] = KINDS.filter((k) => k.group === group);
  if (inGroup.length === 0) return { kind: 'unknown-group', group };
  const facts = inGroup.find((k) => k.kind === kind);
  if (!facts) return { kind: 'unknown-kind', group, known: inGroup.map((k) => k.kind).sort() };
  if (!facts.versions.includes(version)) return { kind: 'unknown-version', group, version, served: facts.versions };
  return { kind: 'known', facts };
}
