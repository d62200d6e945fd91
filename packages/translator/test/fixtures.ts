// Builders for the objects translator tests need, with the defaults a real
// API server would have filled in left out (the translator must not need them).
import type { EndpointSlice, Gateway, GatewayClass, GRPCRoute, HTTPRoute, KubeObject, Listener, ReferenceGrant, Service } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS, resourceName, toProto3Json, type EnvoyResources } from '@switchyard/protos';
import { snapshotOf, type Condition, type KubeObject as K } from '@switchyard/api';
import { explain, type Explanation } from '@switchyard/explain';
import { CONTROLLER_NAME, translate, type TranslateOptions, type TranslateResult } from '../src/translate.js';

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

export function service(
  namespace: string,
  name: string,
  ports: Array<{ port: number; name?: string; appProtocol?: string }>,
  extra: Partial<Service['spec']> = {},
): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports, ...extra } };
}

export function endpointSlice(
  namespace: string,
  service: string,
  addresses: Array<string | { ip: string; ready: boolean }>,
  ports: Array<{ port: number; name?: string }>,
  sliceName = `${service}-abc`,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: sliceName, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) =>
      typeof a === 'string' ? { addresses: [a], conditions: { ready: true } } : { addresses: [a.ip], conditions: { ready: a.ready } },
    ),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' as const })),
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function referenceGrant(
  namespace: string,
  name: string,
  from: { group: string; kind: string; namespace: string }[],
  to: { group: string; kind: string; name?: string }[],
): ReferenceGrant {
  return { apiVersion: `${G}/v1beta1`, kind: 'ReferenceGrant', metadata: { namespace, name }, spec: { from, to } };
}

/** Every fleet's resources in proto3 JSON (as an Envoy config dump shows them), types without resources left out. */
export function fleetsJson(r: TranslateResult): Record<string, Record<string, unknown[]>> {
  const fleets: Record<string, Record<string, unknown[]>> = {};
  for (const [id, res] of r.fleets) {
    const f: Record<string, unknown[]> = {};
    for (const [field, typeUrl] of RESOURCE_FIELDS) if (res[field].length > 0) f[field] = res[field].map((x) => toProto3Json(typeUrl, x));
    fleets[id] = f;
  }
  return fleets;
}

/** go-control-plane's ValidateAll plus reference checks; built by `npm run build:tools` (part of `npm test`). */

/** Encodes every resource with protobufjs (throws if Envoy's schema would not accept the shape). */
export function encodeAll(r: EnvoyResources): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [field, typeUrl] of RESOURCE_FIELDS) {
    for (const res of r[field]) out.set(`${typeUrl}|${resourceName(res)}`, encodeMessage(typeUrl, res));
  }
  return out;
}

/** A Gateway "infra/gw" of class switchyard with one HTTP listener on 80 allowing all namespaces, plus the class. */
export function baseObjects(listeners: Listener[] = [httpListener('http', 80, { allowedRoutes: { namespaces: { from: 'All' } } })]): K[] {
  return [gatewayClass(), gateway('infra', 'gw', listeners)];
}

/** A Service with one port and ready endpoints (target port = port + 1000). */
export function backend(ns: string, name: string, port = 8080, ips = ['10.0.0.1'], appProtocol?: string): K[] {
  return [service(ns, name, [{ port, name: 'p', ...(appProtocol ? { appProtocol } : {}) }]), endpointSlice(ns, name, ips, [{ name: 'p', port: port + 1000 }])];
}

export function run(objects: K[], options: TranslateOptions = {}): TranslateResult {
  return translate(snapshotOf(objects), options);
}

/** The conditions Switchyard reported for one parent of a route, as [type, status, reason]. */
export function routeConditions(r: TranslateResult, kind: string, ns: string, name: string, parentIndex = 0): Array<[string, string, string]> {
  const s = r.statuses.find((x) => x.kind === kind && x.namespace === ns && x.name === name);
  if (!s) throw new Error(`no status for ${kind} ${ns}/${name}`);
  const p = (s.status as { parents: Array<{ conditions: Condition[] }> }).parents[parentIndex];
  if (!p) throw new Error(`no parent ${parentIndex}`);
  return p.conditions.map((c) => [c.type, c.status, c.reason]);
}

export function routeCondition(r: TranslateResult, kind: string, ns: string, name: string, type: string, parentIndex = 0): Condition | undefined {
  const s = r.statuses.find((x) => x.kind === kind && x.namespace === ns && x.name === name);
  return (s?.status as { parents: Array<{ conditions: Condition[] }> } | undefined)?.parents[parentIndex]?.conditions.find((c) => c.type === type);
}

export interface Outcome {
  readonly status?: number;
  /** "ns/name:port" => weight of each share, "500" for an invalid share. */
  readonly backends?: Record<string, number>;
  readonly location?: string;
  readonly path?: string;
  readonly host?: string;
  readonly route?: string;
}

/** What a request gets from fleet infra/gw (or `fleet`), through explain. */
export function ask(
  r: TranslateResult,
  req: { host?: string; path?: string; method?: string; headers?: Record<string, string>; port?: number },
  fleet = 'infra/gw',
): Outcome {
  const resources = r.fleets.get(fleet);
  if (!resources) throw new Error(`no fleet ${fleet}`);
  const e: Explanation = explain(resources, {
    port: req.port ?? 80,
    method: req.method ?? 'GET',
    scheme: 'http',
    host: req.host ?? 'example.com',
    path: req.path ?? '/',
    ...(req.headers ? { headers: req.headers } : {}),
  });
  if (e.kind === 'no-route') return { status: 404 };
  if (e.kind !== 'route') return { status: -1 };
  const route = e.route.source ? `${e.route.source.namespace}/${e.route.source.name}#${e.route.source.rule}` : e.route.name;
  const a = e.action;
  switch (a.kind) {
    case 'direct_response':
      return { status: a.status, route };
    case 'redirect':
      return { status: a.status, location: a.location, route };
    case 'clusters': {
      const backends: Record<string, number> = {};
      for (const b of a.backends) {
        const key =
          b.target.kind === 'backend'
            ? b.target.backend
              ? `${b.target.backend.namespace}/${b.target.backend.name}:${b.target.backend.port}`
              : b.target.cluster
            : String(b.target.status);
        backends[key] = (backends[key] ?? 0) + b.weight;
      }
      const first = a.backends[0];
      return { backends, route, ...(first ? { path: first.upstream.path, ...(first.upstream.host !== undefined ? { host: first.upstream.host } : {}) } : {}) };
    }
    default:
      return { status: -2, route };
  }
}
