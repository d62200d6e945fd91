import { describe, expect, it } from '@jest/globals';
import { ConfigDumpError, resourcesFromConfigDump } from './config-dump.js';
import { explain } from './explain.js';
import { formatExplanation } from './format.js';
import type { ExplainRequest, Explanation } from './types.js';
import { cluster, fleet, hcm, httpChain, listener, loadAssignment, routeTable, toCluster, vhost } from '../test/builders.js';
import { configDumpOf } from '../test/config-dumps.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const ROUTE_CONFIG = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = { name: 'envoy.filters.http.router', typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };

const get = (host: string, path: string, extra: Partial<ExplainRequest> = {}): ExplainRequest => ({
  port: 10080,
  method: 'GET',
  scheme: 'http',
  host,
  path,
  ...extra,
});

function staticCluster(name: string, address: string, port = 8080) {
  return {
    name,
    type: 'STATIC',
    connectTimeout: '0.25s',
    loadAssignment: { clusterName: name, endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address, portValue: port } } } }] }] },
  };
}

function httpListenerJson(name: string, port: number, hcmConfig: Record<string, unknown>) {
  return {
    '@type': LISTENER,
    name,
    address: { socketAddress: { address: '0.0.0.0', portValue: port } },
    filterChains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: { '@type': HCM, statPrefix: name, ...hcmConfig } }] }],
  };
}

/** What an Envoy configured by hand (or by another control plane) dumps: static bootstrap clusters, dynamic listener + RDS. */
const routeTableJson = {
  '@type': ROUTE_CONFIG,
  name: 'local_route',
  virtualHosts: [
    {
      name: 'shop',
      domains: ['shop.example.com', 'shop.example.com:*'],
      routes: [
        { name: 'old', match: { prefix: '/old/' }, redirect: { pathRedirect: '/new/', responseCode: 'PERMANENT_REDIRECT' } },
        { name: 'health', match: { path: '/healthz' }, directResponse: { status: 200, body: { inlineString: 'ok' } } },
        {
          match: { safeRegex: { regex: '/api/v[0-9]+/.*' }, headers: [{ name: 'x-canary', stringMatch: { exact: 'true' } }] },
          route: { cluster: 'api-canary' },
        },
        {
          match: { prefix: '/api/' },
          route: {
            weightedClusters: {
              clusters: [
                { name: 'api-blue', weight: 90 },
                { name: 'api-green', weight: 10 },
              ],
            },
            timeout: '2.5s',
          },
        },
      ],
    },
  ],
};

const dump = {
  configs: [
    {
      '@type': `${ADMIN}BootstrapConfigDump`,
      bootstrap: { node: { id: 'front-1' }, staticResources: { clusters: [staticCluster('api-canary', '10.0.0.9')] } },
    },
    {
      '@type': `${ADMIN}ClustersConfigDump`,
      staticClusters: [{ cluster: { '@type': CLUSTER, ...staticCluster('api-canary', '10.0.0.9') } }],
      dynamicActiveClusters: [
        { cluster: { '@type': CLUSTER, ...staticCluster('api-blue', '10.0.1.1') } },
        { cluster: { '@type': CLUSTER, ...staticCluster('api-green', '10.0.2.1', 9090) } },
      ],
    },
    {
      '@type': `${ADMIN}ListenersConfigDump`,
      dynamicListeners: [
        {
          name: 'main',
          activeState: {
            versionInfo: '7',
            listener: httpListenerJson('main', 10080, { rds: { routeConfigName: 'local_route', configSource: { ads: {} } }, httpFilters: [ROUTER] }),
          },
          // Pending: an update Envoy has not finished warming. The active state still serves.
          warmingState: {
            versionInfo: '8',
            listener: httpListenerJson('main', 10080, { rds: { routeConfigName: 'next_route', configSource: { ads: {} } }, httpFilters: [ROUTER] }),
          },
        },
      ],
    },
    { '@type': `${ADMIN}RoutesConfigDump`, dynamicRouteConfigs: [{ versionInfo: '7', routeConfig: routeTableJson }] },
  ],
};

