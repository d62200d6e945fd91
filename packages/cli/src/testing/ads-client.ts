// A small state-of-the-world ADS client that behaves like Envoy for one
// resource type: it subscribes, ACKs every response, and hands the decoded
// resources to the test.
import * as grpc from '@grpc/grpc-js';
import { decodeMessage } from '@switchyard/protos';
import { adsClientDefinition } from '@switchyard/xds';

interface AnyValue {
  readonly type_url: string;
  readonly value: Buffer;
}

interface DiscoveryResponse {
  readonly version_info?: string;
  readonly resources?: AnyValue[];
  readonly type_url?: string;
  readonly nonce?: string;
}

export interface Update {
  readonly version: string;
  readonly resources: Record<string, unknown>[];
}

const AdsClient = grpc.makeGenericClientConstructor(adsClientDefinition, 'AggregatedDiscoveryService');

export class SotwSubscription {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<object, DiscoveryResponse>;
  private readonly updates: Update[] = [];
  private waiters: Array<(u: Update) => void> = [];
  private failure: Error | undefined;

  constructor(port: number, node: { id: string; cluster: string }, readonly typeUrl: string) {
    this.client = new AdsClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const method = (this.client as unknown as Record<string, () => grpc.ClientDuplexStream<object, DiscoveryResponse>>).StreamAggregatedResources!;
    this.call = method.call(this.client);
    this.call.on('data', (r: DiscoveryResponse) => {
      // ACK, as Envoy does once it has applied the resources.
      this.call.write({ type_url: typeUrl, version_info: r.version_info ?? '', response_nonce: r.nonce ?? '', resource_names: [] });
      const update = { version: r.version_info ?? '', resources: (r.resources ?? []).map((a) => decodeMessage(a.type_url, a.value)) };
      const w = this.waiters.shift();
      if (w) w(update);
      else this.updates.push(update);
    });
    this.call.on('error', (e: Error) => {
      if ((e as grpc.ServiceError).code !== grpc.status.CANCELLED) this.failure = e;
    });
    this.call.write({ node, type_url: typeUrl, resource_names: [], version_info: '', response_nonce: '' });
  }

  /** The next response; the caller bounds the wait with the test timeout. */
  next(): Promise<Update> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.updates.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Responses until one satisfies `done`. */
  async until(done: (u: Update) => boolean): Promise<Update> {
    for (;;) {
      const u = await this.next();
      if (done(u)) return u;
    }
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** A string field of metadata.filter_metadata['switchyard.dev'] of a decoded resource. */
export function switchyardField(resource: Record<string, unknown>, field: string): string | undefined {
  // google.protobuf.Struct comes from protobufjs' bundled descriptor, whose
  // field names are camelCase (stringValue) even in a keepCase root.
  const md = resource.metadata as { filter_metadata?: Record<string, { fields?: Record<string, { stringValue?: string }> }> } | undefined;
  const v = md?.filter_metadata?.['switchyard.dev']?.fields?.[field]?.stringValue;
  return typeof v === 'string' ? v : undefined;
}
