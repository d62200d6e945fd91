// Envoy fleet provisioning: what Kubernetes objects serve one Gateway.
// fleetSpec() decides (pure, from the Gateway, its class and an optional
// ProxyConfig); fleetObjects() renders the objects; the FleetProvisioner in
// fleet-provisioner.ts applies them.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import {
  DEFAULT_PROMETHEUS_PORT,
  type Gateway,
  type GatewayClass,
  type GatewaySpecAddress,
  type KubeObject,
  type OwnerReference,
  type ProxyConfigSpec as SwitchyardProxyConfigSpec,
} from '@switchyard/api';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '@switchyard/api';

export type WorkloadKind = 'DaemonSet' | 'Deployment';
export type ServiceType = 'LoadBalancer' | 'NodePort' | 'ClusterIP';

/**
 * The switchyard.dev/v1alpha1 ProxyConfig (type in @switchyard/api, CRD in
 * charts/switchyard/crds/). Referenced from Gateway spec.infrastructure.parametersRef
 * (same namespace) or from the GatewayClass spec.parametersRef; the Gateway's
 * overrides the class's field by field (effectiveProxyConfigSpec in the
 * translator, used by the provisioner's specsFor). The provisioner reads the workload, Service, image,
 * resources, log level and the Prometheus port (scrape annotations).
 */
export type ProxyConfigSpec = SwitchyardProxyConfigSpec;
export type ProxyConfig = KubeObject<ProxyConfigSpec, unknown>;

export interface FleetDefaults {
  readonly image: string;
  readonly serviceType: ServiceType;
  readonly workload: WorkloadKind;
}

export const DEFAULT_FLEET: FleetDefaults = {
  image: 'docker.io/envoyproxy/envoy:v1.36.2',
  serviceType: 'LoadBalancer',
  workload: 'DaemonSet',
};

export interface FleetPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

/** The address types Switchyard can publish in status.addresses (a Service's ingress and IPs give no other). */
export type FleetAddressType = 'IPAddress' | 'Hostname';

/** Routability Switchyard honours (GEP-1651): '' is the implementation default (the Service's load balancer address), 'Cluster' the Service's cluster IP. */
export const CLUSTER_ROUTABILITY = 'Cluster';

/** A spec.addresses entry Switchyard cannot honour, and the field that says why. */
export interface UnsupportedAddress {
  /** Index in spec.addresses. */
  readonly index: number;
  readonly address: GatewaySpecAddress;
  /** `type` (NamedAddress, implementation-specific types) or `routability` (implementation-specific values, Cluster on a Hostname). */
  readonly field: 'type' | 'routability';
}

/**
 * What the Gateway's spec.addresses ask of the fleet's Service, and what
 * cannot be honoured. A LoadBalancer Service requests its IP from the load
 * balancer (spec.loadBalancerIP: one address, which the load balancer may
 * refuse); a ClusterIP or NodePort Service takes IPs as externalIPs. Entries
 * with routability Cluster ask for the Service's cluster IP instead (a value
 * becomes spec.clusterIP). Whether an address was usable is read back from the
 * Service (gateway-status.ts).
 */
export interface AddressPlan {
  /** IPAddress values of default routability, in spec order. */
  readonly ips: readonly string[];
  /** Hostname values: a Service cannot request one, so they are usable only when the load balancer assigns exactly that hostname. */
  readonly hostnames: readonly string[];
  /** Types asked for without a value (GatewayAddressEmpty): the fleet must be assigned at least one address of each. */
  readonly anyOfType: readonly FleetAddressType[];
  /** Some entry asks for routability Cluster: the Service's cluster IP is published with it. */
  readonly cluster: boolean;
  /** IPAddress values with routability Cluster, in spec order: the first becomes the Service's spec.clusterIP. */
  readonly clusterIps: readonly string[];
  /** IPAddress values that are not IP addresses (objects the API server's validation did not see); never put on the Service. */
  readonly malformed: readonly string[];
  /** Entries Switchyard cannot honour. */
  readonly unsupported: readonly UnsupportedAddress[];
}

