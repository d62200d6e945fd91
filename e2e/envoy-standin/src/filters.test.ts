// Route behaviour Envoy carries out itself, through the stand-in: request
// timeouts, retries, mirrors, CORS preflights and local rate limits, each as
// Switchyard configures it from an HTTPRoute.
import { echoServer, freePort, gatewayYaml, request, serviceYaml, startLocalStandin, startSwitchyard, until, type Switchyard } from './testing/harness.js';
import type { Standin } from './standin.js';

const manifests = (port: number, app: number, shadow: number) =>
  gatewayYaml([`{name: http, port: ${port}, protocol: HTTP}`]) +
  `---
apiVersion: switchyard.dev/v1alpha1
kind: RateLimit
metadata: {name: two-a-minute, namespace: web}
spec: {requests: 2, unit: Minute, key: {type: ClientAddress}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: filters, namespace: web}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /slow}}]
    timeouts: {request: 500ms}
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /flaky}}]
    retry: {codes: [500], attempts: 2, backoff: 10ms}
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /mirror}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: shadow, port: 80}}}]
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /cors}}]
    filters: [{type: CORS, cors: {allowOrigins: ["https://app.example"], allowMethods: [GET, POST], allowHeaders: [x-token]}}]
    backendRefs: [{name: app, port: 80}]
  - matches: [{path: {type: PathPrefix, value: /limited}}]
    filters: [{type: ExtensionRef, extensionRef: {group: switchyard.dev, kind: RateLimit, name: two-a-minute}}]
    backendRefs: [{name: app, port: 80}]
` +
  serviceYaml('web', 'app', app) +
  serviceYaml('web', 'shadow', shadow);

describe('route filters Envoy carries out, through the stand-in', () => {
  let sy: Switchyard;
  let standin: Standin;
  let port: number;
  let app: Awaited<ReturnType<typeof echoServer>>;
  let shadow: Awaited<ReturnType<typeof echoServer>>;

  beforeAll(async () => {
    [app, shadow] = await Promise.all([echoServer('app'), echoServer('shadow')]);
    port = await freePort();
    sy = await startSwitchyard(manifests(port, app.port, shadow.port));
    standin = await startLocalStandin(sy.xdsPort, 'web/gw');
    await until('the stand-in to be initialized', () => (standin.initialized() ? true : undefined));
  });

  afterAll(async () => {
    await standin?.close();
    await sy?.stop();
    await Promise.all([app?.close(), shadow?.close()]);
  });

  it('answers 504 when the backend is slower than the route timeout', async () => {
    const started = Date.now();
    expect((await request(port, '/slow')).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it('retries a 500 the retry policy names, and the client sees the retry succeed', async () => {
    const before = app.received.length;
    expect((await request(port, '/flaky')).status).toBe(200);
    expect(app.received.length - before).toBe(2);
  });

  it('mirrors the request to the mirror backend, Host suffixed -shadow, and answers from the primary', async () => {
    const r = await request(port, '/mirror/1');
    expect(r.headers['x-backend']).toBe('app');
    const mirrored = await until('the mirrored request', () => shadow.received.find((x) => x.path === '/mirror/1'));
    expect(mirrored.host).toBe('example.com-shadow');
  });

  it('answers CORS preflights from an allowed origin itself', async () => {
    const before = app.received.length;
    const r = await request(port, '/cors', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(app.received.length).toBe(before);
    const actual = await request(port, '/cors', { headers: { origin: 'https://app.example' } });
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example');
  });

  it('limits requests per client address with 429 once the bucket is empty', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(port, '/limited')).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
