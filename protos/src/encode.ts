// Protobuf encoding of plain objects in the shape of the generated types,
// written straight from the object into one buffer. protobufjs's
// `type.encode(type.fromObject(value))` first builds a message instance tree
// and encodes every Any's inner message into a buffer of its own; at 10,000
// routes that is most of the cost of encoding. This encoder gives the same
// bytes (resource versions are hashes of them): it reads the object with
// fromObject's rules (null and undefined skipped, unknown keys ignored, enum
// names or numbers, 64-bit integers as number, string or Long, bytes as
// Uint8Array or base64, Any as `{ '@type': url, ...fields }`) and writes
// with protobufjs's encoder's rules (fields by number, every present field
// written even when it holds its default, packed repeated scalars, map
// entries as key 1 and value 2).
//
// Two passes over the object: the first sums sizes and records, in visiting
// order, the length of every nested message and string; the second writes
// into a buffer of exactly that size, reading the lengths back in the same
// order.
import protobuf from 'protobufjs';
import { anyTypeUrl, bytesFromObject, enumFromObject, isObject, Long, UNSET } from './from-object.js';

// Value kinds.
const DOUBLE = 0;
const FLOAT = 1;
const INT32 = 2;
const UINT32 = 3;
const SINT32 = 4;
const FIXED32 = 5;
const SFIXED32 = 6;
const INT64 = 7;
const UINT64 = 8;
const SINT64 = 9;
const FIXED64 = 10;
const SFIXED64 = 11;
const BOOL = 12;
const STRING = 13;
const BYTES = 14;
const ENUM = 15;
const MESSAGE = 16;

const KIND_OF: Record<string, number> = {
  double: DOUBLE,
  float: FLOAT,
  int32: INT32,
  uint32: UINT32,
  sint32: SINT32,
  fixed32: FIXED32,
  sfixed32: SFIXED32,
  int64: INT64,
  uint64: UINT64,
  sint64: SINT64,
  fixed64: FIXED64,
  sfixed64: SFIXED64,
  bool: BOOL,
  string: STRING,
  bytes: BYTES,
};

/** Wire type of each kind. */
const WIRE = [1, 5, 0, 0, 0, 5, 5, 0, 0, 0, 1, 1, 0, 2, 2, 0, 2];

// Field modes.
const SINGLE = 0;
const REPEATED = 1;
const PACKED = 2;
const MAP = 3;

/** How one value (a field's, a repeated field's element, a map entry's value or key) is read and written. */
interface ValuePlan {
  readonly kind: number;
  /** Enum names to numbers. */
  readonly enumValues: Map<string, number> | undefined;
  /** What an unknown enum name becomes in a repeated field (the enum's first value). */
  readonly enumDefault: number;
  readonly messageType: protobuf.Type | undefined;
  /** A map key: 64-bit keys are parsed as signed, as the writer does with the key string. */
  readonly isKey: boolean;
  readonly fullName: string;
}

interface FieldPlan {
  readonly name: string;
  readonly mode: number;
  /** Tag of one element: field number and the value's wire type. */
  readonly tag: number;
  /** Tag with wire type 2 (packed, map entries, messages). */
  readonly lenTag: number;
  readonly value: ValuePlan;
  /** Map fields: the key, and the value's tag inside the entry. */
  readonly key: ValuePlan | undefined;
  readonly entryValueTag: number;
}

interface MessagePlan {
  readonly type: protobuf.Type;
  readonly fields: readonly FieldPlan[];
  /** google.protobuf.Any: an object with '@type' is the named message, encoded in place as the value. */
  readonly any: boolean;
}

interface AnyTarget {
  readonly typeUrl: string;
  readonly type: protobuf.Type;
}

const plans = new WeakMap<protobuf.Type, MessagePlan>();
const anyTargets = new Map<string, AnyTarget>();

function planOf(type: protobuf.Type): MessagePlan {
  let plan = plans.get(type);
  if (!plan) {
    const fields = type.fieldsArray
      .slice()
      .sort((a, b) => a.id - b.id)
      .map((f) => fieldPlan(f.resolve()));
    plan = { type, fields, any: type.fullName === '.google.protobuf.Any' };
    plans.set(type, plan);
  }
  return plan;
}

