// The ingress-nginx annotations the migration understands, parsed into one
// typed value per Ingress with ingress-nginx's own defaults. Parsing only
// reads values; whether a setting made it into Gateway API objects is decided
// (and recorded in the Ledger) where it is converted.
import type { Ingress } from './ingress.js';
import type { Outcome } from './report.js';

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

export type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS' | 'H2C' | 'AJP' | 'FCGI';

export interface Redirect {
  readonly url: string;
  readonly code: number;
  /** The annotation the redirect came from. */
  readonly annotation: string;
}

export interface Canary {
  /** Share sent to the canary, out of weightTotal; undefined when canary-weight is not set. */
  readonly weight?: number;
  readonly weightTotal: number;
  readonly header?: string;
  readonly headerValue?: string;
  readonly headerPattern?: string;
  readonly cookie?: string;
}

export interface Cors {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly allowCredentials: boolean;
  readonly maxAge: number;
}

export interface RateLimits {
  readonly rps?: number;
  readonly rpm?: number;
  /** limit-burst-multiplier, default 5: nginx's burst is limit * multiplier. */
  readonly burstMultiplier: number;
}

export interface NginxSettings {
  readonly useRegex: boolean;
  /** from-to-www-redirect: redirect www.<host> to <host> (or the reverse). */
  readonly fromToWwwRedirect: boolean;
  /** ssl-passthrough: TLS for the Ingress's hosts goes to the backend undecrypted. */
  readonly sslPassthrough: boolean;
  readonly rewriteTarget?: string;
  readonly sslRedirect: boolean;
  readonly forceSslRedirect: boolean;
  readonly redirect?: Redirect;
  readonly appRoot?: string;
  /** upstream-vhost: the Host header sent to the backend. */
  readonly upstreamVhost?: string;
  /** x-forwarded-prefix: the X-Forwarded-Prefix header sent to the backend. */
  readonly xForwardedPrefix?: string;
  readonly canary?: Canary;
  readonly backendProtocol: BackendProtocol;
  /** Seconds, as the annotations give them. */
  readonly timeouts: { readonly connect?: number; readonly read?: number; readonly send?: number };
  readonly cors?: Cors;
  readonly rateLimits?: RateLimits;
}

/** Per-Ingress record of what became of each annotation. */
export class Ledger {
  private readonly entries = new Map<string, Array<{ outcome: Outcome; message: string }>>();

  record(annotation: string, outcome: Outcome, message: string): void {
    let list = this.entries.get(annotation);
    if (!list) this.entries.set(annotation, (list = []));
    if (!list.some((e) => e.outcome === outcome && e.message === message)) list.push({ outcome, message });
  }

  has(annotation: string): boolean {
    return this.entries.has(annotation);
  }

  get(annotation: string): ReadonlyArray<{ outcome: Outcome; message: string }> {
    return this.entries.get(annotation) ?? [];
  }
}

// ingress-nginx's documented defaults for enable-cors.
const CORS_DEFAULT_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];
const CORS_DEFAULT_HEADERS = [
  'DNT',
  'Keep-Alive',
  'User-Agent',
  'X-Requested-With',
  'If-Modified-Since',
  'Cache-Control',
  'Content-Type',
  'Range',
  'Authorization',
];
const CORS_DEFAULT_MAX_AGE = 1728000;

