// What a matched route does: forward to clusters (with weights, rewrites,
// header changes, mirrors, timeouts, retries), redirect, or answer directly.
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RouteAction as EnvoyRouteAction } from '@switchyard/protos/generated/envoy/config/route/v3/RouteAction.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import type { RouteConfiguration } from '@switchyard/protos/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { RetryPolicy } from '@switchyard/protos/generated/envoy/config/route/v3/RetryPolicy.js';
import type { Duration } from '@switchyard/protos/generated/google/protobuf/Duration.js';
import type { Cluster } from '@switchyard/protos/generated/envoy/config/cluster/v3/Cluster.js';
import type { EnvoyResources } from '@switchyard/protos';
// The cluster name the translator points invalid backendRefs at (never defined).
import { CORS_FILTER, INVALID_BACKEND_CLUSTER } from '@switchyard/protos';
import { backendSourceOf } from './metadata.js';
import { loadAssignmentOf } from './endpoints.js';
import { applyHeaderChanges, headerChanges, type HeaderOps, type LeveledOps } from './header-mutation.js';
import { rewritePath } from './path-rewrite.js';
import { redirectLocation, redirectStatus } from './redirect.js';
import { fractionPercent, type PathMatch } from './route-match.js';
import { regexGlobalReplace, regexOf } from './string-matcher.js';
import type { RouterRequest } from './request.js';
import type {
  FilterConfigRef,
  HeaderChange,
  HeaderLevel,
  HostRewrite,
  Mirror,
  Retry,
  RouteAction,
  Timeouts,
  UpstreamProtocol,
  UpstreamRequest,
  WeightedBackend,
  WeightedTarget,
} from './types.js';
import { inlineText } from './data-source.js';

/** Envoy's route timeout when the route sets none. */
export const DEFAULT_ROUTE_TIMEOUT_SECONDS = 15;

export interface RouteContext {
  readonly resources: EnvoyResources;
  readonly table: RouteConfiguration;
  readonly virtualHost: VirtualHost;
  readonly route: Route;
  readonly match: PathMatch;
  /** The request after the connection manager's path normalization. */
  readonly request: RouterRequest;
}

export function describeAction(ctx: RouteContext): RouteAction {
  const { route } = ctx;
  const levels = headerLevels(ctx, undefined);
  if (route.redirect) {
    return {
      kind: 'redirect',
      status: redirectStatus(route.redirect),
      location: redirectLocation(route.redirect, { scheme: ctx.request.scheme, authority: ctx.request.authority, path: ctx.request.path }, ctx.match),
      responseHeaderChanges: headerChanges(levels, mostSpecificWins(ctx)).response,
    };
  }
  if (route.direct_response) {
    const text = inlineText(route.direct_response.body);
    return {
      kind: 'direct_response',
      status: route.direct_response.status ?? 0,
      ...(text !== undefined ? { body: text } : {}),
      responseHeaderChanges: headerChanges(levels, mostSpecificWins(ctx)).response,
    };
  }
  if (route.route) return forward(ctx, route.route);
  if (route.filter_action) return { kind: 'unsupported', action: 'filter_action' };
  if (route.non_forwarding_action) return { kind: 'unsupported', action: 'non_forwarding_action' };
  return { kind: 'unsupported', action: '(none)' };
}

function mostSpecificWins(ctx: RouteContext): boolean {
  return ctx.table.most_specific_header_mutations_wins === true;
}

function headerLevels(ctx: RouteContext, clusterOps: HeaderOps | undefined): LeveledOps[] {
  return [
    ...(clusterOps ? [{ level: 'weighted_cluster' as const, ops: clusterOps }] : []),
    { level: 'route', ops: ctx.route },
    { level: 'virtual_host', ops: ctx.virtualHost },
    { level: 'route_configuration', ops: ctx.table },
  ];
}

