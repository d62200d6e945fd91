// Resolving the TLS references of Gateway API objects to checked key
// material: listener certificateRefs, Gateway spec.tls.backend
// clientCertificateRef, and CA certificate references (Gateway frontend
// validation, BackendTLSPolicy; ConfigMap, Secret or ClusterTrustBundle). Each gives the SDS secrets to ship and, when
// something is wrong, the reason the spec prescribes with a message naming
// the field and the object.
import { CERTIFICATES_GROUP, type Snapshot } from '@switchyard/api';
import { checkCaBundle, mergeCaBundles, type CaBundle } from './ca-bundle.js';
import { checkTlsCertificateSecret, type TlsCertificatePair } from './certificate.js';
import type { ClusterTrustBundleData, ConfigMapData, SecretData } from './object-data.js';
import { caBundleSecretName, certificateSecretName } from './secret-names.js';

/** A reference as the Gateway API spells it (SecretObjectReference, ObjectReference, LocalObjectReference). */
export interface TlsObjectReference {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
  readonly namespace?: string;
}

/** The object holding the reference, for ReferenceGrant checks (from). */
export interface Referrer {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
}

export type ReferenceAllowed = (from: Referrer, to: { group: string; kind: string; namespace: string; name: string }) => boolean;

export interface ResolvedCertificate {
  /** SDS secret name (certificateSecretName). */
  readonly secretName: string;
  readonly pair: TlsCertificatePair;
}

export type CertificateRefProblem = 'InvalidCertificateRef' | 'RefNotPermitted';

export interface CertificateRefsResult {
  /** The references that resolved to a usable certificate, in spec order. */
  readonly certificates: readonly ResolvedCertificate[];
  /** The first problem's reason (RefNotPermitted only when the reference was not allowed) and every problem's message. */
  readonly problem?: { readonly reason: CertificateRefProblem; readonly message: string };
  readonly warnings: readonly string[];
}

/** The references in a field; one that is not a list (objects from files skip CRD validation) holds none. */
function refList(refs: readonly TlsObjectReference[] | undefined): readonly TlsObjectReference[] {
  return Array.isArray(refs) ? (refs as readonly TlsObjectReference[]) : [];
}

function refNamespace(ref: TlsObjectReference, from: Referrer): string {
  return typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : from.namespace;
}

/**
 * Resolves certificate references (kind Secret in the core group; another
 * group or kind is InvalidCertificateRef as the conformance suite expects).
 * `field` is the path used in messages, e.g. "spec.listeners[1].tls.certificateRefs".
 */
export function resolveCertificateRefs(
  refs: readonly TlsObjectReference[] | undefined,
  from: Referrer,
  field: string,
  snapshot: Snapshot,
  referenceAllowed: ReferenceAllowed,
  now: Date,
): CertificateRefsResult {
  const certificates: ResolvedCertificate[] = [];
  const problems: Array<{ reason: CertificateRefProblem; message: string }> = [];
  const warnings: string[] = [];
  for (const [i, ref] of refList(refs).entries()) {
    const r = resolveCertificateRef(ref, from, `${field}[${i}]`, snapshot, referenceAllowed, now);
    if (r.ok) {
      certificates.push(r.certificate);
      warnings.push(...r.certificate.pair.warnings);
    } else problems.push(r);
  }
  const first = problems[0];
  return {
    certificates,
    ...(first
      ? {
          problem: {
            reason: problems.some((p) => p.reason === 'RefNotPermitted') ? 'RefNotPermitted' : first.reason,
            message: problems.map((p) => p.message).join('; '),
          },
        }
      : {}),
    warnings,
  };
}

export type CertificateRefResolution =
  { readonly ok: true; readonly certificate: ResolvedCertificate } | { readonly ok: false; readonly reason: CertificateRefProblem; readonly message: string };

