// `translate --add-missing-endpoints`: a Service with no EndpointSlice gets
// one, with a single 127.0.0.1 endpoint per Service port, so a translation of
// bare route manifests shows clusters with endpoints (and an Envoy pointed at
// it reaches something local) without writing EndpointSlices by hand.
import type { KubeObject } from '@switchyard/api';

/** The label an EndpointSlice names its Service with. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

interface ServiceSpec {
  type?: string;
  ports?: ServicePort[];
}

/** EndpointSlices for every Service in `objects` that has none. */
export function synthesizeMissingEndpointSlices(objects: readonly KubeObject[]): KubeObject[] {
  const covered = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'EndpointSlice' || o.apiVersion !== 'discovery.k8s.io/v1') continue;
    const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svc) covered.add(`${o.metadata.namespace ?? 'default'}/${svc}`);
  }
  const out: KubeObject[] = [];
  for (const o of objects) {
    if (o.kind !== 'Service' || o.apiVersion !== 'v1') continue;
    const namespace = o.metadata.namespace ?? 'default';
    if (covered.has(`${namespace}/${o.metadata.name}`)) continue;
    const spec = (o.spec ?? {}) as ServiceSpec;
    // An ExternalName Service resolves through DNS, never through endpoints.
    if (spec.type === 'ExternalName') continue;
    const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter((p) => typeof p?.port === 'number');
    if (ports.length === 0) continue;
    covered.add(`${namespace}/${o.metadata.name}`);
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${o.metadata.name}-switchyard-local`,
        namespace,
        generation: 1,
        labels: { [SERVICE_NAME_LABEL]: o.metadata.name },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }],
      // EndpointSlice ports are the ports on the endpoint: the numeric
      // targetPort when there is one, else the Service port (a named
      // targetPort would need a Pod to resolve).
      ports: ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: typeof p.targetPort === 'number' ? p.targetPort : p.port,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      })),
    } as KubeObject);
  }
  return out;
}
