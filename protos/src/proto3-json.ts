// Envoy's proto3 JSON form (what its admin /config_dump prints) of the
// resources the translator builds, and back. Rendering walks the plain
// objects in the shape of the generated types (proto field names, Any as
// `{ '@type': url, ...fields }`, Duration as `{ seconds, nanos }`, wrappers as
// `{ value }`, Struct as `{ fields }`, enums by name or number, 64-bit
// integers as numbers or strings) along the protobufjs reflection of their
// types, coercing each value as protobufjs' fromObject would (and, inside an
// Any, as encoding it to bytes and decoding it back would), without building
// protobufjs messages or encoding Any values.
import protobuf from 'protobufjs';
import { anyTypeUrl, bytesFromObject, enumFromObject, isObject, Long, UNSET } from './from-object.js';

type Plain = Record<string, unknown>;

/**
 * Renders a message of `type` (headed by `'@type': typeUrl` when given, as
 * Envoy prints a resource) in Envoy's proto3 JSON form (camelCase field names,
 * '@type' on Any values, 64-bit integers as strings, durations as "1.5s").
 * Fields appear in declaration order; scalars at their default value are
 * left out unless they belong to a oneof (or are proto3 `optional`); map keys
 * are sorted; enums are named; bytes are base64. Keys no field has are
 * ignored, as are null and undefined values.
 */
export function messageToProto3Json(type: protobuf.Type, value: object, typeUrl?: string): Record<string, unknown> {
  const fields = fieldsOf(type);
  if (fields.byName.size > 0 && !isObject(value)) throw new TypeError(`${type.fullName}: object expected`);
  return messageJson(fields, value as Plain, false, typeUrl === undefined ? {} : { '@type': typeUrl });
}

/** What rendering needs of one field, computed once. */
interface FieldInfo {
  readonly field: protobuf.Field;
  readonly name: string;
  readonly json: string;
  readonly position: number;
  readonly map: boolean;
  readonly repeated: boolean;
  /** A oneof member or proto3 `optional`: rendered even at its default value. */
  readonly partOf: boolean;
  readonly enumType: protobuf.Enum | undefined;
  /** The enum's names to numbers, as fromObject reads them. */
  readonly enumValues: ReadonlyMap<string, number> | undefined;
  readonly messageType: protobuf.Type | undefined;
  /** The scalar type (field.type) when neither enum nor message. */
  readonly scalar: string;
  /** fieldsOf(messageType), once asked for. */
  messageInfo?: TypeInfo;
}

interface TypeInfo {
  readonly type: protobuf.Type;
  readonly fullName: string;
  readonly byName: ReadonlyMap<string, FieldInfo>;
  readonly isAny: boolean;
  /** The rendering of a well-known type that proto3 JSON writes in its own form. */
  readonly wellKnown: ((d: Plain, inAny: boolean) => unknown) | undefined;
}

const typeInfos = new WeakMap<protobuf.Type, TypeInfo>();

function fieldsOf(type: protobuf.Type): TypeInfo {
  let info = typeInfos.get(type);
  if (!info) {
    const byName = new Map<string, FieldInfo>();
    type.fieldsArray.forEach((field, position) => {
      field.resolve();
      const rt = field.resolvedType;
      byName.set(field.name, {
        field,
        name: field.name,
        json: jsonName(field),
        position,
        map: field.map,
        repeated: field.repeated,
        partOf: Boolean(field.partOf),
        enumType: rt instanceof protobuf.Enum ? rt : undefined,
        enumValues: rt instanceof protobuf.Enum ? new Map(Object.entries(rt.values)) : undefined,
        messageType: rt instanceof protobuf.Type ? rt : undefined,
        scalar: field.type,
      });
    });
    const fullName = type.fullName;
    info = { type, fullName, byName, isAny: fullName === '.google.protobuf.Any', wellKnown: WELL_KNOWN_JSON.get(fullName) };
    typeInfos.set(type, info);
  }
  return info;
}

const jsonNames = new WeakMap<protobuf.Field, string>();

/** A field's proto3 JSON name: its proto name in lowerCamelCase. */
function jsonName(field: protobuf.Field): string {
  let n = jsonNames.get(field);
  if (n === undefined) jsonNames.set(field, (n = field.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())));
  return n;
}

