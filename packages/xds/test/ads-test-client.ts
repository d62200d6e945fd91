// A minimal raw ADS client for tests (@switchyard/xds/test/ads-test-client.js):
// it speaks both variants, plaintext or mTLS, with @grpc/grpc-js and the
// protobufjs types and lets a test decide every request, ACK and NACK; or,
// through subscribe(), behaves like Envoy for one type and ACKs on its own. (The client inside @grpc/grpc-js-xds only speaks state
// of the world, validates resources by gRPC's proxyless rules, which reject
// Envoy listeners, and ACKs on its own, so it cannot drive delta, NACKs or
// stale nonces; it is used in its own test for what it can do.)
import * as grpc from '@grpc/grpc-js';
import { decodeMessage } from '@switchyard/protos';
// By package name, not ../src: the Envoy stand-in (e2e/envoy-standin) compiles this client into its own build.
import { adsClientDefinition } from '@switchyard/xds';

export interface AnyValue {
  readonly type_url: string;
  readonly value: Buffer;
}

export interface SotwResponse {
  readonly version_info: string;
  readonly resources: AnyValue[];
  readonly type_url: string;
  readonly nonce: string;
}

export interface DeltaResponse {
  readonly system_version_info: string;
  readonly resources: { name: string; version: string; resource: AnyValue }[];
  readonly removed_resources: string[];
  readonly type_url: string;
  readonly nonce: string;
}

export interface ClientOptions {
  /** The server's host name or address; default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  readonly node: { id: string; cluster?: string; user_agent_name?: string };
  /**
   * Omit for plaintext. serverName is the name the server certificate is
   * checked against (default "xds.switchyard.test", the name the xds tests
   * issue it for).
   */
  readonly tls?: { caPem: string; certPem?: string; keyPem?: string; serverName?: string };
}

/** One SotW response as a subscription hands it on: its version and its resources, decoded. */
export interface Update {
  readonly version: string;
  readonly resources: Record<string, unknown>[];
}

const AdsClient = grpc.makeGenericClientConstructor(adsClientDefinition, 'AggregatedDiscoveryService');

/** Resource names carried by a response, decoded from the Any values. */
export function namesOf(resources: AnyValue[]): string[] {
  return resources.map((r) => {
    const o = decodeMessage(r.type_url, r.value) as { name?: string; cluster_name?: string };
    return o.name ?? o.cluster_name ?? '';
  });
}

export function decodeAny(r: AnyValue): Record<string, unknown> {
  return decodeMessage(r.type_url, r.value);
}

class Stream<Res> {
  private readonly queue: Res[] = [];
  private waiter: { resolve: (r: Res) => void; reject: (e: Error) => void } | undefined;
  readonly status: Promise<grpc.StatusObject>;
  private failure: Error | undefined;
  readonly call: grpc.ClientDuplexStream<object, Res>;
  /** Called with each response as it arrives, before a test reads it (subscribe() ACKs here, as Envoy does). */
  onResponse: ((r: Res) => void) | undefined;

  constructor(client: grpc.Client, method: string) {
    const fn = (client as unknown as Record<string, (opts?: grpc.CallOptions) => grpc.ClientDuplexStream<object, Res>>)[method]!;
    this.call = fn.call(client);
    this.call.on('data', (r: Res) => {
      this.onResponse?.(r);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(r);
      } else this.queue.push(r);
    });
    this.status = new Promise((resolve) => {
      this.call.on('status', resolve);
      this.call.on('error', (e: grpc.ServiceError) => {
        this.failure = e;
        this.waiter?.reject(e);
        this.waiter = undefined;
        resolve({ code: e.code, details: e.details, metadata: e.metadata });
      });
    });
  }

  /** The next response, in arrival order. */
  next(timeoutMs = 20_000): Promise<Res> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  pending(): number {
    return this.queue.length;
  }

  send(req: object): void {
    this.call.write(req);
  }

  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }
}

export class TestAdsClient {
  private readonly client: grpc.Client;
  private sentNode = false;

  constructor(private readonly opts: ClientOptions) {
    const creds = opts.tls
      ? grpc.credentials.createSsl(
          Buffer.from(opts.tls.caPem),
          opts.tls.keyPem ? Buffer.from(opts.tls.keyPem) : null,
          opts.tls.certPem ? Buffer.from(opts.tls.certPem) : null,
        )
      : grpc.credentials.createInsecure();
    const serverName = opts.tls?.serverName ?? 'xds.switchyard.test';
    this.client = new AdsClient(
      `${opts.host ?? '127.0.0.1'}:${opts.port}`,
      creds,
      opts.tls ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {},
    );
  }

