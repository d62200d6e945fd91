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
import type { FleetSpec } from './fleet.js';

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
  spec?: { type?: string; clusterIP?: string; externalIPs?: string[] };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export function fleetReadiness(spec: FleetSpec, snapshot: Snapshot): FleetReadiness {
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
    } else if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && plan.ips.length === 0) {
      // ClusterIP and NodePort fleets: the cluster IP is the address every
      // client in the cluster can use (node addresses of a NodePort Service
      // depend on which nodes are reachable, which Switchyard cannot know).
      add({ type: 'IPAddress', value: svc.spec.clusterIP });
    }
  }
  const missingTypes = plan.anyOfType.filter((t) => !addresses.some((a) => a.type === t));
  return { availablePods, workloadExists: !!workload, serviceExists: !!svc, addresses, unusable, missingTypes };
}

function describeIngress(ingress: ReadonlyArray<{ ip?: string; hostname?: string }>): string {
  const list = ingress.map((i) => i.ip ?? i.hostname).filter((x): x is string => !!x);
  return list.length > 0 ? list.join(', ') : 'empty';
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
    const list = spec.addresses.unsupported.map((a) => `${a.type ?? 'IPAddress'} ${JSON.stringify(a.value ?? '')}`).join(', ');
    set({
      type: 'Accepted',
      status: 'False',
      reason: 'UnsupportedAddress',
      message: `spec.addresses: Switchyard assigns addresses through a Kubernetes Service, which has only IPAddress and Hostname addresses; cannot use ${list}`,
    });
    set({ type: 'Programmed', status: 'False', reason: 'Invalid', message: 'spec.addresses has unsupported address types (see Accepted)' });
  } else if (accepted?.status !== 'False' && programmed?.status !== 'False') {
    let why: { reason: string; message: string } | undefined;
    if (ready.unusable.length > 0 && (ready.serviceExists || spec.addresses.malformed.length > 0)) {
      why = {
        reason: 'AddressNotUsable',
        message: `spec.addresses: cannot use ${ready.unusable.join('; ')}. Request an address the load balancer can assign, or remove it`,
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
