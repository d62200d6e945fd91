// Generates realistic Gateway API configurations: G Gateways of class
// `switchyard` with HTTP listeners and hostnames, R HTTPRoutes with the mix of
// matches, filters and weighted backends that real clusters have, and the
// Services and EndpointSlices those routes point at. Deterministic for a seed.
//
// Two objects are reserved for the latency benchmarks: the *marker route*
// (HTTPRoute index 0, on Gateway 0) carries a request header value
// `bench-seq-NNNNNN`, and the *churn slice* (an EndpointSlice of the marker
// route's backend) has one endpoint in 10.255.0.0/16 whose address encodes a
// sequence number. A client sees which change it has received by reading these
// values out of the resources, whatever names the translator gives them.
import { GATEWAY_GROUP, type KubeObject } from '@switchyard/api';
import { Prng } from './prng.js';

export const GATEWAY_API_VERSION = `${GATEWAY_GROUP}/v1`;
export const CONTROLLER_NAME = 'switchyard.dev/gateway-controller';
export const GATEWAY_NAMESPACE = 'infra';
export const SHARED_NAMESPACE = 'shared';
/** The header the marker route sets; its value is MARKER_PREFIX + six digits. */
export const MARKER_HEADER = 'x-bench-seq';
export const MARKER_PREFIX = 'bench-seq-';
/** Endpoint addresses in this /16 appear only on the churn slice; a.b encode the sequence number. */
export const ENDPOINT_MARKER_PREFIX = '10.255.';

export interface ConfigShape {
  readonly gateways: number;
  readonly routes: number;
  readonly seed?: number;
}

export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export interface GeneratedConfig {
  readonly shape: Required<ConfigShape>;
  /** Every object, in a stable order (cluster-scoped first, then by kind). */
  readonly objects: readonly KubeObject[];
  /** Fleet ids, one per Gateway: "infra/gw-<i>". */
  readonly fleets: readonly string[];
  readonly markerRoute: ObjectKey;
  readonly churnSlice: ObjectKey;
  /** Services per namespace, for routes generated later (churn). */
  readonly servicesByNamespace: ReadonlyMap<string, readonly string[]>;
  readonly counts: Readonly<Record<string, number>>;
}

const PATH_WORDS = [
  'api',
  'v1',
  'v2',
  'shop',
  'cart',
  'users',
  'orders',
  'search',
  'static',
  'auth',
  'billing',
  'catalog',
  'media',
  'admin',
  'graphql',
  'status',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const HEADER_NAMES = ['x-tenant', 'x-canary', 'x-version', 'x-region', 'x-client', 'user-agent'];
const QUERY_NAMES = ['version', 'debug', 'lang', 'tenant'];
const BASE_TIME = Date.UTC(2026, 0, 1);
/** ReferenceGrant spec.from holds at most 16 entries (CRD validation). */
const GRANT_FROM_MAX = 16;

export function fleetId(gateway: number): string {
  return `${GATEWAY_NAMESPACE}/gw-${gateway}`;
}

export function markerValue(seq: number): string {
  return MARKER_PREFIX + String(seq).padStart(6, '0');
}

/** The churn slice's marker endpoint address for a sequence number (0..65535). */
export function markerAddress(seq: number): string {
  return `${ENDPOINT_MARKER_PREFIX}${(seq >> 8) & 255}.${seq & 255}`;
}

class Builder {
  readonly prng: Prng;
  private uidCounter = 0;
  private timeCounter = 0;
  private ipCounter = 0;

  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  meta(namespace: string | undefined, name: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] {
    this.uidCounter++;
    this.timeCounter++;
    const uid = `${this.prng.hex(8)}-${this.prng.hex(4)}-4${this.prng.hex(3)}-8${this.prng.hex(3)}-${this.prng.hex(12)}`;
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid,
      resourceVersion: String(1000 + this.uidCounter),
      generation: 1,
      creationTimestamp: new Date(BASE_TIME + this.timeCounter * 1000).toISOString().replace('.000Z', 'Z'),
      ...extra,
    };
  }

  /** A pod address outside 10.255/16 (reserved for the churn marker). */
  podIp(): string {
    const n = this.ipCounter++;
    return `10.${(n >> 16) & 127}.${(n >> 8) & 255}.${n & 255}`;
  }
}

