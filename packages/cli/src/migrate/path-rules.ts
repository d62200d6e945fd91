// The rules an Ingress path becomes (match, rewrite, canary split) and the
// forwarding action with its backend-protocol consequences.
import { GATEWAY_GROUP, type HTTPBackendRef, type HTTPHeaderMatch, type HTTPRouteFilter, type HTTPRouteMatch } from '@switchyard/api';
import { convertBackend } from './backends.js';
import { type HTTPIngressPath } from './ingress.js';
import { NGINX_PREFIX } from './nginx-annotations.js';
import { convertPath, planRewrite } from './paths.js';
import { type Action, type RulePlan } from './plan.js';
import { redirectFilter } from './redirect.js';
import { type IngressContext, type GatewayEnv, keyOfCtx, MIGRATED_FROM } from './convert-context.js';
import { dnsName, PRECISE_HOSTNAME } from './names.js';
import { type CanaryMatch } from './canary.js';
import { type IngressFilters } from './ingress-filters.js';

/** The rules one Ingress path becomes: canary header/cookie rules first (they win ties by order), then the path itself. */
export function pathRules(
  c: IngressContext,
  path: HTTPIngressPath,
  field: string,
  regexHost: boolean,
  extras: IngressFilters,
  env: GatewayEnv,
  canary: CanaryMatch | undefined,
): RulePlan[] {
  const s = c.settings;
  // The match, and a rewrite when rewrite-target applies.
  let match: HTTPRouteMatch;
  let rewrite: HTTPRouteFilter | undefined;
  const pc = convertPath(path.path, path.pathType, { regexHost, semantics: c.semantics });
  if (pc.kind === 'error') {
    c.findings.push({ object: c.id, field: `${field}.path`, outcome: 'not-convertible', message: `${pc.message}; this path is left out` });
    return [];
  }
  match = { path: pc.match };
  let pathCaveats = [...pc.caveats];
  if (s.rewriteTarget && c.semantics === 'ingress-nginx') {
    const plan = planRewrite(path.path, s.rewriteTarget);
    const ann = NGINX_PREFIX + 'rewrite-target';
    switch (plan.kind) {
      case 'full':
        rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: plan.path } } };
        c.ledger.record(ann, 'converted', `path "${path.path || '/'}" is rewritten to "${plan.path}" (URLRewrite ReplaceFullPath)`);
        break;
      case 'prefix':
        match = { path: { type: 'PathPrefix', value: plan.prefix } };
        pathCaveats = [];
        rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: plan.replace } } };
        c.ledger.record(
          ann,
          'converted-with-caveat',
          `path "${path.path}" -> PathPrefix "${plan.prefix}" with ReplacePrefixMatch "${plan.replace}": ${plan.caveats.join('; ')}`,
        );
        break;
      case 'inexpressible':
        c.ledger.record(ann, 'not-convertible', `${plan.message}; the route forwards without rewriting`);
        break;
    }
  }
  for (const cv of pathCaveats) {
    const ann = s.useRegex ? NGINX_PREFIX + 'use-regex' : undefined;
    if (ann && path.path && /[.^$*+?()[\]{}|\\]/.test(path.path)) c.ledger.record(ann, 'converted-with-caveat', cv);
    else c.findings.push({ object: c.id, field: `${field}.path`, outcome: 'converted-with-caveat', message: cv });
  }
  if (s.useRegex && c.semantics === 'ingress-nginx' && !c.ledger.has(NGINX_PREFIX + 'use-regex')) {
    c.ledger.record(NGINX_PREFIX + 'use-regex', 'converted', 'paths are RegularExpression matches');
  }

  // Redirect annotations replace the backend for every path of the Ingress.
  if (s.redirect) {
    const r = redirectFilter(s.redirect.url, s.redirect.code);
    if (r.kind === 'ok') {
      c.ledger.record(
        s.redirect.annotation,
        r.caveat ? 'converted-with-caveat' : 'converted',
        r.caveat ?? `RequestRedirect ${s.redirect.code} to ${s.redirect.url}`,
      );
      return [{ matches: [match], action: { kind: 'redirect', redirect: r.filter } }];
    }
    c.ledger.record(s.redirect.annotation, 'not-convertible', `${r.message}; the path forwards to its backend instead`);
  }

  const b = convertBackend(path.backend, c.ns, c.ns, env.services);
  if (b.kind === 'error') {
    c.findings.push({ object: c.id, field: `${field}.backend`, outcome: 'not-convertible', message: `${b.message}; this path is left out` });
    return [];
  }
  for (const cv of b.caveats) c.findings.push({ object: c.id, field: `${field}.backend`, outcome: 'converted-with-caveat', message: cv });
  const mainRef = b.ref;

  if (!canary) return [{ matches: [match], action: forwardAction(c, [mainRef], extras, rewrite, env, b.service) }];

  // Canary: ingress-nginx checks the header, then the cookie, then the weight.
  const cb = convertBackend(canary.path.backend, canary.ctx.ns, c.ns, env.services);
  if (cb.kind === 'error') {
    canary.ctx.findings.push({
      object: canary.ctx.id,
      field: `${canary.field}.backend`,
      outcome: 'not-convertible',
      message: `${cb.message}; the canary is left out`,
    });
    return [{ matches: [match], action: forwardAction(c, [mainRef], extras, rewrite, env, b.service) }];
  }
  if (canary.ctx.ns !== c.ns && cb.service) {
    env.grants.allow(dnsName(`from-httproutes-${c.ns}`), 'HTTPRoute', c.ns, 'Service', cb.service.namespace, cb.service.name, keyOfCtx(c));
  }
  const canaryRef = cb.ref;
  const cl = canary.ctx.ledger;
  const fwd = (refs: HTTPBackendRef[], svc?: { namespace: string; name: string; port: number }) => forwardAction(c, refs, extras, rewrite, env, svc);
  const withHeader = (h: HTTPHeaderMatch): HTTPRouteMatch => ({ ...match, headers: [...(match.headers ?? []), h] });
  const plans: RulePlan[] = [];
  const cn = canary.canary;
  if (cn.header) {
    if (cn.headerValue) {
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: cn.headerValue })], action: fwd([canaryRef], cb.service) });
      cl.record(NGINX_PREFIX + 'canary-by-header-value', 'converted', `requests with header ${cn.header}: ${cn.headerValue} go to the canary`);
    } else if (cn.headerPattern) {
      plans.push({
        matches: [withHeader({ type: 'RegularExpression', name: cn.header, value: `.*(?:${cn.headerPattern}).*` })],
        action: fwd([canaryRef], cb.service),
      });
      cl.record(
        NGINX_PREFIX + 'canary-by-header-pattern',
        'converted-with-caveat',
        'the PCRE pattern is used as an RE2 header match (searched anywhere in the value)',
      );
    } else {
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: 'always' })], action: fwd([canaryRef], cb.service) });
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: 'never' })], action: fwd([mainRef], b.service) });
    }
    cl.record(NGINX_PREFIX + 'canary-by-header', 'converted', `header ${cn.header} selects the canary (a header match rule)`);
  }
  if (cn.cookie) {
    const cookieIs = (v: string): HTTPHeaderMatch => ({
      type: 'RegularExpression',
      name: 'Cookie',
      value: `(?:.*;\\s*)?${escapeRegex(cn.cookie!)}=${v}(?:;.*)?`,
    });
    plans.push({ matches: [withHeader(cookieIs('always'))], action: fwd([canaryRef], cb.service) });
    plans.push({ matches: [withHeader(cookieIs('never'))], action: fwd([mainRef], b.service) });
    cl.record(
      NGINX_PREFIX + 'canary-by-cookie',
      'converted-with-caveat',
      `cookie ${cn.cookie}=always / =never is matched with a regular expression on the Cookie header (Gateway API has no cookie match; a request whose cookies are split over several Cookie headers may not match)`,
    );
  }
  if (cn.weight !== undefined && cn.weight > 0) {
    plans.push({
      matches: [match],
      action: fwd(
        [
          { ...mainRef, weight: cn.weightTotal - cn.weight },
          { ...canaryRef, weight: cn.weight },
        ],
        b.service,
      ),
    });
    cl.record(NGINX_PREFIX + 'canary-weight', 'converted', `${cn.weight} of ${cn.weightTotal} requests go to the canary (weighted backendRefs)`);
  } else {
    plans.push({ matches: [match], action: fwd([mainRef], b.service) });
  }
  return plans;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A forwarding action, noting the backend-protocol consequences for the Service behind it. */
