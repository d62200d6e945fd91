// List-then-watch for one kind, feeding the ObjectStore (the informer pattern).
// Recovery rules, which are what make "nothing lost" true:
//  - the watch resumes from the last resourceVersion seen (events or bookmarks);
//  - 410 Gone (as an HTTP answer or an ERROR event) means that version was
//    compacted away: relist, and the store diffs the fresh list against what it
//    holds, so deletions that happened meanwhile become delete events;
//  - a connection failure (API server restart) retries with backoff from the
//    same resourceVersion, falling back to a relist when it is too old.
import type { Logger } from 'pino';
import { kindKey, type KubeObject } from '@switchyard/api';
import { ApiError, isNotFound, type KubeClient, type WatchHandle } from './rest.js';
import type { ObjectStore } from './store.js';
import { apiVersionOf } from '@switchyard/api';
import { WATCHED_KINDS, type WatchedKind } from './kinds.js';
import { collectionPathOf, type Discovery } from './discovery.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      res();
    });
  });

export interface ReflectorMetrics {
  relist(kind: string): void;
  watchError(kind: string): void;
}

export class Reflector {
  private readonly abort = new AbortController();
  private handle: WatchHandle | undefined;
  private resourceVersion = '';
  private syncedOnce = false;
  private readonly syncWaiters: Array<() => void> = [];
  readonly key: string;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly kind: WatchedKind,
    readonly apiVersion: string,
    private readonly path: string,
    private readonly store: ObjectStore,
    private readonly log: Logger,
    private readonly metrics?: ReflectorMetrics,
    /** Resume a watch from this resourceVersion instead of listing first (the store must already hold that state). */
    resumeFrom?: string,
  ) {
    this.key = kindKey(kind.group, kind.kind);
    if (resumeFrom) {
      this.resourceVersion = resumeFrom;
      this.syncedOnce = true;
    }
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Resolves after the first complete list is in the store. */
  whenSynced(): Promise<void> {
    return this.syncedOnce ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.handle?.abort();
    await this.running;
  }

  private typed(o: KubeObject): KubeObject {
    // List items of built-in kinds come without apiVersion/kind.
    return o.apiVersion && o.kind ? o : { ...o, apiVersion: this.apiVersion, kind: this.kind.kind };
  }

  private async loop(): Promise<void> {
    let backoff = 200;
    const selector = this.kind.labelSelector;
    const fieldSelector = this.kind.fieldSelector;
    while (!this.abort.signal.aborted) {
      try {
        if (!this.resourceVersion) {
          const l = await this.client.list(this.path, { labelSelector: selector, fieldSelector });
          this.store.replace(
            this.key,
            l.items.map((o) => this.typed(o)),
          );
          this.resourceVersion = l.resourceVersion;
          this.metrics?.relist(this.key);
          if (!this.syncedOnce) {
            this.syncedOnce = true;
            for (const w of this.syncWaiters.splice(0)) w();
          }
        }
        let expired = false;
        // The server ends each watch after timeoutSeconds (jittered so many
        // watches do not reconnect together); a silent half-open connection
        // therefore cannot stall a kind for ever.
        this.handle = await this.client.watch(
          this.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(240 + Math.floor(Math.random() * 120)),
            labelSelector: selector,
            fieldSelector,
          },
          (ev) => {
            switch (ev.type) {
              case 'ADDED':
              case 'MODIFIED':
                this.store.upsert(this.key, this.typed(ev.object));
                break;
              case 'DELETED':
                this.store.remove(this.key, this.typed(ev.object));
                break;
              case 'BOOKMARK':
                break;
              case 'ERROR':
                if (ev.object.code === 410) expired = true;
                else this.log.warn({ kind: this.key, status: ev.object }, 'watch error event');
                return;
            }
            const rv = ev.object.metadata?.resourceVersion;
            if (rv) this.resourceVersion = rv;
          },
        );
        if (this.abort.signal.aborted) this.handle.abort();
        await this.handle.done;
        if (expired) {
          this.log.info({ kind: this.key }, 'watch expired (410 Gone); relisting');
          this.resourceVersion = '';
        }
        backoff = 200;
      } catch (e) {
        if (this.abort.signal.aborted) break;
        if (e instanceof ApiError && e.statusCode === 410) {
          this.log.info({ kind: this.key }, 'resourceVersion too old (410 Gone); relisting');
          this.resourceVersion = '';
          continue;
        }
        this.metrics?.watchError(this.key);
        if (e instanceof ApiError && e.statusCode === 403 && this.kind.optional && !this.syncedOnce) {
          // An optional kind this ServiceAccount may not read (RBAC older than
          // the CRDs): run without it rather than never becoming ready; keep
          // retrying in case the permission is granted later.
          this.log.error({ kind: this.key, err: String(e) }, 'no permission to list an optional kind; continuing without it');
          this.syncedOnce = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
        if (isNotFound(e)) {
          // The CRD was removed: its objects are gone too.
          this.store.replace(this.key, []);
          this.resourceVersion = '';
        }
        this.log.warn({ kind: this.key, err: String(e), retryInMs: backoff }, 'list/watch failed; retrying');
        await sleep(backoff, this.abort.signal);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}

export interface WatcherOptions {
  readonly kinds?: readonly WatchedKind[];
  /** How often to look for kinds whose CRDs were not installed yet. */
  readonly rediscoverMs?: number;
  readonly metrics?: ReflectorMetrics;
}

/** Runs one Reflector per watched kind the API server serves, and picks up kinds installed later. */
export class Watcher {
  private readonly reflectors = new Map<string, Reflector>();
  private readonly abort = new AbortController();
  private discoveryLoop: Promise<void> | undefined;
  private readonly kinds: readonly WatchedKind[];
  private readonly reportedUnserved = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly store: ObjectStore,
    private readonly log: Logger,
    private readonly o: WatcherOptions = {},
  ) {
    this.kinds = o.kinds ?? WATCHED_KINDS;
  }

  /** Starts watching; resolves when every served kind has been listed once and every required kind is served. */
  async start(): Promise<void> {
    await this.discover();
    this.discoveryLoop = (async () => {
      while (!this.abort.signal.aborted) {
        await sleep(this.o.rediscoverMs ?? 30_000, this.abort.signal);
        if (this.abort.signal.aborted) break;
        try {
          await this.discover();
        } catch (e) {
          this.log.warn({ err: String(e) }, 'discovery failed');
        }
      }
    })();
    for (;;) {
      const missing = this.kinds.filter((k) => !k.optional && !this.reflectors.has(kindKey(k.group, k.kind)));
      if (missing.length === 0) break;
      this.log.error({ missing: missing.map((k) => k.kind) }, 'required kinds are not served (are the Gateway API CRDs installed?); waiting');
      await sleep(this.o.rediscoverMs ?? 30_000, this.abort.signal);
      if (this.abort.signal.aborted) return;
      await this.discover();
    }
    await Promise.all([...this.reflectors.values()].map((r) => r.whenSynced()));
  }

  /** True once every started reflector has listed once. */
  get synced(): boolean {
    return [...this.reflectors.values()].every((r) => r.synced) && this.kinds.every((k) => k.optional || this.reflectors.has(kindKey(k.group, k.kind)));
  }

  watching(): string[] {
    return [...this.reflectors.keys()];
  }

  /**
   * Kinds ("group/Kind") the API server does not serve (an optional CRD not
   * installed, certificates.k8s.io ClusterTrustBundle where its API is off):
   * the translator reports references to them as unresolvable kinds.
   */
  unservedKinds(): string[] {
    return this.kinds.map((k) => kindKey(k.group, k.kind)).filter((key) => !this.reflectors.has(key));
  }

  private async discover(): Promise<void> {
    this.discovery.reset();
    for (const k of this.kinds) {
      const key = kindKey(k.group, k.kind);
      if (this.reflectors.has(key)) continue;
      for (const v of k.versions) {
        const r = await this.discovery.resource(apiVersionOf(k.group, v), k.kind);
        if (!r) continue;
        const refl = new Reflector(this.client, k, r.apiVersion, collectionPathOf(r), this.store, this.log, this.o.metrics);
        this.reflectors.set(key, refl);
        refl.start();
        this.log.info({ kind: key, apiVersion: r.apiVersion }, 'watching');
        break;
      }
      // Once per kind: discovery runs every 30 s and the answer rarely changes.
      if (k.optional && !this.reflectors.has(key) && !this.reportedUnserved.has(key)) {
        this.reportedUnserved.add(key);
        this.log.info(
          { kind: key, versions: k.versions },
          'optional kind not served by the API server; running without it (references to it do not resolve) until it is',
        );
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.discoveryLoop;
    await Promise.all([...this.reflectors.values()].map((r) => r.stop()));
  }
}