function messageJson(type: TypeInfo, d: Plain, inAny: boolean, out: Record<string, unknown> = {}): Record<string, unknown> {
  if (type.byName.size === 0) return out;
  const found: FieldInfo[] = [];
  for (const key of Object.keys(d)) {
    const f = type.byName.get(key);
    if (f) found.push(f);
  }
  if (found.length > 1) found.sort((a, b) => a.position - b.position);
  for (const f of found) {
    const raw = d[f.name];
    if (f.map) {
      if (!raw) continue;
      if (!isObject(raw)) throw new TypeError(`${f.field.fullName}: object expected`);
      const obj: Record<string, unknown> = {};
      let any = false;
      const m = wireKeys(raw, inAny);
      for (const k of Object.keys(m).sort()) {
        const v = elementJson(f, m[k], inAny, false);
        if (v === UNSET) continue;
        obj[k] = v;
        any = true;
      }
      if (any) out[f.json] = obj;
    } else if (f.repeated) {
      if (!raw) continue;
      if (!Array.isArray(raw)) throw new TypeError(`${f.field.fullName}: array expected`);
      if (raw.length === 0) continue;
      // An element fromObject does not set stays a hole, as it did there.
      const arr: unknown[] = new Array<unknown>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const v = elementJson(f, raw[i], inAny, true);
        if (v !== UNSET) arr[i] = v;
      }
      out[f.json] = arr;
    } else {
      if (raw === undefined || raw === null) continue;
      if (f.messageType) {
        out[f.json] = messageValueJson(f, raw, inAny);
      } else if (f.enumType) {
        const n = enumNumber(f, raw, inAny, false);
        if (n === UNSET || (n === 0 && !f.partOf)) continue;
        out[f.json] = f.enumType.valuesById[n] ?? n;
      } else {
        const v = coerceScalar(f.scalar, raw, inAny);
        if (v === UNSET || (!f.partOf && isDefaultScalar(v))) continue;
        out[f.json] = scalarJson(v);
      }
    }
  }
  return out;
}

/** One element of a repeated or map field. */
function elementJson(f: FieldInfo, v: unknown, inAny: boolean, repeated: boolean): unknown {
  if (f.messageType) return messageValueJson(f, v, inAny);
  if (f.enumType) {
    const n = enumNumber(f, v, inAny, repeated);
    return n === UNSET ? UNSET : (f.enumType.valuesById[n] ?? n);
  }
  const c = coerceScalar(f.scalar, v, inAny);
  return c === UNSET ? UNSET : scalarJson(c);
}

/**
 * An enum value as fromObject sets it: a known name or any number; an
 * unknown name is left unset, or (in a repeated field) the first value.
 * Inside an Any it went through an int32 on the wire.
 */
function enumNumber(f: FieldInfo, v: unknown, inAny: boolean, repeated: boolean): number | typeof UNSET {
  const n = enumFromObject(f.enumValues!, f.field.typeDefault as number, v, repeated);
  return n === UNSET || !inAny ? n : n | 0;
}

/** A scalar as fromObject sets it (and, inside an Any, as it comes back from the wire). */
type Scalar = number | string | boolean | Uint8Array | unknown[] | Int64;

/** A 64-bit integer, which proto3 JSON writes as a decimal string. */
interface Int64 {
  readonly decimal: string;
}

function coerceScalar(type: string, v: unknown, inAny: boolean): Scalar | typeof UNSET {
  switch (type) {
    case 'string':
      return wireString(String(v), inAny);
    case 'bool':
      return Boolean(v);
    case 'double':
      return Number(v);
    case 'float':
      return inAny ? Math.fround(Number(v)) : Number(v);
    case 'uint32':
    case 'fixed32':
      return (v as number) >>> 0;
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v as number) | 0;
    case 'uint64':
    case 'fixed64':
      return coerceLong(v, true);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return coerceLong(v, false);
    case 'bytes':
      return coerceBytes(v, inAny);
    default:
      return UNSET;
  }
}

const SAFE_DECIMAL = /^-?(0|[1-9]\d{0,14})$/;