  private node(): object | undefined {
    if (this.sentNode) return undefined;
    this.sentNode = true;
    return {
      id: this.opts.node.id,
      cluster: this.opts.node.cluster ?? '',
      ...(this.opts.node.user_agent_name ? { user_agent_name: this.opts.node.user_agent_name } : {}),
    };
  }

  sotw(): SotwClientStream {
    this.sentNode = false;
    return new SotwClientStream(new Stream<SotwResponse>(this.client, 'StreamAggregatedResources'), () => this.node());
  }

  delta(): DeltaClientStream {
    this.sentNode = false;
    return new DeltaClientStream(new Stream<DeltaResponse>(this.client, 'DeltaAggregatedResources'), () => this.node());
  }

  /** A new SotW stream that subscribes to one type and ACKs every response, as Envoy does once it has applied it. */
  subscribe(typeUrl: string, names: string[] = []): SotwSubscription {
    return new SotwSubscription(this.sotw(), typeUrl, names);
  }

  close(): void {
    this.client.close();
  }
}

/** What both ADS variants' client streams do alike: read responses in order, end, be dropped. */
abstract class ClientStream<Res> {
  constructor(
    readonly stream: Stream<Res>,
    protected readonly node: () => object | undefined,
  ) {}

  next(timeoutMs?: number): Promise<Res> {
    return this.stream.next(timeoutMs);
  }

  get status(): Promise<grpc.StatusObject> {
    return this.stream.status;
  }

  end(): void {
    this.stream.end();
  }

  /** Drops the stream at once, as an Envoy that goes away does. */
  cancel(): void {
    this.stream.cancel();
  }
}

export class SotwClientStream extends ClientStream<SotwResponse> {
  request(typeUrl: string, names: string[] = [], o: { version?: string; nonce?: string; error?: string } = {}): void {
    this.stream.send({
      node: this.node(),
      type_url: typeUrl,
      resource_names: names,
      version_info: o.version ?? '',
      response_nonce: o.nonce ?? '',
      error_detail: o.error === undefined ? undefined : { code: 3, message: o.error },
    });
  }

  ack(r: SotwResponse, names: string[] = []): void {
    this.request(r.type_url, names, { version: r.version_info, nonce: r.nonce });
  }

  nack(r: SotwResponse, previousVersion: string, message: string, names: string[] = []): void {
    this.request(r.type_url, names, { version: previousVersion, nonce: r.nonce, error: message });
  }
}

export class SotwSubscription {
  constructor(
    private readonly sotw: SotwClientStream,
    readonly typeUrl: string,
    names: string[],
  ) {
    sotw.stream.onResponse = (r) => sotw.ack(r, names);
    sotw.request(typeUrl, names);
  }

  /** The next response, decoded. */
  async next(timeoutMs?: number): Promise<Update> {
    const r = await this.sotw.next(timeoutMs);
    // Unset fields stay undefined in the decoded response (defaults: false).
    return { version: r.version_info ?? '', resources: (r.resources ?? []).map(decodeAny) };
  }

  /** Responses until one satisfies `done`. */
  async until(done: (u: Update) => boolean, timeoutMs?: number): Promise<Update> {
    for (;;) {
      const u = await this.next(timeoutMs);
      if (done(u)) return u;
    }
  }

  cancel(): void {
    this.sotw.cancel();
  }
}

export class DeltaClientStream extends ClientStream<DeltaResponse> {
  request(typeUrl: string, o: { subscribe?: string[]; unsubscribe?: string[]; initial?: Record<string, string>; nonce?: string; error?: string } = {}): void {
    this.stream.send({
      node: this.node(),
      type_url: typeUrl,
      resource_names_subscribe: o.subscribe ?? [],
      resource_names_unsubscribe: o.unsubscribe ?? [],
      initial_resource_versions: o.initial ?? {},
      response_nonce: o.nonce ?? '',
      error_detail: o.error === undefined ? undefined : { code: 3, message: o.error },
    });
  }

  ack(r: DeltaResponse): void {
    this.request(r.type_url, { nonce: r.nonce });
  }

  nack(r: DeltaResponse, message: string): void {
    this.request(r.type_url, { nonce: r.nonce, error: message });
  }
}
