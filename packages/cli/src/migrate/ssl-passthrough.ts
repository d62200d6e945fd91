// nginx.ingress.kubernetes.io/ssl-passthrough: a TLS listener in Passthrough
// mode and a TLSRoute per host.
import { GATEWAY_GROUP, type TLSRoute, type ParentReference } from '@switchyard/api';
import { convertBackend } from './backends.js';
import { NGINX_PREFIX } from './nginx-annotations.js';
import { type IngressContext, type GatewayGroup, type GatewayEnv, type TlsHost, MIGRATED_FROM } from './convert-context.js';
import { dnsName, passthroughListenerName } from './names.js';

/**
 * ssl-passthrough: ingress-nginx hands the TLS connections of these hosts
 * to the backend by SNI, before any HTTP processing (plain HTTP on port 80
 * is still served by the Ingress's rules). Gateway API: a TLS listener in
 * Passthrough mode and a TLSRoute; the host gets no HTTPS listener.
 * Removes those hosts from `tlsHosts`.
 */
export function passthroughHostsOf(mains: readonly IngressContext[], tlsHosts: Map<string, TlsHost>): Map<string, IngressContext> {
  const passthrough = new Map<string, IngressContext>();
  for (const c of mains) {
    if (!c.settings.sslPassthrough || c.semantics !== 'ingress-nginx') continue;
    const ann = NGINX_PREFIX + 'ssl-passthrough';
    for (const r of c.ing.spec?.rules ?? []) {
      const host = r.host ?? '';
      if (!host) {
        c.ledger.record(ann, 'not-convertible', 'a rule without host cannot be passed through: TLS passthrough selects the backend by SNI');
        continue;
      }
      if (passthrough.has(host)) continue;
      passthrough.set(host, c);
      if (tlsHosts.delete(host)) {
        c.ledger.record(
          ann,
          'converted-with-caveat',
          `the TLS certificate listed for ${host} is not used (with passthrough the backend terminates TLS, as under ingress-nginx), and plain HTTP requests for ${host} are served by the rules rather than redirected to HTTPS`,
        );
      }
    }
  }
  return passthrough;
}

/**
 * The TLSRoute of an ssl-passthrough host: ingress-nginx sends the stream to
 * the backend of the host's "/" path (else its first path).
 */
export function tlsRouteFor(c: IngressContext, g: GatewayGroup, host: string, env: GatewayEnv): TLSRoute | undefined {
  const ann = NGINX_PREFIX + 'ssl-passthrough';
  const paths = (c.ing.spec?.rules ?? []).filter((r) => (r.host ?? '') === host).flatMap((r) => r.http?.paths ?? []);
  const chosen = paths.find((p) => (p.path || '/') === '/') ?? paths[0];
  const b = convertBackend(chosen?.backend ?? c.ing.spec?.defaultBackend, c.ns, c.ns, env.services);
  if (b.kind === 'error') {
    c.ledger.record(ann, 'not-convertible', `${host}: ${b.message}`);
    return undefined;
  }
  c.ledger.record(ann, 'converted', `TLS for ${host} is passed through (TLS listener in Passthrough mode and a TLSRoute to ${b.ref.name}:${b.ref.port ?? ''})`);
  const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
  const listener = passthroughListenerName(host);
  const set = g.listenerHomes.get(listener);
  const parent: ParentReference = set
    ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName: listener }
    : { name: g.name, ...ns, sectionName: listener };
  const { filters: _none, ...ref } = b.ref;
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'TLSRoute',
    metadata: {
      name: env.names.claim('TLSRoute', c.ns, `${c.ing.metadata.name}-${dnsName(host)}`),
      namespace: c.ns,
      annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
    },
    spec: { parentRefs: [parent], hostnames: [host], rules: [{ backendRefs: [ref] }] },
  };
}
