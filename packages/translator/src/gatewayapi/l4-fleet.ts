// Placement of everything that is not plain HTTP into one fleet's listeners:
// - a TLS port (HTTPS and TLS listeners, told apart by SNI) gets one filter
//   chain per HTTPS listener (its own route table, with 421 for hosts that
//   belong to another listener of the port: misdirected requests) and one
//   per TLSRoute hostname on TLS listeners (tcp_proxy; with the listener's
//   certificates in Terminate mode);
// - a TCP port forwards to its oldest attached TCPRoute, a UDP port to its
//   oldest UDPRoute (the spec's conflict rule: oldest first, then
//   namespace/name). Newer routes stay Accepted and counted, but unused.
import { GATEWAY_GROUP } from '@switchyard/api';
import type {
  ClusterIR,
  FilterChainIR,
  ListenerIR,
  RouteConfigIR,
  SecretIR,
  TcpProxyFilterChainIR,
  UdpProxyIR,
  VirtualHostIR,
  WeightedLocalityIR,
} from '../ir/ir.js';
import { INVALID_TCP_BACKEND_CLUSTER } from '@switchyard/protos';
import type { GatewayState, ListenerState } from './gateway.js';
import { compareHostnames, hostnameWithin, routeHostnameFor } from './hostname.js';
import type { L4ActionIR } from './l4-routes.js';
import { tlsModeOf } from './listener-tls.js';
import { comparePrecedence, type RankedRoute } from './precedence.js';
import type { RouteBuild } from './route-build.js';

/** A listener's name, qualified by its ListenerSet when it has one (names are unique per object only). */
export function listenerId(l: ListenerState): string {
  return l.origin ? `${l.origin.namespace}/${l.origin.name}/${l.spec.name}` : l.spec.name;
}

/** The route table an HTTP(S) listener routes with: one per plain HTTP port, one per HTTPS listener. */
export function routeTableOf(l: ListenerState): string | undefined {
  if (!l.protocol) return undefined;
  if (l.protocol.family === 'http') return `http-${l.spec.port}`;
  if (l.protocol.protocol === 'HTTPS') return `https-${l.spec.port}/${listenerId(l)}`;
  return undefined;
}

type VhostTables = ReadonlyMap<string, ReadonlyMap<string, { ranked: RankedRoute[] }>>;

interface Placed {
  readonly build: RouteBuild;
  readonly action: L4ActionIR;
  readonly hostnames: readonly string[];
  readonly routeHostnames: readonly string[];
}

