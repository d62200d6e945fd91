// A lightweight ADS client that behaves like an Envoy on the wire, for
// simulating hundreds of Envoys from one process: it subscribes the way Envoy
// does (wildcard Cluster and Listener; ClusterLoadAssignment and
// RouteConfiguration by the names those reference), ACKs every response, and
// counts the bytes it receives. It decodes only what it must to follow
// references, and caches that per resource version, because every stream of a
// fleet receives the same resources.
//
// It also reads the benchmark's markers out of what it receives (the marker
// route's header value, the churn slice's 10.255.a.b endpoint), so a latency
// measurement knows which change a response carries without relying on the
// names the translator gives resources.
//
// It speaks gRPC on node:http2 itself (grpc-h2.ts) and reads the response
// envelopes with a wire scanner over the received DATA chunks: a resource's
// bytes are gathered (and, for a message spanning chunks, copied) only when
// the reader has not seen that resource version yet, so the 999 other
// streams of a fleet pay for the HTTP/2 bytes and the envelope only. Requests
// are encoded with the project's protobufjs root.
import type http2 from 'node:http2';
import { messageType, TypeUrl } from '@switchyard/protos';
import type { DiscoveryRequest } from '@switchyard/protos/generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import type { DeltaDiscoveryRequest } from '@switchyard/protos/generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import { ENDPOINT_MARKER_PREFIX, MARKER_PREFIX } from './generate.js';
import { BidiCall, WireReader, type Chunks } from './grpc-h2.js';

export type AdsMode = 'sotw' | 'delta';

const SOTW_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const DELTA_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const CLUSTER_TYPE_EDS = 3;

/** Short names for the five type URLs, used as keys in byte counts. */
export const TYPE_SHORT: Readonly<Record<string, string>> = {
  [TypeUrl.Cluster]: 'CDS',
  [TypeUrl.ClusterLoadAssignment]: 'EDS',
  [TypeUrl.Listener]: 'LDS',
  [TypeUrl.RouteConfiguration]: 'RDS',
  [TypeUrl.Secret]: 'SDS',
};

// The envelope fields this client reads; resource bodies stay views of the received bytes.
interface DiscoveryResponseMsg {
  version_info: string;
  /** google.protobuf.Any value of each resource. */
  resources: Chunks[];
  type_url: string;
  nonce: string;
}
interface ResourceMsg {
  name: string;
  version: string;
  /** google.protobuf.Any value, when the resource carries one. */
  value: Chunks | undefined;
}
interface DeltaDiscoveryResponseMsg {
  resources: ResourceMsg[];
  type_url: string;
  removed_resources: string[];
  nonce: string;
}

/** envoy.service.discovery.v3.DiscoveryResponse, reading fields 1 (version_info), 2 (resources), 4 (type_url), 5 (nonce). */
export function readDiscoveryResponse(c: Chunks): DiscoveryResponseMsg {
  const r = new WireReader(c);
  const m: DiscoveryResponseMsg = { version_info: '', resources: [], type_url: '', nonce: '' };
  while (!r.done) {
    const [field, wt] = r.tag();
    if (field === 1 && wt === 2) m.version_info = r.string();
    else if (field === 2 && wt === 2) m.resources.push(anyValue(r.bytes()) ?? r.src.slice(0, 0));
    else if (field === 4 && wt === 2) m.type_url = r.string();
    else if (field === 5 && wt === 2) m.nonce = r.string();
    else r.skip(wt);
  }
  return m;
}

/** envoy.service.discovery.v3.DeltaDiscoveryResponse, reading fields 2 (resources), 4 (type_url), 5 (nonce), 6 (removed_resources). */
export function readDeltaDiscoveryResponse(c: Chunks): DeltaDiscoveryResponseMsg {
  const r = new WireReader(c);
  const m: DeltaDiscoveryResponseMsg = { resources: [], type_url: '', removed_resources: [], nonce: '' };
  while (!r.done) {
    const [field, wt] = r.tag();
    if (field === 2 && wt === 2) m.resources.push(readResource(r.bytes()));
    else if (field === 4 && wt === 2) m.type_url = r.string();
    else if (field === 5 && wt === 2) m.nonce = r.string();
    else if (field === 6 && wt === 2) m.removed_resources.push(r.string());
    else r.skip(wt);
  }
  return m;
}

/** envoy.service.discovery.v3.Resource: 3 name, 1 version, 2 resource (Any). */
function readResource(c: Chunks): ResourceMsg {
  const r = new WireReader(c);
  const m: ResourceMsg = { name: '', version: '', value: undefined };
  while (!r.done) {
    const [field, wt] = r.tag();
    if (field === 3 && wt === 2) m.name = r.string();
    else if (field === 1 && wt === 2) m.version = r.string();
    else if (field === 2 && wt === 2) m.value = anyValue(r.bytes()) ?? r.src.slice(0, 0);
    else r.skip(wt);
  }
  return m;
}

