// The request as Envoy's router sees it: pseudo-headers (:method, :path,
// :authority, :scheme) next to the lower-cased request headers, and the path
// split from its query string the way Envoy's path matchers split it.
import type { ExplainRequest, HeaderList } from './types.js';

export interface RouterRequest {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** The :authority as sent (the Host header). */
  readonly authority: string;
  /** :path, with query. */
  readonly path: string;
  /** :path without query and fragment. */
  readonly pathOnly: string;
  /** The query string including its leading '?', or ''. */
  readonly query: string;
  /** Request headers without pseudo-headers, lower-cased names, in order. */
  readonly headers: HeaderList;
}

export function routerRequest(req: ExplainRequest, path: string = req.path): RouterRequest {
  const headers: Array<[string, string]> = [];
  const given = req.headers === undefined ? [] : Array.isArray(req.headers) ? req.headers : Object.entries(req.headers);
  for (const [name, value] of given as ReadonlyArray<readonly [string, string]>) {
    const lower = name.toLowerCase();
    // Host is carried as :authority; a Host entry in headers would be a second source of truth.
    if (lower === 'host' || lower.startsWith(':')) continue;
    headers.push([lower, value]);
  }
  const { pathOnly, query } = splitPath(path);
  return { method: req.method.toUpperCase(), scheme: req.scheme, authority: req.host, path, pathOnly, query, headers };
}

/** Splits ":path" into the path (without fragment) and the query ('?...' or ''). */
export function splitPath(path: string): { pathOnly: string; query: string } {
  const hash = path.indexOf('#');
  const noFragment = hash >= 0 ? path.slice(0, hash) : path;
  const q = noFragment.indexOf('?');
  return q >= 0 ? { pathOnly: noFragment.slice(0, q), query: noFragment.slice(q) } : { pathOnly: noFragment, query: '' };
}

/**
 * The value of a header as Envoy's header matchers read it: pseudo-headers
 * from the request line, and repeated headers joined with ','. Undefined
 * when absent.
 */
export function headerValue(req: RouterRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  switch (lower) {
    case ':method':
      return req.method;
    case ':path':
      return req.path;
    case ':authority':
      return req.authority;
    case ':scheme':
      return req.scheme;
  }
  const values = req.headers.filter(([n]) => n === lower).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(',');
}

/** Query parameters in order, percent-decoded as Envoy decodes them for matching. */
export function queryParameters(query: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const body = query.startsWith('?') ? query.slice(1) : query;
  if (body === '') return out;
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq >= 0 ? part.slice(0, eq) : part;
    const value = eq >= 0 ? part.slice(eq + 1) : '';
    out.push([percentDecode(name), percentDecode(value)]);
  }
  return out;
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // Envoy keeps malformed escapes as they are.
    return s;
  }
}