function forward(ctx: RouteContext, ra: EnvoyRouteAction): RouteAction {
  const pathRewrite = rewritePath(ctx.request.path, ctx.match, ra.prefix_rewrite, ra.regex_rewrite);
  const hostRewrite = hostRewriteOf(ra, ctx.request.pathOnly);
  const routeChanges = headerChanges(headerLevels(ctx, undefined), mostSpecificWins(ctx));
  const clusters = new Map((ctx.resources.clusters ?? []).map((c) => [c.name ?? '', c]));

  const entries: Array<{ name: string; weight: number; ops?: HeaderOps; hostRewrite?: string; filters?: Record<string, unknown> }> = [];
  let clusterHeader: string | undefined;
  if (ra.weighted_clusters) {
    for (const cw of ra.weighted_clusters.clusters ?? []) {
      entries.push({
        name: cw.name ?? '',
        weight: cw.weight?.value ?? 0,
        ops: cw,
        ...(cw.host_rewrite_literal ? { hostRewrite: cw.host_rewrite_literal } : {}),
        ...(cw.typed_per_filter_config ? { filters: cw.typed_per_filter_config } : {}),
      });
    }
  } else if (ra.cluster !== undefined) {
    entries.push({ name: ra.cluster, weight: 1 });
  } else if (ra.cluster_header !== undefined) {
    clusterHeader = ra.cluster_header;
  }
  const totalWeight = entries.reduce((s, e) => s + e.weight, 0);
  const notFoundStatus = clusterNotFoundStatus(ra.cluster_not_found_response_code);

  const backends: WeightedBackend[] = entries.map((e) => {
    const changes = e.ops ? headerChanges(headerLevels(ctx, e.ops), mostSpecificWins(ctx)) : routeChanges;
    return {
      target: targetOf(e.name, clusters, ctx.resources, notFoundStatus),
      weight: e.weight,
      share: totalWeight > 0 ? e.weight / totalWeight : 0,
      ...(e.hostRewrite ? { hostRewrite: e.hostRewrite } : {}),
      requestHeaderChanges: changes.request.filter((c) => c.level === 'weighted_cluster'),
      responseHeaderChanges: changes.response.filter((c) => c.level === 'weighted_cluster'),
      filterConfigs: filterConfigsOf(e.filters, 'weighted_cluster'),
      upstream: upstreamOf(ctx, changes.request, pathRewrite?.to, e.hostRewrite, hostRewrite),
    };
  });

  const retry = retryOf(ra.retry_policy, 'route') ?? retryOf(ctx.virtualHost.retry_policy, 'virtual_host');
  return {
    kind: 'clusters',
    backends,
    totalWeight,
    ...(clusterHeader !== undefined ? { clusterHeader } : {}),
    ...(pathRewrite ? { pathRewrite } : {}),
    ...(hostRewrite ? { hostRewrite } : {}),
    requestHeaderChanges: routeChanges.request,
    responseHeaderChanges: routeChanges.response,
    mirrors: mirrorsOf(ctx, ra, clusters),
    timeouts: timeoutsOf(ra),
    ...(retry ? { retry } : {}),
    upgrades: (ra.upgrade_configs ?? []).filter((u) => u.enabled?.value !== false).map((u) => u.upgrade_type ?? ''),
  };
}

function clusterNotFoundStatus(code: EnvoyRouteAction['cluster_not_found_response_code']): number {
  if (code === 'NOT_FOUND' || code === 1) return 404;
  if (code === 'INTERNAL_SERVER_ERROR' || code === 2) return 500;
  return 503;
}

