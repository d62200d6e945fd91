// The envoy.service.discovery.v3.AggregatedDiscoveryService: its two method
// paths and request decoders for the server (which writes responses already
// encoded and framed, see wire.ts), and a grpc-js client definition built by
// hand from the protobufjs types, for tests and tools.
import type * as grpc from '@grpc/grpc-js';
import { messageType } from '@switchyard/protos';
import type { DeltaRequest, SotwRequest } from './discovery-request.js';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const DISCOVERY_REQUEST = 'envoy.service.discovery.v3.DiscoveryRequest';
const DELTA_DISCOVERY_REQUEST = 'envoy.service.discovery.v3.DeltaDiscoveryRequest';

export interface NodeInfo {
  readonly id: string;
  readonly cluster: string;
}

export interface DecodedSotwRequest extends SotwRequest {
  readonly node?: NodeInfo;
}

export interface DecodedDeltaRequest extends DeltaRequest {
  readonly node?: NodeInfo;
}

const CONVERT = { longs: String, enums: String, defaults: false, arrays: true, objects: true } as const;

interface RawNode {
  id?: string;
  cluster?: string;
}
interface RawStatus {
  code?: number;
  message?: string;
}

function node(raw: RawNode | undefined): NodeInfo | undefined {
  return raw ? { id: raw.id ?? '', cluster: raw.cluster ?? '' } : undefined;
}

function errorDetail(raw: RawStatus | undefined): { code: number; message: string } | undefined {
  // Envoy sets error_detail only on a NACK; an ACK leaves it unset.
  return raw ? { code: raw.code ?? 0, message: raw.message ?? '' } : undefined;
}

export function decodeDiscoveryRequest(bytes: Buffer): DecodedSotwRequest {
  const t = messageType(DISCOVERY_REQUEST);
  const o = t.toObject(t.decode(bytes), CONVERT) as {
    version_info?: string;
    node?: RawNode;
    resource_names: string[];
    type_url?: string;
    response_nonce?: string;
    error_detail?: RawStatus;
  };
  return {
    node: node(o.node),
    typeUrl: o.type_url ?? '',
    versionInfo: o.version_info ?? '',
    resourceNames: o.resource_names,
    responseNonce: o.response_nonce ?? '',
    errorDetail: errorDetail(o.error_detail),
  };
}

export function decodeDeltaDiscoveryRequest(bytes: Buffer): DecodedDeltaRequest {
  const t = messageType(DELTA_DISCOVERY_REQUEST);
  const o = t.toObject(t.decode(bytes), CONVERT) as {
    node?: RawNode;
    type_url?: string;
    resource_names_subscribe: string[];
    resource_names_unsubscribe: string[];
    initial_resource_versions: Record<string, string>;
    response_nonce?: string;
    error_detail?: RawStatus;
  };
  return {
    node: node(o.node),
    typeUrl: o.type_url ?? '',
    subscribe: o.resource_names_subscribe,
    unsubscribe: o.resource_names_unsubscribe,
    initialResourceVersions: o.initial_resource_versions,
    responseNonce: o.response_nonce ?? '',
    errorDetail: errorDetail(o.error_detail),
  };
}

/** The HTTP/2 paths of the two ADS methods (both bidirectional streams). */
export const ADS_PATHS = {
  sotw: `${SERVICE}/StreamAggregatedResources`,
  delta: `${SERVICE}/DeltaAggregatedResources`,
} as const;

function encoder(typeName: string): (value: object) => Buffer {
  return (value) => {
    const t = messageType(typeName);
    return Buffer.from(t.encode(t.fromObject(value as Record<string, unknown>)).finish());
  };
}

function decoder(typeName: string): (bytes: Buffer) => Record<string, unknown> {
  return (bytes) => {
    const t = messageType(typeName);
    return t.toObject(t.decode(bytes), { ...CONVERT, bytes: Buffer });
  };
}

/**
 * Client side, plain objects in the proto field names (snake_case) both ways;
 * Any values in responses stay as { type_url, value: Buffer }.
 */
export const adsClientDefinition = {
  StreamAggregatedResources: {
    path: ADS_PATHS.sotw,
    requestStream: true,
    responseStream: true,
    requestSerialize: encoder(DISCOVERY_REQUEST),
    requestDeserialize: decoder(DISCOVERY_REQUEST),
    responseSerialize: encoder('envoy.service.discovery.v3.DiscoveryResponse'),
    responseDeserialize: decoder('envoy.service.discovery.v3.DiscoveryResponse'),
  },
  DeltaAggregatedResources: {
    path: ADS_PATHS.delta,
    requestStream: true,
    responseStream: true,
    requestSerialize: encoder(DELTA_DISCOVERY_REQUEST),
    requestDeserialize: decoder(DELTA_DISCOVERY_REQUEST),
    responseSerialize: encoder('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
    responseDeserialize: decoder('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
  },
} satisfies grpc.ServiceDefinition;