/** google.protobuf.Any's value (field 2). */
function anyValue(c: Chunks): Chunks | undefined {
  const r = new WireReader(c);
  let value: Chunks | undefined;
  while (!r.done) {
    const [field, wt] = r.tag();
    if (field === 2 && wt === 2) value = r.bytes();
    else r.skip(wt);
  }
  return value;
}
// Decoded with protobufjs (proto field names) when the reader first sees a resource version.
interface AnyMsg {
  type_url: string;
  value: Uint8Array;
}
interface ClusterMsg {
  name: string;
  type?: number;
  eds_cluster_config?: { service_name?: string } | null;
}
interface FilterMsg {
  typed_config?: AnyMsg | null;
}
interface FilterChainMsg {
  filters?: FilterMsg[];
}
interface ListenerMsg {
  filter_chains?: FilterChainMsg[];
  default_filter_chain?: FilterChainMsg | null;
}
interface HcmMsg {
  rds?: { route_config_name?: string } | null;
}
interface ClaMsg {
  endpoints?: Array<{ lb_endpoints?: Array<{ endpoint?: { address?: { socket_address?: { address?: string } | null } | null } | null }> }>;
}

/** What one resource contributes: names it makes the client subscribe to, and the marker it carries. */
interface Derived {
  readonly names: readonly string[];
  readonly marker: number;
}

/**
 * Decodes resources once per worker process: every stream of a fleet gets the
 * same bytes, so the first stream pays and the others hit the cache.
 */
export class ResourceReader {
  private readonly cache = new Map<string, Derived>();
  private readonly markerBytes = Buffer.from(MARKER_PREFIX);

  read(typeUrl: string, name: string, version: string, value: Chunks): Derived {
    const key = `${typeUrl}|${name}|${version}|${value.length}`;
    let d = this.cache.get(key);
    if (!d) {
      d = this.derive(typeUrl, value.toBuffer());
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, d);
    }
    return d;
  }

  private derive(typeUrl: string, value: Uint8Array): Derived {
    switch (typeUrl) {
      case TypeUrl.Cluster: {
        const c = messageType(typeUrl).decode(value) as unknown as ClusterMsg;
        return { names: c.type === CLUSTER_TYPE_EDS ? [c.eds_cluster_config?.service_name || c.name] : [], marker: -1 };
      }
      case TypeUrl.Listener: {
        const l = messageType(typeUrl).decode(value) as unknown as ListenerMsg;
        const names = new Set<string>();
        const chains = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
        for (const chain of chains) {
          for (const f of chain.filters ?? []) {
            if (f.typed_config?.type_url !== HCM_TYPE) continue;
            const hcm = messageType(HCM_TYPE).decode(f.typed_config.value) as unknown as HcmMsg;
            if (hcm.rds?.route_config_name) names.add(hcm.rds.route_config_name);
          }
        }
        return { names: [...names], marker: -1 };
      }
      case TypeUrl.RouteConfiguration: {
        // The marker header value is a plain string inside the bytes; finding
        // it needs no decoding of a possibly multi-megabyte RouteConfiguration.
        const buf = Buffer.from(value.buffer, value.byteOffset, value.length);
        const at = buf.indexOf(this.markerBytes);
        if (at < 0) return { names: [], marker: -1 };
        const digits = buf.toString('latin1', at + this.markerBytes.length, at + this.markerBytes.length + 6);
        return { names: [], marker: /^\d{6}$/.test(digits) ? Number(digits) : -1 };
      }
      case TypeUrl.ClusterLoadAssignment: {
        const cla = messageType(typeUrl).decode(value) as unknown as ClaMsg;
        let marker = -1;
        for (const locality of cla.endpoints ?? []) {
          for (const lb of locality.lb_endpoints ?? []) {
            const addr = lb.endpoint?.address?.socket_address?.address;
            if (addr?.startsWith(ENDPOINT_MARKER_PREFIX)) {
              const [a, b] = addr.slice(ENDPOINT_MARKER_PREFIX.length).split('.').map(Number);
              if (a !== undefined && b !== undefined) marker = Math.max(marker, a * 256 + b);
            }
          }
        }
        return { names: [], marker };
      }
      default:
        return { names: [], marker: -1 };
    }
  }
}

export interface TypeCounters {
  bytes: number;
  responses: number;
  resources: number;
  /** Sum of the encoded sizes of the resources themselves (without the envelope). */
  resourceBytes: number;
}

export interface StreamCounters {
  bytes: number;
  byType: Record<string, TypeCounters>;
  errors: number;
}

