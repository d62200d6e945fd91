// Reading the bytes of a Secret or ConfigMap key (or a ClusterTrustBundle's
// spec.trustBundle). Objects from the API server
// carry base64 `data`; objects written by hand in YAML (switchyard serve
// --from-dir) often carry plain `stringData` instead, which the API server
// would have folded into `data` on write. Both are accepted, `data` first.

/** The fields of a core/v1 Secret the TLS checks read. */
export interface SecretData {
  readonly metadata: { readonly namespace?: string; readonly name: string };
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

/** The fields of a core/v1 ConfigMap the TLS checks read. */
export interface ConfigMapData {
  readonly metadata: { readonly namespace?: string; readonly name: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

/** The fields of a certificates.k8s.io ClusterTrustBundle the CA check reads (cluster-scoped: no namespace). */
export interface ClusterTrustBundleData {
  readonly metadata: { readonly namespace?: string; readonly name: string };
  readonly spec?: { readonly trustBundle?: unknown };
}

/** A ClusterTrustBundle's PEM text, or undefined when spec.trustBundle is absent or not a string. */
export function trustBundleValue(ctb: ClusterTrustBundleData): string | undefined {
  const spec: unknown = ctb.spec;
  if (!isRecord(spec)) return undefined;
  return typeof spec.trustBundle === 'string' ? spec.trustBundle : undefined;
}

/** The Secret type the Gateway API requires for serving certificates. */
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** A Secret key's value as text, or undefined when absent or not valid base64. */
export function secretValue(secret: SecretData, key: string): string | undefined {
  // Objects from files may hold anything; only strings are data.
  const b64 = isRecord(secret.data) ? secret.data[key] : undefined;
  if (b64 !== undefined) return typeof b64 === 'string' && BASE64.test(b64) ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
  const text = isRecord(secret.stringData) ? secret.stringData[key] : undefined;
  return typeof text === 'string' ? text : undefined;
}

/** A ConfigMap key's value as text (`data`, else base64 `binaryData`). */
export function configMapValue(cm: ConfigMapData, key: string): string | undefined {
  const text = isRecord(cm.data) ? cm.data[key] : undefined;
  if (text !== undefined) return typeof text === 'string' ? text : undefined;
  const b64 = isRecord(cm.binaryData) ? cm.binaryData[key] : undefined;
  if (typeof b64 === 'string' && BASE64.test(b64)) return Buffer.from(b64, 'base64').toString('utf8');
  return undefined;
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "namespace/name" of an object, for messages. */
export function objectKey(o: { readonly metadata: { readonly namespace?: string; readonly name: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}
