// The Location of a RedirectAction, composed as Envoy composes it: scheme
// (scheme_redirect, https_redirect, else the request's), host (host_redirect,
// else the request's Host — whose port is dropped when a new port is set, or
// when the scheme changes away from a request on its scheme's default port),
// port (port_redirect, kept as given, even 80 or 443), then path
// (path_redirect, or the request path after prefix/regex rewrite) and query.
import type { RedirectAction } from '@switchyard/protos/generated/envoy/config/route/v3/RedirectAction.js';
import type { PathMatch } from './route-match.js';
import { rewritePath } from './path-rewrite.js';
import { splitHostPort } from './http-connection-manager.js';

const RESPONSE_CODES = [301, 302, 303, 307, 308] as const;
const RESPONSE_CODE_NAMES: Readonly<Record<string, (typeof RESPONSE_CODES)[number]>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function redirectStatus(r: RedirectAction): (typeof RESPONSE_CODES)[number] {
  const c = r.response_code;
  if (typeof c === 'number') return RESPONSE_CODES[c] ?? 301;
  return c === undefined ? 301 : (RESPONSE_CODE_NAMES[c] ?? 301);
}

export interface RedirectRequest {
  readonly scheme: 'http' | 'https';
  /** The Host header as sent. */
  readonly authority: string;
  /** :path with query, after the connection manager's normalization. */
  readonly path: string;
}

export function redirectLocation(r: RedirectAction, req: RedirectRequest, match: PathMatch): string {
  const scheme = r.scheme_redirect ? r.scheme_redirect : r.https_redirect === true ? 'https' : req.scheme;
  const port = r.port_redirect ? `:${r.port_redirect}` : '';
  const host = r.host_redirect ? r.host_redirect : requestHost(req, scheme, port);
  let path: string;
  if (r.path_redirect !== undefined && r.path_redirect !== '') {
    // A query in path_redirect replaces the request's and survives strip_query.
    if (r.path_redirect.includes('?')) return `${scheme}://${host}${port}${r.path_redirect}`;
    const q = req.path.indexOf('?');
    path = q >= 0 ? r.path_redirect + req.path.slice(q) : r.path_redirect;
  } else {
    path = rewritePath(req.path, match, r.prefix_rewrite, r.regex_rewrite)?.to ?? req.path;
  }
  if (r.strip_query === true) {
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
  }
  return `${scheme}://${host}${port}${path}`;
}

function requestHost(req: RedirectRequest, newScheme: string, newPort: string): string {
  const { name, port } = splitHostPort(req.authority);
  if (port === undefined) return req.authority;
  let removePort = newPort !== '';
  if (newScheme !== req.scheme) {
    removePort ||= req.scheme === 'https' && port === '443';
    removePort ||= req.scheme === 'http' && port === '80';
  }
  return removePort ? name : req.authority;
}