/** As fromObject reads it (long.js Long.fromValue), without building a Long for the common safe integers. */
function coerceLong(v: unknown, unsigned: boolean): Int64 {
  if (typeof v === 'number' && Number.isSafeInteger(v) && (v >= 0 || !unsigned)) return { decimal: String(v) };
  if (typeof v === 'string' && SAFE_DECIMAL.test(v) && (!unsigned || v[0] !== '-')) return { decimal: v === '-0' ? '0' : v };
  return { decimal: Long.fromValue(v, unsigned).toString() };
}

function coerceBytes(v: unknown, inAny: boolean): Uint8Array | unknown[] | typeof UNSET {
  const b = bytesFromObject(v);
  // Bytes given as a plain array were written byte by byte inside an Any.
  return b === UNSET || b instanceof Uint8Array || !inAny ? (b as Uint8Array | unknown[] | typeof UNSET) : Uint8Array.from(b);
}

function isDefaultScalar(v: Scalar): boolean {
  if (v instanceof Uint8Array) return v.length === 0;
  if (isInt64(v)) return v.decimal === '0';
  return v === 0 || v === '' || v === false;
}

function isInt64(v: unknown): v is Int64 {
  return typeof v === 'object' && v !== null && 'decimal' in v;
}

function scalarJson(v: Scalar): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('base64');
  if (isInt64(v)) return v.decimal;
  return v;
}