function targetOf(name: string, clusters: ReadonlyMap<string, Cluster>, resources: EnvoyResources, notFoundStatus: number): WeightedTarget {
  const cluster = clusters.get(name);
  if (!cluster) {
    return { kind: 'error', cluster: name, status: notFoundStatus, reason: name === INVALID_BACKEND_CLUSTER ? 'invalid-backend' : 'cluster-not-found' };
  }
  const backend = backendSourceOf(cluster.metadata);
  const addresses = endpointAddresses(cluster, resources);
  // Without Switchyard's metadata naming a backend, the endpoints themselves say where the request goes.
  return {
    kind: 'backend',
    cluster: name,
    backend,
    endpoints: addresses?.length,
    ...(backend === undefined && addresses ? { addresses } : {}),
    upstreamProtocol: upstreamProtocolOf(cluster),
  };
}

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** The upstream HTTP version from the cluster's HttpProtocolOptions (or the deprecated http2_protocol_options). */
function upstreamProtocolOf(cluster: Cluster): UpstreamProtocol {
  const opts = cluster.typed_extension_protocol_options?.[HTTP_PROTOCOL_OPTIONS] as
    { explicit_http_config?: Record<string, unknown> | null; use_downstream_protocol_config?: unknown; auto_config?: unknown } | undefined;
  if (opts?.explicit_http_config) {
    const e = opts.explicit_http_config;
    if (e.http2_protocol_options) return 'http2';
    if (e.http3_protocol_options) return 'http3';
    return 'http1';
  }
  if (opts?.use_downstream_protocol_config) return 'downstream';
  if (opts?.auto_config) return 'auto';
  return cluster.http2_protocol_options ? 'http2' : 'http1';
}

/** The cluster's endpoints (EDS load assignment or inline load_assignment) as address:port; undefined if none is known. */
function endpointAddresses(cluster: Cluster, resources: EnvoyResources): string[] | undefined {
  const cla = loadAssignmentOf(cluster, resources);
  if (!cla) return undefined;
  return (cla.endpoints ?? []).flatMap((l) =>
    (l.lb_endpoints ?? []).map((e) => {
      const a = e.endpoint?.address;
      if (a?.pipe) return a.pipe.path ?? '';
      const s = a?.socket_address;
      return s ? `${s.address ?? ''}:${s.port_value ?? s.named_port ?? ''}` : '';
    }),
  );
}

function hostRewriteOf(ra: EnvoyRouteAction, pathOnly: string): HostRewrite | undefined {
  if (ra.host_rewrite_literal) return { by: 'host_rewrite_literal', host: ra.host_rewrite_literal };
  if (ra.auto_host_rewrite?.value === true) return { by: 'auto_host_rewrite' };
  if (ra.host_rewrite_header) return { by: 'host_rewrite_header', header: ra.host_rewrite_header.toLowerCase() };
  if (ra.host_rewrite_path_regex?.pattern) {
    return {
      by: 'host_rewrite_path_regex',
      host: regexGlobalReplace(regexOf(ra.host_rewrite_path_regex.pattern), pathOnly, ra.host_rewrite_path_regex.substitution ?? ''),
    };
  }
  return undefined;
}

function upstreamOf(
  ctx: RouteContext,
  requestChanges: readonly HeaderChange[],
  rewrittenPath: string | undefined,
  clusterHost: string | undefined,
  routeHost: HostRewrite | undefined,
): UpstreamRequest {
  const headers = applyHeaderChanges(ctx.request.headers, requestChanges);
  // The weighted cluster's host rewrite happens first; a route-level rewrite, applied after, wins.
  let host: string | undefined = clusterHost ?? ctx.request.authority;
  if (routeHost) {
    switch (routeHost.by) {
      case 'host_rewrite_literal':
      case 'host_rewrite_path_regex':
        host = routeHost.host;
        break;
      case 'auto_host_rewrite':
        host = undefined;
        break;
      case 'host_rewrite_header': {
        const v = headers.find(([n]) => n === routeHost.header)?.[1];
        if (v !== undefined && v !== '') host = v;
        break;
      }
    }
  }
  return { method: ctx.request.method, host, path: rewrittenPath ?? ctx.request.path, headers };
}

