// The routes of one Ingress: its hosts' paths, app-root, defaultBackend,
// from-to-www-redirect and the catch-all server.
import { type KubeObject } from '@switchyard/api';
import { convertBackend } from './backends.js';
import { type HTTPIngressPath } from './ingress.js';
import { NGINX_PREFIX } from './nginx-annotations.js';
import { type RulePlan } from './plan.js';
import { type ObjectId } from './report.js';
import { type IngressContext, type GatewayGroup, type GatewayEnv, type TlsHost } from './convert-context.js';
import { findCanary } from './canary.js';
import { pathRules, forwardAction } from './path-rules.js';
import { ingressFilters } from './ingress-filters.js';
import { emitRoutes } from './emit-routes.js';

/** What the routes of one Gateway's Ingresses share, in the order the Ingresses are converted (oldest first). */
export interface GatewayRouteState {
  readonly canaries: readonly IngressContext[];
  readonly regexHosts: ReadonlySet<string>;
  readonly tlsHosts: ReadonlyMap<string, TlsHost>;
  /** Hosts that have an Ingress which is not gRPC: a GRPCRoute must not share them. */
  readonly nonGrpcHosts: ReadonlySet<string>;
  /** Paths already served, per host: the oldest Ingress wins, as in ingress-nginx. */
  readonly served: Map<string, ObjectId>;
  /** The first Ingress naming a host creates ingress-nginx's server for it; its defaultBackend becomes the host's "/" location. */
  readonly hostOwner: ReadonlyMap<string, IngressContext>;
  readonly rootServed: ReadonlySet<string>;
  readonly usedCanaries: Set<string>;
  /** The Ingress whose defaultBackend is the catch-all server, once one is. */
  catchAllTaken: ObjectId | undefined;
}

/** The HTTPRoutes and GRPCRoutes of one (non-canary) Ingress. */
export function ingressRoutes(c: IngressContext, g: GatewayGroup, st: GatewayRouteState, env: GatewayEnv): KubeObject[] {
  const out: KubeObject[] = [];
  const { canaries, regexHosts, tlsHosts, nonGrpcHosts, served, hostOwner, rootServed, usedCanaries } = st;
  const byHost = new Map<string, Array<{ path: HTTPIngressPath; field: string }>>();
  (c.ing.spec?.rules ?? []).forEach((r, ri) => {
    const host = r.host ?? '';
    let list = byHost.get(host);
    if (!list) byHost.set(host, (list = []));
    (r.http?.paths ?? []).forEach((p, pi) => list.push({ path: p, field: `spec.rules[${ri}].http.paths[${pi}]` }));
  });
  const forwardExtras = ingressFilters(c, env);

  for (const [host, paths] of byHost) {
    const groups: RulePlan[][] = [];
    if (c.settings.appRoot) {
      const appRoot = c.settings.appRoot;
      if (!appRoot.startsWith('/')) c.ledger.record(NGINX_PREFIX + 'app-root', 'not-convertible', `app-root "${appRoot}" is not an absolute path`);
      else {
        groups.push([
          {
            matches: [{ path: { type: 'Exact', value: '/' } }],
            action: { kind: 'redirect', redirect: { path: { type: 'ReplaceFullPath', replaceFullPath: appRoot }, statusCode: 302 } },
          },
        ]);
        c.ledger.record(NGINX_PREFIX + 'app-root', 'converted', `requests for exactly "/" are redirected (302) to ${appRoot}`);
      }
    }
    for (const { path, field } of paths) {
      const key = `${host}\u0000${path.path || '/'}\u0000${path.pathType ?? 'ImplementationSpecific'}`;
      const prior = served.get(key);
      if (prior) {
        c.findings.push({
          object: c.id,
          field,
          outcome: 'converted-with-caveat',
          message: `path "${path.path || '/'}" on host "${host || '*'}" is also defined by the older Ingress ${prior.namespace}/${prior.name}; ingress-nginx served the older one, and so does the conversion (this path is left out)`,
        });
        continue;
      }
      served.set(key, c.id);
      const canary = findCanary(canaries, host, path, c, usedCanaries);
      const plans = pathRules(c, path, field, regexHosts.has(host), forwardExtras, env, canary);
      if (plans.length > 0) groups.push(plans);
    }
    // defaultBackend -> the host's "/" location (the catch-all of that host).
    if (c.ing.spec?.defaultBackend && hostOwner.get(host) === c && !rootServed.has(host)) {
      const b = convertBackend(c.ing.spec.defaultBackend, c.ns, c.ns, env.services);
      if (b.kind === 'error') c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'not-convertible', message: b.message });
      else {
        for (const cv of b.caveats) c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'converted-with-caveat', message: cv });
        groups.push([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], action: forwardAction(c, [b.ref], forwardExtras, undefined, env, b.service) }]);
      }
    }
    if (groups.length > 0) {
      for (const route of emitRoutes(c, g, host, groups, tlsHosts.has(host), env, !nonGrpcHosts.has(host))) {
        env.own(route, c);
        out.push(route);
      }
    }
  }

  // from-to-www-redirect: ingress-nginx adds a server for the other name of
  // each host that redirects (308) to the host, unless that name has a
  // server of its own.
  if (c.settings.fromToWwwRedirect && c.semantics === 'ingress-nginx') {
    for (const host of byHost.keys()) {
      if (!host || host.startsWith('*')) continue;
      const other = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
      const ann = NGINX_PREFIX + 'from-to-www-redirect';
      if (hostOwner.has(other)) {
        c.ledger.record(ann, 'converted', `${other} has Ingress rules of its own; like ingress-nginx, no redirect is added for it`);
        continue;
      }
      const groups: RulePlan[][] = [
        [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], action: { kind: 'redirect', redirect: { hostname: host, statusCode: 308 } } }],
      ];
      for (const route of emitRoutes(c, g, other, groups, tlsHosts.has(other), env, false, true)) {
        env.own(route, c);
        out.push(route);
      }
      c.ledger.record(
        ann,
        tlsHosts.has(host) && !tlsHosts.has(other) ? 'converted-with-caveat' : 'converted',
        `requests for ${other} are redirected (308) to ${host}` +
          (tlsHosts.has(host) && !tlsHosts.has(other)
            ? `; HTTPS requests for ${other} need a certificate for it (add ${other} to the Ingress's TLS hosts)`
            : ''),
      );
    }
  }

  // An Ingress with only a defaultBackend is ingress-nginx's catch-all server.
  if (c.ing.spec?.defaultBackend && (c.ing.spec.rules ?? []).length === 0) {
    if (st.catchAllTaken) {
      c.findings.push({
        object: c.id,
        field: 'spec.defaultBackend',
        outcome: 'converted-with-caveat',
        message: `the catch-all backend is already taken by the older Ingress ${st.catchAllTaken.namespace}/${st.catchAllTaken.name}; ingress-nginx used that one too, so this one is not used`,
      });
    } else {
      const b = convertBackend(c.ing.spec.defaultBackend, c.ns, c.ns, env.services);
      if (b.kind === 'error') c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'not-convertible', message: b.message });
      else {
        st.catchAllTaken = c.id;
        for (const cv of b.caveats) c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'converted-with-caveat', message: cv });
        const groups = [
          [{ matches: [{ path: { type: 'PathPrefix' as const, value: '/' } }], action: forwardAction(c, [b.ref], forwardExtras, undefined, env, b.service) }],
        ];
        for (const route of emitRoutes(c, g, '', groups, tlsHosts.has(''), env, !nonGrpcHosts.has(''))) {
          env.own(route, c);
          out.push(route);
        }
      }
    }
  }
  return out;
}