const BACKEND_PROTOCOLS: readonly BackendProtocol[] = ['HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'H2C', 'AJP', 'FCGI'];

/** Reads an Ingress's nginx.ingress.kubernetes.io annotations; malformed values are recorded in the ledger and fall back to the default, as ingress-nginx does. */
export function parseNginxAnnotations(ing: Ingress, ledger: Ledger): NginxSettings {
  const a = ing.metadata.annotations ?? {};
  const get = (name: string): string | undefined => a[NGINX_PREFIX + name];
  const bool = (name: string, dflt: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return dflt;
    if (v === 'true') return true;
    if (v === 'false') return false;
    ledger.record(NGINX_PREFIX + name, 'not-convertible', `value "${v}" is not "true" or "false"; ingress-nginx ignores it and so does the conversion`);
    return dflt;
  };
  const int = (name: string, min: number): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      ledger.record(NGINX_PREFIX + name, 'not-convertible', `value "${v}" is not an integer >= ${min}; ingress-nginx ignores it and so does the conversion`);
      return undefined;
    }
    return n;
  };

  let redirect: Redirect | undefined;
  const permanent = get('permanent-redirect');
  const temporal = get('temporal-redirect');
  if (permanent) {
    const code = int('permanent-redirect-code', 300) ?? 301;
    redirect = { url: permanent, code, annotation: NGINX_PREFIX + 'permanent-redirect' };
  } else if (temporal) {
    const code = int('temporal-redirect-code', 300) ?? 302;
    redirect = { url: temporal, code, annotation: NGINX_PREFIX + 'temporal-redirect' };
  }

  let canary: Canary | undefined;
  if (bool('canary', false)) {
    const weight = int('canary-weight', 0);
    const weightTotal = int('canary-weight-total', 1) ?? 100;
    const header = get('canary-by-header') || undefined;
    const headerValue = get('canary-by-header-value') || undefined;
    const headerPattern = get('canary-by-header-pattern') || undefined;
    const cookie = get('canary-by-cookie') || undefined;
    canary = {
      ...(weight !== undefined ? { weight: Math.min(weight, weightTotal) } : {}),
      weightTotal,
      ...(header ? { header } : {}),
      ...(headerValue ? { headerValue } : {}),
      ...(headerPattern ? { headerPattern } : {}),
      ...(cookie ? { cookie } : {}),
    };
  }

  let backendProtocol: BackendProtocol = 'HTTP';
  const bp = get('backend-protocol');
  if (bp !== undefined) {
    const up = bp.toUpperCase() as BackendProtocol;
    if (BACKEND_PROTOCOLS.includes(up)) backendProtocol = up;
    else ledger.record(NGINX_PREFIX + 'backend-protocol', 'not-convertible', `unknown protocol "${bp}" (ingress-nginx knows ${BACKEND_PROTOCOLS.join(', ')})`);
  }

  let cors: Cors | undefined;
  if (bool('enable-cors', false)) {
    const list = (name: string): string[] | undefined => {
      const v = get(name);
      if (v === undefined) return undefined;
      return v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    };
    cors = {
      allowOrigins: list('cors-allow-origin') ?? ['*'],
      allowMethods: (list('cors-allow-methods') ?? CORS_DEFAULT_METHODS).map((m) => m.toUpperCase()),
      allowHeaders: list('cors-allow-headers') ?? CORS_DEFAULT_HEADERS,
      exposeHeaders: list('cors-expose-headers') ?? [],
      allowCredentials: bool('cors-allow-credentials', true),
      maxAge: int('cors-max-age', 0) ?? CORS_DEFAULT_MAX_AGE,
    };
  }

  let rateLimits: RateLimits | undefined;
  const rps = int('limit-rps', 1);
  const rpm = int('limit-rpm', 1);
  if (rps !== undefined || rpm !== undefined) {
    rateLimits = { ...(rps !== undefined ? { rps } : {}), ...(rpm !== undefined ? { rpm } : {}), burstMultiplier: int('limit-burst-multiplier', 1) ?? 5 };
  }

  const connect = int('proxy-connect-timeout', 0);
  const read = int('proxy-read-timeout', 0);
  const send = int('proxy-send-timeout', 0);
  const rewriteTarget = get('rewrite-target');
  const appRoot = get('app-root');
  const upstreamVhost = get('upstream-vhost');
  const xForwardedPrefix = get('x-forwarded-prefix');

  return {
    useRegex: bool('use-regex', false),
    fromToWwwRedirect: bool('from-to-www-redirect', false),
    sslPassthrough: bool('ssl-passthrough', false),
    ...(rewriteTarget ? { rewriteTarget } : {}),
    sslRedirect: bool('ssl-redirect', true),
    forceSslRedirect: bool('force-ssl-redirect', false),
    ...(redirect ? { redirect } : {}),
    ...(appRoot ? { appRoot } : {}),
    ...(upstreamVhost ? { upstreamVhost } : {}),
    ...(xForwardedPrefix ? { xForwardedPrefix } : {}),
    ...(canary ? { canary } : {}),
    backendProtocol,
    timeouts: { ...(connect !== undefined ? { connect } : {}), ...(read !== undefined ? { read } : {}), ...(send !== undefined ? { send } : {}) },
    ...(cors ? { cors } : {}),
    ...(rateLimits ? { rateLimits } : {}),
  };
}

/**
 * ingress-nginx annotations the conversion does not carry over, with what to
 * do instead. Keys are without the prefix.
 */