export function generateConfig(shapeIn: ConfigShape): GeneratedConfig {
  const shape: Required<ConfigShape> = { seed: 1, ...shapeIn };
  if (shape.gateways < 1 || shape.routes < 1) throw new Error('need at least one Gateway and one HTTPRoute');
  const b = new Builder(shape.seed);
  const { prng } = b;
  const namespaces = Math.max(2, Math.ceil(shape.routes / 250));
  const teamNamespaces = Array.from({ length: namespaces }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  const servicesPerNamespace = Math.max(2, Math.ceil((shape.routes * 0.6) / namespaces));

  const cluster: KubeObject[] = [];
  const gateways: KubeObject[] = [];
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  const routes: KubeObject[] = [];
  const grants: KubeObject[] = [];

  cluster.push({
    apiVersion: GATEWAY_API_VERSION,
    kind: 'GatewayClass',
    metadata: b.meta(undefined, 'switchyard'),
    spec: { controllerName: CONTROLLER_NAME, description: 'Switchyard benchmark class' },
  });
  for (const ns of [GATEWAY_NAMESPACE, SHARED_NAMESPACE, ...teamNamespaces]) {
    cluster.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: b.meta(undefined, ns, { labels: { 'kubernetes.io/metadata.name': ns, tier: ns.startsWith('team-') ? 'team' : 'platform' } }),
    });
  }

  for (let g = 0; g < shape.gateways; g++) {
    gateways.push({
      apiVersion: GATEWAY_API_VERSION,
      kind: 'Gateway',
      metadata: b.meta(GATEWAY_NAMESPACE, `gw-${g}`),
      spec: {
        gatewayClassName: 'switchyard',
        listeners: [
          { name: 'http', protocol: 'HTTP', port: 80, hostname: `*.gw${g}.example.com`, allowedRoutes: { namespaces: { from: 'All' } } },
          {
            name: 'api',
            protocol: 'HTTP',
            port: 80,
            hostname: `api.gw${g}.example.com`,
            allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }] },
          },
          { name: 'http-alt', protocol: 'HTTP', port: 8080, allowedRoutes: { namespaces: { from: 'Same' } } },
        ],
      },
    });
  }

  // Services: a pool per namespace; each has an http port (named) and some a
  // second port, and one EndpointSlice with 1-5 ready endpoints.
  const servicesByNamespace = new Map<string, string[]>();
  const addService = (ns: string, name: string): void => {
    const twoPorts = prng.chance(0.3);
    const ports: Array<Record<string, unknown>> = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }];
    if (twoPorts) ports.push({ name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' });
    services.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: b.meta(ns, name, { labels: { app: name } }),
      spec: { type: 'ClusterIP', selector: { app: name }, ports, clusterIP: `172.20.${(services.length >> 8) & 255}.${services.length & 255}` },
    });
    const endpointCount = prng.int(1, 5);
    const endpoints: Array<Record<string, unknown>> = [];
    for (let e = 0; e < endpointCount; e++) {
      endpoints.push({
        addresses: [b.podIp()],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: `node-${prng.int(0, 49)}`,
        targetRef: { kind: 'Pod', namespace: ns, name: `${name}-${prng.hex(5)}` },
      });
    }
    if (prng.chance(0.1)) {
      // A pod still starting: must not receive traffic.
      endpoints.push({ addresses: [b.podIp()], conditions: { ready: false, serving: false, terminating: false }, nodeName: `node-${prng.int(0, 49)}` });
    }
    const slicePorts: Array<Record<string, unknown>> = [{ name: 'http', port: 8080, protocol: 'TCP' }];
    if (twoPorts) slicePorts.push({ name: 'metrics', port: 9090, protocol: 'TCP' });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: b.meta(ns, `${name}-${prng.hex(5)}`, {
        labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      }),
      addressType: 'IPv4',
      ports: slicePorts,
      endpoints,
    } as KubeObject);
    let list = servicesByNamespace.get(ns);
    if (!list) servicesByNamespace.set(ns, (list = []));
    list.push(name);
  };
  for (const ns of teamNamespaces) for (let s = 0; s < servicesPerNamespace; s++) addService(ns, `svc-${s}`);
  for (let s = 0; s < 5; s++) addService(SHARED_NAMESPACE, `shared-${s}`);
  // The CRD allows at most 16 entries in spec.from: one grant per 16 team namespaces (the others are
  // made after the routes, so the routes stay what earlier versions of the generator made).
  const grantFor = (name: string, from: readonly string[]): KubeObject => ({
    apiVersion: `${GATEWAY_GROUP}/v1beta1`,
    kind: 'ReferenceGrant',
    metadata: b.meta(SHARED_NAMESPACE, name),
    spec: { from: from.map((ns) => ({ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: ns })), to: [{ group: '', kind: 'Service' }] },
  });
  grants.push(grantFor('allow-team-routes', teamNamespaces.slice(0, GRANT_FROM_MAX)));

  const routesPerGateway = Math.ceil(shape.routes / shape.gateways);
  const hostsPerGateway = Math.max(1, Math.ceil(routesPerGateway / 3));
  for (let r = 0; r < shape.routes; r++) {
    // Route 0 is the marker route on Gateway 0; the rest spread evenly.
    const g = r === 0 ? 0 : r % shape.gateways;
    const ns = teamNamespaces[r % teamNamespaces.length] ?? 'team-000';
    routes.push(r === 0 ? markerRouteOf(b, ns, servicesByNamespace.get(ns) ?? []) : randomRoute(b, `route-${r}`, ns, g, hostsPerGateway, servicesByNamespace));
  }

  for (let i = GRANT_FROM_MAX; i < teamNamespaces.length; i += GRANT_FROM_MAX)
    grants.push(grantFor(`allow-team-routes-${i / GRANT_FROM_MAX + 1}`, teamNamespaces.slice(i, i + GRANT_FROM_MAX)));

  const marker = routes[0]!;
  const markerBackend = ((marker.spec as RouteSpec).rules[0]?.backendRefs ?? [])[0]?.name ?? 'svc-0';
  const churnSlice = slices.find(
    (s) => s.metadata.namespace === marker.metadata.namespace && s.metadata.labels?.['kubernetes.io/service-name'] === markerBackend,
  );
  if (!churnSlice) throw new Error('generator: marker route backend has no EndpointSlice');
  // The churn slice's first endpoint carries the endpoint marker (sequence 0).
  setSliceMarker(churnSlice, 0);

  const objects = [...cluster, ...gateways, ...grants, ...services, ...slices, ...routes];
  return {
    shape,
    objects,
    fleets: gateways.map((gw) => `${gw.metadata.namespace}/${gw.metadata.name}`),
    markerRoute: { namespace: marker.metadata.namespace ?? '', name: marker.metadata.name },
    churnSlice: { namespace: churnSlice.metadata.namespace ?? '', name: churnSlice.metadata.name },
    servicesByNamespace,
    counts: {
      GatewayClass: 1,
      Namespace: namespaces + 2,
      Gateway: gateways.length,
      HTTPRoute: routes.length,
      Service: services.length,
      EndpointSlice: slices.length,
      ReferenceGrant: grants.length,
      total: objects.length,
    },
  };
}

