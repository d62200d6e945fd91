// The resources an xDS server serves one fleet, fetched as that fleet's Envoy
// would (one ADS stream, state of the world, wildcard subscriptions, the
// fleet's mTLS identity or, against an insecure server, node.cluster = the
// fleet), each response ACKed, then the stream is closed. What
// `switchyard explain --xds` explains against.
import * as grpc from '@grpc/grpc-js';
import { adsClientDefinition } from './ads-service.js';
import { decodeMessage, RESOURCE_FIELDS, TypeUrl, type EnvoyResources } from '@switchyard/protos';

export interface XdsSource {
  /** host:port of the xDS server. */
  readonly address: string;
  /** The fleet (Gateway "namespace/name") to fetch as. */
  readonly fleet: string;
  /** The fleet's client certificate and key and the CA that signed the server's (PEM); or plaintext. */
  readonly tls: { readonly certPem: string | Buffer; readonly keyPem: string | Buffer; readonly caPem: string | Buffer } | { readonly insecure: true };
  /** Give up after this long without a complete set (default 15 s). */
  readonly timeoutMs?: number;
  /** After listeners and clusters arrive, how long to wait for types the fleet may have none of (default 1 s; 0.2 s once routes are in). */
  readonly settleMs?: number;
}

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

const AdsClient = grpc.makeGenericClientConstructor(adsClientDefinition, 'AggregatedDiscoveryService');

function credentials(source: XdsSource): grpc.ChannelCredentials {
  if ('insecure' in source.tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(Buffer.from(source.tls.caPem), Buffer.from(source.tls.keyPem), Buffer.from(source.tls.certPem));
}

/** The fetch failed: the message names the server and what went wrong. */
export class XdsFetchError extends Error {}

/**
 * One consistent set of the fleet's resources: every type the server pushes
 * on a wildcard subscription, each from the last response received before the
 * set was complete (Switchyard pushes a fleet's snapshot type by type,
 * clusters first, routes last, so a set taken once listeners and routes are in
 * is the one an Envoy would be running).
 */
export async function fetchFleetResources(source: XdsSource): Promise<{ resources: EnvoyResources; versions: Record<string, string> }> {
  const client = new AdsClient(source.address, credentials(source));
  const call = client.makeBidiStreamRequest(
    adsClientDefinition.StreamAggregatedResources.path,
    adsClientDefinition.StreamAggregatedResources.requestSerialize,
    adsClientDefinition.StreamAggregatedResources.responseDeserialize,
  ) as unknown as grpc.ClientDuplexStream<object, DiscoveryResponse>;
  const got = new Map<string, { version: string; resources: Array<Record<string, unknown>> }>();
  const types = RESOURCE_FIELDS.map(([, url]) => url as string);
  const timeoutMs = source.timeoutMs ?? 15_000;

  return new Promise((resolve, reject) => {
    let done = false;
    let settle: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      clearTimeout(settle);
      call.cancel();
      client.close();
      if (err) return reject(err);
      const resources = Object.fromEntries(RESOURCE_FIELDS.map(([field, url]) => [field, got.get(url)?.resources ?? []])) as unknown as EnvoyResources;
      resolve({ resources, versions: Object.fromEntries([...got].map(([t, v]) => [t, v.version])) });
    };
    const overall = setTimeout(
      () =>
        finish(
          new XdsFetchError(
            `${source.address}: no complete set of resources for fleet ${source.fleet} within ${timeoutMs / 1000}s: is there a Gateway ${source.fleet} with a fleet? (received: ${[...got.keys()].map(short).join(', ') || 'nothing'})`,
          ),
        ),
      timeoutMs,
    );
    call.on('data', (res: DiscoveryResponse) => {
      const typeUrl = res.type_url ?? '';
      try {
        got.set(typeUrl, { version: res.version_info ?? '', resources: (res.resources ?? []).map((a) => decodeMessage(a.type_url, a.value)) });
      } catch (e) {
        return finish(new XdsFetchError(`${source.address}: a ${short(typeUrl)} response does not decode: ${(e as Error).message}`));
      }
      // ACK, as Envoy does once it has applied a response.
      call.write({ type_url: typeUrl, version_info: res.version_info ?? '', response_nonce: res.nonce ?? '', resource_names: [] });
      if (types.every((t) => got.has(t))) return finish();
      // A type the fleet has none of may never be answered. Requests went out
      // clusters, endpoints, secrets, listeners, routes (the push order), so
      // once routes are in, what has not come is empty; before that, wait longer.
      if (got.has(TypeUrl.Listener) && got.has(TypeUrl.Cluster)) {
        clearTimeout(settle);
        const wait = source.settleMs ?? 1000;
        settle = setTimeout(() => finish(), got.has(TypeUrl.RouteConfiguration) ? Math.min(wait, 200) : wait);
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (done) return;
      const why = e.code === grpc.status.UNAVAILABLE ? `cannot connect (${e.details})` : `${grpc.status[e.code] ?? e.code}: ${e.details}`;
      finish(new XdsFetchError(`${source.address}: ${why}`));
    });
    call.on('end', () => finish(done ? undefined : new XdsFetchError(`${source.address}: the server ended the stream before sending a complete set`)));
    types.forEach((typeUrl, i) => {
      call.write({ type_url: typeUrl, resource_names: [], ...(i === 0 ? { node: { id: `switchyard-explain-${process.pid}`, cluster: source.fleet } } : {}) });
    });
  });
}

function short(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}
