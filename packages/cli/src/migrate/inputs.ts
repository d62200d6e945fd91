// Where the Ingresses come from: manifest files (-f), or a live cluster read
// through the kubeconfig. Either way the result is plain Kubernetes objects.
import type { KubeObject } from '@switchyard/api';
import { formatLoadError, loadObjects } from '../load-objects.js';
import type { Ingress } from './ingress.js';

export interface Loaded {
  readonly objects: KubeObject[];
  readonly errors: string[];
}

export async function loadFromFiles(paths: string[]): Promise<Loaded> {
  const r = await loadObjects(paths);
  return { objects: r.objects, errors: r.errors.map(formatLoadError) };
}

/** The client-node API surface used here, so the rest of the module does not depend on its types. */
interface ListResponse {
  items: Array<Record<string, unknown>>;
}

/**
 * Lists IngressClasses and the Ingresses of every namespace (a Gateway is
 * computed from all Ingresses of its class), and the Services and Secrets
 * they reference, through the current kubeconfig context. Secrets are read
 * only to know they exist: their data is dropped.
 */
export async function loadFromCluster(o: { context?: string; kubeconfig?: string }): Promise<Loaded> {
  // Imported lazily: the client is large and only this path needs it.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  if (o.context) kc.setCurrentContext(o.context);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const errors: string[] = [];
  const objects: KubeObject[] = [];
  const withKind = (items: unknown[], apiVersion: string, kind: string): KubeObject[] =>
    items.map((i) => ({ ...(JSON.parse(JSON.stringify(i)) as KubeObject), apiVersion, kind }));
  try {
    const classes = (await net.listIngressClass()) as unknown as ListResponse;
    objects.push(...withKind(classes.items, 'networking.k8s.io/v1', 'IngressClass'));
  } catch (e) {
    errors.push(`listing IngressClasses: ${describeError(e)}`);
  }
  let ingresses: Ingress[] = [];
  try {
    const list = (await net.listIngressForAllNamespaces()) as unknown as ListResponse;
    ingresses = withKind(list.items, 'networking.k8s.io/v1', 'Ingress') as Ingress[];
    objects.push(...ingresses);
  } catch (e) {
    errors.push(`listing Ingresses: ${describeError(e)}`);
  }
  const services = new Set<string>();
  const secrets = new Set<string>();
  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const backends = [ing.spec?.defaultBackend, ...(ing.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend))];
    for (const b of backends) if (b?.service?.name) services.add(`${ns}/${b.service.name}`);
    for (const t of ing.spec?.tls ?? []) if (t.secretName) secrets.add(`${ns}/${t.secretName}`);
  }
  for (const key of [...services].sort()) {
    const [namespace, name] = key.split('/') as [string, string];
    try {
      const svc = await core.readNamespacedService({ namespace, name });
      objects.push(withKind([svc], 'v1', 'Service')[0]!);
    } catch (e) {
      if (!isNotFound(e)) errors.push(`reading Service ${key}: ${describeError(e)}`);
    }
  }
  for (const key of [...secrets].sort()) {
    const [namespace, name] = key.split('/') as [string, string];
    try {
      const s = (await core.readNamespacedSecret({ namespace, name })) as unknown as { metadata: KubeObject['metadata']; type?: string };
      objects.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: s.metadata.name, namespace: s.metadata.namespace ?? namespace },
        ...(s.type ? { type: s.type } : {}),
      });
    } catch (e) {
      if (!isNotFound(e)) errors.push(`reading Secret ${key}: ${describeError(e)}`);
    }
  }
  return { objects, errors };
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: number }).code === 404;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0]!;
  return String(e);
}