function valuePlan(typeName: string, resolved: protobuf.Type | protobuf.Enum | null, typeDefault: unknown, fullName: string, isKey: boolean): ValuePlan {
  if (resolved instanceof protobuf.Type) return { kind: MESSAGE, enumValues: undefined, enumDefault: 0, messageType: resolved, isKey, fullName };
  if (resolved instanceof protobuf.Enum) {
    return { kind: ENUM, enumValues: new Map(Object.entries(resolved.values)), enumDefault: Number(typeDefault), messageType: undefined, isKey, fullName };
  }
  const kind = KIND_OF[typeName];
  if (kind === undefined) throw new Error(`${fullName}: unsupported field type ${typeName}`);
  return { kind, enumValues: undefined, enumDefault: 0, messageType: undefined, isKey, fullName };
}

function fieldPlan(field: protobuf.Field): FieldPlan {
  if (field.required) throw new Error(`${field.fullName}: required fields are not supported`);
  if (field.delimited) throw new Error(`${field.fullName}: groups are not supported`);
  const resolved = field.resolvedType;
  const value = valuePlan(field.type, resolved, field.typeDefault, field.fullName, false);
  const lenTag = ((field.id << 3) | 2) >>> 0;
  if (field.map) {
    const keyType = (field as unknown as protobuf.MapField).keyType;
    const key = valuePlan(keyType, null, undefined, field.fullName, true);
    return { name: field.name, mode: MAP, tag: lenTag, lenTag, value, key, entryValueTag: (2 << 3) | WIRE[value.kind] };
  }
  const tag = ((field.id << 3) | WIRE[value.kind]) >>> 0;
  // protobufjs packs a packed field's scalars and enums; messages, strings and bytes never.
  const packable = value.kind !== MESSAGE && value.kind !== STRING && value.kind !== BYTES;
  const mode = field.repeated ? (field.packed && packable ? PACKED : REPEATED) : SINGLE;
  return { name: field.name, mode, tag, lenTag, value, key: undefined, entryValueTag: 0 };
}

/** The message an Any's '@type' names, looked up as protobufjs's Any wrapper does; undefined when there is none. */
function anyTarget(anyType: protobuf.Type, url: string): AnyTarget | undefined {
  let t = anyTargets.get(url);
  if (!t) {
    const found = anyType.lookup(url.substring(url.lastIndexOf('/') + 1));
    if (!found) return undefined;
    if (!(found instanceof protobuf.Type)) throw new Error(`${url}: not a message type`);
    t = { typeUrl: anyTypeUrl(url), type: found };
    anyTargets.set(url, t);
  }
  return t;
}

function objectExpected(p: ValuePlan): TypeError {
  return new TypeError(`${p.fullName}: object expected`);
}

// ---- Reading values as fromObject does ----

const util = protobuf.util;

interface Bits {
  lo: number;
  hi: number;
  length(): number;
  zzEncode(): Bits;
}

/** A 64-bit value as fromObject (Long.fromValue) and the writer (LongBits.from) treat it. */
function longBits(v: unknown, p: ValuePlan): Bits {
  const unsigned = (p.kind === UINT64 || p.kind === FIXED64) && !p.isKey;
  const long = p.isKey ? Long.fromString(v as string) : Long.fromValue(v, unsigned);
  const bits = util.LongBits.from(long) as unknown as Bits;
  return p.kind === SINT64 ? new util.LongBits(bits.lo, bits.hi).zzEncode() : bits;
}

/** A map entry fromObject leaves out: an unknown enum name, bytes that are neither a string nor have a length. */
function entryAbsent(p: ValuePlan, v: unknown): boolean {
  if (p.kind === ENUM) return enumFromObject(p.enumValues!, p.enumDefault, v, false) === UNSET;
  if (p.kind === BYTES) return bytesFromObject(v) === UNSET;
  return false;
}

// ---- Pass 1: sizes ----

/** Lengths of nested messages, packed runs, map entries and strings, in visiting order. */
const lens: number[] = [];
let lenAt = 0;

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

function utf8Size(s: string): number {
  if (s.length >= 40) return Buffer.byteLength(s);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++;
      n += 4;
    } else n += 3;
  }
  return n;
}

