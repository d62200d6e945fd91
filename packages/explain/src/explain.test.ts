import { describe, expect, it } from '@jest/globals';
import { decodeMessage, encodeMessage, TypeUrl, type EnvoyResources } from '@switchyard/protos';
import { routeSourceOf } from './metadata.js';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RouteMatch } from '@switchyard/protos/generated/envoy/config/route/v3/RouteMatch.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';
import type { RouteConfiguration } from '@switchyard/protos/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { explain } from './explain.js';
import { selectFilterChain } from './filter-chain.js';
import { pickBackend, weightDistribution } from './weights.js';
import { formatExplanation } from './format.js';
import { applyHeaderChanges, headerListValue } from './header-mutation.js';
import type { ExplainRequest, Explanation, RouteAction } from './types.js';
import { cluster, fleet, hcm, httpChain, httpListener, listener, loadAssignment, routeMeta, routeTable, toCluster, vhost } from '../test/builders.js';

function get(path: string, host = 'example.com', extra: Partial<ExplainRequest> = {}): ExplainRequest {
  return { port: 80, method: 'GET', scheme: 'http', host, path, ...extra };
}

/** One listener on 80 with one route table; clusters a..f exist as Services. */
function single(virtualHosts: VirtualHost[], tableExtra: Partial<RouteConfiguration> = {}, hcmExtra: Partial<HttpConnectionManager> = {}): EnvoyResources {
  return fleet({
    listeners: [httpListener(80, 'http-80', hcmExtra)],
    routes: [routeTable('http-80', virtualHosts, tableExtra)],
    clusters: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => cluster(`default/${n}:80`, { name: `svc-${n}`, port: 80 })),
  });
}

function routeOf(e: Explanation): Extract<Explanation, { kind: 'route' }> {
  if (e.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(e)}`);
  return e;
}

function action<K extends RouteAction['kind']>(e: Explanation, kind: K): Extract<RouteAction, { kind: K }> {
  const a = routeOf(e).action;
  if (a.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(a)}`);
  return a as Extract<RouteAction, { kind: K }>;
}

/** The Service name a request lands on (single-cluster routes). */
function serviceOf(e: Explanation): string | number {
  if (e.kind === 'no-route') return e.status;
  const a = routeOf(e).action;
  if (a.kind !== 'clusters') return a.kind;
  const t = a.backends[0]?.target;
  if (!t) return 'none';
  return t.kind === 'error' ? t.status : (t.backend?.name ?? t.cluster);
}

const r = (n: string, match: RouteMatch, extra: Partial<Route> = {}): Route =>
  toCluster(`default/${n}:80`, match, { name: n, metadata: routeMeta(`route-${n}`, 0), ...extra });

describe('explain: listener and route table', () => {
  it('reports a refused connection when no listener owns the port', () => {
    const res = single([vhost('all', ['*'], [r('a', { prefix: '/' })])]);
    expect(explain(res, get('/', 'example.com', { port: 8080 }))).toEqual({ kind: 'no-listener', port: 8080, listeningPorts: [80] });
  });

  it('answers 404 when the RDS route table is not in the fleet', () => {
    const res = fleet({ listeners: [httpListener(80, 'missing')] });
    const e = explain(res, get('/'));
    expect(e).toMatchObject({ kind: 'no-route', status: 404, reason: 'route-configuration-missing', routeConfiguration: 'missing' });
  });

  it('routes with an inline route_config', () => {
    const inline = hcm('unused', { route_config: routeTable('inline', [vhost('all', ['*'], [r('b', { prefix: '/' })])]) });
    delete (inline as { rds?: unknown }).rds;
    const res = fleet({ listeners: [listener('l', 80, [httpChain(inline)])], clusters: [cluster('default/b:80', { name: 'svc-b', port: 80 })] });
    const e = routeOf(explain(res, get('/x')));
    expect(e.routeConfiguration).toBe('inline');
    expect(serviceOf(e)).toBe('svc-b');
  });

  it('reports a filter chain without HTTP connection manager as not-http', () => {
    const tcp = {
      filters: [
        {
          name: 'envoy.filters.network.tcp_proxy',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', stat_prefix: 't', cluster: 'x' },
        },
      ],
    };
    const res = fleet({ listeners: [listener('tcp', 9000, [tcp])] });
    expect(explain(res, get('/', 'x', { port: 9000 }))).toMatchObject({ kind: 'not-http', filters: ['envoy.filters.network.tcp_proxy'] });
  });

  it('picks the filter chain by SNI for https and by transport protocol', () => {
    const chainFor = (names: string[], table: string) =>
      httpChain(hcm(table), { name: `chain-${table}`, filter_chain_match: { server_names: names, transport_protocol: 'tls' } });
    const res = fleet({
      listeners: [listener('https', 443, [chainFor(['foo.example.com'], 'foo'), chainFor(['*.example.com'], 'wild'), chainFor([], 'any')])],
      routes: ['foo', 'wild', 'any'].map((t) => routeTable(t, [vhost(t, ['*'], [r('a', { prefix: '/' })])])),
      clusters: [cluster('default/a:80', { name: 'svc-a', port: 80 })],
    });
    const https = (host: string) => routeOf(explain(res, get('/', host, { port: 443, scheme: 'https' })));
    expect(https('foo.example.com').routeConfiguration).toBe('foo');
    expect(https('bar.example.com').routeConfiguration).toBe('wild');
    expect(https('a.b.example.com').routeConfiguration).toBe('wild');
    expect(https('example.org').routeConfiguration).toBe('any');
    expect(https('example.org').selection).toEqual({ listener: 'https', filterChain: 'chain-any', filterChainIndex: 2 });
    // A plaintext connection to a listener whose every chain wants TLS finds no chain.
    expect(explain(res, get('/', 'foo.example.com', { port: 443 }))).toEqual({ kind: 'no-filter-chain', listener: 'https' });
  });
});

