// The stand-in's side of ADS, as Envoy runs it: one stream (delta or state of
// the world, as the bootstrap says), wildcard subscriptions to listeners and
// clusters, named subscriptions to the route configurations, endpoint
// assignments and secrets those name, and an ACK for every response that was
// applied or a NACK with the reason it was not. On a broken stream it
// reconnects and keeps serving what it has, as Envoy does.
import { TypeUrl, type EnvoyResources, type ResourceTypeUrl } from '@switchyard/protos';
import { TestAdsClient, decodeAny, type DeltaClientStream, type SotwClientStream, type AnyValue } from '../../../packages/xds/test/ads-test-client.js';
import { isEdsCluster } from './envoy-model.js';
import type { StandinBootstrap } from './bootstrap.js';
import type { Log } from './log.js';

type Resource = Record<string, unknown>;

/** Applies a new configuration; resolves to an error message for a NACK, or undefined for an ACK. */
export type Apply = (resources: EnvoyResources) => Promise<string | undefined>;

const WILDCARD_TYPES: readonly ResourceTypeUrl[] = [TypeUrl.Cluster, TypeUrl.Listener];
const NAMED_TYPES: readonly ResourceTypeUrl[] = [TypeUrl.ClusterLoadAssignment, TypeUrl.Secret, TypeUrl.RouteConfiguration];
const FIELD: Record<ResourceTypeUrl, keyof EnvoyResources> = {
  [TypeUrl.Listener]: 'listeners',
  [TypeUrl.RouteConfiguration]: 'routes',
  [TypeUrl.Cluster]: 'clusters',
  [TypeUrl.ClusterLoadAssignment]: 'endpoints',
  [TypeUrl.Secret]: 'secrets',
};

interface Held {
  readonly version: string;
  readonly resource: Resource;
}

export class XdsClient {
  private readonly held = new Map<ResourceTypeUrl, Map<string, Held>>(Object.values(TypeUrl).map((t) => [t, new Map()]));
  private readonly received = new Set<ResourceTypeUrl>();
  private readonly subscribed = new Map<ResourceTypeUrl, Set<string>>(NAMED_TYPES.map((t) => [t, new Set()]));
  /** SotW: the last version/nonce per type, for ACKs and re-subscriptions. */
  private readonly acked = new Map<ResourceTypeUrl, { version: string; nonce: string }>();
  private client: TestAdsClient | undefined;
  /** The open ADS stream, cancelled by stop() (closing the client alone leaves a call in progress open). */
  private stream: { cancel(): void } | undefined;
  private stopped = false;
  private current: EnvoyResources;
  readonly done: Promise<void>;

  constructor(
    private readonly bootstrap: StandinBootstrap,
    private readonly apply: Apply,
    private readonly log: Log,
  ) {
    this.current = bootstrap.staticResources;
    this.done = this.run();
  }

  /** Envoy's "initialized": listeners and clusters received, and everything they name that exists. */
  initialized(): boolean {
    if (!WILDCARD_TYPES.every((t) => this.received.has(t))) return false;
    return NAMED_TYPES.every((t) => [...(this.subscribed.get(t) ?? [])].every((n) => this.held.get(t)!.has(n) || this.received.has(t)));
  }

  resources(): EnvoyResources {
    return this.current;
  }

  stop(): void {
    this.stopped = true;
    this.stream?.cancel();
    this.client?.close();
  }