function longJson(v: unknown, unsigned: boolean): string {
  return v === undefined || v === null ? '0' : coerceLong(v, unsigned).decimal;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A string as it comes back from the wire inside an Any: protobufjs writes a
 * lone surrogate as three bytes that UTF-8 decoding reads as three U+FFFD.
 */
function wireString(s: string, inAny: boolean): string {
  return inAny && SURROGATE.test(s) ? protobuf.Reader.create(protobuf.Writer.create().string(s).finish()).string() : s;
}

/** A map with its keys as they come back from the wire inside an Any (see wireString). */
function wireKeys(m: Plain, inAny: boolean): Plain {
  if (!inAny || !Object.keys(m).some((k) => SURROGATE.test(k))) return m;
  const out: Plain = {};
  for (const k of Object.keys(m)) out[wireString(k, true)] = m[k];
  return out;
}

/** A message-typed value: an object, rendered by its type (Any and the well-known types by their own rules). */
function messageValueJson(f: FieldInfo, v: unknown, inAny: boolean): unknown {
  if (!isObject(v)) throw new TypeError(`${f.field.fullName}: object expected`);
  const info = f.messageInfo ?? (f.messageInfo = fieldsOf(f.messageType as protobuf.Type));
  if (info.isAny) return anyJson(info.type.root, v);
  if (info.wellKnown) return info.wellKnown(v, inAny);
  return messageJson(info, v, inAny);
}

/** The message type an Any's type URL names, looked up in the root its Any type belongs to. */
function anyType(root: protobuf.Namespace, url: string): TypeInfo {
  let byUrl = anyTypes.get(root);
  if (!byUrl) anyTypes.set(root, (byUrl = new Map<string, TypeInfo>()));
  let t = byUrl.get(url);
  if (!t) byUrl.set(url, (t = fieldsOf(root.lookupType(url.slice(url.lastIndexOf('/') + 1)))));
  return t;
}

const anyTypes = new WeakMap<protobuf.Namespace, Map<string, TypeInfo>>();

function anyJson(root: protobuf.Namespace, d: Plain): unknown {
  const given = d['@type'];
  if (!given) return packedAnyJson(root, d);
  if (typeof given !== 'string') throw new TypeError('.google.protobuf.Any: "@type" must be a string');
  const url = anyTypeUrl(given);
  const inner = anyType(root, url);
  return inner.wellKnown ? { '@type': url, value: inner.wellKnown(d, true) } : messageJson(inner, d, true, { '@type': url });
}

/** An Any given as `{ type_url, value }` (value: the encoded message), as protobufjs reads it without '@type'. */
function packedAnyJson(root: protobuf.Namespace, d: Plain): unknown {
  const url = typeof d.type_url === 'string' ? d.type_url : '';
  const inner = anyType(root, url).type;
  const bytes = d.value === undefined || d.value === null ? new Uint8Array() : coerceBytes(d.value, true);
  const decoded = inner.toObject(inner.decode(bytes === UNSET ? new Uint8Array() : (bytes as Uint8Array)), {
    longs: String,
    enums: String,
    bytes: String,
    json: true,
  });
  return anyJson(root, { ...decoded, '@type': url });
}

const WELL_KNOWN_JSON = new Map<string, (d: Plain, inAny: boolean) => unknown>([
  [
    '.google.protobuf.Duration',
    (d) => {
      const s = Number(longJson(d.seconds, false));
      const n = d.nanos === undefined || d.nanos === null ? 0 : (d.nanos as number) | 0;
      return n === 0 ? `${s}s` : `${(s + n / 1e9).toFixed(9).replace(/0+$/, '')}s`;
    },
  ],
  // Struct, Value and ListValue are plain JSON objects, values and arrays in proto3 JSON.
  ['.google.protobuf.Struct', (d, inAny) => structJson(d, inAny)],
  ['.google.protobuf.Value', (d, inAny) => valueJson(d, inAny)],
  ['.google.protobuf.ListValue', (d, inAny) => listJson(d, inAny)],
  // Wrappers are their value (the type's default when unset).
  ['.google.protobuf.BoolValue', (d) => (d.value === undefined || d.value === null ? false : Boolean(d.value))],
  ['.google.protobuf.StringValue', (d, inAny) => (d.value === undefined || d.value === null ? '' : coerceScalar('string', d.value, inAny))],
  ['.google.protobuf.UInt32Value', (d) => (d.value === undefined || d.value === null ? 0 : (d.value as number) >>> 0)],
  ['.google.protobuf.Int32Value', (d) => (d.value === undefined || d.value === null ? 0 : (d.value as number) | 0)],
  ['.google.protobuf.DoubleValue', (d) => (d.value === undefined || d.value === null ? 0 : Number(d.value))],
  ['.google.protobuf.FloatValue', (d, inAny) => (d.value === undefined || d.value === null ? 0 : coerceScalar('float', d.value, inAny))],
  ['.google.protobuf.UInt64Value', (d) => longJson(d.value, true)],
  ['.google.protobuf.Int64Value', (d) => longJson(d.value, false)],
]);

// protobufjs bundles struct.proto with camelCase field names (stringValue), and
// the generated types follow it, unlike every Envoy message (proto names).
function structJson(d: Plain, inAny: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = d.fields;
  if (!fields) return out;
  if (!isObject(fields)) throw new TypeError('.google.protobuf.Struct.fields: object expected');
  const m = wireKeys(fields, inAny);
  for (const k of Object.keys(m).sort()) {
    const v = m[k];
    if (!isObject(v)) throw new TypeError('.google.protobuf.Struct.fields: object expected');
    out[k] = valueJson(v, inAny);
  }
  return out;
}

function listJson(d: Plain, inAny: boolean): unknown[] {
  const values = d.values;
  if (!values) return [];
  if (!Array.isArray(values)) throw new TypeError('.google.protobuf.ListValue.values: array expected');
  return values.map((v: unknown) => {
    if (!isObject(v)) throw new TypeError('.google.protobuf.ListValue.values: object expected');
    return valueJson(v, inAny);
  });
}

function valueJson(d: Plain, inAny: boolean): unknown {
  const present = (k: string): boolean => d[k] !== undefined && d[k] !== null;
  if (present('structValue')) {
    if (!isObject(d.structValue)) throw new TypeError('.google.protobuf.Value.structValue: object expected');
    return structJson(d.structValue, inAny);
  }
  if (present('listValue')) {
    if (!isObject(d.listValue)) throw new TypeError('.google.protobuf.Value.listValue: object expected');
    return listJson(d.listValue, inAny);
  }
  if (present('stringValue')) return coerceScalar('string', d.stringValue, inAny);
  if (present('numberValue')) return Number(d.numberValue);
  if (present('boolValue')) return Boolean(d.boolValue);
  return null;
}

/**
 * Reads a message in proto3 JSON form (what Envoy's admin /config_dump and
 * other control planes' tools print) into the shape of the generated types:
 * proto field names (JSON names and proto names are both accepted), Any as
 * `{ '@type', ...fields }`, Duration as `{ seconds, nanos }`, wrappers as
 * `{ value }`, Struct as `{ fields }`, enums by name, 64-bit integers as
 * strings. An Any of a type this package does not load is kept as given; a
 * field the loaded protos do not know (a newer Envoy's) is dropped and
 * reported in `unknown` by its JSON path, so a caller can say so.
 */
export function messageFromProto3Json(type: protobuf.Type, json: unknown, unknown: string[] = []): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`expected a ${type.name} object, found ${describeJson(json)}`);
  return messageFromJson(type, json as Record<string, unknown>, '', unknown);
}

