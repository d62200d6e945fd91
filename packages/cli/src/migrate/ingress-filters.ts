// The filters and timeouts every forwarding rule of an Ingress carries
// (CORS, rate limits, timeouts, upstream-vhost).
import { SWITCHYARD_GROUP, type HTTPRouteFilter, type HTTPRouteTimeouts, type KubeObject } from '@switchyard/api';
import { NGINX_PREFIX } from './nginx-annotations.js';
import { corsFilter } from './cors.js';
import { type IngressContext, type GatewayEnv, MIGRATED_FROM } from './convert-context.js';
import { PRECISE_HOSTNAME } from './names.js';

export interface IngressFilters {
  readonly filters: HTTPRouteFilter[];
  readonly timeouts?: HTTPRouteTimeouts;
}

/** Filters and timeouts every forwarding rule of an Ingress carries: CORS, rate limits, timeouts. */
export function ingressFilters(c: IngressContext, env: GatewayEnv): IngressFilters {
  const s = c.settings;
  const filters: HTTPRouteFilter[] = [];
  if (s.upstreamVhost !== undefined) {
    const ann = NGINX_PREFIX + 'upstream-vhost';
    if (PRECISE_HOSTNAME.test(s.upstreamVhost))
      c.ledger.record(ann, 'converted', `URLRewrite hostname ${s.upstreamVhost}: the backend sees Host: ${s.upstreamVhost}`);
    else
      c.ledger.record(
        ann,
        'not-convertible',
        `"${s.upstreamVhost}" is not a plain host name (no port, no nginx variables), which is all Gateway API URLRewrite takes`,
      );
  }
  if (s.xForwardedPrefix !== undefined) {
    filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Forwarded-Prefix', value: s.xForwardedPrefix }] } });
    c.ledger.record(NGINX_PREFIX + 'x-forwarded-prefix', 'converted', `RequestHeaderModifier sets X-Forwarded-Prefix: ${s.xForwardedPrefix}`);
  }
  if (s.cors) {
    const { filter, caveats } = corsFilter(s.cors);
    filters.push({ type: 'CORS', cors: filter });
    c.ledger.record(
      NGINX_PREFIX + 'enable-cors',
      caveats.length ? 'converted-with-caveat' : 'converted',
      caveats.length ? caveats.join('; ') : 'HTTPRoute CORS filter',
    );
  }
  if (s.rateLimits) {
    const units: Array<['rps' | 'rpm', number | undefined, 'Second' | 'Minute']> = [
      ['rps', s.rateLimits.rps, 'Second'],
      ['rpm', s.rateLimits.rpm, 'Minute'],
    ];
    for (const [suffix, n, unit] of units) {
      if (n === undefined) continue;
      const name = env.names.claim('RateLimit', c.ns, `${c.ing.metadata.name}-${suffix}`);
      const rateLimit: KubeObject = {
        apiVersion: `${SWITCHYARD_GROUP}/v1alpha1`,
        kind: 'RateLimit',
        metadata: { name, namespace: c.ns, annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` } },
        spec: { requests: n, unit, burst: n * s.rateLimits.burstMultiplier, key: { type: 'ClientAddress' } },
      };
      env.rateLimits.set(`${c.ns}/${name}`, rateLimit);
      env.own(rateLimit, c);
      filters.push({ type: 'ExtensionRef', extensionRef: { group: SWITCHYARD_GROUP, kind: 'RateLimit', name } });
      c.ledger.record(
        NGINX_PREFIX + `limit-${suffix}`,
        'converted-with-caveat',
        `RateLimit ${name}: ${n} requests per ${unit.toLowerCase()} per client address, burst ${n * s.rateLimits.burstMultiplier}; like ingress-nginx (per controller pod) it counts per proxy (per Envoy pod), but limited requests get 429 where ingress-nginx answered 503 (its limit-req-status-code default)`,
      );
    }
  }
  let timeouts: HTTPRouteTimeouts | undefined;
  const t = s.timeouts;
  if (t.read !== undefined || t.send !== undefined) {
    const secs = Math.max(t.read ?? 0, t.send ?? 0);
    timeouts = { request: `${secs}s` };
    const msg = `timeouts.request ${secs}s: ingress-nginx's read/send timeouts bound the time between two reads or writes, Gateway API's request timeout bounds the whole request, so long streaming responses may now be cut`;
    if (t.read !== undefined) c.ledger.record(NGINX_PREFIX + 'proxy-read-timeout', 'converted-with-caveat', msg);
    if (t.send !== undefined) c.ledger.record(NGINX_PREFIX + 'proxy-send-timeout', 'converted-with-caveat', msg);
  }
  if (t.connect !== undefined) {
    c.ledger.record(
      NGINX_PREFIX + 'proxy-connect-timeout',
      'not-convertible',
      'Gateway API has no connection timeout towards the backend; the implementation default applies',
    );
  }
  return { filters, ...(timeouts ? { timeouts } : {}) };
}
