// ingress-nginx's enable-cors and cors-* settings as the Gateway API CORS
// filter (standard in v1.6), keeping only values the CRD accepts.
import type { HTTPCORSFilter } from '@switchyard/api';
import type { Cors } from './nginx-annotations.js';

// The CRD's validation patterns for origins and header names.
const ORIGIN = /^(\*|https?:\/\/(((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:[0-9]{1,5})?))$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*'];

/** The CORS filter for ingress-nginx's enable-cors settings, and what could not be kept. */
export function corsFilter(cors: Cors): { readonly filter: HTTPCORSFilter; readonly caveats: readonly string[] } {
  const dropped: string[] = [];
  const keep = (list: readonly string[], ok: (v: string) => boolean, what: string): string[] => {
    const out: string[] = [];
    for (const v of list) {
      if (ok(v)) {
        if (!out.includes(v)) out.push(v);
      } else dropped.push(`${what} "${v}"`);
    }
    return out.includes('*') ? ['*'] : out;
  };
  const allowOrigins = keep(cors.allowOrigins, (v) => ORIGIN.test(v), 'origin');
  const allowMethods = keep(cors.allowMethods, (v) => METHODS.includes(v), 'method');
  const allowHeaders = keep(cors.allowHeaders, (v) => v === '*' || HEADER_NAME.test(v), 'header');
  const exposeHeaders = keep(cors.exposeHeaders, (v) => v === '*' || HEADER_NAME.test(v), 'header');
  const filter: HTTPCORSFilter = {
    ...(allowOrigins.length ? { allowOrigins } : {}),
    allowCredentials: cors.allowCredentials,
    ...(allowMethods.length ? { allowMethods } : {}),
    ...(allowHeaders.length ? { allowHeaders } : {}),
    ...(exposeHeaders.length ? { exposeHeaders } : {}),
    ...(cors.maxAge >= 1 ? { maxAge: cors.maxAge } : {}),
  };
  const caveats: string[] = [];
  if (dropped.length) caveats.push(`left out what Gateway API CORS does not accept: ${dropped.join(', ')}`);
  if (cors.allowCredentials && allowOrigins.includes('*')) {
    caveats.push(
      'with credentials allowed and origin "*", ingress-nginx answered "Access-Control-Allow-Origin: *" (which browsers refuse with credentials); Gateway API echoes the request origin instead',
    );
  }
  return { filter, caveats };
}