/** Size of one value without its tag (a message's or string's with its length prefix); -1 when nothing is written. */
function valueSize(p: ValuePlan, v: unknown, repeated: boolean): number {
  switch (p.kind) {
    case DOUBLE:
    case FIXED64:
    case SFIXED64:
      return 8;
    case FLOAT:
    case FIXED32:
    case SFIXED32:
      return 4;
    case INT32: {
      const n = (v as number) | 0;
      return n < 0 ? 10 : varintSize(n);
    }
    case UINT32:
      return varintSize((v as number) >>> 0);
    case SINT32: {
      const n = (v as number) | 0;
      return varintSize(((n << 1) ^ (n >> 31)) >>> 0);
    }
    case INT64:
    case UINT64:
    case SINT64:
      return longBits(v, p).length();
    case BOOL:
      return 1;
    case STRING: {
      const len = utf8Size(typeof v === 'string' ? v : String(v));
      lens.push(len);
      return varintSize(len) + len;
    }
    case BYTES: {
      const b = bytesFromObject(v);
      if (b === UNSET) return -1;
      return varintSize(b.length) + b.length;
    }
    case ENUM: {
      const n = enumFromObject(p.enumValues!, p.enumDefault, v, repeated);
      if (n === UNSET) return -1;
      const i = n | 0;
      return i < 0 ? 10 : varintSize(i);
    }
    default: {
      if (!isObject(v)) throw objectExpected(p);
      const slot = lens.length;
      lens.push(0);
      const len = messageSize(planOf(p.messageType!), v);
      lens[slot] = len;
      return varintSize(len) + len;
    }
  }
}

function messageSize(plan: MessagePlan, obj: Record<string, unknown>): number {
  if (plan.any) {
    const url = obj['@type'];
    if (url) {
      const target = anyTarget(plan.type, url as string);
      if (target) {
        const urlLen = utf8Size(target.typeUrl);
        lens.push(urlLen);
        const slot = lens.length;
        lens.push(0);
        const len = messageSize(planOf(target.type), obj);
        lens[slot] = len;
        return 1 + varintSize(urlLen) + urlLen + 1 + varintSize(len) + len;
      }
    }
  }
  let size = 0;
  for (const f of plan.fields) {
    const v = obj[f.name];
    if (f.mode === SINGLE) {
      if (v == null) continue;
      const s = valueSize(f.value, v, false);
      if (s >= 0) size += varintSize(f.tag) + s;
    } else if (f.mode === MAP) {
      if (!v) continue;
      if (!isObject(v)) throw objectExpected(f.value);
      for (const k of Object.keys(v)) {
        const entry = v[k];
        if (entryAbsent(f.value, entry)) continue;
        const slot = lens.length;
        lens.push(0);
        const len = 1 + valueSize(f.key!, k, false) + 1 + valueSize(f.value, entry, false);
        lens[slot] = len;
        size += varintSize(f.lenTag) + varintSize(len) + len;
      }
    } else {
      if (!v) continue;
      if (!Array.isArray(v)) throw new TypeError(`${f.value.fullName}: array expected`);
      if (v.length === 0) continue;
      if (f.mode === PACKED) {
        let len = 0;
        for (const e of v) len += valueSize(f.value, e, true);
        lens.push(len);
        size += varintSize(f.lenTag) + varintSize(len) + len;
      } else {
        const tagSize = varintSize(f.tag);
        for (const e of v) {
          const s = valueSize(f.value, e, true);
          if (s < 0) throw new TypeError(`${f.value.fullName}: no value for a repeated element`);
          size += tagSize + s;
        }
      }
    }
  }
  return size;
}

// ---- Pass 2: writing ----

let buf: Buffer = Buffer.alloc(0);
let pos = 0;

function writeVarint(n: number): void {
  while (n > 0x7f) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
}

function writeVarint64(lo: number, hi: number): void {
  while (hi) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  writeVarint(lo);
}

function writeInt32(n: number): void {
  if (n < 0) writeVarint64(n >>> 0, 0xffffffff);
  else writeVarint(n);
}

function writeString(s: string): void {
  const len = lens[lenAt++];
  writeVarint(len);
  if (s.length >= 40) {
    buf.write(s, pos, len, 'utf8');
    pos += len;
    return;
  }
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) buf[pos++] = c;
    else if (c < 0x800) {
      buf[pos++] = (c >> 6) | 0xc0;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      buf[pos++] = (c >> 18) | 0xf0;
      buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c >> 12) | 0xe0;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    }
  }
}

