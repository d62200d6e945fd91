// How protobufjs's `fromObject` reads a plain value into a message field.
// The direct encoder (encode.ts) and the proto3 JSON renderer
// (proto3-json.ts) both read the translator's plain objects without building
// messages, and both must read them exactly as fromObject did, so that their
// bytes and text stay what the fromObject path gave. These rules live here,
// once.
import protobuf from 'protobufjs';

/** Marks a value fromObject would not set (an unknown enum name, bytes of no known form). */
export const UNSET = Symbol('unset');

/** What fromObject accepts for a message: any non-null object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** long.js, as protobufjs bundles it. */
interface LongStatics {
  fromValue(v: unknown, unsigned: boolean): protobuf.Long & { toString(): string };
  fromString(v: string): protobuf.Long;
}
export const Long = protobuf.util.Long as unknown as LongStatics;

/**
 * An enum value: a known name or any number; an unknown name leaves the field
 * unset, or (an element of a repeated field) becomes the enum's first value.
 */
export function enumFromObject(values: ReadonlyMap<string, number>, firstValue: number, v: unknown, repeated: boolean): number | typeof UNSET {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = values.get(v);
    if (n !== undefined) return n;
  }
  return repeated ? firstValue : UNSET;
}

/** Bytes: base64 text is decoded (into a buffer of the length its text implies); anything with a length is kept as given. */
export function bytesFromObject(v: unknown): Uint8Array | ArrayLike<number> | typeof UNSET {
  if (typeof v === 'string') {
    const buf = protobuf.util.newBuffer(protobuf.util.base64.length(v)) as Uint8Array;
    protobuf.util.base64.decode(v, buf, 0);
    return buf;
  }
  return ((v as { length?: unknown }).length as number) >= 0 ? (v as ArrayLike<number>) : UNSET;
}

/** The type URL fromObject writes for an Any's '@type': without a leading '.', with a '/' before the name. */
export function anyTypeUrl(given: string): string {
  const url = given.charAt(0) === '.' ? given.slice(1) : given;
  return url.includes('/') ? url : `/${url}`;
}
