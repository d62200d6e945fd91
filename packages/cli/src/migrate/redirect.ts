// ingress-nginx's permanent-redirect / temporal-redirect (nginx `return
// <code> <url>`) as a Gateway API RequestRedirect filter.
import type { HTTPRequestRedirectFilter } from '@switchyard/api';

export type RedirectConversion =
  { readonly kind: 'ok'; readonly filter: HTTPRequestRedirectFilter; readonly caveat?: string } | { readonly kind: 'error'; readonly message: string };

const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** permanent-redirect / temporal-redirect: nginx `return <code> <url>`. */
export function redirectFilter(rawUrl: string, code: number): RedirectConversion {
  if (!REDIRECT_CODES.includes(code)) return { kind: 'error', message: `redirect code ${code} is not one Gateway API can send (${REDIRECT_CODES.join(', ')})` };
  // "$request_uri" at the end keeps the request's path and query, which is
  // what a RequestRedirect without a path modifier does.
  const keepPath = rawUrl.endsWith('$request_uri');
  const url = keepPath ? rawUrl.slice(0, -'$request_uri'.length) : rawUrl;
  if (url.includes('$')) return { kind: 'error', message: `redirect URL "${rawUrl}" uses nginx variables other than a trailing $request_uri` };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'error', message: `redirect URL "${rawUrl}" is not an absolute URL` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { kind: 'error', message: `redirect URL "${rawUrl}" is not http or https` };
  const filter: HTTPRequestRedirectFilter = {
    scheme: u.protocol.slice(0, -1),
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    ...(keepPath ? {} : { path: { type: 'ReplaceFullPath' as const, replaceFullPath: u.pathname || '/' } }),
    statusCode: code,
  };
  const caveats: string[] = [];
  if (!keepPath && (u.search || u.hash)) caveats.push(`the query string or fragment of "${rawUrl}" cannot be set by a Gateway API redirect and is dropped`);
  if (!keepPath && !/^https?:\/\/[^/]+\//.test(url)) caveats.push(`"${rawUrl}" has no path; the redirect goes to "/"`);
  if (keepPath && new URL(url).pathname !== '/')
    caveats.push(`the path of "${url}" before $request_uri cannot be prepended by a Gateway API redirect and is dropped`);
  return caveats.length ? { kind: 'ok', filter, caveat: caveats.join('; ') } : { kind: 'ok', filter };
}
