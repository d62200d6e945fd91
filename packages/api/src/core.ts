// The core Kubernetes kinds the translator reads (v1 and discovery.k8s.io/v1),
// reduced to the fields it uses.
import type { KubeObject } from './object.js';

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
}

export type Service = KubeObject<ServiceSpec, unknown>;

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
}

export interface EndpointPort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number;
  appProtocol?: string;
}

/** discovery.k8s.io/v1 EndpointSlice; unlike most kinds it has no spec. */
export interface EndpointSlice extends KubeObject<never, never> {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Endpoint[];
  ports?: EndpointPort[];
}

/** The label linking an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Secret extends KubeObject<never, never> {
  type?: string;
  /** base64 values, as the API serves them. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ConfigMap extends KubeObject<never, never> {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** The API group of ClusterTrustBundle (and of CertificateSigningRequest). */
export const CERTIFICATES_GROUP = 'certificates.k8s.io';

/**
 * certificates.k8s.io ClusterTrustBundle (v1alpha1, v1beta1, v1): a
 * cluster-scoped set of X.509 trust anchors. Gateway API v1.7 (GEP-5075)
 * lets caCertificateRefs name one; the translator reads spec.trustBundle.
 */
export interface ClusterTrustBundleSpec {
  signerName?: string;
  /** One or more PEM CERTIFICATE blocks. */
  trustBundle?: string;
}

export type ClusterTrustBundle = KubeObject<ClusterTrustBundleSpec, never>;

export type Namespace = KubeObject<unknown, unknown>;
