// The direct encoder against protobufjs's fromObject + encode, the reference
// (resource versions are hashes of these bytes, so they must not move):
// targeted cases, then random objects built from the reflection of every
// message type reachable from the resource types and the extension configs.
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { encodePlainMessage } from './encode.js';
import * as extensionTypeUrls from './extension-type-urls.js';
import { messageType, TypeUrl } from './index.js';

function reference(type: protobuf.Type, value: object): Buffer {
  return Buffer.from(type.encode(type.fromObject(value)).finish());
}

function expectSameBytes(typeName: string, value: object): void {
  const type = messageType(typeName);
  const want = reference(type, value);
  expect(encodePlainMessage(type, value).toString('hex')).toBe(want.toString('hex'));
}

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTE = 'envoy.config.route.v3.Route';

describe('encodePlainMessage gives the bytes of fromObject + encode', () => {
  it('writes an Any inside an Any in place, with its type URL as given', () => {
    expectSameBytes(TypeUrl.Listener, {
      name: 'l',
      filter_chains: [
        {
          filters: [
            {
              name: 'hcm',
              typed_config: {
                '@type': extensionTypeUrls.HCM_TYPE,
                stat_prefix: 'http',
                http_filters: [{ name: 'router', typed_config: { '@type': extensionTypeUrls.ROUTER_TYPE } }],
              },
            },
          ],
        },
      ],
    });
    // Type URLs without a host, with a leading dot, and an Any given as type_url and value.
    expectSameBytes(ROUTE, { typed_per_filter_config: { a: { '@type': 'envoy.config.route.v3.FilterConfig', disabled: true } } });
    expectSameBytes(ROUTE, { typed_per_filter_config: { a: { '@type': '.envoy.config.route.v3.FilterConfig' } } });
    expectSameBytes(ROUTE, { typed_per_filter_config: { a: { type_url: 'x/y', value: Uint8Array.from([1, 2, 3]) } } });
    expectSameBytes(ROUTE, { typed_per_filter_config: { a: { type_url: 'x/y', value: 'AQID' } } });
  });

  it('writes Struct, wrappers and durations as given', () => {
    expectSameBytes(TypeUrl.Cluster, {
      name: 'c',
      connect_timeout: { seconds: 5, nanos: 0 },
      per_connection_buffer_limit_bytes: { value: 0 },
      metadata: {
        filter_metadata: {
          switchyard: {
            fields: {
              s: { string_value: 'x' },
              n: { number_value: -1.5 },
              b: { bool_value: false },
              z: { null_value: 'NULL_VALUE' },
              l: { list_value: { values: [{ number_value: 0 }, { struct_value: { fields: {} } }] } },
            },
          },
        },
      },
    });
  });

  it('writes enums given by name or number, skips unknown names, and writes explicit zeros and empty strings', () => {
    expectSameBytes(TypeUrl.Cluster, { name: '', type: 'STRICT_DNS', lb_policy: 0, dns_lookup_family: 'NO_SUCH_NAME', ignore_health_on_host_removal: false });
    expectSameBytes(TypeUrl.Cluster, { type: 2, lb_policy: 'LEAST_REQUEST', connect_timeout: { seconds: 0 } });
    expectSameBytes(TypeUrl.Cluster, { name: null, type: undefined, alt_stat_name: 'a', unknown_key: { deep: 1 } });
    // Repeated enums: unknown names become the enum's first value.
    expectSameBytes('envoy.config.route.v3.RetryPolicy', { retriable_status_codes: [503, 0], retry_on: '5xx' });
    expectSameBytes('envoy.config.core.v3.HealthStatusSet', { statuses: ['HEALTHY', 'NOPE', 3, -1] });
  });

  it('writes negative int32, 64-bit integers as numbers, strings and Longs, and bytes as arrays or base64', () => {
    expectSameBytes('envoy.config.route.v3.RouteAction', { priority: 'HIGH', timeout: { seconds: -3, nanos: -5 } });
    expectSameBytes('google.protobuf.Int32Value', { value: -7 });
    expectSameBytes('google.protobuf.Int64Value', { value: '-9223372036854775808' });
    expectSameBytes('google.protobuf.UInt64Value', { value: '18446744073709551615' });
    expectSameBytes('google.protobuf.UInt64Value', { value: { low: 0x2e90edd1, high: 0x7048, unsigned: true } });
    expectSameBytes('google.protobuf.Duration', { seconds: 315576000000, nanos: 999999999 });
    expectSameBytes('google.protobuf.BytesValue', { value: 'aGVsbG8=' });
    expectSameBytes('google.protobuf.BytesValue', { value: Uint8Array.from([0, 255]) });
    expectSameBytes('google.protobuf.BytesValue', { value: '' });
    expectSameBytes('google.protobuf.FloatValue', { value: 0.1 });
    expectSameBytes('google.protobuf.DoubleValue', { value: -0 });
  });

  it('packs repeated scalars and writes strings of every UTF-8 length, short and long', () => {
    expectSameBytes('envoy.type.v3.Int64Range', { start: -1, end: 2 });
    expectSameBytes('envoy.config.core.v3.HealthCheck', { expected_statuses: [{ start: 200, end: 300 }], timeout: { seconds: 1 } });
    expectSameBytes('envoy.config.route.v3.RetryPolicy', { retriable_status_codes: [500, 502, 503, 70000] });
    const long = 'ä€😀x'.repeat(20);
    expectSameBytes('envoy.config.core.v3.HeaderValue', { key: 'ä€😀', value: long });
    // A lone surrogate: protobufjs writes it as three bytes below 40 UTF-16 units, Buffer as U+FFFD from 40.
    expectSameBytes('envoy.config.core.v3.HeaderValue', { key: `${'a'.repeat(38)}\ud800`, value: `${'a'.repeat(39)}\ud800` });
  });

  it('throws where fromObject throws: a message field that is not an object, a repeated field that is not an array', () => {
    const t = messageType(TypeUrl.Cluster);
    expect(() => reference(t, { connect_timeout: 5 })).toThrow(TypeError);
    expect(() => encodePlainMessage(t, { connect_timeout: 5 })).toThrow(TypeError);
    expect(() => reference(t, { health_checks: {} })).toThrow(TypeError);
    expect(() => encodePlainMessage(t, { health_checks: {} })).toThrow(TypeError);
  });
});

