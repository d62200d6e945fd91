// One converted Gateway: its listeners, then the routes of its Ingresses
// (oldest first), the TLSRoutes of passthrough hosts, and what became of
// its canaries.
import { type KubeObject } from '@switchyard/api';
import { cmp } from './report.js';
import { type IngressContext, type GatewayGroup, type GatewayEnv } from './convert-context.js';
import { tlsHostsOf } from './tls-hosts.js';
import { passthroughHostsOf, tlsRouteFor } from './ssl-passthrough.js';
import { gatewayObjects } from './gateway-listeners.js';
import { recordCanaryOutcomes } from './canary.js';
import { ingressRoutes, type GatewayRouteState } from './ingress-routes.js';

export function convertGateway(g: GatewayGroup, env: GatewayEnv): KubeObject[] {
  const out: KubeObject[] = [];
  const mains = g.contexts.filter((c) => !c.settings.canary);
  const canaries = g.contexts.filter((c) => c.settings.canary);

  // ingress-nginx turns every path of a host into a regex location as soon as
  // one Ingress of that host sets use-regex or rewrite-target.
  const regexHosts = new Set<string>();
  for (const c of g.contexts) {
    if (c.semantics !== 'ingress-nginx' || !(c.settings.useRegex || c.settings.rewriteTarget)) continue;
    for (const r of c.ing.spec?.rules ?? []) regexHosts.add(r.host ?? '');
  }

  const tlsHosts = tlsHostsOf(mains, env);
  const passthrough = passthroughHostsOf(mains, tlsHosts);
  out.push(...gatewayObjects(g, tlsHosts, passthrough, env));

  // Hosts that have an Ingress which is not gRPC: a GRPCRoute must not share them.
  const nonGrpcHosts = new Set<string>();
  for (const c of mains) {
    if (c.settings.backendProtocol === 'GRPC') continue;
    for (const r of c.ing.spec?.rules ?? []) nonGrpcHosts.add(r.host ?? '');
    if (c.ing.spec?.defaultBackend && (c.ing.spec.rules ?? []).length === 0) nonGrpcHosts.add('');
  }

  const hostOwner = new Map<string, IngressContext>();
  for (const c of mains) for (const r of c.ing.spec?.rules ?? []) if (!hostOwner.has(r.host ?? '')) hostOwner.set(r.host ?? '', c);
  const rootServed = new Set<string>();
  for (const c of mains) {
    for (const r of c.ing.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) if ((p.path ?? '/') === '/' && p.pathType !== 'Exact') rootServed.add(r.host ?? '');
    }
  }
  const st: GatewayRouteState = {
    canaries,
    regexHosts,
    tlsHosts,
    nonGrpcHosts,
    served: new Map(),
    hostOwner,
    rootServed,
    usedCanaries: new Set(),
    catchAllTaken: undefined,
  };
  for (const c of mains) out.push(...ingressRoutes(c, g, st, env));

  for (const [host, c] of [...passthrough.entries()].sort(([a], [b]) => cmp(a, b))) {
    const route = tlsRouteFor(c, g, host, env);
    if (route) {
      env.own(route, c);
      out.push(route);
    }
  }
  recordCanaryOutcomes(canaries, st.usedCanaries);
  return out;
}
