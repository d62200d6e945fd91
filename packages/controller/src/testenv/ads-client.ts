// A state-of-the-world ADS client that connects like an Envoy of a fleet
// (mTLS with the fleet's Secret), for tests that check what Envoy receives
// and that can answer with a NACK.
import * as grpc from '@grpc/grpc-js';
import { decodeMessage } from '@switchyard/protos';
import { adsClientDefinition } from '@switchyard/xds';

interface AnyValue {
  type_url: string;
  value: Buffer;
}
export interface SotwResponse {
  version_info: string;
  resources?: AnyValue[];
  type_url: string;
  nonce: string;
}

const Client = grpc.makeGenericClientConstructor(adsClientDefinition, 'AggregatedDiscoveryService');

export class FleetAdsClient {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<object, SotwResponse>;
  private readonly queue: SotwResponse[] = [];
  private waiters: Array<(r: SotwResponse) => void> = [];
  private first = true;

  constructor(o: { port: number; caPem: string; certPem: string; keyPem: string; serverName: string; nodeId: string }) {
    const creds = grpc.credentials.createSsl(Buffer.from(o.caPem), Buffer.from(o.keyPem), Buffer.from(o.certPem));
    this.client = new Client(`127.0.0.1:${o.port}`, creds, { 'grpc.ssl_target_name_override': o.serverName, 'grpc.default_authority': o.serverName });
    const fn = (this.client as unknown as Record<string, () => grpc.ClientDuplexStream<object, SotwResponse>>).StreamAggregatedResources!;
    this.call = fn.call(this.client);
    this.call.on('data', (r: SotwResponse) => {
      const w = this.waiters.shift();
      if (w) w(r);
      else this.queue.push(r);
    });
    this.call.on('error', () => undefined);
    this.nodeId = o.nodeId;
  }
  private readonly nodeId: string;

  request(typeUrl: string, o: { names?: string[]; version?: string; nonce?: string; error?: string } = {}): void {
    const node = this.first ? { id: this.nodeId, cluster: '' } : undefined;
    this.first = false;
    this.call.write({
      ...(node ? { node } : {}),
      type_url: typeUrl,
      resource_names: o.names ?? [],
      version_info: o.version ?? '',
      response_nonce: o.nonce ?? '',
      ...(o.error !== undefined ? { error_detail: { code: 3, message: o.error } } : {}),
    });
  }

  next(timeoutMs = 10_000): Promise<SotwResponse> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('no xDS response in time'));
      }, timeoutMs);
      const done = (r: SotwResponse) => {
        clearTimeout(t);
        resolve(r);
      };
      this.waiters.push(done);
    });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

export function decoded(r: SotwResponse): Array<Record<string, unknown>> {
  return (r.resources ?? []).map((a) => decodeMessage(a.type_url, a.value));
}
