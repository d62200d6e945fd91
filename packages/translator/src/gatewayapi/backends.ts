// backendRef resolution: a reference from a route to a Service port becomes
// a ClusterIR (endpoints from ready EndpointSlice endpoints, or a DNS name for
// ExternalName Services), or a problem with the ResolvedRefs reason the spec
// prescribes. Cross-namespace references need a ReferenceGrant.
import {
  GATEWAY_GROUP,
  type BackendObjectReference,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Service,
  type ServicePort,
} from '@switchyard/api';
import { arrayOf, objectOf } from './shape.js';
import { isIP } from 'node:net';
import type { ClusterIR, EndpointIR, UpstreamProtocol } from '../ir/ir.js';
import type { TranslationContext } from './context.js';
import { RouteReason } from './conditions.js';

export type BackendResolution = { readonly ok: true; readonly cluster: ClusterIR } | { readonly ok: false; readonly reason: string; readonly message: string };

/** What kind of traffic the referring route carries; decides the upstream protocol. */
export type RouteTraffic = 'http' | 'grpc' | 'tcp' | 'udp' | 'tls';

/**
 * Resolves one backendRef. `field` names it in messages (e.g.
 * "spec.rules[0].backendRefs[1]"). Memoized per translation by the caller's
 * ClusterTable.
 */
export function resolveBackend(
  ref: BackendObjectReference,
  /** The referring object; its group defaults to gateway.networking.k8s.io (routes). */
  from: { group?: string; kind: string; namespace: string },
  traffic: RouteTraffic,
  field: string,
  ctx: TranslationContext,
): BackendResolution {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if (typeof ref.name !== 'string' || ref.name === '') return { ok: false, reason: RouteReason.BackendNotFound, message: `${field}.name is required` };
  if (group !== '' || kind !== 'Service') {
    return { ok: false, reason: RouteReason.InvalidKind, message: `${field}: ${group || 'core'}/${kind} is not a supported backend kind (only core/Service)` };
  }
  const namespace = ref.namespace ?? from.namespace;
  if (!ctx.referenceAllowed({ group: from.group ?? GATEWAY_GROUP, kind: from.kind, namespace: from.namespace }, { group, kind, namespace, name: ref.name })) {
    return {
      ok: false,
      reason: RouteReason.RefNotPermitted,
      message: `${field}: reference to Service ${namespace}/${ref.name} is not permitted by any ReferenceGrant in namespace ${namespace}`,
    };
  }
  const svc = ctx.snapshot.get<Service>('', 'Service', namespace, ref.name);
  if (!svc) return { ok: false, reason: RouteReason.BackendNotFound, message: `${field}: Service ${namespace}/${ref.name} not found` };
  if (ref.port === undefined || ref.port === null)
    return { ok: false, reason: RouteReason.BackendNotFound, message: `${field}.port is required for a Service backend` };
  const port = ref.port;
  const spec = objectOf<NonNullable<Service['spec']>>(svc.spec) ?? {};

  const sp = arrayOf<ServicePort>(spec.ports).find((p) => p && p.port === port);
  let discovery: ClusterIR['discovery'];
  if (spec.type === 'ExternalName') {
    // A DNS name: the port needs no entry in spec.ports (one there only gives the appProtocol).
    if (!spec.externalName)
      return {
        ok: false,
        reason: RouteReason.BackendNotFound,
        message: `${field}: Service ${namespace}/${ref.name} is ExternalName without spec.externalName`,
      };
    discovery = { type: 'dns', hostname: spec.externalName, port };
  } else {
    if (!sp) return { ok: false, reason: RouteReason.BackendNotFound, message: `${field}: Service ${namespace}/${ref.name} has no port ${port}` };
    discovery = { type: 'eds', endpoints: readyEndpoints(ctx.endpointSlices(namespace, ref.name), sp, traffic === 'udp' ? 'UDP' : 'TCP') };
  }
  const protocol = upstreamProtocol(sp?.appProtocol, traffic);
  if (!protocol.ok) return { ok: false, reason: RouteReason.UnsupportedProtocol, message: `${field}: ${protocol.message}` };
  return {
    ok: true,
    cluster: {
      name: clusterName(namespace, ref.name, port, protocol.protocol),
      backend: { kind: 'Service', group: '', namespace, name: ref.name, port },
      protocol: protocol.protocol,
      discovery,
    },
  };
}

/**
 * Cluster names: "<namespace>/<name>:<port>", with a suffix when the same
 * Service port is spoken to in another protocol (a GRPCRoute's h2c next to
 * an HTTPRoute's HTTP/1.1). Tools must read the cluster metadata, not parse this.
 */
export function clusterName(namespace: string, name: string, port: number, protocol: UpstreamProtocol): string {
  const base = `${namespace}/${name}:${port}`;
  return protocol === 'http1' || protocol === 'tcp' ? base : `${base}/${protocol}`;
}

/** The upstream protocol from the Service port's appProtocol (KEP-3726 names) and the route's traffic. */
export function upstreamProtocol(
  appProtocol: string | undefined,
  traffic: RouteTraffic,
): { ok: true; protocol: UpstreamProtocol } | { ok: false; message: string } {
  if (traffic === 'tcp' || traffic === 'tls') return { ok: true, protocol: 'tcp' };
  if (traffic === 'udp') return { ok: true, protocol: 'udp' };
  if (traffic === 'grpc') return { ok: true, protocol: 'h2c' };
  switch (appProtocol) {
    case 'kubernetes.io/h2c':
      return { ok: true, protocol: 'h2c' };
    case 'kubernetes.io/wss':
      return { ok: false, message: 'appProtocol kubernetes.io/wss (WebSocket over TLS) needs backend TLS, which is not configured' };
    default:
      // kubernetes.io/ws and unset/other values: HTTP/1.1 (WebSocket upgrades are enabled on every HTTP listener).
      return { ok: true, protocol: 'http1' };
  }
}

/**
 * Ready endpoints of a Service port: endpoints whose conditions.ready is not
 * false (nil means ready, per the EndpointSlice API), on the slice port with
 * the Service port's name. Sorted and deduplicated so order never leaks out.
 */
export function readyEndpoints(slices: readonly EndpointSlice[], sp: ServicePort, l4: 'TCP' | 'UDP'): EndpointIR[] {
  const want = sp.name ?? '';
  const seen = new Set<string>();
  const out: EndpointIR[] = [];
  for (const s of slices) {
    if (s.addressType !== 'IPv4' && s.addressType !== 'IPv6') continue;
    const port = arrayOf<EndpointPort>(s.ports).find((p) => p && (p.name ?? '') === want && (p.protocol ?? 'TCP') === l4);
    if (!port || typeof port.port !== 'number') continue;
    for (const ep of arrayOf<Endpoint>(s.endpoints)) {
      if (!ep || ep.conditions?.ready === false || !Array.isArray(ep.addresses)) continue;
      for (const address of ep.addresses) {
        // Envoy rejects a socket address that is not an IP; skip such endpoints rather than the whole cluster.
        if (typeof address !== 'string' || isIP(address) === 0) continue;
        const k = `${address}|${port.port}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ address, port: port.port });
      }
    }
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}
