// Loads the Envoy protos once and offers the few operations every package
// needs on them: look up a message type, encode a resource to bytes, decode it
// back, and render it in proto3 JSON form. Field names keep their proto case
// (snake_case), matching the generated types under ./generated.
import protobuf from 'protobufjs';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { NEWER_FIELDS, PROTO_INCLUDE_DIRS, ROOT_PROTO_FILES } from './roots.js';

// The Envoy protos import google/protobuf/descriptor.proto (for their option
// annotations); protobufjs bundles it as JSON but registers it only on request.
const requireJson = createRequire(import.meta.url);
for (const name of ['descriptor', 'api', 'source_context', 'type']) {
  const json = requireJson(`protobufjs/google/protobuf/${name}.json`) as {
    nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } };
  };
  protobuf.common(name, json.nested.google.nested.protobuf.nested as Record<string, protobuf.INamespace>);
}

export { NEWER_FIELDS, PROTO_INCLUDE_DIRS, ROOT_PROTO_FILES } from './roots.js';

export * from './type-url.js';
export * from './extension-type-urls.js';
export { METADATA_NAMESPACE, INVALID_BACKEND_CLUSTER, INVALID_TCP_BACKEND_CLUSTER, readMetadata } from './switchyard-metadata.js';
import { typeUrlOf } from './type-url.js';
import { encodePlainMessage } from './encode.js';

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs Root holding every message reachable from ROOT_PROTO_FILES. */
export function envoyRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string | null => {
    if (path.isAbsolute(target) && fs.existsSync(target)) return target;
    for (const dir of PROTO_INCLUDE_DIRS) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return null;
  };
  root.loadSync([...ROOT_PROTO_FILES], { keepCase: true });
  for (const f of NEWER_FIELDS) root.lookupType(f.type).add(new protobuf.Field(f.name, f.id, f.fieldType));
  root.resolveAll();
  cachedRoot = root;
  return root;
}

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by fully qualified name or type URL. */
export function messageType(nameOrTypeUrl: string): protobuf.Type {
  let t = typeCache.get(nameOrTypeUrl);
  if (!t) {
    const name = nameOrTypeUrl.slice(nameOrTypeUrl.lastIndexOf('/') + 1);
    t = envoyRoot().lookupType(name);
    typeCache.set(nameOrTypeUrl, t);
  }
  return t;
}

/**
 * Encodes a resource given as a plain object in the shape of the generated
 * types (Any fields as `{ '@type': url, ...fields }`). Encoding follows field
 * number order, so equal objects give equal bytes.
 */
export function encodeMessage(nameOrTypeUrl: string, value: object): Uint8Array {
  return encodePlainMessage(messageType(nameOrTypeUrl), value);
}

/** Options that give objects in the shape of the generated `__Output` types. */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  oneofs: false,
  json: true,
};

/** Decodes bytes into a plain object; Any fields come back with '@type'. */
export function decodeMessage(nameOrTypeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(nameOrTypeUrl);
  return type.toObject(type.decode(bytes), DECODE_OPTIONS);
}

/**
 * Renders a resource in Envoy's proto3 JSON form (camelCase field names,
 * '@type' on Any values, 64-bit integers as strings, durations as "1.5s").
 */
export function toProto3Json(nameOrTypeUrl: string, value: object): Record<string, unknown> {
  const type = messageType(nameOrTypeUrl);
  const msg = type.fromObject(value);
  return { '@type': typeUrlOf(type.fullName.replace(/^\./, '')), ...messageToJson(type, msg) };
}

function messageToJson(type: protobuf.Type, msg: protobuf.Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // fromObject sets only present fields as own properties; the rest are
  // prototype defaults that proto3 JSON leaves out. A message sets a few of
  // its type's many fields, so start from those, in field declaration order.
  for (const field of presentFields(type, msg)) {
    const raw = (msg as unknown as Record<string, unknown>)[field.name];
    if (raw === undefined || raw === null) continue;
    if (field.map) {
      const m = raw as Record<string, unknown>;
      const keys = Object.keys(m);
      if (keys.length === 0) continue;
      const obj: Record<string, unknown> = {};
      for (const k of keys.sort()) obj[k] = valueToJson(field, m[k]);
      out[jsonName(field)] = obj;
    } else if (field.repeated) {
      const arr = raw as unknown[];
      if (arr.length === 0) continue;
      out[jsonName(field)] = arr.map((v) => valueToJson(field, v));
    } else {
      if (!field.partOf && !(field.resolvedType instanceof protobuf.Type) && isDefault(field, raw)) continue;
      out[jsonName(field)] = valueToJson(field, raw);
    }
  }
  return out;
}

// Rendering a large translation asks for the same few hundred fields' names
// and types' full names millions of times; protobufjs computes fullName by
// walking the parents on every read.
const jsonNames = new WeakMap<protobuf.Field, string>();
const fullNames = new WeakMap<protobuf.Type, string>();

const fieldOrder = new WeakMap<protobuf.Type, Map<string, { field: protobuf.Field; position: number }>>();

