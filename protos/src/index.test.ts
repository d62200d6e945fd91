import { decodeMessage, encodeMessage, toProto3Json, TypeUrl } from './index.js';

describe('Envoy proto encoding', () => {
  const listener = {
    name: 'l',
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              stat_prefix: 'http',
              stream_idle_timeout: { seconds: 300 },
            },
          },
        ],
      },
    ],
  };
  it('round-trips Any-typed configs and renders proto3 JSON with @type and camelCase', () => {
    const bytes = encodeMessage(TypeUrl.Listener, listener);
    const back = decodeMessage(TypeUrl.Listener, bytes) as typeof listener;
    expect(back.filter_chains[0]?.filters[0]?.typed_config.stat_prefix).toBe('http');
    expect(toProto3Json(TypeUrl.Listener, listener)).toEqual({
      '@type': TypeUrl.Listener,
      name: 'l',
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typedConfig: {
                '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                statPrefix: 'http',
                streamIdleTimeout: '300s',
              },
            },
          ],
        },
      ],
    });
  });
  it('gives identical bytes for identical objects', () => {
    expect(Buffer.from(encodeMessage(TypeUrl.Listener, listener))).toEqual(Buffer.from(encodeMessage(TypeUrl.Listener, structuredClone(listener))));
  });
});

describe('proto3 JSON of google.protobuf.Struct', () => {
  it('renders metadata as plain JSON objects, as Envoy prints it', () => {
    const route = {
      name: 'r',
      virtual_hosts: [
        {
          name: 'v',
          domains: ['*'],
          routes: [
            {
              name: 'x',
              match: { prefix: '/' },
              metadata: {
                filter_metadata: {
                  'switchyard.dev': {
                    fields: {
                      kind: { stringValue: 'HTTPRoute' },
                      rule: { numberValue: 2 },
                      tags: { listValue: { values: [{ boolValue: true }, { nullValue: 'NULL_VALUE' }] } },
                      nested: { structValue: { fields: { a: { stringValue: 'b' } } } },
                    },
                  },
                },
              },
              direct_response: { status: 200 },
            },
          ],
        },
      ],
    };
    const decoded = decodeMessage(TypeUrl.RouteConfiguration, encodeMessage(TypeUrl.RouteConfiguration, route)) as typeof route;
    expect(decoded.virtual_hosts[0]?.routes[0]?.metadata.filter_metadata['switchyard.dev'].fields.kind).toEqual({ stringValue: 'HTTPRoute' });
    const json = toProto3Json(TypeUrl.RouteConfiguration, route) as { virtualHosts: Array<{ routes: Array<{ metadata: unknown }> }> };
    expect(json.virtualHosts[0]?.routes[0]?.metadata).toEqual({
      filterMetadata: { 'switchyard.dev': { kind: 'HTTPRoute', nested: { a: 'b' }, rule: 2, tags: [true, null] } },
    });
  });
});
