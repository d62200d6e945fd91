// nginx.ingress.kubernetes.io/canary*: a canary Ingress merged into the
// routes of the main Ingress serving the same host and path.
import { type HTTPIngressPath } from './ingress.js';
import { NGINX_PREFIX, type Canary } from './nginx-annotations.js';
import { type IngressContext, keyOfCtx } from './convert-context.js';

export interface CanaryMatch {
  readonly ctx: IngressContext;
  readonly canary: Canary;
  readonly path: HTTPIngressPath;
  readonly field: string;
}

/** The canary Ingress serving the same host and path as a main Ingress's path (ingress-nginx supports one). */
export function findCanary(
  canaries: readonly IngressContext[],
  host: string,
  path: HTTPIngressPath,
  main: IngressContext,
  used: Set<string>,
): CanaryMatch | undefined {
  for (const c of canaries) {
    let found: CanaryMatch | undefined;
    (c.ing.spec?.rules ?? []).forEach((r, ri) => {
      if ((r.host ?? '') !== host || found) return;
      (r.http?.paths ?? []).forEach((p, pi) => {
        if (!found && (p.path || '/') === (path.path || '/'))
          found = { ctx: c, canary: c.settings.canary!, path: p, field: `spec.rules[${ri}].http.paths[${pi}]` };
      });
    });
    if (found) {
      if (c.ns !== main.ns) {
        c.findings.push({
          object: c.id,
          outcome: 'converted-with-caveat',
          message: `canary for Ingress ${main.ns}/${main.ing.metadata.name} in another namespace: its backend is referenced across namespaces with a ReferenceGrant`,
        });
      }
      used.add(keyOfCtx(c));
      return found;
    }
  }
  return undefined;
}

/** Records on each canary Ingress whether it was merged into a main Ingress's routes. */
export function recordCanaryOutcomes(canaries: readonly IngressContext[], usedCanaries: ReadonlySet<string>): void {
  for (const c of canaries) {
    c.ledger.record(
      NGINX_PREFIX + 'canary',
      usedCanaries.has(keyOfCtx(c)) ? 'converted' : 'not-convertible',
      usedCanaries.has(keyOfCtx(c))
        ? 'merged into the routes of the Ingress it is a canary of'
        : 'no non-canary Ingress of the same class serves the same host and path; ingress-nginx ignores such a canary, and so does the conversion',
    );
    for (const key of Object.keys(c.ing.metadata.annotations ?? {})) {
      if (!key.startsWith(NGINX_PREFIX) || key.slice(NGINX_PREFIX.length).startsWith('canary')) continue;
      if (!c.ledger.has(key))
        c.ledger.record(key, 'converted', "ingress-nginx ignores this annotation on a canary Ingress (the main Ingress's settings apply); nothing to convert");
    }
  }
}
