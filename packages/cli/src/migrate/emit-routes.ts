// Rule plans -> HTTPRoutes and GRPCRoutes, with the HTTP->HTTPS redirect twin.
import { GATEWAY_GROUP, type GRPCRoute, type HTTPRoute, type HTTPRouteRule, type ParentReference } from '@switchyard/api';
import { NGINX_PREFIX } from './nginx-annotations.js';
import { toGrpcRules } from './grpc-route.js';
import { type RulePlan } from './plan.js';
import { type IngressContext, type GatewayGroup, type GatewayEnv, MIGRATED_FROM } from './convert-context.js';
import { dnsName, HTTP_LISTENER, httpsListenerName } from './names.js';

/** Turns the rule plans of one Ingress host into HTTPRoutes (16 rules at most each), with the HTTP->HTTPS redirect twin when ingress-nginx would redirect. */
export function emitRoutes(
  c: IngressContext,
  g: GatewayGroup,
  host: string,
  groups: RulePlan[][],
  hasTls: boolean,
  env: GatewayEnv,
  grpcHost = false,
  wwwRedirect = false,
): Array<HTTPRoute | GRPCRoute> {
  const s = c.settings;
  if (wwwRedirect) {
    // The redirect to the other name serves both listeners as it is: ingress-nginx sends it before any HTTPS redirect.
    const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
    const parents: ParentReference[] = [{ name: g.name, ...ns, sectionName: HTTP_LISTENER }];
    if (hasTls) {
      const set = g.listenerHomes.get(httpsListenerName(host));
      parents.push(
        set
          ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName: httpsListenerName(host) }
          : { name: g.name, ...ns, sectionName: httpsListenerName(host) },
      );
    }
    return [
      {
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: {
          name: env.names.claim('HTTPRoute', c.ns, `${c.ing.metadata.name}-${dnsName(host)}-www-redirect`),
          namespace: c.ns,
          annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
        },
        spec: { parentRefs: parents, hostnames: [host], rules: groups.flat().map((r) => toRule(r, false)) },
      },
    ];
  }
  const ann = NGINX_PREFIX + 'backend-protocol';
  if (s.backendProtocol === 'GRPC' && c.semantics === 'ingress-nginx') {
    const grpc = grpcHost
      ? toGrpcRules(groups.flat())
      : { ok: false as const, reason: `host "${host || '*'}" also has Ingresses that are not gRPC, and a GRPCRoute may not share a hostname with HTTPRoutes` };
    if (grpc.ok && !(s.forceSslRedirect && !hasTls)) {
      const base = host === '' ? c.ing.metadata.name : `${c.ing.metadata.name}-${dnsName(host)}`;
      const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
      const parent = (sectionName: string): ParentReference => {
        const set = g.listenerHomes.get(sectionName);
        return set ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName } : { name: g.name, ...ns, sectionName };
      };
      const redirect = hasTls && (s.sslRedirect || s.forceSslRedirect);
      const parents = redirect
        ? [parent(httpsListenerName(host))]
        : hasTls
          ? [parent(HTTP_LISTENER), parent(httpsListenerName(host))]
          : [parent(HTTP_LISTENER)];
      c.ledger.record(ann, 'converted', 'a GRPCRoute: Switchyard speaks HTTP/2 to the backends of GRPCRoutes');
      if (redirect) {
        c.ledger.record(
          NGINX_PREFIX + (s.forceSslRedirect ? 'force-ssl-redirect' : 'ssl-redirect'),
          'converted-with-caveat',
          'the GRPCRoute serves the HTTPS listener only: gRPC clients do not follow the redirect ingress-nginx sent for plain-text requests, which now get 404',
        );
      }
      return [
        {
          apiVersion: `${GATEWAY_GROUP}/v1`,
          kind: 'GRPCRoute',
          metadata: {
            name: env.names.claim('GRPCRoute', c.ns, base),
            namespace: c.ns,
            annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
          },
          spec: { parentRefs: parents, ...(host ? { hostnames: [host] } : {}), rules: grpc.rules },
        },
      ];
    }
    for (const n of c.h2cNotes)
      c.ledger.record(
        ann,
        n.outcome,
        n.outcome === 'converted' ? n.message : `${n.message} (an HTTPRoute, not a GRPCRoute: ${grpc.ok ? 'force-ssl-redirect without TLS' : grpc.reason})`,
      );
  } else {
    for (const n of c.h2cNotes) c.ledger.record(ann, n.outcome, n.message);
  }
  const base = host === '' ? c.ing.metadata.name : `${c.ing.metadata.name}-${dnsName(host)}`;
  const parent = (sectionName: string): ParentReference => {
    const set = g.listenerHomes.get(sectionName);
    const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
    return set ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName } : { name: g.name, ...ns, sectionName };
  };
  const redirectHttp = c.semantics === 'ingress-nginx' && ((hasTls && s.sslRedirect) || s.forceSslRedirect);
  const routes: HTTPRoute[] = [];
  if (c.semantics === 'ingress-nginx') {
    if (hasTls && s.sslRedirect)
      c.ledger.record(NGINX_PREFIX + 'ssl-redirect', 'converted', 'HTTP requests are redirected to HTTPS (308) by a route on the HTTP listener');
    if (hasTls && !s.sslRedirect) c.ledger.record(NGINX_PREFIX + 'ssl-redirect', 'converted', 'the route serves both the HTTP and the HTTPS listener');
    if (s.forceSslRedirect) {
      if (hasTls)
        c.ledger.record(NGINX_PREFIX + 'force-ssl-redirect', 'converted', 'HTTP requests are redirected to HTTPS (308) by a route on the HTTP listener');
      else {
        c.ledger.record(
          NGINX_PREFIX + 'force-ssl-redirect',
          'converted-with-caveat',
          `HTTP requests for "${host || '*'}" are redirected to HTTPS (308), but the Gateway has no HTTPS listener for that host (ingress-nginx answered with its default certificate): add a TLS certificate`,
        );
      }
    }
  }
  const make = (name: string, parents: ParentReference[], plans: RulePlan[][], redirectToHttps: boolean): void => {
    // Keep each path's rules together when splitting at 16 rules per route.
    const chunks: RulePlan[][] = [];
    let cur: RulePlan[] = [];
    for (const grp of plans) {
      if (cur.length + grp.length > 16 && cur.length > 0) {
        chunks.push(cur);
        cur = [];
      }
      cur.push(...grp);
    }
    if (cur.length) chunks.push(cur);
    chunks.forEach((rules, i) => {
      const routeName = env.names.claim('HTTPRoute', c.ns, i === 0 ? name : `${name}-${i + 1}`);
      routes.push({
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: routeName, namespace: c.ns, annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` } },
        spec: {
          parentRefs: parents,
          ...(host ? { hostnames: [host] } : {}),
          rules: rules.map((r) => toRule(r, redirectToHttps)),
        },
      });
    });
  };
  if (redirectHttp) {
    if (hasTls) make(base, [parent(httpsListenerName(host))], groups, false);
    make(`${base}-https-redirect`, [parent(HTTP_LISTENER)], groups, true);
  } else {
    make(base, hasTls ? [parent(HTTP_LISTENER), parent(httpsListenerName(host))] : [parent(HTTP_LISTENER)], groups, false);
  }
  return routes;
}

function toRule(p: RulePlan, redirectToHttps: boolean): HTTPRouteRule {
  const a = p.action;
  if (a.kind === 'redirect') return { matches: p.matches, filters: [{ type: 'RequestRedirect', requestRedirect: a.redirect }] };
  if (redirectToHttps) return { matches: p.matches, filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] };
  return {
    matches: p.matches,
    ...(a.filters.length ? { filters: a.filters } : {}),
    backendRefs: a.backendRefs,
    ...(a.timeouts ? { timeouts: a.timeouts } : {}),
  };
}