function compareAge(a: RouteBuild, b: RouteBuild): number {
  if (a.created !== b.created) return a.created < b.created ? -1 : 1;
  const ka = `${a.namespace}/${a.name}`;
  const kb = `${b.namespace}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** TLS/TCP/UDP routes attached to this Gateway's listeners, oldest first, and the clusters the winners use. */
export class L4Placement {
  private readonly byListener = new Map<ListenerState, Placed[]>();
  private readonly used = new Map<string, ClusterIR>();

  constructor(gw: GatewayState, routes: readonly RouteBuild[]) {
    for (const b of routes) {
      if (b.notAccepted || !b.l4) continue;
      for (const p of b.parents) {
        if (p.gateway !== gw) continue;
        for (const a of p.attachments) {
          if (!a.listener.usable) continue;
          let list = this.byListener.get(a.listener);
          if (!list) this.byListener.set(a.listener, (list = []));
          // Two parentRefs selecting the same listener place the route once.
          if (!list.some((x) => x.build === b)) list.push({ build: b, action: b.l4, hostnames: a.hostnames, routeHostnames: a.routeHostnames });
        }
      }
    }
    for (const list of this.byListener.values()) list.sort((a, b) => compareAge(a.build, b.build));
  }

  routesOf(l: ListenerState): readonly Placed[] {
    return this.byListener.get(l) ?? [];
  }

  use(p: Placed): void {
    for (const c of p.build.clusters) this.used.set(c.name, c);
  }

  add(c: ClusterIR): void {
    this.used.set(c.name, c);
  }

  clusters(): ClusterIR[] {
    return [...this.used.values()];
  }
}

function tcpChain(name: string, p: Placed | undefined, serverNames: readonly string[] | undefined, l: ListenerState): TcpProxyFilterChainIR {
  return {
    kind: 'tcp_proxy',
    name,
    ...(serverNames ? { serverNames } : {}),
    ...(l.tls && l.protocol?.protocol === 'TLS' && tlsModeOf(l.spec) === 'Terminate' ? { tls: l.tls } : {}),
    backends: p ? p.action.backends : [],
    ...(p ? { source: p.action.source } : {}),
  };
}

/** Filter chains (and HTTPS route tables) of one TLS port. */
export function tlsPortChains(
  group: readonly ListenerState[],
  vhosts: VhostTables,
  l4: L4Placement,
  gw: GatewayState,
): { filterChains: FilterChainIR[]; routeConfigs: RouteConfigIR[] } {
  const filterChains: FilterChainIR[] = [];
  const routeConfigs: RouteConfigIR[] = [];
  const port = group[0]!.spec.port;
  const listenerHosts = group.map((l) => l.spec.hostname || '*');
  for (const l of group) {
    if (l.protocol?.protocol === 'HTTPS') {
      const name = routeTableOf(l)!;
      filterChains.push({
        kind: 'http',
        name,
        routeConfigName: name,
        ...(l.tls ? { tls: l.tls } : {}),
        ...(l.spec.hostname ? { serverNames: [l.spec.hostname] } : {}),
      });
      routeConfigs.push({ name, virtualHosts: httpsVirtualHosts(l, vhosts.get(name), listenerHosts, gw) });
      continue;
    }
    // TLS listener: one chain per SNI name its routes claim. A name goes to the route whose own
    // hostname for it is most specific (GatewayRouteHostnameIntersectionPrecedence), then to the oldest.
    const winners = new Map<string, { p: Placed; own: string }>();
    for (const p of l4.routesOf(l)) {
      for (const h of p.hostnames) {
        const own = routeHostnameFor(h, p.routeHostnames);
        const held = winners.get(h);
        if (!held || compareHostnames(own, held.own) < 0) winners.set(h, { p, own });
      }
    }
    for (const [h, { p }] of winners) {
      // "*" (neither listener nor route names a host): any SNI, but still TLS only.
      filterChains.push(tcpChain(`tls-${port}/${listenerId(l)}/${h}`, p, h === '*' ? [] : [h], l));
      l4.use(p);
    }
  }
  if (filterChains.length === 0) {
    // Envoy refuses a listener without filter chains; this one closes every connection.
    filterChains.push(tcpChain(`tls-${port}/no-route`, undefined, [], group[0]!));
  }
  filterChains.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { filterChains, routeConfigs };
}

/**
 * An HTTPS listener's virtual hosts: its routes' hostnames, then a 421
 * (Misdirected Request) virtual host for every hostname of another listener
 * on the port and, when the listener has a hostname, for everything else:
 * a client reusing this TLS connection (HTTP/2 coalescing) for a host this
 * listener's certificate and SNI did not select is told to open a new one.
 */
function httpsVirtualHosts(
  l: ListenerState,
  table: ReadonlyMap<string, { ranked: RankedRoute[] }> | undefined,
  listenerHosts: readonly string[],
  gw: GatewayState,
): VirtualHostIR[] {
  const out: VirtualHostIR[] = [];
  const own = l.spec.hostname || '*';
  const seen = new Set<string>();
  for (const [hostname, v] of [...(table ?? new Map<string, { ranked: RankedRoute[] }>()).entries()].sort(([a], [b]) => compareHostnames(a, b))) {
    seen.add(hostname);
    out.push({ name: hostname, hostname, routes: [...v.ranked].sort(comparePrecedence).map((x) => x.route) });
  }
  const misdirected = (hostname: string): VirtualHostIR => ({
    name: `misdirected/${hostname}`,
    hostname,
    routes: [
      {
        source: { kind: 'Gateway', namespace: gw.namespace, name: gw.name, rule: 0, ruleName: 'misdirected-request', match: 0 },
        match: { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] },
        action: { kind: 'direct', status: 421 },
      },
    ],
  });
  // A listener with a hostname answers 421 for everything else with one "*"
  // virtual host; only the other listeners' names inside its own wildcard
  // need their own (a more specific domain beats "*.example.com"). The
  // listener without a hostname needs one per other listener. So the size
  // stays linear in the number of listeners on the port.
  const extra: string[] = [];
  for (const h of listenerHosts) if (h !== own && h !== '*' && !seen.has(h) && (own === '*' || hostnameWithin(h, own))) extra.push(h);
  if (own !== '*' && !seen.has('*')) extra.push('*');
  for (const h of [...new Set(extra)].sort(compareHostnames)) out.push(misdirected(h));
  return out;
}

/** A TCP port's one chain: the oldest attached TCPRoute's backends (no route: connections are closed). */
export function tcpPortChain(l: ListenerState, l4: L4Placement): TcpProxyFilterChainIR {
  const winner = l4.routesOf(l)[0];
  if (winner) l4.use(winner);
  return tcpChain(`tcp-${l.spec.port}/${listenerId(l)}`, winner, undefined, l);
}

/**
 * A UDP port's udp_proxy: the oldest UDPRoute. One valid backend is its own
 * cluster; several weighted ones become one cluster with a locality per
 * backend (udp_proxy routes to a single cluster). Invalid backends' shares
 * are left out: UDP has no way to refuse a datagram's share.
 */
export function udpPortProxy(l: ListenerState, l4: L4Placement): UdpProxyIR {
  const name = `udp-${l.spec.port}/${listenerId(l)}`;
  const winner = l4.routesOf(l)[0];
  if (!winner) return { name, cluster: INVALID_TCP_BACKEND_CLUSTER };
  const byName = new Map(winner.build.clusters.map((c) => [c.name, c]));
  const valid = winner.action.backends.filter((b) => b.cluster !== null && b.weight > 0 && byName.has(b.cluster));
  if (valid.length === 0) return { name, cluster: INVALID_TCP_BACKEND_CLUSTER, source: winner.action.source };
  if (valid.length === 1) {
    l4.add(byName.get(valid[0]!.cluster!)!);
    return { name, cluster: valid[0]!.cluster!, source: winner.action.source };
  }
  const localities: WeightedLocalityIR[] = [];
  for (const b of valid) {
    const c = byName.get(b.cluster!)!;
    if (c.discovery.type !== 'eds') continue; // ExternalName backends cannot share a locality-weighted cluster
    localities.push({ backend: c.backend, weight: b.weight, endpoints: c.discovery.endpoints });
  }
  const s = winner.action.source;
  const combined: ClusterIR = {
    name: `${s.kind.toLowerCase()}/${s.namespace}/${s.name}`,
    backend: { kind: s.kind, group: GATEWAY_GROUP, namespace: s.namespace, name: s.name, port: l.spec.port },
    protocol: 'udp',
    discovery: { type: 'weighted-eds', localities },
  };
  l4.add(combined);
  return { name, cluster: combined.name, source: s };
}

/** The secrets the fleet's filter chains and clusters name, sorted by name: a fleet never gets a secret it does not use. */
export function referencedSecrets(listeners: readonly ListenerIR[], clusters: readonly ClusterIR[], secrets: ReadonlyMap<string, SecretIR>): SecretIR[] {
  const names = new Set<string>();
  for (const l of listeners) {
    for (const c of l.filterChains) {
      for (const n of c.tls?.certificateSecrets ?? []) names.add(n);
      if (c.tls?.clientValidation) names.add(c.tls.clientValidation.caSecret);
    }
  }
  for (const c of clusters) {
    if (c.tls?.trust.kind === 'CaBundle') names.add(c.tls.trust.caSecret);
    if (c.tls?.clientCertificateSecret) names.add(c.tls.clientCertificateSecret);
  }
  return [...secrets.values()].filter((s) => names.has(s.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