describe('selectFilterChain', () => {
  const chain = (name: string, m: Record<string, unknown>) => ({ name, filter_chain_match: m, filters: [] });
  const l = {
    ...listener('l', 443, [
      chain('h2-only', { transport_protocol: 'tls', application_protocols: ['h2'], server_names: ['a.example'] }),
      chain('a', { transport_protocol: 'tls', server_names: ['a.example'] }),
      chain('port-8443', { destination_port: { value: 8443 } }),
    ]),
    default_filter_chain: { name: 'fallback', filters: [] },
  };

  it('prefers the chain whose ALPN matches among equally specific server names', () => {
    expect(selectFilterChain(l, { destinationPort: 443, transportProtocol: 'tls', serverName: 'a.example', applicationProtocols: ['h2'] })?.chain.name).toBe(
      'h2-only',
    );
    expect(
      selectFilterChain(l, { destinationPort: 443, transportProtocol: 'tls', serverName: 'a.example', applicationProtocols: ['http/1.1'] })?.chain.name,
    ).toBe('a');
  });

  it('takes a destination_port chain first, and falls back to default_filter_chain', () => {
    expect(selectFilterChain(l, { destinationPort: 8443, transportProtocol: 'tls', serverName: 'a.example' })?.chain.name).toBe('port-8443');
    expect(selectFilterChain(l, { destinationPort: 443, transportProtocol: 'raw_buffer' })).toEqual({ chain: l.default_filter_chain, index: -1 });
  });
});

describe('explain: virtual host selection', () => {
  const res = single([
    vhost('star', ['*'], [r('a', { prefix: '/' })]),
    vhost('exact', ['foo.example.com'], [r('b', { prefix: '/' })]),
    vhost('suffix-short', ['*.com'], [r('c', { prefix: '/' })]),
    vhost('suffix-long', ['*.example.com'], [r('d', { prefix: '/' })]),
    vhost('prefix', ['foo.*', 'foo.example.*'], [r('e', { prefix: '/' })]),
    vhost('with-port', ['port.example.org:8080'], [r('f', { prefix: '/' })]),
  ]);
  const vh = (host: string, e: EnvoyResources = res) => {
    const x = explain(e, get('/', host));
    return x.kind === 'route' ? x.virtualHost : x.kind;
  };

  it('prefers an exact domain, then the longest suffix wildcard, then prefix wildcards, then *', () => {
    expect(vh('foo.example.com')).toBe('exact');
    expect(vh('FOO.Example.COM')).toBe('exact'); // Host is case-insensitive
    expect(vh('bar.example.com')).toBe('suffix-long');
    expect(vh('bar.other.com')).toBe('suffix-short');
    expect(vh('foo.example.net')).toBe('prefix');
    expect(vh('other.net')).toBe('star');
  });

  it('does not let a wildcard match the bare suffix or prefix', () => {
    // "*.example.com" needs at least one character before ".example.com".
    expect(vh('.example.com')).toBe('suffix-short');
    expect(vh('example.com')).toBe('suffix-short');
    expect(vh('foo.')).toBe('star');
  });

  it('matches the Host with its port unless the connection manager or route table strips it', () => {
    // The port is part of the Host: "*.example.com" no longer matches, "foo.*" does.
    expect(vh('foo.example.com:8080')).toBe('prefix');
  });

  it('keeps the port in exact matching by default and strips it when configured', () => {
    const table = [vhost('exact', ['foo.example.com'], [r('b', { prefix: '/' })]), vhost('star', ['*'], [r('a', { prefix: '/' })])];
    expect(vh('foo.example.com:80', single(table))).toBe('star');
    expect(vh('foo.example.com:80', single(table, {}, { strip_any_host_port: true }))).toBe('exact');
    expect(vh('foo.example.com:80', single(table, { ignore_port_in_host_matching: true }))).toBe('exact');
    expect(vh('foo.example.com:80', single(table, {}, { strip_matching_host_port: true }))).toBe('exact');
    // strip_matching_host_port strips only the listener's own port.
    expect(vh('foo.example.com:81', single(table, {}, { strip_matching_host_port: true }))).toBe('star');
    expect(vh('port.example.org:8080')).toBe('with-port');
  });

  it('strips the port from the Host the backend sees only when the connection manager strips it', () => {
    const table = [vhost('exact', ['foo.example.com'], [r('b', { prefix: '/' })])];
    const upstreamHost = (res: EnvoyResources) => action(explain(res, get('/', 'foo.example.com:8080')), 'clusters').backends[0]?.upstream.host;
    expect(upstreamHost(single(table, { ignore_port_in_host_matching: true }))).toBe('foo.example.com:8080');
    expect(upstreamHost(single(table, {}, { strip_any_host_port: true }))).toBe('foo.example.com');
  });

  it('answers 404 when no virtual host matches', () => {
    const e = explain(single([vhost('only', ['only.example.com'], [r('a', { prefix: '/' })])]), get('/', 'other.example.com'));
    expect(e).toMatchObject({ kind: 'no-route', status: 404, reason: 'no-virtual-host' });
  });
});