export const NGINX_NOT_CONVERTIBLE: Readonly<Record<string, string>> = {
  'auth-url':
    'external authentication: use an HTTPRoute ExternalAuth filter (protocol: HTTP, a 2xx answer allows; docs/translator.md) or an auth proxy in front of the backend',
  'auth-signin': 'external authentication sign-in redirect has no Gateway API equivalent',
  'auth-response-headers': 'external authentication has no standard Gateway API equivalent',
  'auth-snippet': 'nginx configuration snippets cannot be converted',
  'auth-type': 'basic/digest authentication has no Gateway API equivalent; enforce it in the backend',
  'auth-secret': 'basic/digest authentication has no Gateway API equivalent; enforce it in the backend',
  'auth-secret-type': 'basic/digest authentication has no Gateway API equivalent',
  'auth-realm': 'basic/digest authentication has no Gateway API equivalent',
  'auth-tls-secret': 'client certificate authentication: use Gateway spec.tls.frontend.validation (per Gateway, not per Ingress)',
  'auth-tls-verify-client': 'client certificate authentication: use Gateway spec.tls.frontend.validation (per Gateway, not per Ingress)',
  'auth-tls-verify-depth': 'client certificate verification depth has no Gateway API equivalent',
  'auth-tls-pass-certificate-to-upstream': 'passing the client certificate upstream has no Gateway API equivalent',
  'configuration-snippet': 'nginx configuration snippets cannot be converted; re-create the behaviour with HTTPRoute filters',
  'server-snippet': 'nginx configuration snippets cannot be converted',
  'stream-snippet': 'nginx configuration snippets cannot be converted',
  'whitelist-source-range': 'source address allow-lists have no Gateway API equivalent; use a NetworkPolicy or a policy attachment of your controller',
  'allowlist-source-range': 'source address allow-lists have no Gateway API equivalent; use a NetworkPolicy or a policy attachment of your controller',
  'denylist-source-range': 'source address deny-lists have no Gateway API equivalent',
  'proxy-body-size': 'request body size limits have no Gateway API equivalent',
  'client-body-buffer-size': 'nginx buffering settings have no Gateway API equivalent',
  'proxy-buffering': 'nginx buffering settings have no Gateway API equivalent (Envoy streams by default)',
  'proxy-buffer-size': 'nginx buffering settings have no Gateway API equivalent',
  'proxy-buffers-number': 'nginx buffering settings have no Gateway API equivalent',
  'proxy-request-buffering': 'nginx buffering settings have no Gateway API equivalent',
  'proxy-max-temp-file-size': 'nginx buffering settings have no Gateway API equivalent',
  'proxy-next-upstream': 'retry conditions: Gateway API HTTPRoute retry (codes, attempts) is experimental; set it by hand if your controller supports it',
  'proxy-next-upstream-tries': 'retry conditions: Gateway API HTTPRoute retry is experimental; set it by hand if your controller supports it',
  'proxy-next-upstream-timeout': 'retry timeouts have no standard Gateway API equivalent',
  'proxy-http-version': 'the upstream HTTP version follows the Service port appProtocol in Gateway API',
  'proxy-redirect-from': 'rewriting Location headers from the backend has no Gateway API equivalent',
  'proxy-redirect-to': 'rewriting Location headers from the backend has no Gateway API equivalent',
  'proxy-cookie-domain': 'rewriting Set-Cookie domains has no Gateway API equivalent',
  'proxy-cookie-path': 'rewriting Set-Cookie paths has no Gateway API equivalent',
  affinity: 'session affinity: Gateway API sessionPersistence is experimental; set it by hand if your controller supports it',
  'affinity-mode': 'session affinity: Gateway API sessionPersistence is experimental',
  'affinity-canary-behavior': 'session affinity has no standard Gateway API equivalent',
  'session-cookie-name': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-path': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-expires': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-max-age': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-samesite': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-secure': 'session affinity: Gateway API sessionPersistence is experimental',
  'session-cookie-change-on-failure': 'session affinity: Gateway API sessionPersistence is experimental',
  'upstream-hash-by': 'consistent hashing has no standard Gateway API equivalent',
  'load-balance': 'the load balancing algorithm has no standard Gateway API equivalent',
  'service-upstream': 'Gateway API implementations choose between Service IP and endpoints themselves',
  'custom-headers': 'response headers from a ConfigMap: use an HTTPRoute ResponseHeaderModifier filter by hand',
  'custom-http-errors': 'custom error pages have no Gateway API equivalent',
  'default-backend': 'a per-Ingress error backend has no Gateway API equivalent',
  'ssl-ciphers': 'cipher lists: Gateway API listener tls.options are implementation-specific',
  'ssl-prefer-server-ciphers': 'cipher preferences: Gateway API listener tls.options are implementation-specific',
  'proxy-ssl-secret': 'client certificates towards the backend: use Gateway spec.tls.backend.clientCertificateRef',
  'proxy-ssl-verify': 'backend certificate verification: see BackendTLSPolicy',
  'proxy-ssl-name': 'backend certificate verification: see BackendTLSPolicy validation.hostname',
  'proxy-ssl-server-name': 'backend SNI: see BackendTLSPolicy validation.hostname',
  'proxy-ssl-protocols': 'backend TLS versions have no Gateway API equivalent',
  'proxy-ssl-ciphers': 'backend TLS ciphers have no Gateway API equivalent',
  'proxy-ssl-verify-depth': 'backend certificate verification depth has no Gateway API equivalent',
  'mirror-target': 'mirroring to a URL: use an HTTPRoute RequestMirror filter with a Service backendRef by hand',
  'mirror-uri': 'mirroring to a URL: use an HTTPRoute RequestMirror filter with a Service backendRef by hand',
  'mirror-request-body': 'mirroring: use an HTTPRoute RequestMirror filter by hand',
  'mirror-host': 'mirroring: use an HTTPRoute RequestMirror filter by hand',
  'limit-connections': 'connection limits have no Gateway API or Switchyard RateLimit equivalent',
  'limit-whitelist': 'rate limit exemptions by source address are not supported by Switchyard RateLimit',
  'limit-allowlist': 'rate limit exemptions by source address are not supported by Switchyard RateLimit',
  'limit-rate': 'response bandwidth limits have no Gateway API equivalent',
  'limit-rate-after': 'response bandwidth limits have no Gateway API equivalent',
  'enable-access-log': 'access logging is configured per Gateway/fleet, not per route',
  'enable-rewrite-log': 'nginx rewrite logging has no equivalent',
  'enable-opentelemetry': 'tracing is configured per Gateway/fleet, not per route',
  'enable-opentracing': 'tracing is configured per Gateway/fleet, not per route',
  'modsecurity-snippet': 'WAF rules have no Gateway API equivalent',
  'enable-modsecurity': 'WAF has no Gateway API equivalent',
  'enable-owasp-core-rules': 'WAF has no Gateway API equivalent',
  'preserve-trailing-slash': 'Gateway API redirects keep the path as given',
  'server-alias': 'add the alias hosts to the HTTPRoute hostnames by hand',
  satisfy: 'combining authentication methods has no Gateway API equivalent',
  'http2-push-preload': 'HTTP/2 server push has no Gateway API equivalent',
  'connection-proxy-header': 'the Connection header towards the backend has no Gateway API equivalent',
};