// A loose shape of the parts of HTTPRoute the generator touches.
interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port: number;
  weight?: number;
}
interface RouteRule {
  matches?: unknown[];
  filters?: Array<Record<string, unknown>>;
  backendRefs?: BackendRef[];
  timeouts?: Record<string, string>;
}
interface RouteSpec {
  parentRefs: unknown[];
  hostnames?: string[];
  rules: RouteRule[];
}

function markerRouteOf(b: Builder, ns: string, services: readonly string[]): KubeObject {
  const backend = services[0] ?? 'svc-0';
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'HTTPRoute',
    metadata: b.meta(ns, 'route-0', { labels: { app: 'bench-marker' } }),
    spec: {
      parentRefs: [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace: GATEWAY_NAMESPACE, name: 'gw-0', sectionName: 'http' }],
      hostnames: ['marker.gw0.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/marker' } }],
          filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: MARKER_HEADER, value: markerValue(0) }] } }],
          backendRefs: [{ name: backend, port: 80, weight: 1 }],
        },
      ],
    } satisfies RouteSpec,
  };
}

function randomMatch(prng: Prng): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const pathKind = prng.weighted([55, 20, 10, 15]);
  const seg = `/${prng.pick(PATH_WORDS)}/${prng.pick(PATH_WORDS)}${prng.int(0, 99)}`;
  if (pathKind === 0) m['path'] = { type: 'PathPrefix', value: seg };
  else if (pathKind === 1) m['path'] = { type: 'Exact', value: `${seg}/${prng.pick(PATH_WORDS)}` };
  else if (pathKind === 2) m['path'] = { type: 'RegularExpression', value: `${seg}/[0-9]+(/[a-z]+)?` };
  if (prng.chance(0.2)) {
    const headers: Array<Record<string, unknown>> = [];
    const n = prng.int(1, 2);
    for (let i = 0; i < n; i++) {
      const name = HEADER_NAMES[(i + prng.int(0, HEADER_NAMES.length - 1)) % HEADER_NAMES.length]!;
      if (headers.some((h) => h['name'] === name)) continue;
      headers.push(prng.chance(0.8) ? { type: 'Exact', name, value: `v${prng.int(1, 9)}` } : { type: 'RegularExpression', name, value: `^(v[0-9]+|beta)$` });
    }
    m['headers'] = headers;
  }
  if (prng.chance(0.08)) {
    const name = prng.pick(QUERY_NAMES);
    m['queryParams'] = [prng.chance(0.85) ? { type: 'Exact', name, value: String(prng.int(1, 3)) } : { type: 'RegularExpression', name, value: '^[a-z]{2}$' }];
  }
  if (prng.chance(0.12)) m['method'] = prng.pick(METHODS);
  return m;
}