function routeOf(e: Explanation): Extract<Explanation, { kind: 'route' }> {
  if (e.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(e)}`);
  return e;
}

/** cluster -> share, and the endpoints it reaches, of a forwarding answer. */
function targets(e: Explanation): Array<[string, number, readonly string[] | undefined]> {
  const a = routeOf(e).action;
  if (a.kind !== 'clusters') throw new Error(`expected clusters, got ${a.kind}`);
  return a.backends.map((b) => [b.target.cluster, b.share, b.target.kind === 'backend' ? b.target.addresses : undefined]);
}

describe('explain --config-dump: Envoy admin config dumps', () => {
  const { resources, notes } = resourcesFromConfigDump(dump);

  it('reads static and dynamic resources; a static cluster also in the bootstrap counts once', () => {
    expect(resources.clusters.map((c) => c.name)).toEqual(['api-canary', 'api-blue', 'api-green']);
    expect(resources.listeners.map((l) => l.name)).toEqual(['main']);
    expect(resources.routes.map((r) => r.name)).toEqual(['local_route']);
    expect(notes.filter((n) => n.includes('api-canary'))).toEqual([]);
  });

  it('uses the active listener state and says a warming one is pending', () => {
    expect(notes).toContainEqual('listener main: a warming version is pending; the active one is used (Envoy serves it until the warming one is ready)');
    expect(routeOf(explain(resources, get('shop.example.com', '/api/x'))).routeConfiguration).toBe('local_route');
  });

  it('names clusters and endpoint addresses when there is no Switchyard metadata', () => {
    const e = explain(resources, get('shop.example.com', '/api/orders'));
    expect(targets(e)).toEqual([
      ['api-blue', 0.9, ['10.0.1.1:8080']],
      ['api-green', 0.1, ['10.0.2.1:9090']],
    ]);
    expect(routeOf(e).route).toEqual({ name: '', index: 3, source: undefined });
    const a = routeOf(e).action;
    expect(a.kind === 'clusters' && a.timeouts.request).toBe(2.5);
    const text = formatExplanation(e);
    expect(text).toContain('Route #3');
    expect(text).toContain('90% (weight 90) cluster api-blue [1 endpoint: 10.0.1.1:8080]');
  });

  it('evaluates regex and header matchers', () => {
    expect(targets(explain(resources, get('shop.example.com', '/api/v2/orders', { headers: { 'X-Canary': 'true' } })))).toEqual([
      ['api-canary', 1, ['10.0.0.9:8080']],
    ]);
    expect(targets(explain(resources, get('shop.example.com', '/api/v2/orders', { headers: { 'X-Canary': 'no' } })))[0]![0]).toBe('api-blue');
  });

  it('answers redirects and direct responses', () => {
    // path_redirect replaces the whole path.
    const redirect = routeOf(explain(resources, get('shop.example.com:10080', '/old/page')));
    expect(redirect.route.name).toBe('old');
    expect(redirect.action).toMatchObject({ kind: 'redirect', status: 308, location: 'http://shop.example.com:10080/new/' });
    expect(routeOf(explain(resources, get('shop.example.com', '/healthz'))).action).toMatchObject({ kind: 'direct_response', status: 200, body: 'ok' });
  });

  it('lists the ports it has when none listens on the asked one', () => {
    expect(explain(resources, get('shop.example.com', '/', { port: 80 }))).toEqual({ kind: 'no-listener', port: 80, listeningPorts: [10080] });
  });

  it('accepts proto field names (snake_case) as well as JSON names', () => {
    const snake: unknown = JSON.parse(
      JSON.stringify(dump).replace(/"([a-z]+(?:[A-Z][a-z0-9]*)+)":/g, (_m, k: string) => `"${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}":`),
    );
    expect(JSON.stringify(snake)).toContain('"dynamic_route_configs"');
    const again = resourcesFromConfigDump(snake);
    expect(again.resources).toEqual(resources);
  });

  it('uses a warming listener when it is the only state, and says so', () => {
    const warmingOnly = {
      configs: [
        {
          '@type': `${ADMIN}ListenersConfigDump`,
          dynamicListeners: [{ name: 'w', warmingState: { listener: httpListenerJson('w', 8000, { routeConfig: routeTableJson, httpFilters: [ROUTER] }) } }],
        },
      ],
    };
    const r = resourcesFromConfigDump(warmingOnly);
    expect(r.notes).toContain('listener w: only a warming version exists; it is used (Envoy serves it once its clusters and routes arrive)');
    // Inline route_config (no RDS); the clusters are not in this dump, so Envoy answers 503.
    const e = explain(r.resources, get('shop.example.com', '/api/x', { port: 8000 }));
    expect(routeOf(e).routeConfiguration).toBe('local_route');
    expect(routeOf(e).action).toMatchObject({
      kind: 'clusters',
      backends: [{ target: { kind: 'error', cluster: 'api-blue', status: 503, reason: 'cluster-not-found' } }, { target: { cluster: 'api-green' } }],
    });
  });

  it('selects SNI filter chains by the server name, and the route by :authority', () => {
    const chain = (names: string[], table: string) => httpChain(hcm(table), { filter_chain_match: { server_names: names, transport_protocol: 'tls' } });
    const res = fleet({
      listeners: [listener('https', 443, [chain(['a.example.com'], 'rt-a'), chain(['b.example.com'], 'rt-b')])],
      routes: [
        routeTable('rt-a', [vhost('a', ['*'], [toCluster('backend-a', { prefix: '/' })])]),
        routeTable('rt-b', [vhost('b', ['*'], [toCluster('backend-b', { prefix: '/' })])]),
      ],
      clusters: [cluster('backend-a'), cluster('backend-b')],
      endpoints: [loadAssignment('backend-a', ['10.1.0.1']), loadAssignment('backend-b', ['10.2.0.1'])],
    });
    const viaDump = resourcesFromConfigDump(configDumpOf(res)).resources;
    const https = (sni: string, host: string) => explain(viaDump, { port: 443, method: 'GET', scheme: 'https', host, path: '/', sni });
    expect(routeOf(https('b.example.com', 'b.example.com')).selection.filterChainIndex).toBe(1);
    // A connection made for a.example.com that carries a request for b.example.com stays on a's chain.
    expect(targets(https('a.example.com', 'b.example.com'))).toEqual([['backend-a', 1, ['10.1.0.1:8080']]]);
    expect(https('c.example.com', 'c.example.com')).toEqual({ kind: 'no-filter-chain', listener: 'https' });
  });

  it('lists HTTP filters and route fields it does not evaluate', () => {
    const jwt = {
      name: 'envoy.filters.http.jwt_authn',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication', providers: {} },
    };
    const table = {
      name: 'rt',
      virtualHosts: [
        { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c', internalRedirectPolicy: { maxInternalRedirects: 2 } } }] },
      ],
    };
    const { resources } = resourcesFromConfigDump([
      httpListenerJson('l', 80, { routeConfig: table, httpFilters: [jwt, ROUTER] }),
      { '@type': CLUSTER, ...staticCluster('c', '10.0.0.1') },
    ]);
    const e = routeOf(explain(resources, { port: 80, method: 'GET', scheme: 'http', host: 'x', path: '/' }));
    expect(e.notModelled).toEqual([
      'HTTP filter envoy.filters.http.jwt_authn (envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication)',
      'RouteAction.internal_redirect_policy',
    ]);
    expect(formatExplanation(e)).toContain('Not modelled by explain (the outcome may differ):\n  - HTTP filter envoy.filters.http.jwt_authn');
  });

  it('skips unknown config types and unknown fields with a note', () => {
    const r = resourcesFromConfigDump({
      configs: [
        { '@type': `${ADMIN}ScopedRoutesConfigDump` },
        { '@type': `${ADMIN}ClustersConfigDump`, staticClusters: [{ cluster: { '@type': CLUSTER, ...staticCluster('c', '10.0.0.1'), fancyNewField: 1 } }] },
      ],
    });
    expect(r.resources.clusters.map((c) => c.name)).toEqual(['c']);
    expect(r.notes).toEqual([
      'configs[0]: type.googleapis.com/envoy.admin.v3.ScopedRoutesConfigDump is not modelled; skipped',
      'fields explain does not know (ignored; the outcome may differ): fancyNewField',
    ]);
  });
});

describe('explain --config-dump: a list of typed resources', () => {
  it('takes a plain list, or {resources: [...]}', () => {
    const list = [
      httpListenerJson('l', 80, { routeConfig: routeTableJson, httpFilters: [ROUTER] }),
      { '@type': CLUSTER, ...staticCluster('api-blue', '10.0.1.1') },
    ];
    for (const doc of [list, { resources: list }]) {
      const { resources } = resourcesFromConfigDump(doc);
      expect(resources.listeners).toHaveLength(1);
      expect(resources.clusters).toHaveLength(1);
    }
  });
});

describe('explain --config-dump: repeated names', () => {
  it('uses the first definition and notes a repeat only when it differs', () => {
    const same = resourcesFromConfigDump([
      { '@type': CLUSTER, ...staticCluster('c', '10.0.0.1') },
      { '@type': CLUSTER, ...staticCluster('c', '10.0.0.1') },
    ]);
    expect([same.resources.clusters.length, same.notes]).toEqual([1, []]);
    const differ = resourcesFromConfigDump([
      { '@type': CLUSTER, ...staticCluster('c', '10.0.0.1') },
      { '@type': CLUSTER, ...staticCluster('c', '10.0.0.2') },
    ]);
    expect(differ.resources.clusters[0]?.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address?.address).toBe('10.0.0.1');
    expect(differ.notes).toEqual(['resource 1: a second, different Cluster named "c"; the first is used']);
  });
});

describe('explain --config-dump: bad input', () => {
  const error = (doc: unknown) => {
    try {
      resourcesFromConfigDump(doc);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigDumpError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  it('says what was expected and what was found', () => {
    expect(error({ apiVersion: 'v1', kind: 'Service' })).toBe(
      'expected an Envoy config dump ({"configs": [...]}, from /config_dump) or a list of xDS resources each with "@type", found an object with "apiVersion", "kind"',
    );
    expect(error('hello')).toContain('found string "hello"');
    expect(error([{ name: 'x' }])).toBe('resource 0: expected an object with "@type" (a typed xDS resource), found an object with "name"');
    expect(error([{ '@type': CLUSTER, name: 'c', connectTimeout: 'soon' }])).toBe('resource 0: a duration is written like "1.5s", found "soon"');
  });
});
