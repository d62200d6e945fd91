// Assembles one Gateway's FleetIR: its usable listeners grouped into Envoy
// listeners by port, one route configuration per HTTP port with a virtual
// host per hostname (listener hostnames always get one, so listener
// isolation answers 404 rather than falling through to a wildcard), routes in
// precedence order, and the clusters those routes use. All ordering decisions
// for the output are made here.
import type { ClusterIR, FilterChainIR, FleetIR, HttpActionIR, HttpRouteIR, ListenerIR, RouteConfigIR, SecretIR, VirtualHostIR } from '../ir/ir.js';
import type { GatewayState, ListenerState } from './gateway.js';
import { compareHostnames } from './hostname.js';
import { comparePrecedence, type RankedRoute } from './precedence.js';
import type { RouteBuild } from './route-build.js';

export function httpRouteConfigName(port: number): string {
  return `http-${port}`;
}

export function listenerName(transport: 'TCP' | 'UDP', port: number): string {
  return `${transport.toLowerCase()}-${port}`;
}

export function buildFleet(gw: GatewayState, routes: readonly RouteBuild[]): FleetIR {
  const usable = gw.listeners.filter((l) => l.usable && l.protocol);
  // port -> hostname -> routes
  const vhosts = new Map<number, Map<string, { ranked: RankedRoute[]; seen: Set<string> }>>();
  const vhostFor = (port: number, hostname: string) => {
    let byHost = vhosts.get(port);
    if (!byHost) vhosts.set(port, (byHost = new Map()));
    let v = byHost.get(hostname);
    if (!v) byHost.set(hostname, (v = { ranked: [], seen: new Set() }));
    return v;
  };
  for (const l of usable) if (l.protocol!.family === 'http') vhostFor(l.spec.port, l.spec.hostname || '*');

  const clusters = new Map<string, ClusterIR>();
  for (const b of routes) {
    if (b.notAccepted) continue;
    let placed = false;
    for (const p of b.parents) {
      if (p.gateway !== gw) continue;
      for (const a of p.attachments) {
        if (a.listener.protocol?.family !== 'http') continue;
        for (const h of a.hostnames) {
          const v = vhostFor(a.listener.spec.port, h);
          for (const r of b.httpRoutes) {
            const k = `${r.source.kind}/${r.source.namespace}/${r.source.name}/${r.source.rule}/${r.source.match}`;
            if (v.seen.has(k)) continue; // attached twice to the same listener (two parentRefs)
            v.seen.add(k);
            v.ranked.push({ route: forListener(r, a.listener), created: b.created });
            placed = true;
          }
        }
      }
    }
    if (placed) for (const c of b.clusters) clusters.set(c.name, c);
  }

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
        const byHost = vhosts.get(port) ?? new Map<string, { ranked: RankedRoute[]; seen: Set<string> }>();
        const virtualHosts: VirtualHostIR[] = [...byHost.entries()]
          .sort(([a], [b]) => compareHostnames(a, b))
          .map(([hostname, v]) => ({ name: hostname, hostname, routes: v.ranked.sort(comparePrecedence).map((x) => x.route) }));
        routeConfigs.push({ name, virtualHosts });
        break;
      }
      default:
        // Other families register their protocol and add their filter chains here.
        continue;
    }
    listeners.push({ name: listenerName(transport, port), port, transport, filterChains });
  }

  return {
    id: gw.key,
    listeners,
    routeConfigs,
    clusters: [...clusters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    secrets: [...secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
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
  const { port: _explicit, ...rest } = r.action;
  void _explicit;
  const action: HttpActionIR = port === defaultPort(scheme) ? rest : { ...rest, port };
  return { ...r, action };
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}