function mirrorsOf(ctx: RouteContext, ra: EnvoyRouteAction, clusters: ReadonlyMap<string, Cluster>): Mirror[] {
  // The most specific level that has mirror policies supplies all of them.
  const levels: Array<[Mirror['level'], EnvoyRouteAction['request_mirror_policies']]> = [
    ['route', ra.request_mirror_policies],
    ['virtual_host', ctx.virtualHost.request_mirror_policies],
    ['route_configuration', ctx.table.request_mirror_policies],
  ];
  for (const [level, policies] of levels) {
    if (!policies || policies.length === 0) continue;
    return policies.map((p) => {
      const name = p.cluster ?? '';
      const dv = p.runtime_fraction?.default_value;
      return {
        cluster: name,
        backend: backendSourceOf(clusters.get(name)?.metadata),
        percent: dv ? fractionPercent(dv.numerator ?? 0, dv.denominator) : 100,
        level,
      };
    });
  }
  return [];
}

export function durationSeconds(d: Duration | null | undefined): number | undefined {
  if (!d) return undefined;
  return Number(String(d.seconds ?? 0)) + (d.nanos ?? 0) / 1e9;
}

function timeoutsOf(ra: EnvoyRouteAction): Timeouts {
  const request = durationSeconds(ra.timeout);
  const idle = durationSeconds(ra.idle_timeout);
  const msd = durationSeconds(ra.max_stream_duration?.max_stream_duration);
  return {
    request: request ?? DEFAULT_ROUTE_TIMEOUT_SECONDS,
    requestSource: request === undefined ? 'default' : 'route',
    ...(idle !== undefined ? { idle } : {}),
    ...(msd !== undefined ? { maxStreamDuration: msd } : {}),
  };
}

function retryOf(p: RetryPolicy | null | undefined, level: Retry['level']): Retry | undefined {
  if (!p) return undefined;
  const perTry = durationSeconds(p.per_try_timeout);
  const base = durationSeconds(p.retry_back_off?.base_interval);
  const max = durationSeconds(p.retry_back_off?.max_interval);
  return {
    retryOn: (p.retry_on ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    numRetries: p.num_retries?.value ?? 1,
    ...(perTry !== undefined ? { perTryTimeout: perTry } : {}),
    retriableStatusCodes: [...(p.retriable_status_codes ?? [])],
    ...(base !== undefined || max !== undefined
      ? { backOff: { ...(base !== undefined ? { baseInterval: base } : {}), ...(max !== undefined ? { maxInterval: max } : {}) } }
      : {}),
    level,
  };
}

const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.config.route.v3.CorsPolicy';

function filterConfigsOf(m: Record<string, unknown> | undefined, level: HeaderLevel): FilterConfigRef[] {
  if (!m) return [];
  return Object.keys(m)
    .sort()
    .map((filter) => {
      const config = (m[filter] ?? {}) as Record<string, unknown>;
      return { filter, level, typeUrl: typeof config['@type'] === 'string' ? config['@type'] : '', config };
    });
}

/**
 * Per-filter configs that apply to the request, for each filter the most
 * specific level first (Envoy uses the most specific one). The legacy `cors`
 * fields count as config for the CORS filter.
 */
export function routeFilterConfigs(ctx: Pick<RouteContext, 'route' | 'virtualHost' | 'table'>): FilterConfigRef[] {
  const levels: Array<[HeaderLevel, Record<string, unknown> | undefined, unknown]> = [
    ['route', ctx.route.typed_per_filter_config, ctx.route.route?.cors],
    ['virtual_host', ctx.virtualHost.typed_per_filter_config, ctx.virtualHost.cors],
    ['route_configuration', ctx.table.typed_per_filter_config, undefined],
  ];
  const all: FilterConfigRef[] = [];
  for (const [level, m, cors] of levels) {
    all.push(...filterConfigsOf(m, level));
    if (cors) all.push({ filter: CORS_FILTER, level, typeUrl: CORS_POLICY_TYPE, config: { '@type': CORS_POLICY_TYPE, ...(cors as Record<string, unknown>) } });
  }
  const order = new Map<string, number>();
  for (const c of all) if (!order.has(c.filter)) order.set(c.filter, order.size);
  return all
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (order.get(a.c.filter) ?? 0) - (order.get(b.c.filter) ?? 0) || a.i - b.i)
    .map((x) => x.c);
}