function randomRoute(
  b: Builder,
  name: string,
  ns: string,
  g: number,
  hostsPerGateway: number,
  servicesByNamespace: ReadonlyMap<string, readonly string[]>,
): KubeObject {
  const { prng } = b;
  const local = servicesByNamespace.get(ns) ?? [];
  const shared = servicesByNamespace.get(SHARED_NAMESPACE) ?? [];
  const backendRef = (): BackendRef => {
    if (prng.chance(0.02) && shared.length > 0) return { name: prng.pick(shared), namespace: SHARED_NAMESPACE, port: 80 };
    return { name: prng.pick(local), port: 80 };
  };

  const hostKind = prng.weighted([85, 10, 3, 2]);
  let hostnames: string[] | undefined;
  let sectionName: string | undefined = prng.chance(0.8) ? 'http' : undefined;
  const host = (): string => `app-${prng.int(0, hostsPerGateway - 1)}.gw${g}.example.com`;
  if (hostKind === 0) hostnames = [host()];
  else if (hostKind === 1) hostnames = [...new Set([host(), host()])];
  else if (hostKind === 2) {
    hostnames = [`api.gw${g}.example.com`];
    sectionName = 'api';
  }
  // hostKind 3: no hostnames, the route takes the listener's.

  const rules: RouteRule[] = [];
  const ruleCount = 1 + prng.weighted([50, 30, 15, 5]);
  for (let i = 0; i < ruleCount; i++) {
    const rule: RouteRule = {};
    const matchCount = prng.weighted([5, 70, 25]);
    if (matchCount > 0) rule.matches = Array.from({ length: matchCount }, () => randomMatch(prng));
    const filters: Array<Record<string, unknown>> = [];
    const redirect = prng.chance(0.04);
    if (redirect) {
      filters.push({
        type: 'RequestRedirect',
        requestRedirect: prng.chance(0.5) ? { scheme: 'https', statusCode: 301 } : { hostname: `www.gw${g}.example.com`, statusCode: 302 },
      });
    } else {
      if (prng.chance(0.25)) {
        filters.push({
          type: 'RequestHeaderModifier',
          requestHeaderModifier: {
            set: [{ name: 'x-route', value: name }],
            add: prng.chance(0.5) ? [{ name: 'x-team', value: ns }] : [],
            remove: prng.chance(0.3) ? ['x-debug'] : [],
          },
        });
      }
      if (prng.chance(0.1)) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-served-by', value: 'switchyard' }] } });
      if (prng.chance(0.08)) {
        const firstPath = (rule.matches?.[0] as { path?: { type: string } } | undefined)?.path;
        const onlyPrefixMatches =
          firstPath?.type === 'PathPrefix' && (rule.matches ?? []).every((m) => (m as { path?: { type: string } }).path?.type === 'PathPrefix');
        // The CRD wants exactly one PathPrefix match beside ReplacePrefixMatch (the draw stays, so the
        // rest of the configuration is what earlier versions of the generator made).
        const path =
          onlyPrefixMatches && prng.chance(0.7) && rule.matches?.length === 1
            ? { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' }
            : { type: 'ReplaceFullPath', replaceFullPath: '/index' };
        filters.push({ type: 'URLRewrite', urlRewrite: prng.chance(0.3) ? { hostname: `backend.${ns}.svc`, path } : { path } });
      }
      if (prng.chance(0.02)) filters.push({ type: 'RequestMirror', requestMirror: { backendRef: { name: prng.pick(local), port: 80 }, percent: 10 } });
      const refs = 1 + prng.weighted([60, 30, 10]);
      const backendRefs: BackendRef[] = [];
      for (let k = 0; k < refs; k++) {
        const ref = backendRef();
        if (backendRefs.some((x) => x.name === ref.name && x.namespace === ref.namespace)) continue;
        backendRefs.push(refs > 1 ? { ...ref, weight: prng.int(1, 100) } : ref);
      }
      rule.backendRefs = backendRefs;
    }
    if (filters.length > 0) rule.filters = filters;
    if (!redirect && prng.chance(0.1)) rule.timeouts = { request: `${prng.int(5, 30)}s` };
    rules.push(rule);
  }
  const parentRef: Record<string, unknown> = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: GATEWAY_NAMESPACE, name: `gw-${g}` };
  if (sectionName) parentRef['sectionName'] = sectionName;
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'HTTPRoute',
    metadata: b.meta(ns, name),
    spec: { parentRefs: [parentRef], ...(hostnames ? { hostnames } : {}), rules } satisfies RouteSpec,
  };
}