describe('explain: route matching', () => {
  const ordered = (routes: Route[]) => single([vhost('all', ['*'], routes)]);
  const at = (res: EnvoyResources, path: string, extra: Partial<ExplainRequest> = {}) => serviceOf(explain(res, get(path, 'example.com', extra)));

  it('takes the first matching route in order, not the most specific', () => {
    const res = ordered([r('a', { prefix: '/' }), r('b', { path: '/exact' })]);
    expect(at(res, '/exact')).toBe('svc-a');
    const e = routeOf(explain(res, get('/exact')));
    expect(e.route).toEqual({ name: 'a', index: 0, source: { kind: 'HTTPRoute', namespace: 'default', name: 'route-a', rule: 0, match: 0 } });
  });

  it('matches prefix and exact path without the query string', () => {
    const res = ordered([r('a', { path: '/exact' }), r('b', { prefix: '/pre' })]);
    expect(at(res, '/exact?x=1')).toBe('svc-a');
    expect(at(res, '/exact/')).toBe(404);
    expect(at(res, '/prefix?q')).toBe('svc-b');
    expect(at(res, '/pr')).toBe(404);
  });

  it('honours case_sensitive=false for prefix and path', () => {
    const res = ordered([r('a', { path: '/Exact', case_sensitive: { value: false } }), r('b', { prefix: '/Pre', case_sensitive: { value: false } })]);
    expect(at(res, '/eXACT')).toBe('svc-a');
    expect(at(res, '/PREfix')).toBe('svc-b');
    expect(at(ordered([r('a', { path: '/Exact' })]), '/exact')).toBe(404);
  });

  it('requires a full match for safe_regex, on RE2', () => {
    const res = ordered([r('a', { safe_regex: { regex: '/v[0-9]+/items' } })]);
    expect(at(res, '/v12/items?page=2')).toBe('svc-a');
    expect(at(res, '/v12/items/extra')).toBe(404);
    expect(at(res, '/x/v12/items')).toBe(404);
  });

  it('treats a regex RE2 rejects as not matching, with a note', () => {
    const res = ordered([r('a', { safe_regex: { regex: '(?=lookahead)/x' } }), r('b', { prefix: '/' })]);
    const e = routeOf(explain(res, get('/x')));
    expect(serviceOf(e)).toBe('svc-b');
    expect(e.notes.join('\n')).toMatch(/not valid RE2/);
  });

  it('matches path_separated_prefix only at a segment boundary', () => {
    const res = ordered([r('a', { path_separated_prefix: '/foo' })]);
    expect(at(res, '/foo')).toBe('svc-a');
    expect(at(res, '/foo/bar')).toBe('svc-a');
    expect(at(res, '/foo?x')).toBe('svc-a');
    expect(at(res, '/foobar')).toBe(404);
  });

  it('evaluates header matchers: string_match exact and regex, present, invert, and pseudo-headers', () => {
    const res = ordered([
      r('a', { prefix: '/', headers: [{ name: 'version', string_match: { exact: 'two' } }] }),
      r('b', { prefix: '/', headers: [{ name: 'version', string_match: { safe_regex: { regex: 'v[0-9]' } } }] }),
      r('c', { prefix: '/', headers: [{ name: 'x-debug', present_match: true }] }),
      r('d', { prefix: '/', headers: [{ name: ':method', string_match: { exact: 'POST' } }] }),
      r('e', { prefix: '/', headers: [{ name: 'color', string_match: { exact: 'red' }, invert_match: true }] }),
      r('f', { prefix: '/' }),
    ]);
    expect(at(res, '/', { headers: { Version: 'two' } })).toBe('svc-a');
    expect(at(res, '/', { headers: { version: 'v2' } })).toBe('svc-b');
    expect(at(res, '/', { headers: { version: 'v22' } })).toBe('svc-e'); // regex must match fully; "color" is absent so the inverted matcher holds
    expect(at(res, '/', { headers: { 'x-debug': '' } })).toBe('svc-c');
    expect(at(res, '/', { method: 'post', headers: { color: 'red' } })).toBe('svc-d');
    expect(at(res, '/', { headers: { color: 'red' } })).toBe('svc-f');
    expect(at(res, '/', { headers: { color: 'blue' } })).toBe('svc-e');
  });

  it('joins repeated headers with a comma and applies ignore_case only to non-regex matchers', () => {
    const res = ordered([
      r('a', { prefix: '/', headers: [{ name: 'x', string_match: { exact: '1,2' } }] }),
      r('b', { prefix: '/', headers: [{ name: 'y', string_match: { exact: 'ABC', ignore_case: true } }] }),
    ]);
    expect(
      at(res, '/', {
        headers: [
          ['x', '1'],
          ['X', '2'],
        ],
      }),
    ).toBe('svc-a');
    expect(at(res, '/', { headers: { y: 'abc' } })).toBe('svc-b');
  });

  it('treats present_match=false as "header absent"', () => {
    const res = ordered([r('a', { prefix: '/', headers: [{ name: 'x-gone', present_match: false }] }), r('b', { prefix: '/' })]);
    expect(at(res, '/')).toBe('svc-a');
    expect(at(res, '/', { headers: { 'x-gone': '1' } })).toBe('svc-b');
  });

  it('evaluates query parameter matchers on the first, decoded value', () => {
    const res = ordered([
      r('a', { prefix: '/', query_parameters: [{ name: 'animal', string_match: { exact: 'whale' } }] }),
      r('b', { prefix: '/', query_parameters: [{ name: 'color', string_match: { safe_regex: { regex: 'bl.e' } } }] }),
      r('c', { prefix: '/', query_parameters: [{ name: 'flag', present_match: true }] }),
      r('d', { prefix: '/' }),
    ]);
    expect(at(res, '/?animal=whale')).toBe('svc-a');
    expect(at(res, '/?animal=dolphin&animal=whale')).toBe('svc-d');
    expect(at(res, '/?color=bl%75e')).toBe('svc-b');
    expect(at(res, '/?flag')).toBe('svc-c');
    expect(at(res, '/?Animal=whale')).toBe('svc-d'); // names are case-sensitive
  });

  it('requires a gRPC content-type for a grpc match', () => {
    const res = ordered([r('a', { prefix: '/', grpc: {} }), r('b', { prefix: '/' })]);
    expect(at(res, '/svc/Method', { method: 'POST', headers: { 'content-type': 'application/grpc' } })).toBe('svc-a');
    expect(at(res, '/svc/Method', { method: 'POST', headers: { 'content-type': 'application/grpc+proto' } })).toBe('svc-a');
    expect(at(res, '/svc/Method', { method: 'POST', headers: { 'content-type': 'application/json' } })).toBe('svc-b');
  });

  it('routes on the normalized path when the connection manager normalizes', () => {
    const table = [vhost('all', ['*'], [r('a', { path: '/a/b' })])];
    expect(serviceOf(explain(single(table), get('//a/./b')))).toBe(404);
    expect(serviceOf(explain(single(table, {}, { merge_slashes: true, normalize_path: { value: true } }), get('//a/./b')))).toBe('svc-a');
  });

  it('answers 404 with no-matching-route when nothing matches', () => {
    const e = explain(ordered([r('a', { path: '/only' })]), get('/other'));
    expect(e).toMatchObject({ kind: 'no-route', status: 404, reason: 'no-matching-route', virtualHost: 'all' });
  });
});

