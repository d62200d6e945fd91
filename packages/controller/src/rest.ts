// A thin JSON client for the Kubernetes REST API, built on the credentials a
// client-node KubeConfig resolves (in-cluster token, kubeconfig certificates,
// exec plugins). Objects stay plain JSON exactly as the API server sent them:
// client-node's generated typed APIs turn timestamps into Date objects and
// drop unknown fields, and the translator needs neither surprise.
import https from 'node:https';
import http from 'node:http';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '@switchyard/api';

/** An error answer from the API server, with its HTTP status and Status reason. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.statusCode === 404;
}
export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.statusCode === 409;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: KubeObject }
  | { readonly type: 'ERROR'; readonly object: { code?: number; reason?: string; message?: string } };

/** A running watch; `done` settles when the server or the caller ends it (an error rejects). */
export interface WatchHandle {
  readonly done: Promise<void>;
  abort(): void;
}

export type PatchType = 'merge' | 'apply' | 'json' | 'strategic';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface RequestOptions {
  readonly query?: Record<string, string | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Abort the request if no answer comes within this many milliseconds. */
  readonly timeoutMs?: number;
}

export class KubeClient {
  constructor(private readonly kc: KubeConfig) {}

  get server(): string {
    const c = this.kc.getCurrentCluster();
    if (!c) throw new Error('kubeconfig has no current cluster');
    return c.server;
  }

  private async prepare(
    path: string,
    method: string,
    query: Record<string, string | undefined> | undefined,
  ): Promise<{ url: URL; opts: https.RequestOptions }> {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    return { url, opts };
  }

  private send(url: URL, opts: https.RequestOptions): (body?: string) => Promise<http.IncomingMessage> {
    return (body) =>
      new Promise((resolve, reject) => {
        const mod = url.protocol === 'http:' ? http : https;
        const req = mod.request(url, opts, resolve);
        req.on('error', reject);
        // A request that hangs (half-open connection) must not stall the pipeline.
        req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url.pathname}: no answer within ${opts.timeout} ms`)));
        if (body !== undefined) req.write(body);
        req.end();
      });
  }

  /** One request; a non-2xx answer rejects with ApiError carrying the server's Status message. */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const { url, opts } = await this.prepare(path, method, o.query);
    let body: string | undefined;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      opts.headers = { ...opts.headers, 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) };
    }
    opts.timeout = o.timeoutMs ?? 30_000;
    const res = await this.send(url, opts)(body);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      let reason = '';
      let message = text || `HTTP ${status}`;
      try {
        const s = JSON.parse(text) as { reason?: string; message?: string };
        reason = s.reason ?? '';
        message = s.message ?? message;
      } catch {
        // not a Status object; keep the raw text
      }
      throw new ApiError(status, reason, `${method} ${path}: ${status} ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T extends KubeObject = KubeObject>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  async getOrUndefined<T extends KubeObject = KubeObject>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
  create<T extends KubeObject = KubeObject>(collectionPath: string, obj: KubeObject, query?: Record<string, string | undefined>): Promise<T> {
    return this.request<T>('POST', collectionPath, { body: obj, ...(query ? { query } : {}) });
  }
  replace<T extends KubeObject = KubeObject>(path: string, obj: KubeObject): Promise<T> {
    return this.request<T>('PUT', path, { body: obj });
  }
  patch<T extends KubeObject = KubeObject>(path: string, type: PatchType, patch: unknown, query?: Record<string, string | undefined>): Promise<T> {
    return this.request<T>('PATCH', path, { body: patch, contentType: PATCH_CONTENT_TYPE[type], ...(query ? { query } : {}) });
  }
  async delete(path: string, query?: Record<string, string | undefined>): Promise<void> {
    try {
      await this.request('DELETE', path, query ? { query } : {});
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async list<T extends KubeObject = KubeObject>(collectionPath: string, query?: Record<string, string | undefined>): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    // Paged, so a large cluster does not produce one huge answer; the
    // continue token keeps every page at the first page's resourceVersion.
    do {
      const page = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>('GET', collectionPath, {
        query: { ...query, limit: '500', continue: cont },
      });
      items.push(...(page.items ?? []));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Streams watch events until the server closes the stream, the caller aborts, or the connection fails. */
  async watch(collectionPath: string, query: Record<string, string | undefined>, onEvent: (e: WatchEvent) => void): Promise<WatchHandle> {
    const { url, opts } = await this.prepare(collectionPath, 'GET', { ...query, watch: 'true' });
    const ac = new AbortController();
    opts.signal = ac.signal;
    let aborted = false;
    const done = new Promise<void>((resolve, reject) => {
      const mod = url.protocol === 'http:' ? http : https;
      const req = mod.request(url, opts, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let message = Buffer.concat(chunks).toString('utf8');
            let reason = '';
            try {
              const s = JSON.parse(message) as { reason?: string; message?: string };
              reason = s.reason ?? '';
              message = s.message ?? message;
            } catch {
              // keep raw text
            }
            reject(new ApiError(res.statusCode ?? 0, reason, `watch ${collectionPath}: ${res.statusCode} ${message}`));
          });
          return;
        }
        res.socket?.setKeepAlive(true, 30_000);
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        // readline re-emits input errors on the interface; the response's own handler below settles `done`.
        lines.on('error', () => undefined);
        lines.on('line', (line) => {
          if (!line.trim()) return;
          let ev: WatchEvent;
          try {
            ev = JSON.parse(line) as WatchEvent;
          } catch {
            return; // a torn line at connection loss; the next relist covers it
          }
          onEvent(ev);
        });
        res.on('error', (e) => (aborted ? resolve() : reject(e)));
        res.on('close', () => resolve());
      });
      req.on('error', (e) => (aborted ? resolve() : reject(e)));
      req.end();
    });
    return {
      done,
      abort: () => {
        aborted = true;
        ac.abort();
      },
    };
  }
}