export function resolveCertificateRef(
  ref: TlsObjectReference,
  from: Referrer,
  field: string,
  snapshot: Snapshot,
  referenceAllowed: ReferenceAllowed,
  now: Date,
): CertificateRefResolution {
  if (!ref || typeof ref !== 'object' || typeof ref.name !== 'string' || ref.name === '')
    return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: name is required` };
  const group = typeof ref.group === 'string' ? ref.group : '';
  const kind = typeof ref.kind === 'string' ? ref.kind : 'Secret';
  const namespace = refNamespace(ref, from);
  if (group !== '' || kind !== 'Secret') {
    return {
      ok: false,
      reason: 'InvalidCertificateRef',
      message: `${field}: ${group === '' ? 'core' : group}/${kind} ${namespace}/${ref.name} is not supported; only core Secrets hold certificates`,
    };
  }
  if (namespace !== from.namespace && !referenceAllowed(from, { group: '', kind: 'Secret', namespace, name: ref.name })) {
    return {
      ok: false,
      reason: 'RefNotPermitted',
      message: `${field}: Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there allows ${from.kind} references from namespace ${from.namespace}`,
    };
  }
  const secret = snapshot.get<SecretData & { apiVersion: string; kind: string }>('', 'Secret', namespace, ref.name);
  if (!secret) return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: Secret ${namespace}/${ref.name} not found` };
  const check = checkTlsCertificateSecret(secret, now);
  if (!check.ok) return { ok: false, reason: 'InvalidCertificateRef', message: `${field}: ${check.message}` };
  return { ok: true, certificate: { secretName: certificateSecretName(namespace, ref.name), pair: check.certificate } };
}

export type CaRefProblem = 'InvalidCACertificateRef' | 'InvalidCACertificateKind' | 'RefNotPermitted';

export interface CaRefsResult {
  /** The merged trust bundle of every valid reference, and its SDS name; absent when none is valid. */
  readonly bundle?: { readonly secretName: string; readonly pem: string; readonly sources: readonly CaBundle[] };
  readonly problem?: { readonly reason: CaRefProblem; readonly message: string };
}

/** Whether the cluster serves a kind (the controller's API discovery; files serve every kind). */
export type KindServed = (group: string, kind: string) => boolean;

const CLUSTER_TRUST_BUNDLE = { group: CERTIFICATES_GROUP, kind: 'ClusterTrustBundle' } as const;

type CaRefResolution =
  | { readonly ok: true; readonly kind: string; readonly namespace: string; readonly bundle: CaBundle }
  | { readonly ok: false; readonly reason: CaRefProblem; readonly message: string };

/**
 * Resolves CA certificate references: core ConfigMap (Core support), Secret
 * (implementation-specific) with the key ca.crt, or a cluster-scoped
 * certificates.k8s.io ClusterTrustBundle's spec.trustBundle (Extended,
 * GEP-5075). Any other kind, or a ClusterTrustBundle the cluster does not
 * serve, is InvalidCACertificateKind; a missing object, a bad bundle or a
 * namespace on a ClusterTrustBundle reference InvalidCACertificateRef; a
 * cross-namespace reference without a ReferenceGrant RefNotPermitted (a
 * ClusterTrustBundle needs none: it has no namespace to grant from).
 */
export function resolveCaCertificateRefs(
  refs: readonly TlsObjectReference[] | undefined,
  from: Referrer,
  field: string,
  snapshot: Snapshot,
  referenceAllowed: ReferenceAllowed,
  kindServed: KindServed = () => true,
): CaRefsResult {
  const valid: Array<{ kind: string; namespace: string; name: string; bundle: CaBundle }> = [];
  const problems: Array<{ reason: CaRefProblem; message: string }> = [];
  for (const [i, ref] of refList(refs).entries()) {
    const r = resolveCaCertificateRef(ref, from, `${field}[${i}]`, snapshot, referenceAllowed, kindServed);
    if (r.ok) valid.push({ kind: r.kind, namespace: r.namespace, name: ref.name, bundle: r.bundle });
    else problems.push({ reason: r.reason, message: r.message });
  }
  const first = problems[0];
  return {
    ...(valid.length > 0
      ? { bundle: { secretName: caBundleSecretName(valid), pem: mergeCaBundles(valid.map((v) => v.bundle)), sources: valid.map((v) => v.bundle) } }
      : {}),
    ...(first ? { problem: { reason: first.reason, message: problems.map((p) => p.message).join('; ') } } : {}),
  };
}