describe('explain: forwarding', () => {
  const weighted = (entries: Array<[string, number]>, extra: Record<string, unknown> = {}): Route => ({
    name: 'w',
    match: { prefix: '/' },
    metadata: routeMeta('weights', 1, 0, { ruleName: 'split' }),
    route: { weighted_clusters: { clusters: entries.map(([name, weight]) => ({ name, weight: { value: weight } })) }, ...extra },
  });

  it('names the backend Service and counts its endpoints', () => {
    const res = { ...single([vhost('all', ['*'], [r('a', { prefix: '/' })])]), endpoints: [loadAssignment('default/a:80', ['10.0.0.1', '10.0.0.2'])] };
    const a = action(explain(res, get('/')), 'clusters');
    expect(a.backends).toHaveLength(1);
    expect(a.backends[0]?.target).toEqual({
      kind: 'backend',
      cluster: 'default/a:80',
      backend: { kind: 'Service', namespace: 'default', name: 'svc-a', port: 80 },
      endpoints: 2,
      upstreamProtocol: 'http1',
    });
    expect(a.backends[0]?.share).toBe(1);
  });

  it('reports the HTTP version Envoy speaks to each backend', () => {
    const h2 = {
      ...cluster('default/h2:80', { name: 'grpc', port: 80 }),
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      },
    };
    const down = {
      ...cluster('default/dn:80', { name: 'follow', port: 80 }),
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          use_downstream_protocol_config: {},
        },
      },
    };
    const res = fleet({
      listeners: [httpListener(80)],
      routes: [
        routeTable('http-80', [
          vhost(
            'all',
            ['*'],
            [toCluster('default/h2:80', { prefix: '/h2' }), toCluster('default/dn:80', { prefix: '/dn' }), toCluster('default/a:80', { prefix: '/' })],
          ),
        ]),
      ],
      clusters: [h2, down, cluster('default/a:80', { name: 'svc-a', port: 80 })],
    });
    const proto = (path: string) => {
      const t = action(explain(res, get(path)), 'clusters').backends[0]?.target;
      return t?.kind === 'backend' ? t.upstreamProtocol : t?.kind;
    };
    expect([proto('/h2'), proto('/dn'), proto('/')]).toEqual(['http2', 'downstream', 'http1']);
    expect(encodeMessage(TypeUrl.Cluster, h2).length).toBeGreaterThan(0);
  });

  it('reports weights, the invalid-backend share as 500, and picks backends deterministically', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          weighted(
            [
              ['default/a:80', 3],
              ['switchyard_invalid_backend', 1],
              ['default/b:80', 0],
            ],
            { cluster_not_found_response_code: 'INTERNAL_SERVER_ERROR' },
          ),
        ],
      ),
    ]);
    const e = explain(res, get('/'));
    expect(routeOf(e).route.source).toEqual({ kind: 'HTTPRoute', namespace: 'default', name: 'weights', rule: 1, ruleName: 'split', match: 0 });
    const a = action(e, 'clusters');
    expect(a.totalWeight).toBe(4);
    expect(a.backends.map((b) => [b.target.kind, b.share])).toEqual([
      ['backend', 0.75],
      ['error', 0.25],
      ['backend', 0],
    ]);
    expect(a.backends[1]?.target).toEqual({ kind: 'error', cluster: 'switchyard_invalid_backend', status: 500, reason: 'invalid-backend' });
    expect(weightDistribution(e)).toEqual([
      { target: 'default/svc-a:80', cluster: 'default/a:80', weight: 3, share: 0.75 },
      { target: '500', cluster: 'switchyard_invalid_backend', weight: 1, share: 0.25, status: 500 },
      { target: 'default/svc-b:80', cluster: 'default/b:80', weight: 0, share: 0 },
    ]);
    const picks = [0, 1, 2, 3, 4, 7].map((n) => pickBackend(e, n)?.target.cluster);
    expect(picks).toEqual(['default/a:80', 'default/a:80', 'default/a:80', 'switchyard_invalid_backend', 'default/a:80', 'switchyard_invalid_backend']);
  });

  it('answers 503 for a missing cluster unless cluster_not_found_response_code says otherwise', () => {
    const res = single([vhost('all', ['*'], [toCluster('nowhere', { prefix: '/' })])]);
    expect(action(explain(res, get('/')), 'clusters').backends[0]?.target).toEqual({
      kind: 'error',
      cluster: 'nowhere',
      status: 503,
      reason: 'cluster-not-found',
    });
  });

  it('rewrites the matched prefix, keeping the rest of the path and the query', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          r('a', { prefix: '/prefix/one' }, { route: { cluster: 'default/a:80', prefix_rewrite: '/one' } }),
          r('b', { path: '/full' }, { route: { cluster: 'default/b:80', prefix_rewrite: '/replaced' } }),
        ],
      ),
    ]);
    const a = action(explain(res, get('/prefix/one/two?x=1')), 'clusters');
    expect(a.pathRewrite).toEqual({ by: 'prefix_rewrite', from: '/prefix/one/two?x=1', to: '/one/two?x=1' });
    expect(a.backends[0]?.upstream.path).toBe('/one/two?x=1');
    expect(action(explain(res, get('/full?q')), 'clusters').backends[0]?.upstream.path).toBe('/replaced?q');
  });

  it('applies regex_rewrite to the path only, with capture groups', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          r(
            'a',
            { prefix: '/' },
            { route: { cluster: 'default/a:80', regex_rewrite: { pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' } } },
          ),
        ],
      ),
    ]);
    expect(action(explain(res, get('/service/foo/v1/api?q=/service/x/y')), 'clusters').backends[0]?.upstream.path).toBe('/v1/api/instance/foo?q=/service/x/y');
  });

  it('rewrites the host literally, per weighted cluster, or leaves it to auto_host_rewrite', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          r('a', { prefix: '/lit' }, { route: { cluster: 'default/a:80', host_rewrite_literal: 'internal.example' } }),
          r('b', { prefix: '/auto' }, { route: { cluster: 'default/b:80', auto_host_rewrite: { value: true } } }),
          {
            match: { prefix: '/wc' },
            route: { weighted_clusters: { clusters: [{ name: 'default/c:80', weight: { value: 1 }, host_rewrite_literal: 'c.internal' }] } },
          },
        ],
      ),
    ]);
    const lit = action(explain(res, get('/lit')), 'clusters');
    expect(lit.hostRewrite).toEqual({ by: 'host_rewrite_literal', host: 'internal.example' });
    expect(lit.backends[0]?.upstream.host).toBe('internal.example');
    expect(action(explain(res, get('/auto')), 'clusters').backends[0]?.upstream.host).toBeUndefined();
    expect(action(explain(res, get('/wc')), 'clusters').backends[0]?.upstream.host).toBe('c.internal');
  });

  it('applies header changes: removals before additions, route before vhost before route table', () => {
    const res = single(
      [
        vhost(
          'all',
          ['*'],
          [
            r(
              'a',
              { prefix: '/' },
              {
                request_headers_to_add: [
                  { header: { key: 'X-Set', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
                  { header: { key: 'X-Add', value: 'route' } },
                  { header: { key: 'X-Level', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
                  { header: { key: 'X-Empty', value: '' } },
                ],
                request_headers_to_remove: ['x-remove'],
                response_headers_to_add: [{ header: { key: 'X-Resp', value: 'r' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
                response_headers_to_remove: ['server'],
              },
            ),
          ],
          { request_headers_to_add: [{ header: { key: 'x-level', value: 'vhost' }, append: { value: false } }] },
        ),
      ],
      { request_headers_to_add: [{ header: { key: 'x-table', value: 't' }, append_action: 'ADD_IF_ABSENT' }] },
    );
    const req = get('/', 'example.com', {
      headers: [
        ['X-Set', 'client'],
        ['X-Add', 'client'],
        ['X-Remove', 'gone'],
        ['X-Table', 'client'],
      ],
    });
    const a = action(explain(res, req), 'clusters');
    const up = a.backends[0]!.upstream.headers;
    expect(headerListValue(up, 'x-set')).toBe('route');
    expect(headerListValue(up, 'x-add')).toBe('client,route');
    expect(headerListValue(up, 'x-remove')).toBeUndefined();
    expect(headerListValue(up, 'x-empty')).toBeUndefined(); // empty value without keep_empty_value is skipped
    expect(headerListValue(up, 'x-level')).toBe('vhost'); // the more general level has the last word
    expect(headerListValue(up, 'x-table')).toBe('client');
    expect(a.requestHeaderChanges.map((c) => `${c.level}:${c.op}:${c.name}`)).toEqual([
      'route:remove:x-remove',
      'route:add:x-set',
      'route:add:x-add',
      'route:add:x-level',
      'route:add:x-empty',
      'virtual_host:add:x-level',
      'route_configuration:add:x-table',
    ]);
    expect(
      applyHeaderChanges(
        [
          ['Server', 'backend'],
          ['x-resp', 'old'],
        ],
        a.responseHeaderChanges,
      ),
    ).toEqual([['x-resp', 'r']]);
  });

  it('lets the most specific level win when the route table says so', () => {
    const table = [
      vhost(
        'all',
        ['*'],
        [r('a', { prefix: '/' }, { request_headers_to_add: [{ header: { key: 'x-level', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] })],
        {
          request_headers_to_add: [{ header: { key: 'x-level', value: 'vhost' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        },
      ),
    ];
    const up = (res: EnvoyResources) => action(explain(res, get('/')), 'clusters').backends[0]!.upstream.headers;
    expect(headerListValue(up(single(table)), 'x-level')).toBe('vhost');
    expect(headerListValue(up(single(table, { most_specific_header_mutations_wins: true })), 'x-level')).toBe('route');
  });

  it('applies per-weighted-cluster headers only to that share', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          {
            match: { prefix: '/' },
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'default/a:80', weight: { value: 1 }, request_headers_to_add: [{ header: { key: 'x-backend', value: 'a' } }] },
                  { name: 'default/b:80', weight: { value: 1 } },
                ],
              },
            },
          },
        ],
      ),
    ]);
    const a = action(explain(res, get('/')), 'clusters');
    expect(headerListValue(a.backends[0]!.upstream.headers, 'x-backend')).toBe('a');
    expect(headerListValue(a.backends[1]!.upstream.headers, 'x-backend')).toBeUndefined();
    expect(a.backends[0]!.requestHeaderChanges).toEqual([
      { op: 'add', name: 'x-backend', value: 'a', appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false, level: 'weighted_cluster' },
    ]);
  });

  it('reports mirrors with their fraction, timeouts, retries and upgrades', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          r(
            'a',
            { prefix: '/m' },
            {
              route: {
                cluster: 'default/a:80',
                request_mirror_policies: [
                  { cluster: 'default/b:80' },
                  { cluster: 'default/c:80', runtime_fraction: { default_value: { numerator: 2500, denominator: 'TEN_THOUSAND' } } },
                ],
                timeout: { seconds: 0 },
                idle_timeout: { seconds: 30 },
                retry_policy: {
                  retry_on: '5xx,reset',
                  num_retries: { value: 3 },
                  per_try_timeout: { seconds: 1, nanos: 500_000_000 },
                  retriable_status_codes: [503],
                },
                upgrade_configs: [{ upgrade_type: 'websocket' }],
              },
            },
          ),
          r('b', { prefix: '/' }),
        ],
        { retry_policy: { retry_on: 'connect-failure' } },
      ),
    ]);
    const a = action(explain(res, get('/m')), 'clusters');
    expect(a.mirrors).toEqual([
      { cluster: 'default/b:80', backend: { kind: 'Service', namespace: 'default', name: 'svc-b', port: 80 }, percent: 100, level: 'route' },
      { cluster: 'default/c:80', backend: { kind: 'Service', namespace: 'default', name: 'svc-c', port: 80 }, percent: 25, level: 'route' },
    ]);
    expect(a.timeouts).toEqual({ request: 0, requestSource: 'route', idle: 30 });
    expect(a.retry).toEqual({ retryOn: ['5xx', 'reset'], numRetries: 3, perTryTimeout: 1.5, retriableStatusCodes: [503], level: 'route' });
    expect(a.upgrades).toEqual(['websocket']);
    const other = action(explain(res, get('/x')), 'clusters');
    expect(other.timeouts).toEqual({ request: 15, requestSource: 'default' });
    expect(other.retry).toEqual({ retryOn: ['connect-failure'], numRetries: 1, retriableStatusCodes: [], level: 'virtual_host' });
  });

  it('lists per-filter configs, most specific first', () => {
    const lrl = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', stat_prefix: 'rl' };
    const cors = {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
      allow_origin_string_match: [{ exact: 'https://a.example' }],
    };
    const res = single([
      vhost('all', ['*'], [r('a', { prefix: '/' }, { typed_per_filter_config: { 'envoy.filters.http.cors': cors } })], {
        typed_per_filter_config: { 'envoy.filters.http.local_ratelimit': lrl, 'envoy.filters.http.cors': cors },
      }),
    ]);
    const e = routeOf(explain(res, get('/')));
    expect(e.filterConfigs.map((f) => `${f.filter}@${f.level}`)).toEqual([
      'envoy.filters.http.cors@route',
      'envoy.filters.http.cors@virtual_host',
      'envoy.filters.http.local_ratelimit@virtual_host',
    ]);
    expect(e.filterConfigs[0]?.typeUrl).toBe(cors['@type']);
    expect(e.httpFilters).toEqual(['envoy.filters.http.router']);
  });
});

