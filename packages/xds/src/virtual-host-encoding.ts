// A RouteConfiguration encoded one virtual host at a time. A Gateway's
// RouteConfiguration holds every virtual host of its HTTP port (612 KB for
// 1,000 routes), and a one-route change alters one of them: the producer
// hands the unchanged virtual hosts back as the same objects, so only the
// changed one is encoded (and walked for references) again.
//
// protobufjs writes fields in field number order, and a repeated message
// field as tag, length and the message's bytes; RouteConfiguration's name is
// field 1 and virtual_hosts field 2, every other field comes later. So
// encode({name}) + each virtual host's (tag, length, bytes) + encode(the
// rest) is byte for byte encode(whole); the tests check that.
import { encodeMessage, TypeUrl, type RouteConfiguration } from '@switchyard/protos';

interface EncodedVirtualHost {
  /** Tag of field 2, length, VirtualHost bytes: the virtual host's part of the RouteConfiguration's encoding. */
  readonly field: Uint8Array;
  /** What refsOf gave for it. */
  readonly refs: unknown;
}

const VIRTUAL_HOSTS_TAG = (2 << 3) | 2;
const VIRTUAL_HOST_TYPE = 'envoy.config.route.v3.VirtualHost';

// Virtual host objects are immutable (EnvoyResources is readonly throughout).
const encodedByObject = new WeakMap<object, EncodedVirtualHost>();

/**
 * The RouteConfiguration's bytes in pieces (their concatenation equals
 * encodeMessage of the whole; the caller copies them once, into the
 * envelope) and the references of its parts in document order. `refsOf`
 * walks a part (a virtual host, or the configuration without its virtual
 * hosts).
 */
export function encodeRouteConfiguration<R>(value: RouteConfiguration, refsOf: (part: object) => R): { chunks: Uint8Array[]; parts: R[] } {
  const { name, virtual_hosts: hosts = [], ...rest } = value;
  const head = encodeMessage(TypeUrl.RouteConfiguration, name === undefined ? {} : { name });
  const tail = encodeMessage(TypeUrl.RouteConfiguration, rest);
  const fields: Uint8Array[] = [head];
  const parts: R[] = [];
  for (const vh of hosts) {
    let enc = encodedByObject.get(vh);
    if (!enc) {
      const bytes = encodeMessage(VIRTUAL_HOST_TYPE, vh);
      enc = { field: Buffer.concat([Uint8Array.from([VIRTUAL_HOSTS_TAG, ...varint(bytes.length)]), bytes]), refs: refsOf(vh) };
      encodedByObject.set(vh, enc);
    }
    fields.push(enc.field);
    // One refsOf per call site (encoded-snapshot's referencesOf), so the cached value has its type.
    parts.push(enc.refs as R);
  }
  fields.push(tail);
  parts.push(refsOf(rest));
  return { chunks: fields, parts };
}

/** Protobuf's base-128 varint of a length. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
