// Maps apiVersion + kind to REST paths through the API server's discovery
// documents, so generic code (manifest apply, dry-run, optional CRDs) needs
// no table of plurals.
import type { KubeObject } from '@switchyard/api';
import { isNotFound, type KubeClient } from './rest.js';

export interface ResourceInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

export class Discovery {
  private readonly cache = new Map<string, Map<string, ResourceInfo> | null>();
  constructor(private readonly client: KubeClient) {}

  /** Forget what was learned (after CRDs were installed or removed). */
  reset(): void {
    this.cache.clear();
  }

  /** The resource for apiVersion/kind, or undefined when the server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    let byKind = this.cache.get(apiVersion);
    if (byKind === undefined) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      try {
        const list = await this.client.request<APIResourceList>('GET', path);
        byKind = new Map();
        for (const r of list.resources ?? []) {
          if (r.name.includes('/')) continue; // subresources (status, scale)
          byKind.set(r.kind, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced });
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
        byKind = null;
      }
      // Misses are not cached, so a CRD installed later is found on the next look.
      if (byKind) this.cache.set(apiVersion, byKind);
    }
    return byKind?.get(kind) ?? undefined;
  }

  async require(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const r = await this.resource(apiVersion, kind);
    if (!r) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return r;
  }

  /** Collection path of a kind, in a namespace when the kind is namespaced. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return collectionPathOf(await this.require(apiVersion, kind), namespace);
  }

  /** Path of one object. */
  async objectPath(obj: KubeObject): Promise<string> {
    const r = await this.require(obj.apiVersion, obj.kind);
    return `${collectionPathOf(r, obj.metadata.namespace)}/${encodeURIComponent(obj.metadata.name)}`;
  }
}

export function collectionPathOf(r: ResourceInfo, namespace?: string): string {
  const base = r.apiVersion.includes('/') ? `/apis/${r.apiVersion}` : `/api/${r.apiVersion}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}