describe('explain: CORS and upgrades', () => {
  const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
  const withCors = (policy: Record<string, unknown>) =>
    single(
      [vhost('all', ['*'], [r('a', { prefix: '/' }, { typed_per_filter_config: { 'envoy.filters.http.cors': { '@type': CORS_TYPE, ...policy } } })])],
      {},
      {
        http_filters: [
          { name: 'envoy.filters.http.cors', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' } },
          { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } },
        ],
      },
    );
  const policy = {
    allow_origin_string_match: [{ exact: 'https://a.example' }, { safe_regex: { regex: 'https://.*\\.b\\.example' } }],
    allow_methods: 'GET, PUT',
    allow_headers: 'x-one',
    expose_headers: 'x-two',
    max_age: '60',
    allow_credentials: { value: true },
  };
  const preflight = (origin: string) => get('/', 'example.com', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' } });

  it('answers a preflight from an allowed origin itself, with the policy headers', () => {
    expect(routeOf(explain(withCors(policy), preflight('https://x.b.example'))).cors).toEqual({
      kind: 'preflight',
      status: 200,
      responseHeaders: [
        ['access-control-allow-origin', 'https://x.b.example'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'GET, PUT'],
        ['access-control-allow-headers', 'x-one'],
        ['access-control-max-age', '60'],
        ['access-control-expose-headers', 'x-two'],
      ],
    });
  });

  it('echoes the requested method and headers when allow_methods / allow_headers is "*"', () => {
    const wildcard = { ...policy, allow_methods: '*', allow_headers: '*', expose_headers: undefined };
    const asked = get('/', 'example.com', {
      method: 'OPTIONS',
      headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'DELETE', 'Access-Control-Request-Headers': 'x-a, x-b' },
    });
    expect(routeOf(explain(withCors(wildcard), asked)).cors).toEqual({
      kind: 'preflight',
      status: 200,
      responseHeaders: [
        ['access-control-allow-origin', 'https://a.example'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'DELETE'],
        ['access-control-allow-headers', 'x-a, x-b'],
        ['access-control-max-age', '60'],
      ],
    });
  });

  it('adds allow-origin to responses of actual requests, and leaves other origins alone', () => {
    expect(routeOf(explain(withCors(policy), get('/', 'example.com', { headers: { Origin: 'https://a.example' } }))).cors).toEqual({
      kind: 'actual',
      responseHeaders: [
        ['access-control-allow-origin', 'https://a.example'],
        ['access-control-allow-credentials', 'true'],
        ['access-control-expose-headers', 'x-two'],
      ],
    });
    expect(routeOf(explain(withCors(policy), preflight('https://evil.example'))).cors).toEqual({
      kind: 'not-allowed',
      preflight: true,
      answeredByEnvoy: false,
      responseHeaders: [],
    });
    expect(routeOf(explain(withCors({ ...policy, forward_not_matching_preflights: { value: false } }), preflight('https://evil.example'))).cors).toEqual({
      kind: 'not-allowed',
      preflight: true,
      answeredByEnvoy: true,
      // Envoy's own answer: the policy's headers, but no access-control-allow-origin (and no expose headers).
      responseHeaders: [
        ['access-control-allow-credentials', 'true'],
        ['access-control-allow-methods', 'GET, PUT'],
        ['access-control-allow-headers', 'x-one'],
        ['access-control-max-age', '60'],
      ],
    });
  });

  it('treats a matcher that accepts "*" as any origin, and needs the CORS filter in the chain', () => {
    expect(routeOf(explain(withCors({ allow_origin_string_match: [{ exact: '*' }] }), preflight('https://any.example'))).cors?.kind).toBe('preflight');
    const noFilter = single([
      vhost('all', ['*'], [r('a', { prefix: '/' }, { typed_per_filter_config: { 'envoy.filters.http.cors': { '@type': CORS_TYPE, ...policy } } })]),
    ]);
    expect(routeOf(explain(noFilter, preflight('https://a.example'))).cors).toBeUndefined();
  });

  it('allows upgrades the connection manager enables unless the route disables them', () => {
    const table = [
      vhost(
        'all',
        ['*'],
        [
          r('a', { prefix: '/ws' }),
          r('b', { prefix: '/' }, { route: { cluster: 'default/b:80', upgrade_configs: [{ upgrade_type: 'websocket', enabled: { value: false } }] } }),
        ],
      ),
    ];
    const res = single(table, {}, { upgrade_configs: [{ upgrade_type: 'websocket' }] });
    expect(action(explain(res, get('/ws')), 'clusters').upgrades).toEqual(['websocket']);
    expect(action(explain(res, get('/other')), 'clusters').upgrades).toEqual([]);
    expect(action(explain(single(table), get('/ws')), 'clusters').upgrades).toEqual([]);
  });
});

