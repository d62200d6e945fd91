// CA certificate bundles: the trust anchors for frontend client certificate
// validation (Gateway spec.tls.frontend caCertificateRefs) and for upstream
// TLS (BackendTLSPolicy validation.caCertificateRefs). Both look for the key
// "ca.crt" in a ConfigMap (core support) or Secret (implementation-specific),
// or read spec.trustBundle of a certificates.k8s.io ClusterTrustBundle
// (extended support, GEP-5075).
import { configMapValue, objectKey, secretValue, trustBundleValue, type ClusterTrustBundleData, type ConfigMapData, type SecretData } from './object-data.js';
import { parseCertificateBundle } from './pem.js';

/** The key a CA bundle lives under, by Kubernetes convention (cert-manager, kube-root-ca.crt). */
export const CA_BUNDLE_KEY = 'ca.crt';

export interface CaBundle {
  /** "ConfigMap namespace/name", "Secret namespace/name" or "ClusterTrustBundle name". */
  readonly source: string;
  readonly pem: string;
  readonly count: number;
  readonly subjects: readonly string[];
}

export type CaBundleCheck = { readonly ok: true; readonly bundle: CaBundle } | { readonly ok: false; readonly message: string };

export type CaBundleSource =
  | { readonly kind: 'ConfigMap'; readonly object: ConfigMapData }
  | { readonly kind: 'Secret'; readonly object: SecretData }
  | { readonly kind: 'ClusterTrustBundle'; readonly object: ClusterTrustBundleData };

/** Checks that the object's ca.crt (a ClusterTrustBundle's spec.trustBundle) holds one or more PEM certificates, and nothing else. */
export function checkCaBundle(src: CaBundleSource): CaBundleCheck {
  // Same reasoning as the certificate check: snapshot objects are immutable, so cache by identity.
  const hit = bundles.get(src.object);
  if (hit) return hit;
  const check = checkUncached(src);
  bundles.set(src.object, check);
  return check;
}

const bundles = new WeakMap<object, CaBundleCheck>();

function checkUncached(src: CaBundleSource): CaBundleCheck {
  const source = src.kind === 'ClusterTrustBundle' ? `ClusterTrustBundle ${src.object.metadata.name}` : `${src.kind} ${objectKey(src.object)}`;
  const [text, where] =
    src.kind === 'ConfigMap'
      ? [configMapValue(src.object, CA_BUNDLE_KEY), CA_BUNDLE_KEY]
      : src.kind === 'Secret'
        ? [secretValue(src.object, CA_BUNDLE_KEY), CA_BUNDLE_KEY]
        : [trustBundleValue(src.object), 'spec.trustBundle'];
  if (text === undefined || text.trim() === '') return { ok: false, message: `${source} has no ${where}` };
  const parsed = parseCertificateBundle(text);
  if (!parsed.ok) return { ok: false, message: `${source} ${where}: ${parsed.message}` };
  return { ok: true, bundle: { source, pem: parsed.pem, count: parsed.certificates.length, subjects: parsed.certificates.map((c) => c.subject) } };
}

/** Several bundles trusted together (several caCertificateRefs) as one PEM text. */
export function mergeCaBundles(bundles: readonly CaBundle[]): string {
  // Deduplicate identical certificates so the same CA referenced twice does
  // not change the bytes Envoy receives.
  const seen = new Set<string>();
  let out = '';
  for (const b of bundles) {
    for (const block of b.pem.split(/(?<=-----END CERTIFICATE-----\n)/)) {
      if (block.trim() === '' || seen.has(block)) continue;
      seen.add(block);
      out += block;
    }
  }
  return out;
}