function describeJson(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

function fieldByJsonKey(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fieldsArray.find((f) => jsonName(f) === key);
}

function messageFromJson(type: protobuf.Type, json: Record<string, unknown>, at: string, unknown: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === '@type') continue;
    const field = fieldByJsonKey(type, key);
    const here = at ? `${at}.${key}` : key;
    if (!field) {
      unknown.push(here);
      continue;
    }
    field.resolve();
    if (value === null) continue;
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) m[k] = fieldValueFromJson(field, v, `${here}.${k}`, unknown);
      out[field.name] = m;
    } else if (field.repeated) {
      out[field.name] = (Array.isArray(value) ? value : [value]).map((v, i) => fieldValueFromJson(field, v, `${here}[${i}]`, unknown));
    } else {
      out[field.name] = fieldValueFromJson(field, value, here, unknown);
    }
  }
  return out;
}

const WRAPPERS = new Set(
  ['BoolValue', 'StringValue', 'UInt32Value', 'Int32Value', 'DoubleValue', 'FloatValue', 'UInt64Value', 'Int64Value', 'BytesValue'].map(
    (w) => `.google.protobuf.${w}`,
  ),
);

function fieldValueFromJson(field: protobuf.Field, v: unknown, at: string, unknown: string[]): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) return typeof v === 'number' ? (rt.valuesById[v] ?? v) : v;
  if (rt instanceof protobuf.Type) return messageValueFromJson(rt, v, at, unknown);
  if (['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)) return String(v);
  return v;
}

function messageValueFromJson(type: protobuf.Type, v: unknown, at: string, unknown: string[]): unknown {
  const name = type.fullName;
  if (name === '.google.protobuf.Duration') return durationFromJson(v);
  if (WRAPPERS.has(name)) return { value: name.endsWith('64Value') ? String(v) : v };
  if (name === '.google.protobuf.Struct') return structFromJson(v);
  if (name === '.google.protobuf.Value') return valueFromJson(v);
  if (name === '.google.protobuf.ListValue') return { values: (v as unknown[]).map(valueFromJson) };
  if (name === '.google.protobuf.Timestamp' || name === '.google.protobuf.FieldMask') return v;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${at}: expected a ${type.name} object, found ${describeJson(v)}`);
  if (name === '.google.protobuf.Any') {
    const url = (v as Record<string, unknown>)['@type'];
    if (typeof url !== 'string') throw new Error(`${at}: an Any without "@type"`);
    let inner: protobuf.Type;
    try {
      inner = anyType(type.root, url).type;
    } catch {
      // An extension this package does not load (Lua, ext_authz, …): kept as
      // given; the Envoy model lists such filters as not modelled itself.
      return v;
    }
    if (WELL_KNOWN_JSON.has(inner.fullName)) return { '@type': url, ...(messageValueFromJson(inner, (v as { value?: unknown }).value, at, unknown) as object) };
    return { '@type': url, ...messageFromJson(inner, v as Record<string, unknown>, at, unknown) };
  }
  return messageFromJson(type, v as Record<string, unknown>, at, unknown);
}

function durationFromJson(v: unknown): { seconds: string; nanos: number } {
  if (typeof v === 'object' && v !== null) {
    const d = v as { seconds?: unknown; nanos?: unknown };
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- seconds is whatever the document holds (Int64 when it is a decoded message); it is passed on as its String, as before
    return { seconds: String(d.seconds ?? 0), nanos: Number(d.nanos ?? 0) };
  }
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(String(v));
  if (!m) throw new Error(`a duration is written like "1.5s", found ${JSON.stringify(v)}`);
  const nanos = Number((m[3] ?? '').padEnd(9, '0'));
  return { seconds: `${m[1]}${m[2]}`, nanos: m[1] ? -nanos : nanos };
}

function structFromJson(v: unknown): { fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const [k, x] of Object.entries((v ?? {}) as Record<string, unknown>)) fields[k] = valueFromJson(x);
  return { fields };
}

function valueFromJson(v: unknown): unknown {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(valueFromJson) } };
  return { structValue: structFromJson(v) };
}