describe('explain: redirects and direct responses', () => {
  const redirecting = (redirect: Route['redirect'], match: RouteMatch = { prefix: '/' }) =>
    single([vhost('all', ['*'], [{ match, redirect, metadata: routeMeta('redir', 0) }])]);
  const loc = (redirect: Route['redirect'], req: ExplainRequest, match?: RouteMatch) => action(explain(redirecting(redirect, match), req), 'redirect');

  it('keeps the request scheme, host, path and query by default, with 301', () => {
    expect(loc({ host_redirect: undefined }, get('/a?b=1', 'example.com:8080'))).toMatchObject({ status: 301, location: 'http://example.com:8080/a?b=1' });
  });

  it('drops the default port when the scheme changes, and keeps others', () => {
    expect(loc({ https_redirect: true }, get('/p', 'example.com:80')).location).toBe('https://example.com/p');
    expect(loc({ https_redirect: true }, get('/p', 'example.com')).location).toBe('https://example.com/p');
    expect(loc({ https_redirect: true }, get('/p', 'example.com:8080')).location).toBe('https://example.com:8080/p');
    expect(loc({ scheme_redirect: 'http' }, get('/p', 'example.com:443', { scheme: 'https', port: 80 })).location).toBe('http://example.com/p');
  });

  it('uses port_redirect as given, replacing the request port', () => {
    expect(loc({ port_redirect: 8443, https_redirect: true }, get('/p', 'example.com:80')).location).toBe('https://example.com:8443/p');
    // Envoy keeps an explicit port_redirect even when it is the scheme's default.
    expect(loc({ port_redirect: 80, scheme_redirect: 'http' }, get('/p', 'example.com')).location).toBe('http://example.com:80/p');
  });

  it('drops the request port when host_redirect is set without port_redirect', () => {
    expect(loc({ host_redirect: 'other.example' }, get('/p?q', 'example.com:8080')).location).toBe('http://other.example/p?q');
  });

  it('maps response codes and rewrites the path', () => {
    expect(loc({ response_code: 'FOUND', path_redirect: '/new' }, get('/old?q=1'))).toMatchObject({ status: 302, location: 'http://example.com/new?q=1' });
    expect(loc({ response_code: 'SEE_OTHER', path_redirect: '/new?fixed=1', strip_query: true }, get('/old?q=1'))).toMatchObject({
      status: 303,
      location: 'http://example.com/new?fixed=1',
    });
    expect(loc({ response_code: 'TEMPORARY_REDIRECT', prefix_rewrite: '/v2' }, get('/v1/items?q'), { prefix: '/v1' })).toMatchObject({
      status: 307,
      location: 'http://example.com/v2/items?q',
    });
    expect(loc({ response_code: 'PERMANENT_REDIRECT', strip_query: true }, get('/a?b'))).toMatchObject({ status: 308, location: 'http://example.com/a' });
    expect(loc({ response_code: 4 }, get('/a')).status).toBe(308);
  });

  it('answers direct responses with status and body', () => {
    const res = single([vhost('all', ['*'], [{ match: { prefix: '/' }, direct_response: { status: 500, body: { inline_string: 'backend not found' } } }])]);
    expect(routeOf(explain(res, get('/'))).action).toEqual({ kind: 'direct_response', status: 500, body: 'backend not found', responseHeaderChanges: [] });
  });
});

