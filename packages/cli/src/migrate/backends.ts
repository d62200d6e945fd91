// Ingress backends -> HTTPRoute backendRefs. Gateway API names a Service port
// by number only, so a port given by name is looked up in the Service.
import type { HTTPBackendRef, Service } from '@switchyard/api';
import type { IngressBackend } from './ingress.js';

export type BackendConversion =
  | {
      readonly kind: 'ok';
      readonly ref: HTTPBackendRef;
      readonly service?: { readonly namespace: string; readonly name: string; readonly port: number };
      readonly caveats: readonly string[];
    }
  | { readonly kind: 'error'; readonly message: string };

export type ServiceLookup = (namespace: string, name: string) => Service | undefined;

/** Converts one backend of an Ingress in `namespace` for a route living in `routeNamespace`. */
export function convertBackend(b: IngressBackend | undefined, namespace: string, routeNamespace: string, services: ServiceLookup): BackendConversion {
  if (!b || (!b.service && !b.resource)) return { kind: 'error', message: 'backend has neither service nor resource' };
  const nsField = namespace !== routeNamespace ? { namespace } : {};
  if (b.resource) {
    const group = b.resource.apiGroup ?? '';
    return {
      kind: 'ok',
      ref: { group, kind: b.resource.kind, name: b.resource.name, ...nsField },
      caveats: [
        `resource backend ${group ? `${group}/` : ''}${b.resource.kind} ${b.resource.name} is kept as a backendRef; Switchyard routes to Services (and ServiceImports) only and will report it with ResolvedRefs=False, answering 500`,
      ],
    };
  }
  const svc = b.service!;
  if (!svc.name) return { kind: 'error', message: 'service backend has no name' };
  const port = svc.port;
  if (port?.number !== undefined) {
    return { kind: 'ok', ref: { name: svc.name, ...nsField, port: port.number }, service: { namespace, name: svc.name, port: port.number }, caveats: [] };
  }
  if (port?.name) {
    const found = services(namespace, svc.name);
    if (!found) {
      return {
        kind: 'error',
        message: `service port "${port.name}" is given by name and Service ${namespace}/${svc.name} is not in the input, so its number is unknown (Gateway API needs the number): add the Service to the input or use port.number`,
      };
    }
    const p = found.spec?.ports?.find((x) => x.name === port.name);
    if (!p) return { kind: 'error', message: `Service ${namespace}/${svc.name} has no port named "${port.name}"` };
    return { kind: 'ok', ref: { name: svc.name, ...nsField, port: p.port }, service: { namespace, name: svc.name, port: p.port }, caveats: [] };
  }
  return { kind: 'error', message: `service backend ${svc.name} has no port` };
}
