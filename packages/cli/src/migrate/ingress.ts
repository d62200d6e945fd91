// networking.k8s.io/v1 Ingress and IngressClass, reduced to the fields the
// migration reads, and the rule ingress-nginx uses to decide which class an
// Ingress belongs to.
import type { KubeObject } from '@switchyard/api';

export const NETWORKING_GROUP = 'networking.k8s.io';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressServiceBackend {
  name: string;
  port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths?: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}

export type Ingress = KubeObject<IngressSpec, unknown>;

export interface IngressClassSpec {
  controller?: string;
  parameters?: { apiGroup?: string; kind: string; name: string; namespace?: string; scope?: string };
}

export type IngressClass = KubeObject<IngressClassSpec, unknown>;

/** The controller string ingress-nginx registers its IngressClasses with. */
export const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';

/** The legacy annotation that named the class before spec.ingressClassName. */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** Marks the IngressClass that Ingresses without a class get. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export function isIngress(o: KubeObject): o is Ingress {
  return o.kind === 'Ingress' && o.apiVersion === `${NETWORKING_GROUP}/v1`;
}

export function isIngressClass(o: KubeObject): o is IngressClass {
  return o.kind === 'IngressClass' && o.apiVersion === `${NETWORKING_GROUP}/v1`;
}

export function isDefaultClass(c: IngressClass): boolean {
  return c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** How an Ingress got its class: the field, the legacy annotation, the default class, or not at all. */
export type ClassSource =
  | { readonly kind: 'field'; readonly className: string }
  | { readonly kind: 'annotation'; readonly className: string }
  | { readonly kind: 'default'; readonly className: string }
  | { readonly kind: 'none' };

/**
 * The class an Ingress belongs to. spec.ingressClassName wins over the legacy
 * annotation (as in every controller since networking.k8s.io/v1); without
 * either, the default IngressClass applies — the API server writes it into new
 * Ingresses at admission, so only Ingresses created before the default class
 * existed reach this case. With several defaults the newest wins, as the
 * admission plugin picks it.
 */
export function classOf(ing: Ingress, classes: readonly IngressClass[]): ClassSource {
  const field = ing.spec?.ingressClassName;
  if (field) return { kind: 'field', className: field };
  const ann = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (ann) return { kind: 'annotation', className: ann };
  const defaults = classes.filter(isDefaultClass);
  if (defaults.length === 0) return { kind: 'none' };
  const newest = [...defaults].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  })[0]!;
  return { kind: 'default', className: newest.metadata.name };
}

/** "namespace/name" of a namespaced object. */
export function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
}
