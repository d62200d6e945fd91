// Hand-written protobuf wire encoding for the few xDS envelope messages the
// server sends (Any, Resource, DiscoveryResponse, DeltaDiscoveryResponse).
// Resources are encoded once per change and shared by every stream of a
// fleet; building a response is then one allocation and a copy of those
// bytes, never a re-encode of a resource per stream. Responses come out
// framed as gRPC messages, so the one buffer is written as is to every
// stream that gets it (grpc-http2.ts).

/** A length-delimited field: bytes, or a string written as UTF-8. Empty strings are left out (proto3). */
type Field = readonly [fieldNumber: number, value: Uint8Array | string];

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  while (n > 0x7f) {
    buf[offset++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[offset++] = n;
  return offset;
}

/**
 * gRPC's Length-Prefixed-Message header (PROTOCOL-HTTP2.md): a compressed
 * flag (0: not compressed) and the message length, 4 bytes big-endian.
 */
export const GRPC_MESSAGE_PREFIX_BYTES = 5;

/**
 * Encodes a message made only of length-delimited fields, in the order given;
 * with `grpcFramed`, behind the gRPC message header in the same buffer.
 */
export function encodeFields(fields: readonly Field[], grpcFramed = false): Buffer {
  let size = 0;
  const lengths: number[] = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const [fieldNumber, value] = fields[i]!;
    const len = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
    lengths[i] = len;
    if (typeof value === 'string' && len === 0) continue;
    size += varintSize((fieldNumber << 3) | 2) + varintSize(len) + len;
  }
  const prefix = grpcFramed ? GRPC_MESSAGE_PREFIX_BYTES : 0;
  const buf = Buffer.allocUnsafe(prefix + size);
  let offset = prefix;
  if (grpcFramed) {
    buf[0] = 0;
    buf.writeUInt32BE(size, 1);
  }
  for (let i = 0; i < fields.length; i++) {
    const [fieldNumber, value] = fields[i]!;
    const len = lengths[i]!;
    if (typeof value === 'string' && len === 0) continue;
    offset = writeVarint(buf, offset, (fieldNumber << 3) | 2);
    offset = writeVarint(buf, offset, len);
    if (typeof value === 'string') offset += buf.write(value, offset, 'utf8');
    else {
      buf.set(value, offset);
      offset += len;
    }
  }
  return buf;
}

/** google.protobuf.Any { type_url = 1; value = 2; } */
export function encodeAny(typeUrl: string, value: Uint8Array): Buffer {
  return encodeFields([
    [1, typeUrl],
    [2, value],
  ]);
}

/** envoy.service.discovery.v3.Resource { version = 1; resource = 2; name = 3; } */
export function encodeDeltaResource(name: string, version: string, any: Uint8Array): Buffer {
  return encodeFields([
    [1, version],
    [2, any],
    [3, name],
  ]);
}

/**
 * A resource's two envelopes, Resource for delta responses and the Any inside
 * it for state-of-the-world ones, sharing one buffer: `any` is a view of the
 * bytes inside `delta`, so a fleet holds each encoded resource once.
 */
export function encodeResourceEnvelopes(
  typeUrl: string,
  name: string,
  version: string,
  value: Uint8Array | readonly Uint8Array[],
): { any: Buffer; delta: Buffer } {
  // `value` may come in pieces (a RouteConfiguration spliced from cached
  // virtual hosts): they are copied once, straight into the envelope.
  const chunks = value instanceof Uint8Array ? [value] : value;
  let valueLength = 0;
  for (const c of chunks) valueLength += c.length;
  const typeUrlBytes = Buffer.byteLength(typeUrl, 'utf8');
  const anyLength =
    (typeUrlBytes === 0 ? 0 : varintSize((1 << 3) | 2) + varintSize(typeUrlBytes) + typeUrlBytes) +
    varintSize((2 << 3) | 2) +
    varintSize(valueLength) +
    valueLength;
  const versionBytes = Buffer.byteLength(version, 'utf8');
  const nameBytes = Buffer.byteLength(name, 'utf8');
  // Resource { version = 1; resource = 2 (the Any); name = 3 }, empty strings left out (proto3).
  const start =
    (versionBytes === 0 ? 0 : varintSize((1 << 3) | 2) + varintSize(versionBytes) + versionBytes) + varintSize((2 << 3) | 2) + varintSize(anyLength);
  const delta = Buffer.allocUnsafe(start + anyLength + (nameBytes === 0 ? 0 : varintSize((3 << 3) | 2) + varintSize(nameBytes) + nameBytes));
  let offset = 0;
  if (versionBytes > 0) {
    offset = writeVarint(delta, offset, (1 << 3) | 2);
    offset = writeVarint(delta, offset, versionBytes);
    offset += delta.write(version, offset, 'utf8');
  }
  offset = writeVarint(delta, offset, (2 << 3) | 2);
  offset = writeVarint(delta, offset, anyLength);
  if (typeUrlBytes > 0) {
    offset = writeVarint(delta, offset, (1 << 3) | 2);
    offset = writeVarint(delta, offset, typeUrlBytes);
    offset += delta.write(typeUrl, offset, 'utf8');
  }
  offset = writeVarint(delta, offset, (2 << 3) | 2);
  offset = writeVarint(delta, offset, valueLength);
  for (const c of chunks) {
    delta.set(c, offset);
    offset += c.length;
  }
  if (nameBytes > 0) {
    offset = writeVarint(delta, offset, (3 << 3) | 2);
    offset = writeVarint(delta, offset, nameBytes);
    delta.write(name, offset, 'utf8');
  }
  return { any: delta.subarray(start, start + anyLength), delta };
}

/** envoy.config.core.v3.ControlPlane { identifier = 1; } */
export function encodeControlPlane(identifier: string): Buffer {
  return encodeFields([[1, identifier]]);
}

export interface SotwResponseParts {
  readonly versionInfo: string;
  /** Encoded google.protobuf.Any messages. */
  readonly resources: readonly Uint8Array[];
  readonly typeUrl: string;
  readonly nonce: string;
  readonly controlPlane: Uint8Array;
}

/** envoy.service.discovery.v3.DiscoveryResponse, framed as one gRPC message. */
export function encodeDiscoveryResponse(r: SotwResponseParts): Buffer {
  const fields: Field[] = [[1, r.versionInfo]];
  for (const any of r.resources) fields.push([2, any]);
  fields.push([4, r.typeUrl], [5, r.nonce]);
  if (r.controlPlane.length > 0) fields.push([6, r.controlPlane]);
  return encodeFields(fields, true);
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

/** envoy.service.discovery.v3.DeltaDiscoveryResponse, framed as one gRPC message. */
export function encodeDeltaDiscoveryResponse(r: DeltaResponseParts): Buffer {
  const fields: Field[] = [[1, r.systemVersionInfo]];
  for (const res of r.resources) fields.push([2, res]);
  fields.push([4, r.typeUrl], [5, r.nonce]);
  // removed_resources is repeated: an empty name is still an entry.
  for (const name of r.removedResources) fields.push([6, Buffer.from(name, 'utf8')]);
  if (r.controlPlane.length > 0) fields.push([7, r.controlPlane]);
  return encodeFields(fields, true);
}
