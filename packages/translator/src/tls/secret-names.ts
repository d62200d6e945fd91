// The names of the SDS secrets a fleet carries. Stage 1 chooses them (a
// listener or cluster IR names its secrets, and SecretIR carries the same
// name); the emitters in envoy/ only copy them into Envoy resources.
/**
 * The SDS name of a kubernetes.io/tls Secret's certificate and key. The same
 * Secret used as a listener certificate and as a backend client certificate
 * is one SDS resource.
 */
export function certificateSecretName(namespace: string, name: string): string {
  return `tls/${namespace}/${name}`;
}

/**
 * The SDS name of a set of CA bundles trusted together, e.g.
 * "ca/ConfigMap/ns/a,ClusterTrustBundle/b" (a cluster-scoped object has no
 * namespace part). The order of the references is kept: it is the user's,
 * and it is deterministic.
 */
export function caBundleSecretName(refs: ReadonlyArray<{ readonly kind: string; readonly namespace: string; readonly name: string }>): string {
  return `ca/${refs.map((r) => (r.namespace === '' ? `${r.kind}/${r.name}` : `${r.kind}/${r.namespace}/${r.name}`)).join(',')}`;
}
