// The proto3 JSON renderer against the path it replaced (protobufjs
// fromObject, then a walk of the message that decodes every Any), kept here
// as the reference: every resource of every bundled example and every
// Gateway API conformance test must render to the same JSON text, and so
// must the corner cases below (Any in Any, Struct, wrappers, enums given as
// numbers, oneof members at their default, maps, bytes, empty lists).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { parseAllDocuments } from 'yaml';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { translate, type TranslateResult } from '@switchyard/translator';
import { appliedObjects, programmaticObjects, upstreamTests } from '@switchyard/translator/test/conformance/manifests.js';
import { messageType, RESOURCE_FIELDS, toProto3Json, typeUrlOf, TypeUrl } from './index.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Both renderings as the JSON text `translate -o json` would print, or the error each throws. */
function both(typeUrl: string, value: object): { actual: string; expected: string } {
  const run = (f: (u: string, v: object) => unknown): string => {
    try {
      return JSON.stringify(f(typeUrl, value));
    } catch {
      return 'throws';
    }
  };
  return { actual: run(toProto3Json), expected: run(referenceToProto3Json) };
}

function expectSameForEveryResource(result: TranslateResult): number {
  let n = 0;
  for (const [fleet, res] of result.fleets) {
    for (const [field, typeUrl] of RESOURCE_FIELDS) {
      for (const r of res[field]) {
        const { actual, expected } = both(typeUrl, r);
        if (actual !== expected) expect({ fleet, field, actual }).toEqual({ fleet, field, actual: expected });
        n++;
      }
    }
  }
  return n;
}

describe('toProto3Json renders what fromObject and decoding every Any rendered', () => {
  it('for every resource of the bundled examples', () => {
    const dir = path.join(REPO, 'examples');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).sort();
    const objects = files.flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))
        .map((d) => d.toJS() as KubeObject)
        .filter((o) => o),
    );
    expect(expectSameForEveryResource(translate(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' }))).toBeGreaterThan(20);
  });

  it('for every resource of every Gateway API conformance test', async () => {
    const programmatic = await programmaticObjects();
    let n = 0;
    for (const t of upstreamTests())
      n += expectSameForEveryResource(translate(snapshotOf(appliedObjects(t.manifests, programmatic)), { now: '2026-01-01T00:00:00Z' }));
    expect(n).toBeGreaterThan(1000);
  }, 120_000);
});

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const listenerWith = (typed_config: object, extra: object = {}) => ({
  name: 'l',
  ...extra,
  filter_chains: [{ filters: [{ name: 'f', typed_config }] }],
});
const routeWith = (route: object, vhost: object = {}) => ({
  name: 'rc',
  virtual_hosts: [{ name: 'v', domains: ['*'], ...vhost, routes: [{ match: { prefix: '/' }, direct_response: { status: 200 }, ...route }] }],
});

const ENUMS_AND_DEFAULTS = {
  name: 'c',
  type: 0,
  lb_policy: 3,
  dns_lookup_family: 'NO_SUCH_FAMILY',
  connect_timeout: {},
  common_lb_config: { override_host_status: { statuses: ['DRAINING', 'NO_SUCH_STATUS', 7, null, 2.5] } },
  health_checks: [{ timeout: { seconds: 1 }, interval: { seconds: 0, nanos: 0 }, tcp_health_check: {}, unhealthy_threshold: { value: 0 } }],
  load_assignment: {
    cluster_name: '',
    endpoints: [{ lb_endpoints: [{ health_status: 2.5, endpoint: { address: { socket_address: { address: '', port_value: 0 } } } }] }],
  },
};

