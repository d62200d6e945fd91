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

/** The key (field number, wire type 2) and length that start a length-delimited field. */
function writeLengthDelimitedHeader(buf: Buffer, offset: number, fieldNumber: number, length: number): number {
  return writeVarint(buf, writeVarint(buf, offset, (fieldNumber << 3) | 2), length);
}

/** The bytes of a length-delimited field of `length` bytes, its key and length included. */
function lengthDelimitedSize(fieldNumber: number, length: number): number {
  return varintSize((fieldNumber << 3) | 2) + varintSize(length) + length;
}

/** A string field written as UTF-8 of `bytes` bytes; nothing when empty (proto3). */
function writeStringField(buf: Buffer, offset: number, fieldNumber: number, value: string, bytes: number): number {
  if (bytes === 0) return offset;
  offset = writeLengthDelimitedHeader(buf, offset, fieldNumber, bytes);
  return offset + buf.write(value, offset, 'utf8');
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
    size += lengthDelimitedSize(fieldNumber, len);
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
    offset = writeLengthDelimitedHeader(buf, offset, fieldNumber, len);
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
  const versionBytes = Buffer.byteLength(version, 'utf8');
  const nameBytes = Buffer.byteLength(name, 'utf8');
  const stringFieldSize = (fieldNumber: number, bytes: number): number => (bytes === 0 ? 0 : lengthDelimitedSize(fieldNumber, bytes));
  // Any { type_url = 1; value = 2 }
  const anyLength = stringFieldSize(1, typeUrlBytes) + lengthDelimitedSize(2, valueLength);
  // Resource { version = 1; resource = 2 (the Any); name = 3 }, empty strings left out (proto3).
  const start = stringFieldSize(1, versionBytes) + lengthDelimitedSize(2, anyLength) - anyLength;
  const delta = Buffer.allocUnsafe(start + anyLength + stringFieldSize(3, nameBytes));
  let offset = writeStringField(delta, 0, 1, version, versionBytes);
  offset = writeLengthDelimitedHeader(delta, offset, 2, anyLength);
  offset = writeStringField(delta, offset, 1, typeUrl, typeUrlBytes);
  offset = writeLengthDelimitedHeader(delta, offset, 2, valueLength);
  for (const c of chunks) {
    delta.set(c, offset);
    offset += c.length;
  }
  writeStringField(delta, offset, 3, name, nameBytes);
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