describe('explain: output', () => {
  it('formats an explanation for humans', () => {
    const res = single([
      vhost(
        'all',
        ['*'],
        [
          {
            name: 'w',
            match: { prefix: '/' },
            metadata: routeMeta('shop', 2, 1, { ruleName: 'checkout' }),
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'default/a:80', weight: { value: 9 } },
                  { name: 'switchyard_invalid_backend', weight: { value: 1 } },
                ],
              },
              cluster_not_found_response_code: 'INTERNAL_SERVER_ERROR',
              prefix_rewrite: '/v2/',
            },
          },
        ],
      ),
    ]);
    const text = formatExplanation(explain(res, get('/x')));
    expect(text).toContain('HTTPRoute default/shop rule 2 (checkout) match 1');
    expect(text).toContain('90% (weight 9) Service default/svc-a:80');
    expect(text).toContain('10% (weight 1) 500 from Envoy (invalid backend)');
    expect(text).toContain('Path rewritten (prefix_rewrite): /x -> /v2/x');
    expect(text).toContain('Timeout: 15s (Envoy default)');
    expect(formatExplanation(explain(res, get('/', 'x', { port: 1 })))).toContain('No listener on port 1');
  });

  it('uses test fixtures that are valid Envoy resources', () => {
    const res = single([vhost('all', ['*'], [r('a', { prefix: '/', headers: [{ name: 'v', string_match: { exact: '1' } }] }, { redirect: undefined })])]);
    for (const l of res.listeners) expect(encodeMessage(TypeUrl.Listener, l).length).toBeGreaterThan(0);
    for (const c of res.clusters) expect(encodeMessage(TypeUrl.Cluster, c).length).toBeGreaterThan(0);
    // The switchyard.dev metadata survives encoding, so explain reads what Envoy receives.
    const decoded = decodeMessage(TypeUrl.RouteConfiguration, encodeMessage(TypeUrl.RouteConfiguration, res.routes[0]!)) as unknown as RouteConfiguration;
    const route = decoded.virtual_hosts?.[0]?.routes?.[0];
    expect(routeSourceOf(route?.metadata)).toEqual({ kind: 'HTTPRoute', namespace: 'default', name: 'route-a', rule: 0, match: 0 });
    expect(route?.match?.headers?.[0]?.string_match?.exact).toBe('1');
  });
});
