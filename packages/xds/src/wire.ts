// Hand-written protobuf wire encoding for the few xDS envelope messages the
// server sends (Any, Resource, DiscoveryResponse, DeltaDiscoveryResponse).
// Resources are encoded once per change and shared by every stream of a
// fleet; building a response is then only a concatenation of those bytes,
// never a re-encode of a resource per stream.

const WIRE_LEN = 2;

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** One length-delimited field: tag, length, bytes. */
export function lenField(fieldNumber: number, bytes: Uint8Array): Buffer[] {
  return [varint((fieldNumber << 3) | WIRE_LEN), varint(bytes.length), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)];
}

/** A string field; proto3 leaves empty strings out. */
export function stringField(fieldNumber: number, s: string): Buffer[] {
  return s === '' ? [] : lenField(fieldNumber, Buffer.from(s, 'utf8'));
}

/** google.protobuf.Any { type_url = 1; value = 2; } */
export function encodeAny(typeUrl: string, value: Uint8Array): Buffer {
  return Buffer.concat([...stringField(1, typeUrl), ...lenField(2, value)]);
}

/** envoy.service.discovery.v3.Resource { version = 1; resource = 2; name = 3; } */
export function encodeDeltaResource(name: string, version: string, any: Uint8Array): Buffer {
  return Buffer.concat([...stringField(1, version), ...lenField(2, any), ...stringField(3, name)]);
}

/** envoy.config.core.v3.ControlPlane { identifier = 1; } */
export function encodeControlPlane(identifier: string): Buffer {
  return Buffer.concat(stringField(1, identifier));
}

export interface SotwResponseParts {
  readonly versionInfo: string;
  /** Encoded google.protobuf.Any messages. */
  readonly resources: readonly Uint8Array[];
  readonly typeUrl: string;
  readonly nonce: string;
  readonly controlPlane: Uint8Array;
}

/** envoy.service.discovery.v3.DiscoveryResponse */
export function encodeDiscoveryResponse(r: SotwResponseParts): Buffer {
  const parts: Buffer[] = [...stringField(1, r.versionInfo)];
  for (const any of r.resources) parts.push(...lenField(2, any));
  parts.push(...stringField(4, r.typeUrl), ...stringField(5, r.nonce));
  if (r.controlPlane.length > 0) parts.push(...lenField(6, r.controlPlane));
  return Buffer.concat(parts);
}

export interface DeltaResponseParts {
  readonly systemVersionInfo: string;
  /** Encoded envoy.service.discovery.v3.Resource messages. */
  readonly resources: readonly Uint8Array[];
  readonly typeUrl: string;
  readonly removedResources: readonly string[];
  readonly nonce: string;
  readonly controlPlane: Uint8Array;
}

/** envoy.service.discovery.v3.DeltaDiscoveryResponse */
export function encodeDeltaDiscoveryResponse(r: DeltaResponseParts): Buffer {
  const parts: Buffer[] = [...stringField(1, r.systemVersionInfo)];
  for (const res of r.resources) parts.push(...lenField(2, res));
  parts.push(...stringField(4, r.typeUrl), ...stringField(5, r.nonce));
  for (const name of r.removedResources) parts.push(...lenField(6, Buffer.from(name, 'utf8')));
  if (r.controlPlane.length > 0) parts.push(...lenField(7, r.controlPlane));
  return Buffer.concat(parts);
}