  private async run(): Promise<void> {
    const { xds, node } = this.bootstrap;
    let delay = 250;
    while (!this.stopped) {
      this.client = new TestAdsClient({ host: xds.host, port: xds.port, node: { ...node, user_agent_name: 'switchyard-envoy-standin' }, ...(xds.tls ? { tls: xds.tls } : {}) });
      const started = Date.now();
      try {
        if (xds.mode === 'delta') {
          const stream = this.client.delta();
          this.stream = stream;
          await this.runDelta(stream);
        } else {
          const stream = this.client.sotw();
          this.stream = stream;
          await this.runSotw(stream);
        }
      } catch (e) {
        if (!this.stopped) this.log.warn(`xDS stream to ${xds.host}:${xds.port} ended: ${(e as Error).message}`);
      }
      this.client.close();
      if (this.stopped) break;
      delay = Date.now() - started > 10_000 ? 250 : Math.min(delay * 2, 5_000);
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  private async runDelta(stream: DeltaClientStream): Promise<void> {
    const initial = (t: ResourceTypeUrl) => Object.fromEntries([...this.held.get(t)!].map(([n, h]) => [n, h.version]));
    for (const t of WILDCARD_TYPES) stream.request(t, { subscribe: ['*'], initial: initial(t) });
    for (const t of NAMED_TYPES) {
      const names = [...this.subscribed.get(t)!];
      if (names.length > 0) stream.request(t, { subscribe: names, initial: initial(t) });
    }
    for (;;) {
      const r = await stream.next(2 ** 31 - 1);
      const t = r.type_url as ResourceTypeUrl;
      const held = this.held.get(t);
      if (!held) {
        stream.nack(r, `unknown type ${r.type_url}`);
        continue;
      }
      const next = new Map(held);
      let error: string | undefined;
      for (const name of r.removed_resources ?? []) next.delete(name);
      for (const res of r.resources ?? []) {
        const decoded = decode(res.resource);
        if (typeof decoded === 'string') error ??= `${res.name}: ${decoded}`;
        else next.set(res.name, { version: res.version, resource: decoded });
      }
      error ??= await this.commit(t, next);
      if (error) {
        this.log.warn(`NACK ${t}: ${error}`);
        stream.nack(r, error);
        continue;
      }
      stream.ack(r);
      for (const nt of NAMED_TYPES) {
        const { added, removed } = this.resubscribe(nt);
        if (added.length > 0 || removed.length > 0) stream.request(nt, { subscribe: added, unsubscribe: removed });
      }
    }
  }

  private async runSotw(stream: SotwClientStream): Promise<void> {
    for (const t of WILDCARD_TYPES) stream.request(t, [], this.acked.get(t) ? { version: this.acked.get(t)!.version } : {});
    for (const t of NAMED_TYPES) {
      const names = [...this.subscribed.get(t)!];
      if (names.length > 0) stream.request(t, names, this.acked.get(t) ? { version: this.acked.get(t)!.version } : {});
    }
    for (;;) {
      const r = await stream.next(2 ** 31 - 1);
      const t = r.type_url as ResourceTypeUrl;
      if (!this.held.has(t)) {
        stream.nack(r, '', `unknown type ${r.type_url}`);
        continue;
      }
      // State of the world: the response is the whole set (of the names asked for).
      const next = new Map<string, Held>();
      let error: string | undefined;
      for (const res of r.resources ?? []) {
        const decoded = decode(res);
        if (typeof decoded === 'string') error ??= decoded;
        else next.set(resourceNameOf(decoded), { version: r.version_info, resource: decoded });
      }
      error ??= await this.commit(t, next);
      const names = (tt: ResourceTypeUrl) => (NAMED_TYPES.includes(tt) ? [...this.subscribed.get(tt)!] : []);
      if (error) {
        this.log.warn(`NACK ${t}: ${error}`);
        stream.nack(r, this.acked.get(t)?.version ?? '', error, names(t));
        continue;
      }
      this.acked.set(t, { version: r.version_info, nonce: r.nonce });
      stream.ack(r, names(t));
      for (const nt of NAMED_TYPES) {
        const { added, removed } = this.resubscribe(nt);
        const last = this.acked.get(nt);
        if (added.length > 0 || removed.length > 0) stream.request(nt, names(nt), last ? { version: last.version, nonce: last.nonce } : {});
      }
    }
  }

  /** Applies the held resources with `next` for type `t`; keeps the old ones on failure. */
  private async commit(t: ResourceTypeUrl, next: Map<string, Held>): Promise<string | undefined> {
    const previous = this.held.get(t)!;
    this.held.set(t, next);
    const candidate = this.assemble();
    const error = await this.apply(candidate);
    if (error) {
      this.held.set(t, previous);
      return error;
    }
    this.received.add(t);
    this.current = candidate;
    return undefined;
  }

  private assemble(): EnvoyResources {
    const of = (t: ResourceTypeUrl) => [...this.held.get(t)!.values()].map((h) => h.resource);
    const s = this.bootstrap.staticResources;
    const out: Record<keyof EnvoyResources, unknown[]> = { listeners: [...s.listeners], routes: [...s.routes], clusters: [...s.clusters], endpoints: [...s.endpoints], secrets: [...s.secrets] };
    for (const t of Object.values(TypeUrl)) out[FIELD[t]].push(...of(t));
    return out as unknown as EnvoyResources;
  }

  /** Brings the named subscriptions of type `t` in line with what listeners and clusters name now. */
  private resubscribe(t: ResourceTypeUrl): { added: string[]; removed: string[] } {
    const s = this.bootstrap.staticResources;
    const want = wantedNames(this.current, t, new Set([...s.secrets, ...s.clusters].map((r) => r.name ?? '')));
    const have = this.subscribed.get(t)!;
    const added = [...want].filter((n) => !have.has(n));
    const removed = [...have].filter((n) => !want.has(n));
    this.subscribed.set(t, want);
    for (const n of removed) this.held.get(t)!.delete(n);
    return { added, removed };
  }
}

function decode(any: AnyValue): Resource | string {
  try {
    return decodeAny(any);
  } catch (e) {
    return `cannot decode ${any.type_url}: ${(e as Error).message}`;
  }
}

function resourceNameOf(r: Resource): string {
  return String(r.name ?? r.cluster_name ?? '');
}

/** The names of type `t` that the listeners and clusters refer to (static ones excluded). */
export function wantedNames(resources: EnvoyResources, t: ResourceTypeUrl, staticNames: ReadonlySet<string> = new Set()): Set<string> {
  const out = new Set<string>();
  if (t === TypeUrl.ClusterLoadAssignment) {
    for (const c of resources.clusters) if (isEdsCluster(c)) out.add(c.eds_cluster_config?.service_name || c.name || '');
  } else if (t === TypeUrl.RouteConfiguration) {
    walk(resources.listeners, (k, v) => {
      if (k === 'rds' && v && typeof v === 'object') {
        const n = (v as { route_config_name?: string }).route_config_name;
        if (n) out.add(n);
      }
    });
  } else if (t === TypeUrl.Secret) {
    const collect = (k: string, v: unknown) => {
      if (k === 'tls_certificate_sds_secret_configs' && Array.isArray(v)) for (const s of v as Array<{ name?: string }>) if (s.name) out.add(s.name);
      if (k === 'validation_context_sds_secret_config' && v && typeof v === 'object') {
        const n = (v as { name?: string }).name;
        if (n) out.add(n);
      }
    };
    walk(resources.listeners, collect);
    walk(resources.clusters, collect);
  }
  for (const n of staticNames) out.delete(n);
  return out;
}

function walk(v: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      visit(k, x);
      walk(x, visit);
    }
  }
}
