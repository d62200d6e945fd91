// Fields users copy from guides that Switchyard does not act on, reported
// rather than dropped in silence. An API server prunes fields that are not
// in the Gateway API schema (kubectl prints "unknown field"), but objects
// from files (`switchyard translate -f`, `serve --from-dir`) keep them, and
// TLS `options` are a real map whose keys are implementation-specific:
// Switchyard implements none, so each key given is named in the listener's
// status with what to use instead.

/** Where the guide's option keys live in Switchyard. */
const INSTEAD: Readonly<Record<string, string>> = {
  'gateway.networking.k8s.io/access-log': 'a ProxyConfig with spec.accessLog (switchyard.dev)',
  'gateway.networking.k8s.io/trace-sampling':
    'an XTelemetryPolicy with spec.tracing.samplingRate, or a ProxyConfig with spec.tracing.samplingPercent (switchyard.dev)',
  'gateway.networking.k8s.io/auth-type': 'Gateway spec.tls.frontend (client certificate validation)',
  'gateway.networking.k8s.io/backend-tls': 'a BackendTLSPolicy',
};

function keysWithHints(m: Record<string, unknown>): string {
  return Object.keys(m)
    .sort()
    .map((k) => (INSTEAD[k] ? `${k} (use ${INSTEAD[k]})` : k))
    .join(', ');
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** What of a listener Switchyard ignores, each naming its field; empty when nothing. */
export function ignoredListenerFields(l: unknown, index: number): string[] {
  const out: string[] = [];
  const x = (l ?? {}) as { options?: unknown; tls?: { options?: unknown } };
  if (isMap(x.options) && Object.keys(x.options).length > 0) {
    out.push(`spec.listeners[${index}].options is not a Gateway API field (an API server drops it): ${keysWithHints(x.options)}`);
  }
  if (isMap(x.tls?.options) && Object.keys(x.tls.options).length > 0) {
    out.push(`spec.listeners[${index}].tls.options: Switchyard implements no TLS options: ${keysWithHints(x.tls.options)}`);
  }
  return out;
}

/**
 * Route rule fields Gateway API v1.7 removed or renamed (experimental
 * SessionPersistence): an API server with v1.7 CRDs prunes them, objects from
 * files keep them. Each is named with what replaced it; the rule still works.
 */
export function removedRuleFields(rule: unknown, field: string): string[] {
  const sp = (rule as { sessionPersistence?: unknown } | null)?.sessionPersistence;
  if (!isMap(sp)) return [];
  const out: string[] = [];
  const f = `${field}.sessionPersistence`;
  if (sp.sessionName !== undefined)
    out.push(`${f}.sessionName was removed in Gateway API v1.7: use ${f}.cookie.name (type Cookie) or ${f}.header.name (type Header)`);
  if (sp.cookieConfig !== undefined) out.push(`${f}.cookieConfig was renamed in Gateway API v1.7: use ${f}.cookie`);
  return out;
}

/** A backendRef's `tls` (not a Gateway API field): the backend would silently get plain text. */
export function backendRefTlsProblem(ref: unknown, field: string): string | undefined {
  const t = (ref as { tls?: unknown } | null)?.tls;
  if (t === undefined) return undefined;
  return `${field}.tls is not a Gateway API field (an API server drops it) and is ignored: traffic to this backend is not encrypted; use a BackendTLSPolicy for TLS to the backend`;
}