// ---- Random objects from the reflection ----

const ANY_TARGETS = [...Object.values(TypeUrl), ...Object.values(extensionTypeUrls).filter((v) => v.startsWith('type.googleapis.com/'))];

const scalar: Record<string, fc.Arbitrary<unknown>> = {
  double: fc.oneof(fc.double(), fc.constant(0), fc.integer()),
  float: fc.oneof(fc.float(), fc.constant(0)),
  int32: fc.oneof(fc.integer(), fc.constant(0), fc.constant(-1)),
  uint32: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constant(0)),
  sint32: fc.integer(),
  fixed32: fc.integer({ min: 0, max: 0xffffffff }),
  sfixed32: fc.integer(),
  int64: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.constant(0)),
  uint64: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)),
  sint64: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)),
  fixed64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  sfixed64: fc.integer(),
  bool: fc.boolean(),
  string: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constant('')),
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 8 }),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('base64')),
  ),
};

const arbitraries = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

function valueOf(field: protobuf.Field, typeName: string, depth: number): fc.Arbitrary<unknown> | undefined {
  const resolved = typeName === field.type ? field.resolvedType : null;
  if (resolved instanceof protobuf.Enum) {
    const names = Object.keys(resolved.values);
    return fc.oneof(fc.constantFrom(...names), fc.constantFrom(...Object.values(resolved.values)), fc.constant('NOT_A_NAME'));
  }
  if (resolved instanceof protobuf.Type) return depth > 0 ? messageArb(resolved, depth - 1) : undefined;
  return scalar[typeName];
}

function messageArb(type: protobuf.Type, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const key = `${type.fullName}@${depth}`;
  let arb = arbitraries.get(key);
  if (arb) return arb;
  if (type.fullName === '.google.protobuf.Any') {
    const named = fc.constantFrom(...ANY_TARGETS).chain((url) => {
      const target = messageType(url);
      return depth > 0 ? messageArb(target, depth - 1).map((o) => ({ ...o, '@type': url })) : fc.constant({ '@type': url });
    });
    arb = fc.oneof(named, fc.record({ type_url: fc.constant('x/y'), value: scalar.bytes! }));
  } else {
    const parts: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of type.fieldsArray) {
      f.resolve();
      let a: fc.Arbitrary<unknown> | undefined;
      if (f.map) {
        const v = valueOf(f, f.type, depth);
        const keyType = (f as unknown as protobuf.MapField).keyType;
        const k =
          keyType === 'string'
            ? fc.string({ maxLength: 4 })
            : keyType === 'bool'
              ? fc.constantFrom('true', 'false')
              : fc.integer({ min: 0, max: 99 }).map(String);
        if (v) a = fc.dictionary(k, v, { maxKeys: 2 });
      } else {
        const v = valueOf(f, f.type, depth);
        if (v) a = f.repeated ? fc.array(v, { maxLength: 3 }) : v;
      }
      if (a) parts[f.name] = fc.oneof({ arbitrary: a, weight: 3 }, fc.constant(null), fc.constant(undefined));
    }
    parts.not_a_field = fc.constant('ignored');
    arb = fc.record(parts, { requiredKeys: [] });
  }
  arbitraries.set(key, arb);
  return arb;
}

describe('encodePlainMessage on random objects', () => {
  for (const typeName of [...Object.values(TypeUrl), HCM, ROUTE, 'envoy.config.route.v3.VirtualHost']) {
    it(`matches the reference for ${typeName.slice(typeName.lastIndexOf('.') + 1)}`, () => {
      const type = messageType(typeName);
      fc.assert(
        fc.property(messageArb(type, 3), (obj) => {
          let want: Buffer | Error;
          try {
            want = reference(type, obj);
          } catch (e) {
            want = e as Error;
          }
          if (want instanceof Error) expect(() => encodePlainMessage(type, obj)).toThrow();
          else expect(encodePlainMessage(type, obj).toString('hex')).toBe(want.toString('hex'));
        }),
        { numRuns: 150, seed: 16 },
      );
    });
  }
});