const CASES: Array<[string, string, object]> = [
  [
    'Any in Any (typed_per_filter_config holding a FilterConfig)',
    TypeUrl.RouteConfiguration,
    routeWith({
      typed_per_filter_config: {
        'z.filter': { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', is_optional: true, config: { '@type': HCM, stat_prefix: 'in' } },
        'a.filter': { '@type': 'type.googleapis.com/google.protobuf.Struct', fields: { k: { stringValue: 'v' } } },
      },
    }),
  ],
  [
    'Struct with every kind of value, keys unsorted, nested',
    TypeUrl.RouteConfiguration,
    routeWith({
      metadata: {
        filter_metadata: {
          'z.ns': { fields: { b: { numberValue: 1.5 }, a: { boolValue: false }, n: { nullValue: 'NULL_VALUE' }, e: {} } },
          'a.ns': {
            fields: {
              s: { stringValue: 7 },
              l: { listValue: { values: [{ stringValue: 'x' }, { structValue: { fields: { y: { numberValue: 0 } } } }, {}] } },
              empty: { structValue: {} },
            },
          },
        },
        typed_filter_metadata: { t: { '@type': 'type.googleapis.com/google.protobuf.Struct', fields: { q: { listValue: {} } } } },
      },
    }),
  ],
  [
    'wrappers set, unset and at their defaults, outside and inside an Any',
    TypeUrl.Cluster,
    {
      name: 'c',
      per_connection_buffer_limit_bytes: { value: 0 },
      respect_dns_ttl: true,
      common_lb_config: { healthy_panic_threshold: { value: 0.5 }, update_merge_window: { seconds: 1, nanos: 5 } },
      max_requests_per_connection: {},
      circuit_breakers: { thresholds: [{ max_connections: { value: '100' }, retry_budget: { budget_percent: {}, min_retry_concurrency: { value: 3.9 } } }] },
      typed_extension_protocol_options: {
        w64: { '@type': 'type.googleapis.com/google.protobuf.UInt64Value', value: '18446744073709551615' },
        i64: { '@type': 'type.googleapis.com/google.protobuf.Int64Value', value: -5 },
        f: { '@type': 'type.googleapis.com/google.protobuf.FloatValue', value: 0.1 },
        d: { '@type': 'type.googleapis.com/google.protobuf.DoubleValue', value: 0.1 },
        b: { '@type': 'type.googleapis.com/google.protobuf.BoolValue' },
        s: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 5 },
        u: { '@type': 'type.googleapis.com/google.protobuf.UInt32Value', value: '7' },
        dur: { '@type': 'type.googleapis.com/google.protobuf.Duration', seconds: '-3', nanos: -500000000 },
        bytes: { '@type': 'type.googleapis.com/google.protobuf.BytesValue', value: 'aGk=' },
      },
    },
  ],
  ['enums by name, by number, unknown numbers and names; oneof members at their default', TypeUrl.Cluster, ENUMS_AND_DEFAULTS],
  ['the same inside an Any', TypeUrl.Cluster, { name: 'outer', typed_extension_protocol_options: { c: { '@type': TypeUrl.Cluster, ...ENUMS_AND_DEFAULTS } } }],
  [
    'repeated scalars coerced, oneof prefix "", empty lists and maps, nulls and unknown keys',
    TypeUrl.RouteConfiguration,
    {
      name: 'rc',
      no_such_field: 1,
      response_headers_to_remove: [],
      request_headers_to_add: null,
      virtual_hosts: [
        {
          name: 'v',
          domains: ['*', 5, null],
          retry_policy: { retry_on: '5xx', retriable_status_codes: ['503', 404.7] },
          routes: [
            {
              match: { prefix: '', headers: [] },
              route: { cluster: 'c', timeout: { seconds: '0' }, retry_policy: { num_retries: { value: 0 } } },
              metadata: {},
            },
            { match: { path: '/x', case_sensitive: { value: false } }, redirect: { response_code: 'FOUND', strip_query: false } },
            { match: { safe_regex: { regex: '.*' } }, direct_response: { status: '404', body: { inline_string: '' } } },
          ],
          typed_per_filter_config: {},
        },
      ],
    },
  ],
  [
    'bytes as base64 text (padded or not), as Buffer, as a number array, empty',
    TypeUrl.Secret,
    {
      name: 's',
      generic_secret: { secret: { inline_bytes: 'aGVsbG8' } },
      session_ticket_keys: { keys: [{ inline_bytes: [104, 105] }, { inline_bytes: Buffer.from('x') }, { inline_bytes: '' }, { inline_bytes: 'aGk' }] },
    },
  ],
  [
    'bytes inside an Any',
    TypeUrl.Listener,
    listenerWith({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
      session_ticket_keys: { keys: [{ inline_bytes: [104, 105] }, { inline_bytes: 'aGk' }] },
      generic_secret: { secret: { inline_bytes: [104, 105] } },
      validation_context: { trusted_ca: { inline_bytes: Buffer.from('ca') }, crl: { inline_bytes: '' } },
    }),
  ],
  [
    'Any without type.googleapis.com/ and a float inside it',
    TypeUrl.Listener,
    listenerWith({ '@type': '.validate.FloatRules', const: 0.1, lt: 0, in: [0.3, '2'] }, { per_connection_buffer_limit_bytes: { value: 1 } }),
  ],
  [
    '64-bit integers as numbers, strings, too large for a number, negative',
    TypeUrl.Cluster,
    {
      name: 'c',
      outlier_detection: { interval: { seconds: 9007199254740993 }, base_ejection_time: { seconds: '9223372036854775807' } },
      lb_subset_config: {},
      common_http_protocol_options: { max_stream_duration: { seconds: '0010', nanos: 1 } },
      typed_extension_protocol_options: {
        r: { '@type': 'type.googleapis.com/envoy.config.core.v3.RuntimeUInt32', default_value: -1, runtime_key: 'k' },
      },
    },
  ],
  [
    'an Any given as type_url and encoded value',
    TypeUrl.Listener,
    {
      name: 'l',
      filter_chains: [{ filters: [{ name: 'f', typed_config: { type_url: HCM, value: Buffer.from([0x12, 0x02, 0x68, 0x69]) } }] }],
    },
  ],
  [
    'lone surrogates, which UTF-8 on the wire inside an Any turns into U+FFFD',
    TypeUrl.RouteConfiguration,
    routeWith(
      {
        name: 'r\uD800',
        metadata: { filter_metadata: { 'k\uDC00': { fields: { 'a\uD800': { stringValue: 'b\uDC00' } } } } },
        typed_per_filter_config: {
          'f\uD800': {
            '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
            name: 'x\uD800y\uD83D\uDE00',
            virtual_hosts: [
              { name: 'v', domains: ['d\uDC00'], metadata: { filter_metadata: { 'k\uDC00': { fields: { 'a\uD800': { stringValue: 'b\uDC00' } } } } } },
            ],
          },
          s: { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: '\uD800' },
          'k\uD800': { '@type': 'type.googleapis.com/google.protobuf.Struct', fields: { 'a\uD800': { stringValue: 'b' }, 'a\uDC00': { stringValue: 'c' } } },
        },
      },
      {},
    ),
  ],
  ['a message field given a string throws', TypeUrl.Cluster, { name: 'c', connect_timeout: '5s' }],
  ['a repeated field given an object throws', TypeUrl.Cluster, { name: 'c', health_checks: { timeout: {} } }],
  ['an Any of an unknown type throws', TypeUrl.Listener, listenerWith({ '@type': 'type.googleapis.com/no.such.Type' })],
];