/** The fields set on `msg` (its own properties), in the order the type declares them. */
function presentFields(type: protobuf.Type, msg: protobuf.Message): protobuf.Field[] {
  let order = fieldOrder.get(type);
  if (!order) fieldOrder.set(type, (order = new Map(type.fieldsArray.map((field, position) => [field.name, { field, position }]))));
  const found: Array<{ field: protobuf.Field; position: number }> = [];
  for (const key of Object.keys(msg)) {
    const f = order.get(key);
    if (f) found.push(f);
  }
  if (found.length > 1) found.sort((a, b) => a.position - b.position);
  return found.map((f) => f.field);
}

function jsonName(field: protobuf.Field): string {
  let n = jsonNames.get(field);
  if (n === undefined) jsonNames.set(field, (n = field.name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())));
  return n;
}

function fullNameOf(type: protobuf.Type): string {
  let n = fullNames.get(type);
  if (n === undefined) fullNames.set(type, (n = type.fullName));
  return n;
}

const LONG_TYPES: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** A 64-bit integer as a decoded protobufjs message holds it: a number, a decimal string, or a long.js Long (whose toString is the decimal). */
type Int64 = number | string | (protobuf.Long & { toString(): string });

function isDefault(field: protobuf.Field, v: unknown): boolean {
  if (field.resolvedType instanceof protobuf.Enum) return v === 0;
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v)
    return (v as { low: number; high: number }).low === 0 && (v as { high: number }).high === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  return v === 0 || v === '' || v === false;
}

const WELL_KNOWN_JSON: Record<string, (type: protobuf.Type, msg: protobuf.Message) => unknown> = {
  '.google.protobuf.Duration': (_t, m) => {
    const d = m as unknown as { seconds?: Int64; nanos?: number };
    const s = Number(String(d.seconds ?? 0));
    const n = d.nanos ?? 0;
    return n === 0 ? `${s}s` : `${(s + n / 1e9).toFixed(9).replace(/0+$/, '')}s`;
  },
  // Struct, Value and ListValue are plain JSON objects, values and arrays in proto3 JSON.
  '.google.protobuf.Struct': (_t, m) => structToJson(m),
  '.google.protobuf.Value': (_t, m) => valueMessageToJson(m),
  '.google.protobuf.ListValue': (_t, m) => listToJson(m),
};
for (const w of ['BoolValue', 'StringValue', 'UInt32Value', 'Int32Value', 'DoubleValue', 'FloatValue']) {
  WELL_KNOWN_JSON[`.google.protobuf.${w}`] = (_t, m) => (m as unknown as { value: unknown }).value;
}
for (const w of ['UInt64Value', 'Int64Value']) {
  WELL_KNOWN_JSON[`.google.protobuf.${w}`] = (_t, m) => String((m as unknown as { value: unknown }).value);
}

interface StructMessage {
  fields?: Record<string, protobuf.Message>;
}
// protobufjs bundles struct.proto with camelCase field names (stringValue), and
// the generated types follow it, unlike every Envoy message (proto names).
interface ValueMessage {
  nullValue?: number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: protobuf.Message;
  listValue?: protobuf.Message;
}

function structToJson(m: protobuf.Message): Record<string, unknown> {
  const fields = (m as unknown as StructMessage).fields ?? {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) out[k] = valueMessageToJson(fields[k]);
  return out;
}

function listToJson(m: protobuf.Message): unknown[] {
  return ((m as unknown as { values?: protobuf.Message[] }).values ?? []).map(valueMessageToJson);
}

function valueMessageToJson(m: protobuf.Message): unknown {
  const v = m as unknown as ValueMessage;
  const own = (k: keyof ValueMessage): boolean => Object.prototype.hasOwnProperty.call(v, k);
  if (own('structValue') && v.structValue) return structToJson(v.structValue);
  if (own('listValue') && v.listValue) return listToJson(v.listValue);
  if (own('stringValue')) return v.stringValue;
  if (own('numberValue')) return v.numberValue;
  if (own('boolValue')) return v.boolValue;
  return null;
}

function valueToJson(field: protobuf.Field, v: unknown): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Enum) return rt.valuesById[v as number] ?? v;
  if (rt instanceof protobuf.Type) return typeToJson(rt, v as protobuf.Message);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'object' && v !== null && 'low' in v) return (v as Int64).toString();
  if (LONG_TYPES.has(field.type)) return String(v);
  return v;
}

function typeToJson(type: protobuf.Type, msg: protobuf.Message): unknown {
  const name = fullNameOf(type);
  if (name === '.google.protobuf.Any') {
    const any = msg as unknown as { type_url: string; value: Uint8Array };
    const inner = messageType(any.type_url);
    const special = WELL_KNOWN_JSON[fullNameOf(inner)];
    const decoded = inner.decode(any.value);
    return special ? { '@type': any.type_url, value: special(inner, decoded) } : { '@type': any.type_url, ...messageToJson(inner, decoded) };
  }
  const special = WELL_KNOWN_JSON[name];
  if (special) return special(type, msg);
  return messageToJson(type, msg);
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
export function fromProto3Json(nameOrTypeUrl: string, json: unknown, unknown: string[] = []): Record<string, unknown> {
  const type = messageType(nameOrTypeUrl);
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
      inner = messageType(url);
    } catch {
      // An extension this package does not load (Lua, ext_authz, …): kept as
      // given; the Envoy model lists such filters as not modelled itself.
      return v;
    }
    if (WELL_KNOWN_JSON[inner.fullName]) return { '@type': url, ...(messageValueFromJson(inner, (v as { value?: unknown }).value, at, unknown) as object) };
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

export * from './resources.js';
