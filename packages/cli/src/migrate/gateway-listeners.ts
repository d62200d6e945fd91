// The listeners of a converted Gateway, in the Gateway or its ListenerSets.
import { GATEWAY_GROUP, type Gateway, type KubeObject, type Listener, type ListenerSet } from '@switchyard/api';
import { cmp } from './report.js';
import { type IngressContext, type GatewayGroup, type GatewayEnv, type TlsHost, MIGRATED_FROM } from './convert-context.js';
import { dnsName, HTTP_LISTENER, httpsListenerName, passthroughListenerName } from './names.js';

export const MAX_LISTENERS = 64;

/** The Gateway of a group and, beyond 64 listeners, its ListenerSets: an HTTP listener, one HTTPS listener per TLS host, one TLS listener per passthrough host. */
export function gatewayObjects(
  g: GatewayGroup,
  tlsHosts: ReadonlyMap<string, TlsHost>,
  passthrough: ReadonlyMap<string, IngressContext>,
  env: GatewayEnv,
): KubeObject[] {
  const out: KubeObject[] = [];
  const listeners: Listener[] = [{ name: HTTP_LISTENER, port: 80, protocol: 'HTTP' }];
  const https: Array<[string, TlsHost | undefined]> = [
    ...tlsHosts.entries(),
    ...[...passthrough.keys()].map((h) => [h, undefined] as [string, undefined]),
  ].sort(([a], [b]) => cmp(a, b));
  // A Gateway holds 64 listeners at most; beyond that the HTTPS listeners go
  // into ListenerSets (64 each) attached to the Gateway.
  const useListenerSets = https.length + 1 > MAX_LISTENERS;
  const listenerSets: Array<{ name: string; listeners: Listener[] }> = [];
  for (const [i, [host, t]] of https.entries()) {
    let home = listeners;
    const listenerName = t ? httpsListenerName(host) : passthroughListenerName(host);
    if (useListenerSets) {
      const k = Math.floor(i / MAX_LISTENERS);
      if (!listenerSets[k]) listenerSets[k] = { name: env.names.claim('ListenerSet', g.namespace, `${g.name}-https-${k + 1}`), listeners: [] };
      home = listenerSets[k].listeners;
      g.listenerHomes.set(listenerName, listenerSets[k].name);
    }
    if (!t) {
      home.push({ name: listenerName, hostname: host, port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } });
      continue;
    }
    const certRef = { name: t.secretName, ...(t.secretNamespace !== g.namespace ? { namespace: t.secretNamespace } : {}) };
    // The grant names the kind holding the certificate reference.
    if (t.secretNamespace !== g.namespace) {
      env.grants.allow(
        dnsName(`from-gateway-${g.namespace}-${g.name}`),
        useListenerSets ? 'ListenerSet' : 'Gateway',
        g.namespace,
        'Secret',
        t.secretNamespace,
        t.secretName,
      );
    }
    home.push({
      name: httpsListenerName(host),
      ...(host ? { hostname: host } : {}),
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [certRef] },
    });
  }
  const routeNamespaces = [...new Set(g.contexts.map((c) => c.ns))].sort(cmp);
  if (routeNamespaces.some((ns) => ns !== g.namespace)) {
    const allowed =
      env.allowedRoutes === 'All'
        ? { namespaces: { from: 'All' as const } }
        : {
            namespaces: {
              from: 'Selector' as const,
              selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In' as const, values: routeNamespaces }] },
            },
          };
    for (const l of [...listeners, ...listenerSets.flatMap((ls) => ls.listeners)]) l.allowedRoutes = allowed;
  }
  const gateway: Gateway = {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'Gateway',
    metadata: { name: g.name, namespace: g.namespace, annotations: { [MIGRATED_FROM]: `IngressClass ${g.className}` } },
    spec: { gatewayClassName: env.gatewayClassName, listeners, ...(useListenerSets ? { allowedListeners: { namespaces: { from: 'Same' as const } } } : {}) },
  };
  out.push(gateway);
  for (const ls of listenerSets) {
    const set: ListenerSet = {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'ListenerSet',
      metadata: { name: ls.name, namespace: g.namespace, annotations: { [MIGRATED_FROM]: `IngressClass ${g.className}` } },
      spec: { parentRef: { name: g.name }, listeners: ls.listeners },
    };
    out.push(set);
  }
  if (useListenerSets) {
    g.contexts[0]!.findings.push({
      object: { kind: 'Gateway', namespace: g.namespace, name: g.name },
      field: 'spec.listeners',
      outcome: 'converted',
      message: `${https.length} HTTPS listeners exceed the ${MAX_LISTENERS} a Gateway may hold; they are in the ListenerSets ${listenerSets.map((ls) => ls.name).join(', ')}`,
    });
  }
  return out;
}