function resolveCaCertificateRef(
  ref: TlsObjectReference,
  from: Referrer,
  f: string,
  snapshot: Snapshot,
  referenceAllowed: ReferenceAllowed,
  kindServed: KindServed,
): CaRefResolution {
  if (!ref || typeof ref !== 'object' || typeof ref.name !== 'string' || ref.name === '')
    return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: name is required` };
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'ConfigMap';
  if (group === CLUSTER_TRUST_BUNDLE.group && kind === CLUSTER_TRUST_BUNDLE.kind) return resolveClusterTrustBundle(ref, f, snapshot, kindServed);
  const namespace = refNamespace(ref, from);
  if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) {
    return {
      ok: false,
      reason: 'InvalidCACertificateKind',
      message: `${f}: ${group === '' ? 'core' : group}/${kind} is not supported for CA certificates; use a ConfigMap (or Secret) with a ca.crt key, or a certificates.k8s.io ClusterTrustBundle`,
    };
  }
  if (namespace !== from.namespace && !referenceAllowed(from, { group: '', kind, namespace, name: ref.name })) {
    return {
      ok: false,
      reason: 'RefNotPermitted',
      message: `${f}: ${kind} ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there allows ${from.kind} references from namespace ${from.namespace}`,
    };
  }
  const check =
    kind === 'ConfigMap'
      ? ((o) => (o ? checkCaBundle({ kind: 'ConfigMap', object: o }) : undefined))(
          snapshot.get<ConfigMapData & { apiVersion: string; kind: string }>('', 'ConfigMap', namespace, ref.name),
        )
      : ((o) => (o ? checkCaBundle({ kind: 'Secret', object: o }) : undefined))(
          snapshot.get<SecretData & { apiVersion: string; kind: string }>('', 'Secret', namespace, ref.name),
        );
  if (!check) return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: ${kind} ${namespace}/${ref.name} not found` };
  if (!check.ok) return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: ${check.message}` };
  return { ok: true, kind, namespace, bundle: check.bundle };
}

/**
 * A ClusterTrustBundle reference (GEP-5075): cluster-scoped, so by name only
 * and without ReferenceGrant. A cluster that does not serve the API makes the
 * kind unresolvable (InvalidKind on BackendTLSPolicy), which tells a
 * provisioning problem apart from a missing or malformed bundle.
 */
function resolveClusterTrustBundle(ref: TlsObjectReference, f: string, snapshot: Snapshot, kindServed: KindServed): CaRefResolution {
  const { group, kind } = CLUSTER_TRUST_BUNDLE;
  if (!kindServed(group, kind)) {
    return {
      ok: false,
      reason: 'InvalidCACertificateKind',
      message: `${f}: the cluster does not serve ${group} ${kind} (Kubernetes 1.33-1.36 need the ClusterTrustBundle feature gate and runtime-config ${group}/v1beta1/clustertrustbundles=true)`,
    };
  }
  if (typeof ref.namespace === 'string' && ref.namespace !== '')
    return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: namespace must be unset for a ClusterTrustBundle (it is cluster-scoped)` };
  const o = snapshot.get<ClusterTrustBundleData & { apiVersion: string; kind: string }>(group, kind, undefined, ref.name);
  if (!o) return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: ClusterTrustBundle ${ref.name} not found` };
  const check = checkCaBundle({ kind: 'ClusterTrustBundle', object: o });
  if (!check.ok) return { ok: false, reason: 'InvalidCACertificateRef', message: `${f}: ${check.message}` };
  return { ok: true, kind, namespace: '', bundle: check.bundle };
}
