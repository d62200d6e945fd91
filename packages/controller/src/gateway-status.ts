// What only the controller knows about a Gateway, folded into the status the
// translator computed: the fleet's address (status.addresses), whether the
// fleet has available pods (Programmed), static addresses that cannot be
// honoured, and configuration Envoy rejected (NACKs).
import {
  setCondition,
  type Condition,
  type Gateway,
  type GatewayStatus,
  type GatewayStatusAddress,
  type KubeObject,
  type ListenerStatus,
  type Snapshot,
} from '@switchyard/api';
import { CLUSTER_ROUTABILITY, type FleetSpec, type UnsupportedAddress } from './fleet.js';

export interface FleetReadiness {
  /** The workload exists and has at least one available pod. */
  readonly availablePods: number;
  readonly workloadExists: boolean;
  readonly serviceExists: boolean;
  /** Addresses bound to the Gateway, typed as the spec asks. */
  readonly addresses: readonly GatewayStatusAddress[];
  /** Requested addresses the Service did not get, each with why. */
  readonly unusable: readonly string[];
  /** Types spec.addresses asks for without a value that no assigned address has (GatewayAddressEmpty). */
  readonly missingTypes: readonly string[];
}

interface ServiceLike {
  spec?: { type?: string; clusterIP?: string; clusterIPs?: string[]; externalIPs?: string[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/**
 * serviceError: why applying the fleet's Service failed in this pass, if it
 * did. Without a Service, a requested cluster IP the API server refused
 * (outside the service range, in use) is named with the API server's words.
 */
export function fleetReadiness(spec: FleetSpec, snapshot: Snapshot, serviceError?: string): FleetReadiness {
  const workload = snapshot.get<KubeObject<unknown, { numberAvailable?: number; availableReplicas?: number }>>(
    'apps',
    spec.workload,
    spec.namespace,
    spec.name,
  );
  const availablePods = spec.workload === 'DaemonSet' ? (workload?.status?.numberAvailable ?? 0) : (workload?.status?.availableReplicas ?? 0);
  const svc = snapshot.get<KubeObject & ServiceLike>('', 'Service', spec.namespace, spec.name);
  const addresses: GatewayStatusAddress[] = [];
  const seen = new Set<string>();
  const add = (a: GatewayStatusAddress) => {
    if (seen.has(a.value)) return;
    seen.add(a.value);
    addresses.push(a);
  };
  const plan = spec.addresses;
  const unusable = plan.malformed.map((v) => `${JSON.stringify(v)}: not an IP address`);
  if (!svc && serviceError && plan.clusterIps[0])
    unusable.push(`${plan.clusterIps[0]}: the API server refused it as the cluster IP of Service ${spec.namespace}/${spec.name}: ${serviceError}`);
  if (svc) {
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    const lb = spec.serviceType === 'LoadBalancer';
    // A LoadBalancer Service's addresses are what its load balancer assigned; others', the externalIPs the API server took.
    const assignedIps = new Set(lb ? ingress.map((i) => i.ip).filter((x): x is string => !!x) : (svc.spec?.externalIPs ?? []));
    const assignedHostnames = new Set(lb ? ingress.map((i) => i.hostname).filter((x): x is string => !!x) : []);
    const where = lb
      ? `the load balancer of Service ${spec.namespace}/${spec.name} did not assign it (status.loadBalancer.ingress: ${describeIngress(ingress)})`
      : `Service ${spec.namespace}/${spec.name} (type ${spec.serviceType}) does not have it in spec.externalIPs`;
    // Requested static addresses first, in the order the user wrote them.
    plan.ips.forEach((ip, i) => {
      if (assignedIps.has(ip)) add({ type: 'IPAddress', value: ip });
      // Kubernetes requests one address from a load balancer (spec.loadBalancerIP): the first.
      else unusable.push(`${ip}: ${lb && i > 0 ? 'a LoadBalancer Service requests only the first IPAddress, and ' : ''}${where}`);
    });
    for (const h of plan.hostnames) {
      if (assignedHostnames.has(h)) add({ type: 'Hostname', value: h });
      else unusable.push(`${h}: a Service cannot request a hostname, it is used only when the load balancer assigns exactly it, and ${where}`);
    }
    if (lb) {
      for (const i of ingress) {
        if (i.ip) add({ type: 'IPAddress', value: i.ip });
        else if (i.hostname) add({ type: 'Hostname', value: i.hostname });
      }
    } else if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && plan.ips.length === 0 && !plan.cluster) {
      // ClusterIP and NodePort fleets: the cluster IP is the address every
      // client in the cluster can use (node addresses of a NodePort Service
      // depend on which nodes are reachable, which Switchyard cannot know).
      add({ type: 'IPAddress', value: svc.spec.clusterIP });
    }
    // Routability Cluster (GEP-1651): the Service's cluster IP, reported as such.
    const clusterIp = svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : undefined;
    const clusterIps = new Set(svc.spec?.clusterIPs ?? (clusterIp ? [clusterIp] : []));
    plan.clusterIps.forEach((ip, i) => {
      if (i === 0 && clusterIps.has(ip)) add({ type: 'IPAddress', value: ip, routability: CLUSTER_ROUTABILITY });
      else
        unusable.push(
          i > 0
            ? `${ip}: a Service has one cluster IP, and Switchyard requests only the first IPAddress with routability Cluster`
            : `${ip}: Service ${spec.namespace}/${spec.name} has cluster IP ${clusterIp ?? 'none'} (a Service's cluster IP cannot change once assigned: delete the Service to have it recreated with this one)`,
        );
    });
    if (plan.cluster && clusterIp) add({ type: 'IPAddress', value: clusterIp, routability: CLUSTER_ROUTABILITY });
  }
  // Addresses of default routability satisfy only entries of default routability.
  const missingTypes: string[] = plan.anyOfType.filter((t) => !addresses.some((a) => a.type === t && !a.routability));
  if (plan.cluster && svc && !addresses.some((a) => a.routability === CLUSTER_ROUTABILITY)) missingTypes.push('IPAddress with routability Cluster');
  return { availablePods, workloadExists: !!workload, serviceExists: !!svc, addresses, unusable, missingTypes };
}

function describeIngress(ingress: ReadonlyArray<{ ip?: string; hostname?: string }>): string {
  const list = ingress.map((i) => i.ip ?? i.hostname).filter((x): x is string => !!x);
  return list.length > 0 ? list.join(', ') : 'empty';
}

function describeUnsupported(list: readonly UnsupportedAddress[]): string {
  const types = list.filter((u) => u.field === 'type');
  const routabilities = list.filter((u) => u.field === 'routability');
  const parts: string[] = [];
  if (types.length > 0)
    parts.push(
      `spec.addresses: Switchyard assigns addresses through a Kubernetes Service, which has only IPAddress and Hostname addresses; cannot use ${types
        .map((u) => `${u.address.type ?? 'IPAddress'} ${JSON.stringify(u.address.value ?? '')}`)
        .join(', ')}`,
    );
  for (const u of routabilities)
    parts.push(
      `spec.addresses[${u.index}].routability: ${JSON.stringify(u.address.routability)} is not supported for ${u.address.type ?? 'IPAddress'} ${JSON.stringify(u.address.value ?? '')}; Switchyard supports the default (empty) routability and Cluster (an IPAddress: the Service's cluster IP)`,
    );
  return parts.join('; ');
}

function keepTransitionTimes(conditions: readonly Condition[], previous: readonly Condition[] | undefined): Condition[] {
  return conditions.map((c) => {
    const p = previous?.find((x) => x.type === c.type);
    return p && p.status === c.status && p.lastTransitionTime ? { ...c, lastTransitionTime: p.lastTransitionTime } : c;
  });
}

/** The latest configuration a fleet's Envoys rejected, as reported by the xDS server. */
export interface FleetRejection {
  readonly typeUrl: string;
  readonly resourceNames: readonly string[];
  readonly message: string;
  readonly nodeId: string;
  readonly at: string;
}

/** Custom condition type on Gateways: True while Envoys of the fleet reject the latest configuration. */
export const CONFIG_REJECTED_CONDITION = 'switchyard.dev/ConfigRejected';

function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export function describeRejection(r: FleetRejection): string {
  const names = r.resourceNames.length ? ` ${r.resourceNames.join(', ')}` : '';
  return `Envoy ${r.nodeId} rejected ${typeName(r.typeUrl)}${names}: ${r.message}`;
}

/**
 * Folds the fleet's state into the translator's Gateway status. Programmed is
 * True only when the translator found the configuration valid AND the fleet
 * has an address AND at least one available pod (Gateway API: "Programmed
 * ... the Gateway has been configured in the data plane and is ready to
 * receive traffic").
 */
export function withFleetStatus(
  gateway: Gateway,
  computed: GatewayStatus,
  spec: FleetSpec,
  ready: FleetReadiness,
  rejection: FleetRejection | undefined,
  now: string,
): GatewayStatus {
  const previous = gateway.status?.conditions;
  const generation = gateway.metadata.generation;
  const conditions: Condition[] = (computed.conditions ?? []).map((c) => ({ ...c }));
  const set = (c: Omit<Condition, 'observedGeneration' | 'lastTransitionTime'>) =>
    setCondition(conditions, { ...c, ...(generation !== undefined ? { observedGeneration: generation } : {}) }, previous, now);
  const accepted = conditions.find((c) => c.type === 'Accepted');
  const programmed = conditions.find((c) => c.type === 'Programmed');

  if (spec.addresses.unsupported.length > 0 && accepted?.status !== 'False') {
    set({ type: 'Accepted', status: 'False', reason: 'UnsupportedAddress', message: describeUnsupported(spec.addresses.unsupported) });
    set({ type: 'Programmed', status: 'False', reason: 'Invalid', message: 'spec.addresses has unsupported address types (see Accepted)' });
  } else if (accepted?.status !== 'False' && programmed?.status !== 'False') {
    let why: { reason: string; message: string } | undefined;
    // Unusable entries exist only once there is a Service to compare with, or when the spec or the API server already ruled them out.
    if (ready.unusable.length > 0) {
      why = {
        reason: 'AddressNotUsable',
        message: `spec.addresses: cannot use ${ready.unusable.join('; ')}. Request an address the Service can be given, or remove it`,
      };
    } else if (ready.addresses.length === 0 || ready.missingTypes.length > 0) {
      why = {
        reason: 'AddressNotAssigned',
        message: !ready.serviceExists
          ? `waiting for the fleet Service ${spec.namespace}/${spec.name} to be created`
          : ready.addresses.length === 0
            ? `waiting for an address: Service ${spec.namespace}/${spec.name} (type ${spec.serviceType}) has no load balancer ingress yet`
            : `spec.addresses asks for an address of type ${ready.missingTypes.join(', ')}; Service ${spec.namespace}/${spec.name} was assigned only ${ready.addresses.map((a) => `${a.type} ${a.value}`).join(', ')}`,
      };
    } else if (ready.availablePods === 0) {
      why = {
        reason: 'Pending',
        message: ready.workloadExists
          ? `waiting for Envoy pods of ${spec.workload} ${spec.namespace}/${spec.name} to become available`
          : `waiting for the fleet ${spec.workload} ${spec.namespace}/${spec.name} to be created`,
      };
    }
    if (why) set({ type: 'Programmed', status: 'False', ...why });
    else if (!programmed) set({ type: 'Programmed', status: 'True', reason: 'Programmed', message: 'the Envoy fleet has an address and available pods' });
  }

  if (rejection) set({ type: CONFIG_REJECTED_CONDITION, status: 'True', reason: 'Rejected', message: describeRejection(rejection) });
  else if (previous?.some((c) => c.type === CONFIG_REJECTED_CONDITION))
    set({ type: CONFIG_REJECTED_CONDITION, status: 'False', reason: 'Accepted', message: 'Envoy accepted the latest configuration' });

  const gwProgrammed = conditions.find((c) => c.type === 'Programmed');
  const listeners: ListenerStatus[] | undefined = computed.listeners?.map((l) => {
    if (gwProgrammed?.status !== 'False' || gwProgrammed.reason === 'Invalid') return l;
    const lc = l.conditions.find((c) => c.type === 'Programmed');
    if (!lc || lc.status !== 'True') return l;
    const prevL = gateway.status?.listeners?.find((p) => p.name === l.name)?.conditions;
    const lconds = l.conditions.map((c) => ({ ...c }));
    setCondition(
      lconds,
      {
        type: 'Programmed',
        status: 'False',
        reason: 'Pending',
        message: gwProgrammed.message,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      prevL,
      now,
    );
    return { ...l, conditions: lconds };
  });

  // Whatever produced a condition, an unchanged status keeps the time it was
  // first reached: the API conventions ask for it, and it keeps writes away.
  const out: GatewayStatus = { ...computed, conditions: keepTransitionTimes(conditions, previous) };
  if (listeners)
    out.listeners = listeners.map((l) => ({
      ...l,
      conditions: keepTransitionTimes(l.conditions, gateway.status?.listeners?.find((p) => p.name === l.name)?.conditions),
    }));
  if (ready.addresses.length > 0) out.addresses = [...ready.addresses];
  else delete out.addresses;
  return out;
}
