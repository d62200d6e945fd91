// Every annotation on an Ingress, grouped by the controller that reads it and
// given one outcome: what the conversion recorded for it, or, for annotations
// the conversion does not act on, a fixed classification with the reason.
import { NGINX_COMPANIONS, NGINX_HANDLED, NGINX_NOT_CONVERTIBLE, NGINX_PREFIX, type Ledger } from './nginx-annotations.js';
import { LEGACY_CLASS_ANNOTATION } from './ingress.js';
import type { Outcome } from './report.js';

/** Annotation prefixes (the part before "/") and the controller or tool that reads them. */
export const ANNOTATION_OWNERS: Readonly<Record<string, string>> = {
  'nginx.ingress.kubernetes.io': 'ingress-nginx',
  'nginx.org': 'NGINX Ingress Controller (F5)',
  'traefik.ingress.kubernetes.io': 'Traefik',
  'alb.ingress.kubernetes.io': 'AWS Load Balancer Controller',
  'haproxy.org': 'HAProxy Kubernetes Ingress',
  'haproxy.router.openshift.io': 'OpenShift router',
  'ingress.kubernetes.io': 'HAProxy / Voyager (legacy)',
  'konghq.com': 'Kong',
  'projectcontour.io': 'Contour',
  'appgw.ingress.kubernetes.io': 'Azure Application Gateway',
  'networking.gke.io': 'GKE Ingress',
  'ingress.gcp.kubernetes.io': 'GKE Ingress',
  'kubernetes.io': 'Kubernetes',
  'kubectl.kubernetes.io': 'kubectl',
  'cert-manager.io': 'cert-manager',
  'acme.cert-manager.io': 'cert-manager',
  'external-dns.alpha.kubernetes.io': 'external-dns',
  'meta.helm.sh': 'Helm',
  'argocd.argoproj.io': 'Argo CD',
};

export function prefixOf(annotation: string): string {
  const slash = annotation.indexOf('/');
  return slash < 0 ? '' : annotation.slice(0, slash);
}

/** Group order for reports: ingress-nginx first, then alphabetical. */
export function compareGroups(a: string, b: string): number {
  const rank = (g: string) => (g === 'nginx.ingress.kubernetes.io' ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface AnnotationResult {
  readonly annotation: string;
  readonly value: string;
  readonly group: string;
  readonly owner: string;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
}

const WORST: Record<Outcome, number> = { 'not-convertible': 2, 'converted-with-caveat': 1, converted: 0 };

export function worstOutcome(outcomes: Iterable<Outcome>): Outcome {
  let w: Outcome = 'converted';
  for (const o of outcomes) if (WORST[o] > WORST[w]) w = o;
  return w;
}

/**
 * Resolves the outcome of one annotation. `nginxActive` is false when the
 * Ingress's class is served by another controller (its nginx annotations had
 * no effect).
 */
export function resolveAnnotation(
  annotation: string,
  value: string,
  ledger: Ledger,
  o: { nginxActive: boolean; controller: string | undefined },
): AnnotationResult {
  const group = prefixOf(annotation);
  const owner = ANNOTATION_OWNERS[group] ?? (group || 'unknown');
  const base = { annotation, value, group, owner };
  const recorded = ledger.get(annotation);
  if (recorded.length > 0) {
    return { ...base, outcome: worstOutcome(recorded.map((r) => r.outcome)), reasons: recorded.map((r) => r.message) };
  }
  const fixed = (outcome: Outcome, reason: string): AnnotationResult => ({ ...base, outcome, reasons: [reason] });

  if (annotation.startsWith(NGINX_PREFIX)) {
    const name = annotation.slice(NGINX_PREFIX.length);
    if (!o.nginxActive) {
      return fixed(
        'converted-with-caveat',
        `had no effect: the Ingress's class is served by ${o.controller ?? 'another controller'}, which does not read ingress-nginx annotations; not carried over`,
      );
    }
    const companion = NGINX_COMPANIONS[name];
    if (companion) {
      const main = ledger.get(NGINX_PREFIX + companion);
      if (main.length > 0) {
        const outcome = worstOutcome(main.map((r) => r.outcome));
        return { ...base, outcome, reasons: [`${outcome === 'converted' ? 'converted together with' : 'shares the outcome of'} ${NGINX_PREFIX}${companion}`] };
      }
      return fixed('converted', `has no effect without ${NGINX_PREFIX}${companion}`);
    }
    // Read by the conversion, but this value (e.g. use-regex "false", or
    // ssl-redirect on a host without TLS) asked for nothing to be done.
    if (NGINX_HANDLED.has(name))
      return fixed('converted', 'nothing to convert: the value asks for the default behaviour, or no converted path of this Ingress uses it');
    const reason = NGINX_NOT_CONVERTIBLE[name];
    if (reason) return fixed('not-convertible', reason);
    return fixed('not-convertible', 'not an ingress-nginx annotation the migration knows; review it by hand');
  }
  if (annotation === LEGACY_CLASS_ANNOTATION) return fixed('converted', "selects the Ingress class; the Gateway's gatewayClassName takes its place");
  if (group === 'kubectl.kubernetes.io') return fixed('converted', 'kubectl bookkeeping; nothing to convert');
  if (group === 'meta.helm.sh' || group === 'argocd.argoproj.io') {
    return fixed('converted-with-caveat', `${owner} ownership metadata; not carried over: bring the generated objects under ${owner} yourself`);
  }
  if (group === 'cert-manager.io' || group === 'acme.cert-manager.io') {
    return fixed(
      'converted-with-caveat',
      "cert-manager issues this Ingress's TLS Secret; the Gateway listeners reference the same Secret, but for cert-manager to keep renewing it after the Ingress is gone, put the annotation on the Gateway (cert-manager's Gateway API support)",
    );
  }
  if (group === 'external-dns.alpha.kubernetes.io') {
    return fixed(
      'converted-with-caveat',
      'external-dns reads Ingresses; enable its gateway-httproute source and move the annotation to the Gateway or HTTPRoute',
    );
  }
  if (ANNOTATION_OWNERS[group]) {
    return fixed('not-convertible', `read by ${owner}, not by ingress-nginx or Switchyard; re-create the behaviour with Gateway API filters or policies`);
  }
  return fixed('not-convertible', 'unknown annotation; review it by hand');
}