/** Writes one value without its tag; false when nothing is written (pass 1 gave -1). */
function writeValue(p: ValuePlan, v: unknown, repeated: boolean): boolean {
  switch (p.kind) {
    case DOUBLE:
      pos = buf.writeDoubleLE(Number(v), pos);
      return true;
    case FLOAT:
      pos = buf.writeFloatLE(Number(v), pos);
      return true;
    case INT32:
      writeInt32((v as number) | 0);
      return true;
    case UINT32:
      writeVarint((v as number) >>> 0);
      return true;
    case SINT32: {
      const n = (v as number) | 0;
      writeVarint(((n << 1) ^ (n >> 31)) >>> 0);
      return true;
    }
    case FIXED32:
      pos = buf.writeUInt32LE((v as number) >>> 0, pos);
      return true;
    case SFIXED32:
      pos = buf.writeInt32LE((v as number) | 0, pos);
      return true;
    case INT64:
    case UINT64:
    case SINT64: {
      const b = longBits(v, p);
      writeVarint64(b.lo, b.hi);
      return true;
    }
    case FIXED64:
    case SFIXED64: {
      const b = longBits(v, p);
      pos = buf.writeUInt32LE(b.lo >>> 0, pos);
      pos = buf.writeUInt32LE(b.hi >>> 0, pos);
      return true;
    }
    case BOOL:
      buf[pos++] = v ? 1 : 0;
      return true;
    case STRING:
      writeString(typeof v === 'string' ? v : String(v));
      return true;
    case BYTES: {
      const b = bytesFromObject(v);
      if (b === UNSET) return false;
      writeVarint(b.length);
      buf.set(b, pos);
      pos += b.length;
      return true;
    }
    case ENUM: {
      const n = enumFromObject(p.enumValues!, p.enumDefault, v, repeated);
      if (n === UNSET) return false;
      writeInt32(n | 0);
      return true;
    }
    default:
      writeVarint(lens[lenAt++]);
      writeMessage(planOf(p.messageType!), v as Record<string, unknown>);
      return true;
  }
}

function writeMessage(plan: MessagePlan, obj: Record<string, unknown>): void {
  if (plan.any) {
    const url = obj['@type'];
    if (url) {
      const target = anyTarget(plan.type, url as string);
      if (target) {
        buf[pos++] = 0x0a;
        writeString(target.typeUrl);
        buf[pos++] = 0x12;
        writeVarint(lens[lenAt++]);
        writeMessage(planOf(target.type), obj);
        return;
      }
    }
  }
  for (const f of plan.fields) {
    const v = obj[f.name];
    if (f.mode === SINGLE) {
      if (v == null) continue;
      // The tag goes first; a value that turns out absent (an unknown enum name, bytes without a length) takes it back.
      const at = pos;
      writeVarint(f.tag);
      if (!writeValue(f.value, v, false)) pos = at;
    } else if (f.mode === MAP) {
      if (!v) continue;
      const m = v as Record<string, unknown>;
      for (const k of Object.keys(m)) {
        const entry = m[k];
        if (entryAbsent(f.value, entry)) continue;
        writeVarint(f.lenTag);
        writeVarint(lens[lenAt++]);
        buf[pos++] = (1 << 3) | WIRE[f.key!.kind];
        writeValue(f.key!, k, false);
        buf[pos++] = f.entryValueTag;
        writeValue(f.value, entry, false);
      }
    } else {
      const arr = v as unknown[] | undefined;
      if (!arr || arr.length === 0) continue;
      if (f.mode === PACKED) {
        writeVarint(f.lenTag);
        writeVarint(lens[lenAt++]);
        for (const e of arr) writeValue(f.value, e, true);
      } else {
        for (const e of arr) {
          writeVarint(f.tag);
          writeValue(f.value, e, true);
        }
      }
    }
  }
}

/**
 * Encodes a plain object as a message of `type`; byte for byte what
 * `type.encode(type.fromObject(value)).finish()` gives.
 */
export function encodePlainMessage(type: protobuf.Type, value: object): Buffer {
  if (!isObject(value)) throw new TypeError(`${type.fullName}: object expected`);
  const plan = planOf(type);
  lens.length = 0;
  const size = messageSize(plan, value);
  const out = Buffer.allocUnsafe(size);
  buf = out;
  pos = 0;
  lenAt = 0;
  writeMessage(plan, value);
  if (pos !== size) throw new Error(`${type.fullName}: encoded ${pos} bytes, sized ${size}`);
  buf = EMPTY;
  // A whole RouteConfiguration records hundreds of thousands of lengths; let that memory go.
  if (lens.length > 4096) lens.length = 0;
  return out;
}

const EMPTY = Buffer.alloc(0);