/** One ACKed response that carried a marker: [sequence, time the ACK was written (process.hrtime.bigint)]. */
export type MarkerEvent = readonly [seq: number, ackNs: bigint];

export interface AdsStreamOptions {
  /** The HTTP/2 connection the stream is opened on. */
  readonly session: http2.ClientHttp2Session;
  readonly mode: AdsMode;
  readonly nodeId: string;
  /** The fleet: in insecure mode the server takes it from node.cluster. */
  readonly fleet: string;
  readonly reader: ResourceReader;
  /** Called after every ACK; the pool checks pending waits then. */
  readonly onProgress: (s: AdsStream) => void;
}

const ALL_TYPES = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration];

/** Per type: what the client has and what it is subscribed to. */
interface TypeState {
  /** Names subscribed (for EDS/RDS); wildcard types keep this empty. */
  subscribed: Set<string>;
  /** SotW: last accepted version and nonce. */
  version: string;
  nonce: string;
  received: boolean;
  /** Per resource (name) what it contributes, so removals and updates recompute subscriptions. */
  derived: Map<string, Derived>;
  /** Names of the resources received and not removed. */
  have: Set<string>;
}

/**
 * Field 1 of a RouteConfiguration (name) or ClusterLoadAssignment
 * (cluster_name), read without decoding the rest: protobuf encoders write
 * fields in number order, so it comes first.
 */
export function firstStringField(c: Chunks): string | undefined {
  if (c.length === 0) return undefined;
  const r = new WireReader(c);
  const [field, wt] = r.tag();
  return field === 1 && wt === 2 ? r.string() : undefined;
}

export class AdsStream {
  readonly counters: StreamCounters = { bytes: 0, byType: {}, errors: 0 };
  readonly routeEvents: MarkerEvent[] = [];
  readonly endpointEvents: MarkerEvent[] = [];
  routeSeq = -1;
  endpointSeq = -1;
  syncedAtNs: bigint | undefined;
  closed = false;
  private readonly types = new Map<string, TypeState>();
  private call: BidiCall | undefined;
  private sentNode = false;

  constructor(private readonly o: AdsStreamOptions) {
    for (const t of ALL_TYPES) this.types.set(t, { subscribed: new Set(), version: '', nonce: '', received: false, derived: new Map(), have: new Set() });
  }

  get nodeId(): string {
    return this.o.nodeId;
  }

  start(): void {
    const method = this.o.mode === 'sotw' ? SOTW_METHOD : DELTA_METHOD;
    this.call = BidiCall.open(this.o.session, method, {
      onMessage: (m) => this.onResponse(m),
      onEnd: (err) => {
        if (!this.closed && err) this.counters.errors++;
        this.closed = true;
      },
    });
    // Envoy starts with the wildcard types; EDS and RDS follow once it knows names.
    this.request(TypeUrl.Cluster, [], []);
    this.request(TypeUrl.Listener, [], []);
  }

  close(): void {
    this.closed = true;
    this.call?.cancel();
  }

  /** True once Clusters and Listeners arrived and every ClusterLoadAssignment and RouteConfiguration they name too. */
  get synced(): boolean {
    const all = (st: TypeState): boolean => [...st.subscribed].every((n) => st.have.has(n));
    return (
      this.types.get(TypeUrl.Cluster)!.received &&
      this.types.get(TypeUrl.Listener)!.received &&
      all(this.types.get(TypeUrl.ClusterLoadAssignment)!) &&
      all(this.types.get(TypeUrl.RouteConfiguration)!)
    );
  }

  private node(): { id: string; cluster: string; user_agent_name: string } | undefined {
    if (this.sentNode) return undefined;
    this.sentNode = true;
    return { id: this.o.nodeId, cluster: this.o.fleet, user_agent_name: 'switchyard-bench' };
  }

  private write(typeName: string, msg: object): void {
    if (!this.call || this.closed) return;
    const type = messageType(typeName);
    this.call.write(type.encode(type.fromObject(msg)).finish());
  }

  /** Sends a subscription change (or the initial request) for one type. */
  private request(typeUrl: string, subscribe: string[], unsubscribe: string[]): void {
    const st = this.types.get(typeUrl)!;
    const node = this.node();
    if (this.o.mode === 'sotw') {
      const req: DiscoveryRequest = { type_url: typeUrl, version_info: st.version, response_nonce: st.nonce, resource_names: [...st.subscribed].sort() };
      if (node) req.node = node;
      this.write('envoy.service.discovery.v3.DiscoveryRequest', req);
    } else {
      const req: DeltaDiscoveryRequest = { type_url: typeUrl, resource_names_subscribe: subscribe, resource_names_unsubscribe: unsubscribe };
      if (node) req.node = node;
      this.write('envoy.service.discovery.v3.DeltaDiscoveryRequest', req);
    }
  }

