// Finds the HTTP connection manager on a filter chain and the route table it
// routes with: RDS by name from the fleet's RouteConfigurations, or inline.
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { RouteConfiguration } from '@switchyard/protos/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { EnvoyResources } from '@switchyard/protos';
import { HCM_TYPE } from '@switchyard/protos';

export function httpConnectionManagerOf(chain: FilterChain): HttpConnectionManager | undefined {
  for (const f of chain.filters ?? []) {
    const tc = f.typed_config as ({ '@type'?: string } & Record<string, unknown>) | null | undefined;
    if (tc && tc['@type'] === HCM_TYPE) return tc as HttpConnectionManager;
  }
  return undefined;
}

export type RouteTable =
  { readonly kind: 'found'; readonly name: string; readonly config: RouteConfiguration } | { readonly kind: 'missing'; readonly name: string };

export function routeTableOf(hcm: HttpConnectionManager, resources: EnvoyResources): RouteTable {
  if (hcm.route_config) return { kind: 'found', name: hcm.route_config.name ?? '', config: hcm.route_config };
  const name = hcm.rds?.route_config_name ?? '';
  const config = resources.routes.find((r) => r.name === name);
  return config ? { kind: 'found', name, config } : { kind: 'missing', name };
}

/**
 * The :authority after the connection manager's own rewriting, which every
 * later stage (routing, redirects, the upstream request) sees: the port is
 * stripped with strip_any_host_port, or with strip_matching_host_port when it
 * equals the listener's port; a trailing dot with strip_trailing_host_dot.
 */
export function authorityAfterConnectionManager(authority: string, hcm: HttpConnectionManager, listenerPort: number): string {
  let host = authority;
  const { name, port } = splitHostPort(host);
  if (port !== undefined && (hcm.strip_any_host_port === true || (hcm.strip_matching_host_port === true && Number(port) === listenerPort))) host = name;
  if (hcm.strip_trailing_host_dot === true) {
    const hp = splitHostPort(host);
    if (hp.name.endsWith('.')) host = hp.name.slice(0, -1) + (hp.port !== undefined ? `:${hp.port}` : '');
  }
  return host;
}

/**
 * The Host value used for virtual host selection: lower-cased, and without
 * its port when the route table sets ignore_port_in_host_matching (which,
 * unlike the connection manager's stripping, leaves the header as it is).
 */
export function hostForMatching(authority: string, table: RouteConfiguration): string {
  const host = authority.toLowerCase();
  if (table.ignore_port_in_host_matching !== true) return host;
  return splitHostPort(host).name;
}

/** Splits "host:port" (IPv6 literals in brackets); port undefined when absent. */
export function splitHostPort(authority: string): { name: string; port: string | undefined } {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end >= 0 && authority.charAt(end + 1) === ':') return { name: authority.slice(0, end + 1), port: authority.slice(end + 2) };
    return { name: authority, port: undefined };
  }
  const colon = authority.lastIndexOf(':');
  if (colon >= 0 && authority.indexOf(':') === colon && /^\d+$/.test(authority.slice(colon + 1))) {
    return { name: authority.slice(0, colon), port: authority.slice(colon + 1) };
  }
  return { name: authority, port: undefined };
}

/** Applies the connection manager's path normalization (merge_slashes, normalize_path) before routing. */
export function normalizePathForRouting(pathOnly: string, hcm: HttpConnectionManager): string {
  let p = pathOnly;
  if (hcm.normalize_path?.value === true) p = removeDotSegments(p);
  if (hcm.merge_slashes === true) p = p.replace(/\/{2,}/g, '/');
  return p;
}

// RFC 3986 section 5.2.4.
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] ?? '';
    if (s === '.') {
      if (i === segs.length - 1) out.push('');
    } else if (s === '..') {
      if (out.length > 1) out.pop();
      if (i === segs.length - 1) out.push('');
    } else out.push(s);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}
