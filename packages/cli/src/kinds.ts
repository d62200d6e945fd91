// The kinds the CLI accepts in input files. Switchyard reads the Gateway API
// kinds and the few core kinds they reference; the other well-known Kubernetes
// kinds are accepted (so a directory of manifests that also holds, say, a
// NetworkPolicy can be fed as it is) and ignored by the translator. Anything
// else is a typo or a missing CRD, and is reported rather than skipped.

export type Scope = 'Namespaced' | 'Cluster';

export interface KindInfo {
  readonly scope: Scope;
  /** Versions the API server serves for this kind. */
  readonly versions: readonly string[];
}

type GroupTable = Readonly<Record<string, KindInfo>>;

const ns = (...versions: string[]): KindInfo => ({ scope: 'Namespaced', versions });
const cluster = (...versions: string[]): KindInfo => ({ scope: 'Cluster', versions });

/** group -> kind -> info. The core group is "". */
export const KNOWN_KINDS: Readonly<Record<string, GroupTable>> = {
  'gateway.networking.k8s.io': {
    GatewayClass: cluster('v1', 'v1beta1'),
    Gateway: ns('v1', 'v1beta1'),
    HTTPRoute: ns('v1', 'v1beta1'),
    GRPCRoute: ns('v1'),
    TLSRoute: ns('v1', 'v1alpha2', 'v1alpha3'),
    TCPRoute: ns('v1', 'v1alpha2'),
    UDPRoute: ns('v1', 'v1alpha2'),
    ReferenceGrant: ns('v1', 'v1beta1'),
    BackendTLSPolicy: ns('v1', 'v1alpha3'),
    ListenerSet: ns('v1'),
  },
  'gateway.networking.x-k8s.io': {
    XBackendTrafficPolicy: ns('v1alpha1'),
    XListenerSet: ns('v1alpha1'),
    XMesh: cluster('v1alpha1'),
  },
  'switchyard.dev': {
    ProxyConfig: ns('v1alpha1'),
    RateLimit: ns('v1alpha1'),
  },
  'multicluster.x-k8s.io': {
    ServiceImport: ns('v1alpha1'),
  },
  '': {
    Service: ns('v1'),
    Secret: ns('v1'),
    ConfigMap: ns('v1'),
    Namespace: cluster('v1'),
    Endpoints: ns('v1'),
    Pod: ns('v1'),
    ServiceAccount: ns('v1'),
  },
  'discovery.k8s.io': {
    EndpointSlice: ns('v1'),
  },
  // Accepted and ignored by the translator.
  'networking.k8s.io': {
    Ingress: ns('v1'),
    IngressClass: cluster('v1'),
    NetworkPolicy: ns('v1'),
  },
  apps: {
    Deployment: ns('v1'),
    DaemonSet: ns('v1'),
    StatefulSet: ns('v1'),
    ReplicaSet: ns('v1'),
  },
  'rbac.authorization.k8s.io': {
    Role: ns('v1'),
    RoleBinding: ns('v1'),
    ClusterRole: cluster('v1'),
    ClusterRoleBinding: cluster('v1'),
  },
  autoscaling: {
    HorizontalPodAutoscaler: ns('v2', 'v1'),
  },
  policy: {
    PodDisruptionBudget: ns('v1'),
  },
  'coordination.k8s.io': {
    Lease: ns('v1'),
  },
  'monitoring.coreos.com': {
    ServiceMonitor: ns('v1'),
    PodMonitor: ns('v1'),
  },
  'apiextensions.k8s.io': {
    CustomResourceDefinition: cluster('v1'),
  },
};

export type KindLookup =
  | { readonly kind: 'known'; readonly info: KindInfo }
  | { readonly kind: 'unknown-group'; readonly group: string }
  | { readonly kind: 'unknown-kind'; readonly group: string; readonly known: readonly string[] }
  | { readonly kind: 'unknown-version'; readonly group: string; readonly version: string; readonly served: readonly string[] };

/** Looks an apiVersion + kind up in KNOWN_KINDS. */
export function lookupKind(apiVersion: string, kind: string): KindLookup {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const table = KNOWN_KINDS[group];
  if (!table) return { kind: 'unknown-group', group };
  const info = table[kind];
  if (!info) return { kind: 'unknown-kind', group, known: Object.keys(table).sort() };
  if (!info.versions.includes(version)) return { kind: 'unknown-version', group, version, served: info.versions };
  return { kind: 'known', info };
}
