import { decodeMessage, encodeMessage, toProto3Json, TypeUrl } from './index.js';

describe('Envoy proto encoding', () => {
  const listener = {
    name: 'l',
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      stat_prefix: 'http', stream_idle_timeout: { seconds: 300 },
    } }] }],
  };
  it('round-trips Any-typed configs and renders proto3 JSON with @type and camelCase', () => {
    const bytes = encodeMessage(TypeUrl.Listener, listener);
    const back = decodeMessage(TypeUrl.Listener, bytes) as typeof listener;
    expect(back.filter_chains[0]?.filters[0]?.typed_config.stat_prefix).toBe('http');
    expect(toProto3Json(TypeUrl.Listener, listener)).toEqual({
      '@type': TypeUrl.Listener,
      name: 'l',
      filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        statPrefix: 'http', streamIdleTimeout: '300s',
      } }] }],
    });
  });
  it('gives identical bytes for identical objects', () => {
    expect(Buffer.from(encodeMessage(TypeUrl.Listener, listener))).toEqual(Buffer.from(encodeMessage(TypeUrl.Listener, structuredClone(listener))));
  });
});
