// GatewayListenerFilters: spec.listeners[].filters.requests on Gateway and
// ListenerSet listeners. v1.7.0 has no upstream conformance test for the
// feature; these tests prove it: status conditions, the Envoy config
// (order, per-listener enabling, route matching after the filters, Host
// protected) and that Envoy's validation rules accept it (xdscheck).
import type { Condition, KubeObject, Listener, ListenerStatus } from '@switchyard/api';
import type { Listener as EnvoyListener, RouteConfiguration } from '@switchyard/protos';
import type { HttpConnectionManager } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { backend, G, gateway, gatewayClass, httpListener, httpRoute, referenceGrant, run } from '../../test/fixtures.js';
import { xdscheckFleets } from '../../test/extensions.js';
import { createTestCertificate, tlsSecretObject, type TestCertificate } from '../../test/certificates.js';
import type { TranslateResult } from '../translate.js';
import { explain } from '@switchyard/explain';

const grpcAuth = (name: string, extra: object = {}, namespace?: string) => ({
  type: 'ExternalAuth' as const,
  externalAuth: { protocol: 'GRPC' as const, backendRef: { name, port: 9000, ...(namespace ? { namespace } : {}) }, ...extra },
});
const httpAuth = (name: string, http: object = {}, extra: object = {}) => ({
  type: 'ExternalAuth' as const,
  externalAuth: { protocol: 'HTTP' as const, backendRef: { name, port: 8080 }, http, ...extra },
});
const filtered = (name: string, hostname: string | undefined, requests: unknown[], extra: Partial<Listener> = {}): Listener =>
  httpListener(name, 80, { ...(hostname ? { hostname } : {}), filters: { requests: requests as never }, ...extra });

function listenerStatus(r: TranslateResult, name: string, kind = 'Gateway', ns = 'infra', obj = 'gw'): ListenerStatus {
  const s = r.statuses.find((x) => x.kind === kind && x.namespace === ns && x.name === obj)!.status as { listeners: ListenerStatus[] };
  return s.listeners.find((l) => l.name === name)!;
}
const cond = (l: ListenerStatus, type: string): Condition => l.conditions.find((c) => c.type === type)!;

function fleet(r: TranslateResult, id = 'infra/gw') {
  const f = r.fleets.get(id)!;
  const listeners: readonly EnvoyListener[] = f.listeners;
  const routes: readonly RouteConfiguration[] = f.routes;
  const hcm = (listener: string, chain = 0) =>
    listeners.find((l) => l.name === listener)!.filter_chains![chain]!.filters![0]!.typed_config as unknown as HttpConnectionManager;
  const vhost = (rc: string, host: string) => routes.find((x) => x.name === rc)!.virtual_hosts!.find((v) => v.name === host)!;
  return { f, hcm, vhost };
}

/** xdscheck: go-control-plane's validation (Envoy's proto rules) and reference checks over every fleet. */
function expectEnvoyAccepts(r: TranslateResult): void {
  const c = xdscheckFleets(r);
  expect(c.output).toContain('OK');
  expect(c.code).toBe(0);
}

const apps = (): KubeObject[] => [...backend('infra', 'authz', 9000), ...backend('infra', 'authz-http', 8080), ...backend('apps', 'web')];
const route = () => httpRoute('apps', 'web', { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] });