export interface FleetSpec {
  /** "namespace/name" of the Gateway. */
  readonly fleet: string;
  readonly namespace: string;
  readonly gatewayName: string;
  readonly gatewayClassName: string;
  /** Base name of every object of the fleet. */
  readonly name: string;
  readonly workload: WorkloadKind;
  readonly replicas: number;
  readonly serviceType: ServiceType;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  readonly image: string;
  readonly ports: readonly FleetPort[];
  readonly addresses: AddressPlan;
  /** From spec.infrastructure: put on every object and pod of the fleet. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly serviceAnnotations: Readonly<Record<string, string>>;
  readonly resources?: ProxyConfigSpec['resources'];
  readonly logLevel: string;
  /** A HorizontalPodAutoscaler owns the replica count (Deployment only). */
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly targetCPUUtilizationPercentage: number };
  /** The Envoy stats listener's port (ProxyConfig metrics.prometheus): scrape annotations and a container port. */
  readonly prometheusPort?: number;
}

export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const GATEWAY_CLASS_LABEL = 'gateway.networking.k8s.io/gateway-class-name';
export const FLEET_NAMESPACE_LABEL = 'switchyard.dev/gateway-namespace';
export const SPEC_HASH_ANNOTATION = 'switchyard.dev/spec-hash';

