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
  /** Requested static IPs the Service did not take. */
  readonly unusable: readonly string[];
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
  const svc = snapshot.get('', 'Service', spec.namespace, spec.name) as (KubeObject & ServiceLike) | undefined;
  const addresses: GatewayStatusAddress[] = [];
  const seen = new Set<string>();
  const add = (a: GatewayStatusAddress) => {
    if (seen.has(a.value)) return;
    seen.add(a.value);
    addresses.push(a);
  };
  const unusable: string[] = [];
  if (svc) {
    const ingress = svc.status?.loadBalancer?.ingress ?? [];
    const external = new Set(svc.spec?.externalIPs ?? []);
    const ingressIps = new Set(ingress.map((i) => i.ip).filter((x): x is string => !!x));
    // Requested static addresses first, in the order the user wrote them.
    for (const ip of spec.addresses.ips) {
      if (external.has(ip) || ingressIps.has(ip)) add({ type: 'IPAddress', value: ip });
      else unusable.push(ip);
    }
    if (spec.serviceType === 'LoadBalancer') {
      for (const i of ingress) {
        if (i.ip) add({ type: 'IPAddress', value: i.ip });
        else if (i.hostname) add({ type: 'Hostname', value: i.hostname });
      }
    } else if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' && spec.addresses.ips.length === 0) {
      // ClusterIP and NodePort fleets: the cluster IP is the address every
      // client in the cluster can use (node addresses of a NodePort Service
      // depend on which nodes are reachable, which Switchyard cannot know).
      add({ type: 'IPAddress', value: svc.spec.clusterIP });
    }
  }
  return { availablePods, workloadExists: !!workload, serviceExists: !!svc, addresses, unusable };
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
      message: `spec.addresses: Switchyard assigns addresses through a Kubernetes Service, which takes only IPAddress values; cannot use ${list}`,
    });
    set({ type: 'Programmed', status: 'False', reason: 'Invalid', message: 'spec.addresses has unsupported address types (see Accepted)' });
  } else if (accepted?.status !== 'False' && programmed?.status !== 'False') {
    let why: { reason: string; message: string } | undefined;
    if (ready.unusable.length > 0 && ready.serviceExists) {
      why = {
        reason: 'AddressNotUsable',
        message: `spec.addresses: the fleet Service ${spec.namespace}/${spec.name} did not take ${ready.unusable.join(', ')} (externalIPs rejected or not assigned by the load balancer)`,
      };
    } else if (ready.addresses.length === 0) {
      why = {
        reason: 'AddressNotAssigned',
        message: ready.serviceExists
          ? `waiting for an address: Service ${spec.namespace}/${spec.name} (type ${spec.serviceType}) has no load balancer ingress yet`
          : `waiting for the fleet Service ${spec.namespace}/${spec.name} to be created`,
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