export function forwardAction(
  c: IngressContext,
  backendRefs: HTTPBackendRef[],
  extras: IngressFilters,
  rewrite: HTTPRouteFilter | undefined,
  env: GatewayEnv,
  service: { namespace: string; name: string; port: number } | undefined,
): Action {
  const bp = c.settings.backendProtocol;
  const ann = NGINX_PREFIX + 'backend-protocol';
  if (service && bp !== 'HTTP') {
    const svc = env.services(service.namespace, service.name);
    const port = svc?.spec?.ports?.find((p) => p.port === service.port);
    if (bp === 'HTTPS' || bp === 'GRPCS') {
      const key = `${service.namespace}/${service.name}`;
      if (!env.tlsPolicies.has(key)) {
        env.tlsPolicies.set(key, {
          apiVersion: `${GATEWAY_GROUP}/v1`,
          kind: 'BackendTLSPolicy',
          metadata: {
            name: env.names.claim('BackendTLSPolicy', service.namespace, `${service.name}-backend-tls`),
            namespace: service.namespace,
            annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
          },
          spec: {
            targetRefs: [{ group: '', kind: 'Service', name: service.name }],
            validation: { hostname: `${service.name}.${service.namespace}.svc`, wellKnownCACertificates: 'System' },
          },
        });
      }
      env.own(env.tlsPolicies.get(key)!, c);
      c.ledger.record(
        ann,
        'converted-with-caveat',
        `BackendTLSPolicy for Service ${key}: Gateway API always verifies the backend's certificate (here against the system CAs for ${service.name}.${service.namespace}.svc) while ingress-nginx did not by default; point validation.caCertificateRefs at your backend's CA` +
          (bp === 'GRPCS' ? '; gRPC over TLS also needs HTTP/2: consider a GRPCRoute' : ''),
      );
    } else if (bp === 'GRPC' || bp === 'H2C') {
      const app = port?.appProtocol;
      if (app === 'kubernetes.io/h2c' || app === 'grpc' || app === 'h2c') {
        c.h2cNotes.push({
          outcome: 'converted',
          message: `Service ${service.namespace}/${service.name} port ${service.port} already declares appProtocol ${app}`,
        });
      } else {
        c.h2cNotes.push({
          outcome: 'converted-with-caveat',
          message: `set appProtocol: kubernetes.io/h2c on port ${service.port} of Service ${service.namespace}/${service.name} so the Gateway speaks HTTP/2 without TLS to it`,
        });
      }
    } else {
      c.ledger.record(ann, 'not-convertible', `backend protocol ${bp} has no Gateway API equivalent; the route forwards HTTP`);
    }
  } else if (bp === 'HTTP' && c.ing.metadata.annotations?.[ann] !== undefined) {
    c.ledger.record(ann, 'converted', 'HTTP is the Gateway API default');
  }
  // upstream-vhost is the Host the backend sees: the hostname of the same URLRewrite filter.
  const host = c.settings.upstreamVhost && PRECISE_HOSTNAME.test(c.settings.upstreamVhost) ? c.settings.upstreamVhost : undefined;
  const urlRewrite = host ? { type: 'URLRewrite' as const, urlRewrite: { hostname: host, ...(rewrite?.urlRewrite ?? {}) } } : rewrite;
  const filters = [...(urlRewrite ? [urlRewrite] : []), ...extras.filters];
  return { kind: 'forward', backendRefs, filters, ...(extras.timeouts ? { timeouts: extras.timeouts } : {}) };
}
