// Assembles one Gateway's FleetIR: its programmable listeners (isProgrammable) grouped into Envoy
// listeners by port, one route configuration per HTTP port with a virtual
// host per hostname (listener hostnames always get one, so listener
// isolation answers 404 rather than falling through to a wildcard), routes in
// precedence order, and the clusters those routes use. All ordering decisions
// for the output are made here.
import type { ClusterIR, FilterChainIR, FleetIR, HttpActionIR, HttpRouteIR, ListenerIR, RouteConfigIR, SecretIR, VirtualHostIR } from '../ir/ir.js';
import { isProgrammable, type GatewayState, type ListenerState } from './gateway.js';
import { compareHostnames, routeHostnameFor } from './hostname.js';
import { comparePrecedence, type RankedRoute } from './precedence.js';
import type { RouteBuild } from './route-build.js';
import { placeListenerFilters } from './listenerfilters.js';
import { L4Placement, referencedSecrets, routeTableOf, tcpPortChain, tlsPortChains, udpPortProxy } from './l4-fleet.js';

export function httpRouteConfigName(port: number): string {
  return `http-${port}`;
}

export function listenerName(transport: 'TCP' | 'UDP', port: number): string {
  return `${transport.toLowerCase()}-${port}`;
}

/**
 * Adds upstream TLS to a fleet's clusters (BackendTLSPolicy) and names the
 * secrets that needs. `reencrypted`: the TCP clusters behind a TLS listener
 * in Terminate mode (TLSRoute), the only TCP traffic the gateway decrypts
 * and so may encrypt again towards the backend.
 */
export type UpstreamTlsApplier = (
  clusters: readonly ClusterIR[],
  gw: GatewayState,
  reencrypted: ReadonlySet<string>,
) => { clusters: ClusterIR[]; secrets: SecretIR[] };

