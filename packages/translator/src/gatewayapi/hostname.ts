// Hostname matching as the Gateway API defines it: "*.example.com" matches
// any name with one or more labels in front of ".example.com" (not
// "example.com" itself); a missing hostname matches everything.

export function isWildcard(h: string): boolean {
  return h.startsWith('*.');
}

/** Whether `name` (exact or wildcard) falls within `pattern`'s set of names. */
export function hostnameWithin(name: string, pattern: string | undefined): boolean {
  if (pattern === undefined || pattern === '*') return true;
  if (name === pattern) return true;
  if (!isWildcard(pattern)) return false;
  const suffix = pattern.slice(1); // ".example.com"
  if (isWildcard(name)) return name.slice(1).endsWith(suffix) && name.length > pattern.length;
  return name.endsWith(suffix) && name.length > suffix.length;
}

/**
 * The hostnames a route serves on a listener: the intersection of the
 * route's hostnames with the listener's. Returns [] when they do not
 * intersect, ["*"] when neither restricts.
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[] | undefined): string[] {
  const route = routeHostnames ?? [];
  if (route.length === 0) return [listenerHostname ?? '*'];
  if (listenerHostname === undefined) return dedupe(route);
  const out: string[] = [];
  for (const h of route) {
    if (hostnameWithin(h, listenerHostname)) out.push(h);
    else if (hostnameWithin(listenerHostname, h)) out.push(listenerHostname);
  }
  return dedupe(out);
}

function dedupe(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * The route's own hostname an effective (listener-intersected) hostname
 * comes from: the most specific of the route's spec.hostnames that contains
 * it, "*" when the route names none. Routes sharing a virtual host rank by
 * it first (GatewayRouteHostnameIntersectionPrecedence): with a listener
 * "abc.example.com", a route for "abc.example.com" wins over one for
 * "*.example.com" although both serve the same intersection.
 */
export function routeHostnameFor(effective: string, routeHostnames: readonly string[]): string {
  const within = routeHostnames.filter((h) => hostnameWithin(effective, h));
  return within.sort(compareHostnames)[0] ?? '*';
}

/**
 * Specificity order for hostnames: exact names before wildcards, longer
 * wildcards (more specific) before shorter, "*" last. Used to order virtual
 * hosts so the output is stable.
 */
export function compareHostnames(a: string, b: string): number {
  const rank = (h: string) => (h === '*' ? 2 : isWildcard(h) ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates a Hostname field (RFC 1123, optional leading "*." label). Returns a problem or undefined. */
export function hostnameProblem(h: string): string | undefined {
  if (h.length === 0 || h.length > 253) return `"${h}" is not a valid hostname (length)`;
  const labels = (isWildcard(h) ? h.slice(2) : h).split('.');
  if (!labels.every((l) => LABEL.test(l))) return `"${h}" is not a valid hostname (RFC 1123, optional leading "*.")`;
  if (/^[0-9.]+$/.test(h)) return `"${h}" is an IP address, not a hostname`;
  return undefined;
}
