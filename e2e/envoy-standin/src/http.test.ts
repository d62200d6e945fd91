// HTTP through the stand-in, configured by Switchyard's standalone mode: each
// request reaches the backend the route selects, with the route's filters
// applied, over HTTP/1.1 and h2c, with delta and state-of-the-world ADS.
import http2 from 'node:http2';
import { echoServer, freePort, gatewayYaml, h2Get, request, serviceYaml, startLocalStandin, startSwitchyard, until, type Echoed, type Switchyard } from './testing/harness.js';
import type { Standin } from './standin.js';

const manifests = (port: number, a: number, b: number) => gatewayYaml([`{name: http, port: ${port}, protocol: HTTP}`]) + `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: web}
spec:
  parentRefs: [{name: gw}]
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a}}]
    backendRefs: [{name: a, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /b}, headers: [{name: x-pick, value: b}]}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {add: [{name: x-added, value: yes}], remove: [x-drop]}
    - type: ResponseHeaderModifier
      responseHeaderModifier: {set: [{name: x-response, value: set}]}
    - type: URLRewrite
      urlRewrite: {hostname: rewritten.example, path: {type: ReplacePrefixMatch, replacePrefixMatch: /inner}}
    backendRefs: [{name: b, port: 80}]
  - matches: [{path: {type: Exact, value: /old}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {hostname: new.example.com, statusCode: 301}
  - matches: [{path: {type: PathPrefix, value: /split}}]
    backendRefs: [{name: a, port: 80, weight: 1}, {name: b, port: 80, weight: 1}]
  - matches: [{path: {type: PathPrefix, value: /missing}}]
    backendRefs: [{name: nonexistent, port: 80}]
` + serviceYaml('web', 'a', a) + serviceYaml('web', 'b', b);

describe.each(['DELTA_GRPC', 'GRPC'] as const)('the Envoy stand-in over HTTP (%s)', (apiType) => {
  let sy: Switchyard;
  let standin: Standin;
  let port: number;
  const backends: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    const [a, b] = await Promise.all([echoServer('a'), echoServer('b')]);
    backends.push(a, b);
    port = await freePort();
    sy = await startSwitchyard(manifests(port, a.port, b.port));
    standin = await startLocalStandin(sy.xdsPort, 'web/gw', { apiType });
    await until('the stand-in to be initialized', () => (standin.initialized() ? true : undefined));
  });

  afterAll(async () => {
    await standin?.close();
    await sy?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  it('sends each request to the backend its route selects', async () => {
    const r = await request(port, '/a/x?q=1');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body) as Echoed).toMatchObject({ backend: 'a', path: '/a/x?q=1', host: 'example.com' });
    // The header match decides: without x-pick the /b rule does not match.
    expect((await request(port, '/b/y')).status).toBe(404);
    expect((await request(port, '/a', { host: 'other.example.com' })).status).toBe(404);
  });

  it('applies header modifiers and URL rewrites on the way, and response headers on the way back', async () => {
    const r = await request(port, '/b/y?z=2', { headers: { 'x-pick': 'b', 'x-drop': 'gone' } });
    const echoed = JSON.parse(r.body) as Echoed;
    expect(echoed).toMatchObject({ backend: 'b', path: '/inner/y?z=2', host: 'rewritten.example' });
    expect(echoed.headers['x-added']).toBe('yes');
    expect(echoed.headers['x-drop']).toBeUndefined();
    expect(echoed.headers['x-forwarded-proto']).toBe('http');
    expect(r.headers['x-response']).toBe('set');
  });

  it('answers redirects itself and 500 for a backendRef that does not resolve', async () => {
    const r = await request(port, '/old');
    expect(r.status).toBe(301);
    // No port in the filter: the redirect keeps the listener port (not the scheme default).
    expect(r.headers.location).toBe(`http://new.example.com:${port}/old`);
    expect((await request(port, '/missing')).status).toBe(500);
  });

  it('splits by weight across backends', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((JSON.parse((await request(port, '/split')).body) as Echoed).backend);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('speaks h2c to clients that open with the HTTP/2 preface', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const body = await h2Get(session, '/a/h2', 'example.com');
      expect(JSON.parse(body) as Echoed).toMatchObject({ backend: 'a', path: '/a/h2', host: 'example.com' });
    } finally {
      session.close();
    }
  });
});