export function buildFleet(gw: GatewayState, routes: readonly RouteBuild[], upstreamTls?: UpstreamTlsApplier): FleetIR {
  const usable = gw.listeners.filter((l) => isProgrammable(l) && l.protocol);
  // route table -> hostname -> routes. Plain HTTP listeners share one table
  // per port; each HTTPS listener has its own (it is its own SNI filter
  // chain), which is what lets it answer 421 for other listeners' hosts.
  const vhosts = new Map<string, Map<string, { ranked: RankedRoute[]; seen: Set<HttpRouteIR> }>>();
  // route table -> hostname -> the listener it belongs to (listener isolation makes it one).
  const owners = new Map<string, Map<string, ListenerState>>();
  const vhostFor = (table: string, hostname: string, owner: ListenerState) => {
    let own = owners.get(table);
    if (!own) owners.set(table, (own = new Map<string, ListenerState>()));
    if (!own.has(hostname)) own.set(hostname, owner);
    let byHost = vhosts.get(table);
    if (!byHost) vhosts.set(table, (byHost = new Map<string, { ranked: RankedRoute[]; seen: Set<HttpRouteIR> }>()));
    let v = byHost.get(hostname);
    if (!v) byHost.set(hostname, (v = { ranked: [], seen: new Set() }));
    return v;
  };
  for (const l of usable) {
    const table = routeTableOf(l);
    if (table) vhostFor(table, l.spec.hostname || '*', l);
  }

  const clusters = new Map<string, ClusterIR>();
  for (const b of routes) {
    if (b.notAccepted) continue;
    let placed = false;
    for (const p of b.parents) {
      if (p.gateway !== gw) continue;
      for (const a of p.attachments) {
        // Routes attach to (and count on) listeners that are not valid or not
        // programmed, but only programmed ones serve them (and need their clusters).
        if (!isProgrammable(a.listener)) continue;
        const table = routeTableOf(a.listener);
        if (!table) continue;
        for (const h of a.hostnames) {
          const v = vhostFor(table, h, a.listener);
          for (const r of b.httpRoutes) {
            // A build's IR routes are shared by all its attachments, so identity finds a route
            // attached twice to the same listener (two parentRefs).
            if (v.seen.has(r)) continue;
            v.seen.add(r);
            v.ranked.push({ route: forListener(r, a.listener), created: b.created, routeHostname: routeHostnameFor(h, a.routeHostnames) });
            placed = true;
          }
        }
      }
    }
    if (placed) for (const c of b.clusters) clusters.set(c.name, c);
  }
  const l4 = new L4Placement(gw, routes);

  const listeners: ListenerIR[] = [];
  const routeConfigs: RouteConfigIR[] = [];
  const secrets = new Map<string, SecretIR>();
  const byPort = new Map<string, ListenerState[]>();
  for (const l of usable) {
    const k = `${l.protocol!.transport}/${l.spec.port}`;
    let g = byPort.get(k);
    if (!g) byPort.set(k, (g = []));
    g.push(l);
    for (const s of l.secrets) secrets.set(s.name, s);
  }
  const ports = [...byPort.values()].sort((a, b) => a[0]!.spec.port - b[0]!.spec.port || a[0]!.protocol!.transport.localeCompare(b[0]!.protocol!.transport));
  for (const group of ports) {
    const first = group[0]!;
    const port = first.spec.port;
    const transport = first.protocol!.transport;
    const filterChains: FilterChainIR[] = [];
    switch (first.protocol!.family) {
      case 'http': {
        const name = httpRouteConfigName(port);
        filterChains.push({ kind: 'http', name, routeConfigName: name });
        const byHost = vhosts.get(name) ?? new Map<string, { ranked: RankedRoute[]; seen: Set<HttpRouteIR> }>();
        const virtualHosts: VirtualHostIR[] = [...byHost.entries()]
          .sort(([a], [b]) => compareHostnames(a, b))
          .map(([hostname, v]) => ({ name: hostname, hostname, routes: v.ranked.sort(comparePrecedence).map((x) => x.route) }));
        routeConfigs.push({ name, virtualHosts });
        break;
      }
      case 'tls': {
        // HTTPS and TLS listeners on one port: one filter chain per SNI name.
        const out = tlsPortChains(group, vhosts, l4, gw);
        filterChains.push(...out.filterChains);
        routeConfigs.push(...out.routeConfigs);
        listeners.push({ name: listenerName(transport, port), port, transport, filterChains, tlsInspector: true });
        continue;
      }
      case 'tcp':
        filterChains.push(tcpPortChain(first, l4));
        break;
      case 'udp':
        listeners.push({ name: listenerName(transport, port), port, transport, filterChains: [], udpProxy: udpPortProxy(first, l4) });
        continue;
      default:
        continue;
    }
    listeners.push({ name: listenerName(transport, port), port, transport, filterChains });
  }

  for (const c of l4.clusters()) clusters.set(c.name, c);
  // Authorization services of the listeners' pre-routing filters.
  for (const l of usable) if (l.preRouting?.kind === 'resolved') for (const c of l.preRouting.clusters) clusters.set(c.name, c);
  const withFilters = placeListenerFilters(listeners, routeConfigs, owners, gw);
  let sorted = [...clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (upstreamTls) {
    const reencrypted = new Set<string>();
    for (const l of withFilters.listeners)
      for (const fc of l.filterChains) if (fc.kind === 'tcp_proxy' && fc.tls) for (const b of fc.backends) if (b.cluster) reencrypted.add(b.cluster);
    const applied = upstreamTls(sorted, gw, reencrypted);
    sorted = applied.clusters;
    for (const s of applied.secrets) secrets.set(s.name, s);
  }
  return {
    id: gw.key,
    listeners: withFilters.listeners,
    routeConfigs: withFilters.routeConfigs,
    clusters: sorted,
    // Only what an emitted filter chain or cluster names (a TLS listener without routes has no chain).
    secrets: referencedSecrets(withFilters.listeners, sorted, secrets),
  };
}

/**
 * A redirect without an explicit port goes to the well-known port of its
 * scheme when the scheme changes, else to the listener's port; the port is
 * left out of Location when it is the scheme's default (the spec's rules).
 */
function forListener(r: HttpRouteIR, l: ListenerState): HttpRouteIR {
  if (r.action.kind !== 'redirect') return r;
  const listenerScheme = l.protocol?.protocol === 'HTTPS' ? 'https' : 'http';
  const scheme = r.action.scheme ?? listenerScheme;
  const port = r.action.port ?? (r.action.scheme ? defaultPort(scheme) : l.spec.port);
  // Envoy keeps the request's Host port unless host_redirect replaces the authority or port_redirect is
  // set; the Host carries a port when the listener's port is not its scheme's default. So the port is
  // left out only when it is the default and Envoy would not copy one from the request.
  const hostHasNoPort = r.action.hostname !== undefined || l.spec.port === defaultPort(listenerScheme);
  const rest: HttpActionIR = { ...r.action };
  delete (rest as { port?: number }).port;
  const action: HttpActionIR = port === defaultPort(scheme) && hostHasNoPort ? rest : { ...rest, port };
  return { ...r, action };
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}