  private count(typeUrl: string, bytes: number, resources: number, resourceBytes: number): void {
    this.counters.bytes += bytes;
    const key = TYPE_SHORT[typeUrl] ?? typeUrl;
    const c = (this.counters.byType[key] ??= { bytes: 0, responses: 0, resources: 0, resourceBytes: 0 });
    c.bytes += bytes;
    c.responses++;
    c.resources += resources;
    c.resourceBytes += resourceBytes;
  }

  private onResponse(m: Chunks): void {
    if (this.o.mode === 'sotw') this.onSotw(m);
    else this.onDelta(m);
  }

  private onSotw(buf: Chunks): void {
    const res = readDiscoveryResponse(buf);
    const st = this.types.get(res.type_url);
    let resourceBytes = 0;
    for (const r of res.resources) resourceBytes += r.length;
    this.count(res.type_url, buf.length, res.resources.length, resourceBytes);
    if (!st) return;
    // State of the world: the response replaces everything of this type
    // (for EDS/RDS: everything it names; names it leaves out keep their last value).
    const wildcard = res.type_url === TypeUrl.Cluster || res.type_url === TypeUrl.Listener;
    if (wildcard) st.derived.clear();
    let marker = -1;
    res.resources.forEach((r, i) => {
      const d = this.o.reader.read(res.type_url, `#${i}`, res.version_info, r);
      // Only Cluster and Listener resources name other resources to subscribe to.
      if (wildcard) st.derived.set(`#${i}`, d);
      else st.have.add(firstStringField(r) ?? `#${i}`);
      marker = Math.max(marker, d.marker);
    });
    st.version = res.version_info;
    st.nonce = res.nonce;
    st.received = true;
    this.request(res.type_url, [], []); // the ACK
    const ackNs = process.hrtime.bigint();
    this.afterAck(res.type_url, marker, ackNs);
  }

  private onDelta(buf: Chunks): void {
    const res = readDeltaDiscoveryResponse(buf);
    const st = this.types.get(res.type_url);
    let resourceBytes = 0;
    for (const r of res.resources) resourceBytes += r.value?.length ?? 0;
    this.count(res.type_url, buf.length, res.resources.length, resourceBytes);
    if (!st) return;
    let marker = -1;
    for (const r of res.resources) {
      if (!r.value) continue;
      const d = this.o.reader.read(res.type_url, r.name, r.version, r.value);
      st.derived.set(r.name, d);
      st.have.add(r.name);
      marker = Math.max(marker, d.marker);
    }
    for (const name of res.removed_resources) {
      st.derived.delete(name);
      st.have.delete(name);
    }
    st.nonce = res.nonce;
    st.received = true;
    const ack: DeltaDiscoveryRequest = { type_url: res.type_url, response_nonce: res.nonce };
    const node = this.node();
    if (node) ack.node = node;
    this.write('envoy.service.discovery.v3.DeltaDiscoveryRequest', ack);
    const ackNs = process.hrtime.bigint();
    this.afterAck(res.type_url, marker, ackNs);
  }

  private afterAck(typeUrl: string, marker: number, ackNs: bigint): void {
    if (typeUrl === TypeUrl.Cluster) this.resubscribe(TypeUrl.ClusterLoadAssignment, this.types.get(TypeUrl.Cluster)!);
    if (typeUrl === TypeUrl.Listener) this.resubscribe(TypeUrl.RouteConfiguration, this.types.get(TypeUrl.Listener)!);
    if (marker >= 0) {
      if (typeUrl === TypeUrl.RouteConfiguration) {
        this.routeSeq = marker;
        this.routeEvents.push([marker, ackNs]);
      } else if (typeUrl === TypeUrl.ClusterLoadAssignment) {
        this.endpointSeq = marker;
        this.endpointEvents.push([marker, ackNs]);
      }
    }
    if (this.syncedAtNs === undefined && this.synced) this.syncedAtNs = ackNs;
    this.o.onProgress(this);
  }

  /** Follows references: the names the parent type's resources use become the child type's subscription. */
  private resubscribe(childType: string, parent: TypeState): void {
    const want = new Set<string>();
    for (const d of parent.derived.values()) for (const n of d.names) want.add(n);
    const child = this.types.get(childType)!;
    const subscribe = [...want].filter((n) => !child.subscribed.has(n)).sort();
    const unsubscribe = [...child.subscribed].filter((n) => !want.has(n)).sort();
    if (subscribe.length === 0 && unsubscribe.length === 0) return;
    child.subscribed = want;
    for (const n of unsubscribe) {
      child.derived.delete(n);
      child.have.delete(n);
    }
    this.request(childType, subscribe, unsubscribe);
  }
}