/** The annotations parseNginxAnnotations reads (without prefix). */
export const NGINX_HANDLED: ReadonlySet<string> = new Set([
  'use-regex',
  'rewrite-target',
  'ssl-redirect',
  'force-ssl-redirect',
  'permanent-redirect',
  'temporal-redirect',
  'app-root',
  'canary',
  'backend-protocol',
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
  'enable-cors',
  'limit-rps',
  'limit-rpm',
  'upstream-vhost',
  'x-forwarded-prefix',
  'from-to-www-redirect',
  'ssl-passthrough',
]);

/** Annotations whose whole effect is captured elsewhere (read by the canary, redirect or cors handling). */
export const NGINX_COMPANIONS: Readonly<Record<string, string>> = {
  'permanent-redirect-code': 'permanent-redirect',
  'temporal-redirect-code': 'temporal-redirect',
  'canary-weight': 'canary',
  'canary-weight-total': 'canary',
  'canary-by-header': 'canary',
  'canary-by-header-value': 'canary',
  'canary-by-header-pattern': 'canary',
  'canary-by-cookie': 'canary',
  'cors-allow-origin': 'enable-cors',
  'cors-allow-methods': 'enable-cors',
  'cors-allow-headers': 'enable-cors',
  'cors-expose-headers': 'enable-cors',
  'cors-allow-credentials': 'enable-cors',
  'cors-max-age': 'enable-cors',
  'limit-burst-multiplier': 'limit-rps',
};
