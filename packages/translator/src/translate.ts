// translate(): the pipeline. Stage 1 (gatewayapi/) resolves objects into
// per-Gateway state and route builds, then one FleetIR per Gateway (empty for one not accepted);
// stage 2 (envoy/) emits each fleet's Envoy resources. Statuses come from the
// stage-1 state. Pure: reads only the snapshot and options.
import { GATEWAY_GROUP, type EndpointSlice, type Gateway, type GatewayClass, type KubeObject, type ServicePort, type Snapshot } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { emitFleet } from './envoy/index.js';
import type { EndpointIR, FleetIR, SecretIR } from './ir/ir.js';
import { BackendTlsPolicies, gatewayBackendClientCertificate } from './gatewayapi/backendtlspolicy.js';
import { attachListenerSets, listenerSetStatus } from './gatewayapi/listenerset.js';
import { ClusterTable } from './gatewayapi/cluster-table.js';
import { resolveHttpGrpcConflicts } from './gatewayapi/http-grpc-conflicts.js';
import { withProxyConfig } from './extensions/fleet.js';
import { TelemetryPolicies } from './gatewayapi/xtelemetrypolicy.js';
import { extensionStatuses } from './extensions/status.js';
import { condition, ConditionType, RouteReason } from './gatewayapi/conditions.js';
import { createContext } from './gatewayapi/context.js';
import { buildFleet, type UpstreamTlsApplier } from './gatewayapi/fleet.js';
import { resolveGateways, type GatewayState } from './gatewayapi/gateway.js';
import { resolveGatewayClasses } from './gatewayapi/gatewayclass.js';
import type { RouteBuild } from './gatewayapi/route-build.js';
import { gatewayIndex } from './gatewayapi/route-parents.js';
import { ROUTE_KINDS } from './gatewayapi/route-kinds.js';
import { gatewayClassStatus, gatewayStatus, routeStatus, staleRouteStatus, type ObjectStatus, type StatusContext } from './gatewayapi/status.js';

/** The controllerName GatewayClasses must carry for Switchyard to own them. */
export const CONTROLLER_NAME = 'switchyard.dev/gateway-controller';

/** A fleet is the set of Envoy pods serving one Gateway, keyed "namespace/name". */
export type FleetId = string;

export interface TranslateOptions {
  /** Defaults to CONTROLLER_NAME. */
  readonly controllerName?: string;
  /** RFC 3339 time stamped on conditions that changed (lastTransitionTime). Defaults to the epoch, keeping output pure. */
  readonly now?: string;
  /**
   * Kinds ("group/Kind", e.g. "certificates.k8s.io/ClusterTrustBundle") the
   * cluster's API server does not serve, as the controller's discovery found.
   * A reference to such a kind cannot resolve (InvalidKind rather than "not
   * found"), and a feature that needs it is not claimed (features.ts).
   * Files (standalone, translate -f) serve every kind: the default.
   */
  readonly unservedKinds?: readonly string[];
}

export interface TranslateResult {
  readonly fleets: ReadonlyMap<FleetId, EnvoyResources>;
  readonly statuses: readonly ObjectStatus[];
}

/** Like translate, but also returns the IR (for tests, explain tooling, debugging and refreshEndpoints). */
export interface TranslateDetail extends TranslateResult {
  readonly ir: ReadonlyMap<FleetId, FleetIR>;
  /**
   * Set by refreshEndpoints: the inputs each EDS endpoint list in `ir` was
   * read from, by the list. A later refresh that finds the very same objects
   * keeps the list without reading the slices again.
   */
  readonly endpointsReadFrom?: ReadonlyMap<readonly EndpointIR[], EndpointsReadFrom>;
}

/** The Service port and EndpointSlice objects an endpoint list was read from (the snapshot's objects are never mutated, so identity means same content). */
export interface EndpointsReadFrom {
  readonly sp: ServicePort;
  readonly l4: 'TCP' | 'UDP';
  readonly slices: readonly EndpointSlice[];
}

export function translate(snapshot: Snapshot, options: TranslateOptions = {}): TranslateResult {
  return translateDetailed(snapshot, options);
}

export function translateDetailed(snapshot: Snapshot, options: TranslateOptions = {}): TranslateDetail {
  return translateIsolating(snapshot, options, true);
}

/**
 * translateDetailed, but an internal error (a translator bug) is thrown
 * instead of isolated to the object's status, so property tests see where it
 * came from. Not part of the package's entry: tests import it from here.
 */
export function translateRethrowing(snapshot: Snapshot, options: TranslateOptions = {}): TranslateDetail {
  return translateIsolating(snapshot, options, false);
}

