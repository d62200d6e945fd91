// Builders for the objects translator tests need, with the defaults a real
// API server would have filled in left out (the translator must not need them).
import type { EndpointSlice, Gateway, GatewayClass, GRPCRoute, HTTPRoute, KubeObject, Listener, ReferenceGrant, Service } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS, resourceName, type EnvoyResources } from '@switchyard/protos';
import { CONTROLLER_NAME } from './translate.js';

export const G = 'gateway.networking.k8s.io';

export function gatewayClass(name = 'switchyard', controllerName = CONTROLLER_NAME): GatewayClass {
  return { apiVersion: `${G}/v1`, kind: 'GatewayClass', metadata: { name, generation: 1 }, spec: { controllerName } };
}

export function gateway(namespace: string, name: string, listeners: Listener[], className = 'switchyard'): Gateway {
  return { apiVersion: `${G}/v1`, kind: 'Gateway', metadata: { namespace, name, generation: 1 }, spec: { gatewayClassName: className, listeners } };
}

export function httpListener(name = 'http', port = 80, extra: Partial<Listener> = {}): Listener {
  return { name, port, protocol: 'HTTP', ...extra };
}

export function httpRoute(namespace: string, name: string, spec: HTTPRoute['spec'], created = '2026-01-01T00:00:00Z'): HTTPRoute {
  return { apiVersion: `${G}/v1`, kind: 'HTTPRoute', metadata: { namespace, name, generation: 3, creationTimestamp: created }, spec };
}

export function grpcRoute(namespace: string, name: string, spec: GRPCRoute['spec'], created = '2026-01-01T00:00:00Z'): GRPCRoute {
  return { apiVersion: `${G}/v1`, kind: 'GRPCRoute', metadata: { namespace, name, generation: 2, creationTimestamp: created }, spec };
}

export function service(namespace: string, name: string, ports: Array<{ port: number; name?: string; appProtocol?: string }>, extra: Partial<Service['spec']> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports, ...extra } };
}

export function endpointSlice(namespace: string, service: string, addresses: Array<string | { ip: string; ready: boolean }>, ports: Array<{ port: number; name?: string }>, sliceName = `${service}-abc`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: sliceName, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => (typeof a === 'string' ? { addresses: [a], conditions: { ready: true } } : { addresses: [a.ip], conditions: { ready: a.ready } })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' as const })),
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function referenceGrant(namespace: string, name: string, from: { group: string; kind: string; namespace: string }[], to: { group: string; kind: string; name?: string }[]): ReferenceGrant {
  return { apiVersion: `${G}/v1beta1`, kind: 'ReferenceGrant', metadata: { namespace, name }, spec: { from, to } };
}

/** Encodes every resource with protobufjs (throws if Envoy's schema would not accept the shape). */
export function encodeAll(r: EnvoyResources): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [field, typeUrl] of RESOURCE_FIELDS) {
    for (const res of r[field]) out.set(`${typeUrl}|${resourceName(res as { name?: string })}`, encodeMessage(typeUrl, res));
  }
  return out;
}