describe('GatewayListenerFilters', () => {
  it('runs each listener its own filters, in its order, on the hosts it owns; listeners sharing a port never conflict', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        filtered('a', 'a.example.com', [grpcAuth('authz'), httpAuth('authz-http')], { allowedRoutes: { namespaces: { from: 'All' } } }),
        // The opposite order on the same port (same connection manager): both honoured.
        filtered('b', 'b.example.com', [httpAuth('authz-http'), grpcAuth('authz')], { allowedRoutes: { namespaces: { from: 'All' } } }),
        httpListener('plain', 80, { allowedRoutes: { namespaces: { from: 'All' } } }),
      ]),
      ...apps(),
      route(),
    ]);
    for (const l of ['a', 'b', 'plain']) {
      expect(cond(listenerStatus(r, l), 'Accepted')).toMatchObject({ status: 'True', reason: 'Accepted' });
      expect(cond(listenerStatus(r, l), 'ResolvedRefs')).toMatchObject({ status: 'True' });
    }
    const { hcm, vhost, f } = fleet(r);
    const filters = hcm('tcp-80').http_filters!;
    // Pre-routing filters first (before CORS and the router), all disabled until a virtual host enables them.
    expect(filters.map((x) => [x.name, x.disabled ?? false])).toEqual([
      ['listener/a/0/ext_authz', true],
      ['listener/a/1/ext_authz', true],
      ['listener/b/0/ext_authz', true],
      ['listener/b/1/ext_authz', true],
      ['envoy.filters.http.cors', false],
      ['envoy.filters.http.router', false],
    ]);
    const a = vhost('http-80', 'a.example.com');
    const b = vhost('http-80', 'b.example.com');
    // Envoy runs enabled filters in the connection manager's order: a's are a0, a1; b's are b0 (HTTP), b1 (gRPC).
    expect(Object.keys(a.typed_per_filter_config!)).toEqual(['listener/a/0/ext_authz', 'listener/a/1/ext_authz']);
    expect(Object.keys(b.typed_per_filter_config!)).toEqual(['listener/b/0/ext_authz', 'listener/b/1/ext_authz']);
    const cfg = (n: number) => filters[n]!.typed_config as Record<string, unknown>;
    expect(cfg(0)).toHaveProperty('grpc_service');
    expect(cfg(2)).toHaveProperty('http_service');
    expect(cfg(3)).toHaveProperty('grpc_service');
    // The listener without filters runs none; its host has no per-filter config.
    expect(vhost('http-80', '*').typed_per_filter_config).toBeUndefined();
    // A host with filters ends with a catch-all 404, so a request matching no route still runs them.
    expect(a.routes!.at(-1)).toMatchObject({ match: { prefix: '/' }, direct_response: { status: 404 } });
    expect(vhost('http-80', '*').routes!.at(-1)!.direct_response).toBeUndefined();
    // The authorization services are clusters of the fleet (gRPC: h2c).
    const clusters = f.clusters.map((c) => c.name);
    expect(clusters).toEqual(expect.arrayContaining(['infra/authz:9000/h2c', 'infra/authz-http:8080']));
    expectEnvoyAccepts(r);

    // The Envoy model (explain) does not evaluate ext_authz; it names the filters running for each host.
    const ask = (host: string) => explain(r.fleets.get('infra/gw')!, { port: 80, method: 'GET', scheme: 'http', host, path: '/' });
    const onA = ask('a.example.com');
    expect(onA).toMatchObject({ kind: 'route', route: { source: { kind: 'HTTPRoute', name: 'web' } } });
    const running = onA.kind === 'route' ? onA.httpFilters : [];
    expect(running).toEqual(['listener/a/0/ext_authz', 'listener/a/1/ext_authz', 'envoy.filters.http.cors', 'envoy.filters.http.router']);
    expect(onA.kind === 'route' ? onA.notModelled : []).toEqual([
      'HTTP filter listener/a/0/ext_authz (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz)',
      'HTTP filter listener/a/1/ext_authz (envoy.extensions.filters.http.ext_authz.v3.ExtAuthz)',
    ]);
    const plain = ask('other.example.org');
    expect(plain.kind === 'route' ? [plain.httpFilters, plain.notModelled] : plain).toEqual([['envoy.filters.http.cors', 'envoy.filters.http.router'], []]);
  });

  it('a host runs the filters of the listener it belongs to (listener isolation), also for route hostnames', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        filtered('wild', '*.example.com', [grpcAuth('authz')], { allowedRoutes: { namespaces: { from: 'All' } } }),
        httpListener('foo', 80, { hostname: 'foo.example.com', allowedRoutes: { namespaces: { from: 'All' } } }),
      ]),
      ...apps(),
      httpRoute('apps', 'web', {
        parentRefs: [{ name: 'gw', namespace: 'infra' }],
        hostnames: ['foo.example.com', 'bar.example.com'],
        rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }],
      }),
    ]);
    const { vhost } = fleet(r);
    // bar.example.com reaches the route through the wildcard listener: its filters run.
    expect(Object.keys(vhost('http-80', 'bar.example.com').typed_per_filter_config ?? {})).toEqual(['listener/wild/0/ext_authz']);
    expect(Object.keys(vhost('http-80', '*.example.com').typed_per_filter_config ?? {})).toEqual(['listener/wild/0/ext_authz']);
    // foo.example.com belongs to the more specific listener, which has none.
    expect(vhost('http-80', 'foo.example.com').typed_per_filter_config).toBeUndefined();
    expectEnvoyAccepts(r);
  });

  it('writes ext_authz as the spec asks: route chosen after the filter, Host and :authority kept, headers, path, body', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        filtered('a', undefined, [
          grpcAuth('authz', { grpc: { allowedHeaders: ['X-User'] }, forwardBody: { maxSize: 1024 } }),
          httpAuth('authz-http', { path: 'check', allowedHeaders: ['Cookie'], allowedResponseHeaders: ['X-Auth-User'] }),
          httpAuth('authz-http'),
        ]),
      ]),
      ...apps(),
    ]);
    const filters = fleet(r)
      .hcm('tcp-80')
      .http_filters!.map((x) => x.typed_config as Record<string, unknown>);
    expect(filters[0]).toMatchObject({
      clear_route_cache: true,
      decoder_header_mutation_rules: { allow_all_routing: { value: true }, disallow_expression: { google_re2: {} } },
      grpc_service: { envoy_grpc: { cluster_name: 'infra/authz:9000/h2c', authority: 'authz.infra:9000' } },
      allowed_headers: { patterns: [{ exact: 'x-user', ignore_case: true }] },
      with_request_body: { max_request_bytes: 1024, allow_partial_message: true },
    });
    // Host and :authority (and the framing headers of an HTTP answer) cannot change; path, method, other headers can.
    const protectedHeaders = new RegExp(
      (filters[0] as { decoder_header_mutation_rules: { disallow_expression: { regex: string } } }).decoder_header_mutation_rules.disallow_expression.regex,
    );
    expect(['host', ':authority', 'content-length', ':status'].filter((h) => !protectedHeaders.test(h))).toEqual([]);
    expect([':path', ':method', 'x-user', 'authorization', 'x-host'].filter((h) => protectedHeaders.test(h))).toEqual([]);
    expect(filters[1]).toMatchObject({
      http_service: {
        server_uri: { uri: 'http://authz-http.infra:8080', cluster: 'infra/authz-http:8080' },
        path_prefix: '/check',
        authorization_response: { allowed_upstream_headers: { patterns: [{ exact: 'x-auth-user', ignore_case: true }] } },
      },
      allowed_headers: { patterns: [{ exact: 'cookie', ignore_case: true }] },
    });
    expect(filters[1]).not.toHaveProperty('with_request_body');
    // No allowedResponseHeaders: every header of the allowing response (but Host, refused above).
    expect(filters[2]).toMatchObject({
      http_service: { authorization_response: { allowed_upstream_headers: { patterns: [{ safe_regex: { regex: '.*' } }] } } },
    });
    expect(filters[2]).not.toHaveProperty('allowed_headers');
    expectEnvoyAccepts(r);
  });

  describe('HTTPS and ListenerSet listeners', () => {
    let cert: TestCertificate;
    beforeAll(async () => {
      cert = await createTestCertificate({ dnsNames: ['*.example.com'] });
    });
    it('an HTTPS listener runs its filters on its own chain; a ListenerSet listener refers as a ListenerSet', () => {
      const gw = gateway('infra', 'gw', [
        {
          name: 'tls',
          port: 443,
          protocol: 'HTTPS',
          hostname: 'secure.example.com',
          tls: { certificateRefs: [{ name: 'cert' }] },
          filters: { requests: [grpcAuth('authz')] },
        },
      ]);
      gw.spec!.allowedListeners = { namespaces: { from: 'All' } };
      const ls: KubeObject = {
        apiVersion: `${G}/v1`,
        kind: 'ListenerSet',
        metadata: { namespace: 'team', name: 'ls', generation: 1 },
        spec: { parentRef: { name: 'gw', namespace: 'infra' }, listeners: [filtered('team', 'team.example.com', [grpcAuth('authz', {}, 'infra')])] },
      };
      const objects = [gatewayClass(), gw, ls, tlsSecretObject('infra', 'cert', cert), ...apps()];
      // The ListenerSet's backendRef to infra needs a ReferenceGrant from ListenerSets in team.
      const denied = run(objects);
      const team = listenerStatus(denied, 'team', 'ListenerSet', 'team', 'ls');
      expect(cond(team, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'RefNotPermitted' });
      expect(cond(team, 'ResolvedRefs').message).toContain('spec.listeners[0].filters.requests[0].externalAuth.backendRef');
      expect(fleet(denied).vhost('http-80', 'team.example.com').routes).toEqual([expect.objectContaining({ direct_response: { status: 500 } })]);

      const r = run([
        ...objects,
        referenceGrant('infra', 'ls-to-authz', [{ group: G, kind: 'ListenerSet', namespace: 'team' }], [{ group: '', kind: 'Service' }]),
      ]);
      expect(cond(listenerStatus(r, 'team', 'ListenerSet', 'team', 'ls'), 'ResolvedRefs')).toMatchObject({ status: 'True' });
      expect(cond(listenerStatus(r, 'tls'), 'Accepted')).toMatchObject({ status: 'True' });
      const { hcm, vhost } = fleet(r);
      expect(hcm('tcp-443').http_filters!.map((x) => x.name)).toEqual(['listener/tls/0/ext_authz', 'envoy.filters.http.cors', 'envoy.filters.http.router']);
      expect(Object.keys(vhost('https-443/tls', 'secure.example.com').typed_per_filter_config!)).toEqual(['listener/tls/0/ext_authz']);
      // Misdirected requests (421) are not this listener's hosts: no filters.
      expect(vhost('https-443/tls', 'misdirected/*').typed_per_filter_config).toBeUndefined();
      expect(Object.keys(vhost('http-80', 'team.example.com').typed_per_filter_config!)).toEqual(['listener/team/ls/team/0/ext_authz']);
      expectEnvoyAccepts(r);
    });
  });

  it('an unresolved backendRef or ExtensionRef: ResolvedRefs=False naming the field, the hosts answer 500 (never skipped, never falling through)', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        filtered('missing', 'a.example.com', [grpcAuth('nope')], { allowedRoutes: { namespaces: { from: 'All' } } }),
        filtered('ext', 'b.example.com', [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Jwt', name: 'j' } }]),
        httpListener('plain', 80, { allowedRoutes: { namespaces: { from: 'All' } } }),
      ]),
      ...apps(),
      route(),
    ]);
    const missing = listenerStatus(r, 'missing');
    expect(cond(missing, 'Accepted')).toMatchObject({ status: 'True' });
    // Still programmed: it serves 500 rather than let its hosts fall through to another listener.
    expect(cond(missing, 'Programmed')).toMatchObject({ status: 'True' });
    expect(cond(missing, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
    expect(cond(missing, 'ResolvedRefs').message).toContain('spec.listeners[0].filters.requests[0].externalAuth.backendRef: Service infra/nope not found');
    const ext = cond(listenerStatus(r, 'ext'), 'ResolvedRefs');
    expect(ext).toMatchObject({ status: 'False', reason: 'InvalidKind' });
    expect(ext.message).toContain('spec.listeners[1].filters.requests[0].extensionRef: example.com/Jwt j');
    const { vhost } = fleet(r);
    for (const h of ['a.example.com', 'b.example.com'])
      expect(vhost('http-80', h).routes).toEqual([expect.objectContaining({ direct_response: { status: 500 } })]);
    expect(vhost('http-80', '*').routes![0]!.route).toBeDefined();
    expectEnvoyAccepts(r);
  });

  it('refuses what the CRDs refuse (objects from files): filters on a non-HTTP listener, a bad type, a payload not matching the type', () => {
    const r = run([
      gatewayClass(),
      gateway('infra', 'gw', [
        { name: 'tcp', port: 9000, protocol: 'TCP', filters: { requests: [grpcAuth('authz')] } },
        filtered('bad-type', 'a.example.com', [{ type: 'RequestMirror' }]),
        filtered('mismatch', 'b.example.com', [
          { type: 'ExternalAuth', externalAuth: { protocol: 'GRPC', backendRef: { name: 'authz', port: 9000 }, http: {} } },
        ]),
        httpListener('plain'),
      ]),
      ...apps(),
    ]);
    const accepted = (l: string) => cond(listenerStatus(r, l), 'Accepted');
    expect(accepted('tcp')).toMatchObject({
      status: 'False',
      reason: 'UnsupportedValue',
      message: 'spec.listeners[0].filters: filters may only be set when protocol is HTTP or HTTPS',
    });
    expect(accepted('bad-type')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(accepted('bad-type').message).toContain('spec.listeners[1].filters.requests[0].type: RequestMirror is not supported');
    expect(accepted('mismatch').message).toContain("spec.listeners[2].filters.requests[0].externalAuth: protocol must be 'HTTP' when http is set");
    expect(accepted('plain')).toMatchObject({ status: 'True' });
  });
});