function translateIsolating(snapshot: Snapshot, options: TranslateOptions, isolate: boolean): TranslateDetail {
  const controllerName = options.controllerName ?? CONTROLLER_NAME;
  const sc: StatusContext = { now: options.now ?? '1970-01-01T00:00:00Z', controllerName };
  const ctx = createContext(snapshot, controllerName, options.unservedKinds);

  const classes = resolveGatewayClasses(snapshot.list<GatewayClass>(GATEWAY_GROUP, 'GatewayClass').filter(isObject), controllerName, ctx);
  const gateways = resolveGateways(snapshot.list<Gateway>(GATEWAY_GROUP, 'Gateway').filter(isObject), classes, ctx);
  const byKey = new Map<string, GatewayState>(gateways.map((g) => [g.key, g]));
  // ListenerSets add their listeners to their Gateways before any route attaches.
  const listenerSets = attachListenerSets(byKey, ctx);
  const parents = gatewayIndex(byKey, listenerSets);
  const clusters = new ClusterTable(ctx);

  const builds: Array<{ object: KubeObject; build: RouteBuild }> = [];
  const statuses: ObjectStatus[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const route of snapshot.list(kind.group, kind.kind)) {
      if (!isObject(route)) continue;
      let build: RouteBuild | undefined;
      try {
        build = kind.build(route, parents, clusters, ctx);
      } catch (e) {
        if (!isolate) throw e;
        // Blast radius: a bug triggered by one object must not stop the others. The
        // property tests assert this never happens; the status says what broke.
        build = failedBuild(route, kind.kind, e, byKey);
      }
      if (build) builds.push({ object: route, build });
      else {
        const stale = staleRouteStatus(route, sc);
        if (stale) statuses.push(stale);
      }
    }
  }
  const resolved = resolveHttpGrpcConflicts(builds.map((x) => x.build));
  resolved.forEach((b, i) => (builds[i]!.build = b));

  // attachedRoutes counts each route once per listener it is attached to.
  const byGateway = new Map<GatewayState, RouteBuild[]>();
  for (const { build } of builds) {
    if (build.notAccepted) continue;
    const listeners = new Set<object>();
    const gws = new Set<GatewayState>();
    for (const p of build.parents)
      for (const a of p.attachments) {
        listeners.add(a.listener);
        gws.add(a.gateway);
      }
    for (const l of listeners) (l as GatewayState['listeners'][number]).attachedRoutes++;
    for (const g of gws) {
      let list = byGateway.get(g);
      if (!list) byGateway.set(g, (list = []));
      list.push(build);
    }
  }

  // Upstream TLS: BackendTLSPolicies and each Gateway's backend client certificate.
  const backendTls = new BackendTlsPolicies(ctx);
  const clientCertificates = new Map<GatewayState, SecretIR | undefined>();
  for (const g of gateways) {
    const c = gatewayBackendClientCertificate(g.object, ctx);
    clientCertificates.set(g, c.secret);
    if (c.condition && g.accepted) g.conditions.push(c.condition);
  }

  // XTelemetryPolicies: which one applies to each Gateway, and its collector.
  const telemetry = new TelemetryPolicies(ctx, byKey);
  const upstreamTls: UpstreamTlsApplier = (clusters, gw, reencrypted) => backendTls.apply(clusters, gw, clientCertificates.get(gw), reencrypted);

  const fleets = new Map<FleetId, EnvoyResources>();
  const ir = new Map<FleetId, FleetIR>();
  for (const g of gateways) {
    // A Gateway of ours that is not accepted still has its fleet (the
    // controller provisions one for every Gateway of its classes): it gets an
    // empty configuration, so its Envoys initialise, serve nothing and report
    // ready, and a Gateway that loses acceptance stops serving its old routes.
    if (!g.accepted) {
      const empty: FleetIR = { id: g.key, listeners: [], routeConfigs: [], clusters: [], secrets: [] };
      ir.set(g.key, empty);
      fleets.set(g.key, emitFleet(empty));
      continue;
    }
    const f = telemetry.apply(withProxyConfig(buildFleet(g, byGateway.get(g) ?? [], upstreamTls), g, snapshot), g, upstreamTls);
    ir.set(g.key, f);
    fleets.set(g.key, emitFleet(f));
  }

  for (const c of classes.values()) statuses.push(gatewayClassStatus(c, sc));
  for (const g of gateways) statuses.push(gatewayStatus(g, sc));
  for (const { object, build } of builds) statuses.push(routeStatus(object, build, sc));
  statuses.push(...backendTls.statuses(sc));
  statuses.push(...telemetry.statuses(sc));
  for (const s of listenerSets) statuses.push(listenerSetStatus(s, sc));
  statuses.push(...extensionStatuses(snapshot, new Set(classes.keys()), sc, telemetry.tracingDecidedBy()));
  return { fleets, statuses, ir };
}

function isObject(o: KubeObject): boolean {
  return !!o && typeof o === 'object' && !!o.metadata && typeof o.metadata.name === 'string';
}

function failedBuild(route: KubeObject, kind: string, e: unknown, gateways: ReadonlyMap<string, GatewayState>): RouteBuild | undefined {
  const ns = route.metadata.namespace ?? '';
  const refs = Array.isArray((route.spec as { parentRefs?: unknown[] } | undefined)?.parentRefs)
    ? (route.spec as { parentRefs: Array<{ name?: unknown; namespace?: unknown }> }).parentRefs
    : [];
  const parents = refs
    .filter((r) => r && typeof r.name === 'string' && gateways.has(`${typeof r.namespace === 'string' ? r.namespace : ns}/${r.name}`))
    .map((r) => ({
      parentRef: { name: r.name as string, ...(typeof r.namespace === 'string' ? { namespace: r.namespace } : {}) },
      gateway: gateways.get(`${typeof r.namespace === 'string' ? r.namespace : ns}/${r.name as string}`)!,
      attachments: [],
      accepted: condition(ConditionType.Accepted, false, RouteReason.UnsupportedValue, `could not be processed: ${e instanceof Error ? e.message : String(e)}`),
    }));
  if (parents.length === 0) return undefined;
  return {
    kind,
    namespace: ns,
    name: route.metadata.name,
    created: '',
    parents,
    httpRoutes: [],
    clusters: [],
    resolvedRefs: condition(ConditionType.ResolvedRefs, false, RouteReason.UnsupportedValue, 'not processed'),
  };
}