/** A DNS-1035 label (Service names): at most 63 characters; long Gateway names are shortened with a hash suffix. */
export function fleetObjectName(gatewayName: string): string {
  const full = `switchyard-${gatewayName}`;
  if (full.length <= 63) return full;
  const h = createHash('sha256').update(gatewayName).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - 9).replace(/-+$/, '')}-${h}`;
}

/** Labels Kubernetes rejects are dropped rather than failing the fleet: the API server validates keys; we only skip our own reserved ones. */
function userMeta(m: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) {
    if (k === MANAGED_BY_LABEL || k === GATEWAY_NAME_LABEL || k === GATEWAY_CLASS_LABEL || k === FLEET_NAMESPACE_LABEL || k === SPEC_HASH_ANNOTATION) continue;
    out[k] = v;
  }
  return out;
}

function portsOf(gateway: Gateway): FleetPort[] {
  const seen = new Map<string, FleetPort>();
  for (const l of gateway.spec?.listeners ?? []) {
    const protocol = l.protocol === 'UDP' ? 'UDP' : 'TCP';
    const key = `${protocol}/${l.port}`;
    if (!Number.isInteger(l.port) || l.port < 1 || l.port > 65535 || seen.has(key)) continue;
    seen.set(key, { name: `${protocol.toLowerCase()}-${l.port}`, port: l.port, protocol });
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

function addressPlan(gateway: Gateway): AddressPlan {
  const ips: string[] = [];
  const hostnames: string[] = [];
  const anyOfType = new Set<FleetAddressType>();
  const clusterIps: string[] = [];
  let cluster = false;
  const malformed: string[] = [];
  const unsupported: UnsupportedAddress[] = [];
  (gateway.spec?.addresses ?? []).forEach((a, index) => {
    const type = a.type ?? 'IPAddress';
    const routability = a.routability ?? '';
    if (type !== 'IPAddress' && type !== 'Hostname') unsupported.push({ index, address: a, field: 'type' });
    // A cluster IP is an IP: Cluster routability names no hostname.
    else if (routability !== '' && (routability !== CLUSTER_ROUTABILITY || type !== 'IPAddress')) unsupported.push({ index, address: a, field: 'routability' });
    else if (type === 'IPAddress' && a.value && !isIP(a.value)) malformed.push(a.value);
    else if (routability === CLUSTER_ROUTABILITY) {
      cluster = true;
      if (a.value) clusterIps.push(a.value);
    } else if (!a.value) anyOfType.add(type);
    else if (type === 'Hostname') hostnames.push(a.value);
    else ips.push(a.value);
  });
  return { ips, hostnames, anyOfType: [...anyOfType], cluster, clusterIps, malformed, unsupported };
}

/** A Gateway whose every address asks for routability Cluster gets a ClusterIP Service: nothing of it is published outside the cluster. */
function onlyCluster(gateway: Gateway): boolean {
  const list = gateway.spec?.addresses ?? [];
  return list.length > 0 && list.every((a) => a.routability === CLUSTER_ROUTABILITY);
}

export function fleetSpec(
  gateway: Gateway,
  gatewayClass: GatewayClass | undefined,
  proxyConfig?: ProxyConfig,
  defaults: FleetDefaults = DEFAULT_FLEET,
): FleetSpec {
  const ns = gateway.metadata.namespace ?? 'default';
  const pc = proxyConfig?.spec ?? {};
  const infra = gateway.spec?.infrastructure;
  const workload = pc.workload?.kind === 'Deployment' || pc.workload?.kind === 'DaemonSet' ? pc.workload.kind : defaults.workload;
  const replicas = Number.isInteger(pc.workload?.replicas) && (pc.workload?.replicas ?? 0) >= 0 ? (pc.workload?.replicas as number) : 2;
  const serviceType = onlyCluster(gateway) ? 'ClusterIP' : (pc.service?.type ?? defaults.serviceType);
  return {
    fleet: `${ns}/${gateway.metadata.name}`,
    namespace: ns,
    gatewayName: gateway.metadata.name,
    gatewayClassName: gateway.spec?.gatewayClassName ?? gatewayClass?.metadata.name ?? '',
    name: fleetObjectName(gateway.metadata.name),
    workload,
    replicas,
    serviceType,
    ...(pc.service?.externalTrafficPolicy ? { externalTrafficPolicy: pc.service.externalTrafficPolicy } : {}),
    image: pc.image ?? defaults.image,
    ports: portsOf(gateway),
    addresses: addressPlan(gateway),
    labels: userMeta(infra?.labels),
    annotations: userMeta(infra?.annotations),
    serviceAnnotations: userMeta(pc.service?.annotations),
    ...(pc.resources ? { resources: pc.resources } : {}),
    logLevel: pc.logLevel ?? 'info',
    ...(workload === 'Deployment' && pc.workload?.autoscaling
      ? {
          autoscaling: {
            minReplicas: pc.workload.autoscaling.minReplicas ?? 1,
            maxReplicas: pc.workload.autoscaling.maxReplicas,
            targetCPUUtilizationPercentage: pc.workload.autoscaling.targetCPUUtilizationPercentage ?? 80,
          },
        }
      : {}),
    ...(pc.metrics?.prometheus && pc.metrics.prometheus.enabled !== false ? { prometheusPort: pc.metrics.prometheus.port ?? DEFAULT_PROMETHEUS_PORT } : {}),
  };
}

/** The ProxyConfig a Gateway uses, if any: its own infrastructure.parametersRef first, then its class's parametersRef. */
export function proxyConfigRef(gateway: Gateway, gatewayClass: GatewayClass | undefined): { namespace: string; name: string } | undefined {
  const g = gateway.spec?.infrastructure?.parametersRef;
  if (g && g.group === 'switchyard.dev' && g.kind === 'ProxyConfig') return { namespace: gateway.metadata.namespace ?? 'default', name: g.name };
  const c = gatewayClass?.spec?.parametersRef;
  if (c && c.group === 'switchyard.dev' && c.kind === 'ProxyConfig' && c.namespace) return { namespace: c.namespace, name: c.name };
  return undefined;
}

export function fleetLabels(spec: FleetSpec): Record<string, string> {
  return {
    ...spec.labels,
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    [GATEWAY_NAME_LABEL]: spec.gatewayName,
    [GATEWAY_CLASS_LABEL]: spec.gatewayClassName,
    [FLEET_NAMESPACE_LABEL]: spec.namespace,
  };
}

/** The pod selector: immutable on DaemonSets and Deployments, so only labels that never change for a Gateway. */
export function fleetSelector(spec: FleetSpec): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [GATEWAY_NAME_LABEL]: spec.gatewayName };
}

export function ownerReferenceTo(gateway: Gateway): OwnerReference {
  return {
    apiVersion: gateway.apiVersion,
    kind: 'Gateway',
    name: gateway.metadata.name,
    uid: gateway.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const ENVOY_BOOTSTRAP_KEY = 'envoy.yaml';
export const BOOTSTRAP_MOUNT = '/etc/envoy';
export const XDS_CERT_MOUNT = '/etc/switchyard/xds';
/** Envoy's admin interface, loopback only. */
export const ENVOY_ADMIN_PORT = 19000;
/** The bootstrap's readiness listener (envoy/bootstrap.yaml); a Gateway listener cannot use this port. */
export const ENVOY_READY_PORT = 19001;
/** Envoy's runtime UID in the upstream image. */
const ENVOY_UID = 101;

/** Stable hash of an object's content, stored as an annotation so unchanged objects are not re-applied. */
export function specHash(o: unknown): string {
  return createHash('sha256').update(JSON.stringify(o)).digest('hex').slice(0, 16);
}

function withHash<T extends KubeObject>(o: T): T {
  const h = specHash(o);
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [SPEC_HASH_ANNOTATION]: h } } };
}

export interface RenderContext {
  readonly owner: OwnerReference;
  readonly bootstrapYaml: string;
  /** Name of the Secret holding the fleet's xDS client certificate. */
  readonly certSecretName: string;
  /** Hash of the current client certificate: Envoy reads it only at start, so a renewed one rolls the pods. */
  readonly certHash?: string;
}

/** The DaemonSet or Deployment, Service and bootstrap ConfigMap of a fleet (the certificate Secret is handled apart: it must not be re-issued on every pass). */
export function fleetObjects(spec: FleetSpec, ctx: RenderContext): KubeObject[] {
  const labels = fleetLabels(spec);
  const meta = (name: string, extraAnnotations: Record<string, string> = {}) => ({
    name,
    namespace: spec.namespace,
    labels,
    annotations: { ...spec.annotations, ...extraAnnotations },
    ownerReferences: [ctx.owner],
  });
  const lowPorts = spec.ports.some((p) => p.port < 1024);
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(`${spec.name}-bootstrap`),
    ...({ data: { [ENVOY_BOOTSTRAP_KEY]: ctx.bootstrapYaml } } as object),
  };
  const bootstrapHash = specHash(ctx.bootstrapYaml);
  const podSpec = {
    // Envoy needs no Kubernetes API access.
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: ENVOY_UID,
      runAsGroup: ENVOY_UID,
      fsGroup: ENVOY_UID,
      seccompProfile: { type: 'RuntimeDefault' },
      // A non-root process gets no effective capabilities from the container
      // spec alone (Kubernetes has no ambient capabilities), so binding ports
      // below 1024 relies on this namespaced, "safe" sysctl. NET_BIND_SERVICE
      // is still granted for runtimes that apply it to the binary.
      ...(lowPorts ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
    },
    terminationGracePeriodSeconds: 60,
    containers: [
      {
        name: 'envoy',
        image: spec.image,
        // Each pod its own node id (the fleet comes from the client certificate).
        args: ['-c', `${BOOTSTRAP_MOUNT}/${ENVOY_BOOTSTRAP_KEY}`, '--service-node', '$(POD_NAME)', '--log-level', spec.logLevel, '--drain-time-s', '30'],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        ports: [
          ...spec.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
          { name: 'ready', containerPort: ENVOY_READY_PORT, protocol: 'TCP' },
        ],
        // The bootstrap's switchyard_ready listener forwards /ready to the
        // loopback-only admin interface (the kubelet cannot reach loopback).
        readinessProbe: { httpGet: { path: '/ready', port: ENVOY_READY_PORT }, periodSeconds: 5, failureThreshold: 3 },
        lifecycle: {
          // Let load balancers and kube-proxy stop sending new connections before Envoy gets SIGTERM.
          preStop: { sleep: { seconds: 10 } },
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'], ...(lowPorts ? { add: ['NET_BIND_SERVICE'] } : {}) },
        },
        ...(spec.resources ? { resources: spec.resources } : { resources: { requests: { cpu: '100m', memory: '128Mi' } } }),
        volumeMounts: [
          { name: 'bootstrap', mountPath: BOOTSTRAP_MOUNT, readOnly: true },
          { name: 'xds-cert', mountPath: XDS_CERT_MOUNT, readOnly: true },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
    ],
    volumes: [
      { name: 'bootstrap', configMap: { name: configMap.metadata.name } },
      { name: 'xds-cert', secret: { secretName: ctx.certSecretName } },
      { name: 'tmp', emptyDir: {} },
    ],
  };
  if (spec.prometheusPort !== undefined) podSpec.containers[0]!.ports.push({ name: 'metrics', containerPort: spec.prometheusPort, protocol: 'TCP' });
  const template = {
    metadata: {
      labels,
      // A changed bootstrap restarts the pods (Envoy reads it only at start).
      annotations: {
        ...spec.annotations,
        'switchyard.dev/bootstrap-hash': bootstrapHash,
        ...(ctx.certHash ? { 'switchyard.dev/xds-cert-hash': ctx.certHash } : {}),
        // The conventional annotations Prometheus' kubernetes_sd pod relabelling reads.
        ...(spec.prometheusPort !== undefined
          ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.prometheusPort), 'prometheus.io/path': '/stats/prometheus' }
          : {}),
      },
    },
    spec: podSpec,
  };
  const selector = { matchLabels: fleetSelector(spec) };
  const workload: KubeObject =
    spec.workload === 'DaemonSet'
      ? {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          metadata: meta(spec.name),
          spec: { selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } },
        }
      : {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: meta(spec.name),
          // With an autoscaler the replica count is its field: server-side apply leaves it alone when we do not set it.
          spec: {
            ...(spec.autoscaling ? {} : { replicas: spec.replicas }),
            selector,
            template,
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          },
        };
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(spec.name, spec.serviceAnnotations),
    spec: {
      type: spec.serviceType,
      selector: fleetSelector(spec),
      ports: spec.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
      // A load balancer is asked for the first requested IP (the one field Kubernetes has for it; the
      // load balancer may refuse it); externalIPs would bypass it, and many clusters deny them. Other
      // Service types take the IPs as externalIPs, routed to the nodes by the cluster's network.
      ...(spec.serviceType === 'LoadBalancer'
        ? spec.addresses.ips[0]
          ? { loadBalancerIP: spec.addresses.ips[0] }
          : {}
        : spec.addresses.ips.length > 0
          ? { externalIPs: [...spec.addresses.ips] }
          : {}),
      // Routability Cluster with a value: that value is the cluster IP (the API server refuses one outside its range or in use).
      ...(spec.addresses.clusterIps[0] ? { clusterIP: spec.addresses.clusterIps[0] } : {}),
      ...(spec.externalTrafficPolicy && spec.serviceType !== 'ClusterIP' ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
    },
  };
  const out = [withHash(configMap), withHash(workload), withHash(service)];
  if (spec.workload === 'Deployment' && spec.autoscaling) {
    const a = spec.autoscaling;
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(spec.name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: spec.name },
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage } } }],
      },
    };
    out.push(withHash(hpa));
  }
  return out;
}