/** A copy of the marker route whose header value carries `seq`, with its generation bumped. */
export function withRouteMarker(route: KubeObject, seq: number): KubeObject {
  const spec = structuredClone(route.spec) as RouteSpec;
  const filter = spec.rules[0]?.filters?.[0] as { requestHeaderModifier?: { set?: Array<{ name: string; value: string }> } } | undefined;
  const header = filter?.requestHeaderModifier?.set?.find((h) => h.name === MARKER_HEADER);
  if (!header) throw new Error('not the marker route');
  header.value = markerValue(seq);
  return {
    ...route,
    metadata: {
      ...route.metadata,
      generation: (route.metadata.generation ?? 1) + 1,
      resourceVersion: String(Number(route.metadata.resourceVersion ?? '0') + 1),
    },
    spec,
  };
}

function setSliceMarker(slice: KubeObject, seq: number): void {
  const endpoints = (slice as unknown as { endpoints: Array<{ addresses: string[] }> }).endpoints;
  const first = endpoints[0];
  if (!first) throw new Error('churn slice has no endpoints');
  first.addresses = [markerAddress(seq)];
}

/** A copy of the churn slice whose marker endpoint's address encodes `seq`. */
export function withEndpointMarker(slice: KubeObject, seq: number): KubeObject {
  const copy = structuredClone(slice);
  setSliceMarker(copy, seq);
  copy.metadata.resourceVersion = String(Number(slice.metadata.resourceVersion ?? '0') + 1);
  return copy;
}

/**
 * The HTTPRoutes the churn benchmark creates and deletes: `count` routes on
 * Gateway 0 in the team namespaces, each with its own hostname, pointing at
 * existing Services. `cycle` makes names and hostnames unique per cycle, so
 * every cycle creates genuinely new objects (new uids), as a user would.
 */
export function churnRoutes(config: GeneratedConfig, count: number, cycle: number): KubeObject[] {
  const b = new Builder(config.shape.seed * 7919 + cycle);
  const namespaces = [...config.servicesByNamespace.keys()].filter((ns) => ns !== SHARED_NAMESPACE);
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    const ns = namespaces[i % namespaces.length]!;
    const route = randomRoute(b, `churn-${cycle}-${i}`, ns, 0, 1, config.servicesByNamespace);
    const spec = route.spec as RouteSpec;
    spec.hostnames = [`churn-${cycle}-${i}.gw0.example.com`];
    spec.parentRefs = [{ group: GATEWAY_GROUP, kind: 'Gateway', namespace: GATEWAY_NAMESPACE, name: 'gw-0', sectionName: 'http' }];
    out.push(route);
  }
  return out;
}