describe('toProto3Json renders corner cases as fromObject and decoding every Any did', () => {
  it.each(CASES)('%s', (_name, typeUrl, value) => {
    const { actual, expected } = both(typeUrl, value);
    expect(actual).toBe(expected);
  });

  it('renders the cases as Envoy prints them', () => {
    expect(toProto3Json(TypeUrl.RouteConfiguration, CASES[5]?.[2] as object)).toMatchObject({
      virtualHosts: [{ domains: ['*', '5', 'null'], routes: [{ match: { prefix: '' } }, { redirect: { responseCode: 'FOUND' } }, {}] }],
    });
    expect(toProto3Json(TypeUrl.Cluster, ENUMS_AND_DEFAULTS)).toMatchObject({
      type: 'STATIC',
      lbPolicy: 'RANDOM',
      connectTimeout: '0s',
      commonLbConfig: { overrideHostStatus: { statuses: ['DRAINING', 'UNKNOWN', 7, 'UNKNOWN', 2.5] } },
    });
  });
});

// ---------------------------------------------------------------------------
// The reference: the renderer this package had before, verbatim.

function referenceToProto3Json(nameOrTypeUrl: string, value: object): Record<string, unknown> {
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
  for (const k of Object.keys(fields).sort()) out[k] = valueMessageToJson(fields[k] as protobuf.Message);
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
