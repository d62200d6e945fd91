// The migration's end-to-end contract: for each Ingress fixture, a table of
// requests with what ingress-nginx does with them; the converted Gateway API
// objects, run through the translator and explain, must do the same. Where
// the conversion knowingly differs, the case says how, and the report must
// say why.
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { CONTROLLER_NAME, translate } from '@switchyard/translator';
import { explain, explainTlsConnection, type Explanation } from '@switchyard/explain';
import { createCa, issueCertificate } from '@switchyard/xds';
import { convert, type ConvertOptions, type ConvertResult } from './convert.js';
import { fixture } from '../../test/migrate-fixtures.js';
import { formatFinding } from './report.js';

/** What a request gets: a backend ("ns/name:port", with the path it arrives with), a weighted split, a redirect, or a 404. */
type Outcome =
  | {
      readonly backend: string;
      readonly path?: string;
      readonly timeout?: number;
      readonly upstream?: string;
      /** The Host header the backend receives. */
      readonly upstreamHost?: string;
      /** Request headers the backend receives (only those named are compared). */
      readonly upstreamHeaders?: Readonly<Record<string, string>>;
      readonly rateLimit?: {
        readonly maxTokens: number;
        readonly tokensPerFill: number;
        readonly fillIntervalSeconds: number;
        readonly keyedBy: readonly string[];
      };
    }
  | { readonly split: Readonly<Record<string, number>> }
  | { readonly redirect: number; readonly location: string }
  /** A CORS preflight the proxy answers itself (ingress-nginx with 204, Envoy with 200), allowing this origin. */
  | { readonly corsPreflight: { readonly allowOrigin: string; readonly allowMethods: string } }
  | { readonly status: number }
  /** A TLS connection passed through undecrypted to this backend (ingress-nginx ssl-passthrough). */
  | { readonly passthrough: string };

interface Case {
  readonly scheme?: 'http' | 'https';
  readonly method?: string;
  readonly host: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** What ingress-nginx does. */
  readonly nginx: Outcome;
  /** Where the conversion knowingly differs: what the Gateway does instead, and the finding that says so. */
  readonly converted?: Outcome;
  readonly finding?: RegExp;
  /** A translator feature this case needs and the translator lacks: the case runs as it.failing. */
  readonly needs?: string;
}

interface Table {
  /** A file under testdata/migrate, or a name for objects built in code (`build`). */
  readonly fixture: string;
  readonly build?: () => KubeObject[];
  readonly options?: ConvertOptions;
  readonly fleet: string;
  /** TLS Secrets to create for the translator: "namespace/name" -> host (comma-separated for several). */
  readonly certificates?: Readonly<Record<string, string>>;
  readonly cases: readonly Case[];
}

const TABLES: readonly Table[] = [
  {
    fixture: 'basic.yaml',
    fleet: 'shop/nginx',
    cases: [
      { host: 'app.example.com', path: '/api', nginx: { backend: 'shop/api:8080', path: '/api' } },
      { host: 'app.example.com', path: '/api/v1/items?x=1', nginx: { backend: 'shop/api:8080', path: '/api/v1/items?x=1' } },
      // Prefix is element-wise; the Ingress defaultBackend is the host's "/".
      { host: 'app.example.com', path: '/apix', nginx: { backend: 'shop/fallback:80' } },
      { host: 'app.example.com', path: '/healthz', nginx: { backend: 'shop/health:80' } },
      { host: 'app.example.com', path: '/healthz/', nginx: { backend: 'shop/fallback:80' } },
      { host: 'app.example.com', path: '/static/app.js', nginx: { backend: 'shop/static:80' } },
      {
        host: 'app.example.com',
        path: '/staticfiles',
        nginx: { backend: 'shop/static:80' },
        converted: { backend: 'shop/fallback:80' },
        finding: /character prefix/,
      },
      // The newer Ingress adds /docs; its duplicate /api loses to the older one.
      { host: 'app.example.com', path: '/docs/intro', nginx: { backend: 'shop/web:80' } },
      { host: 'app.example.com', path: '/web', nginx: { backend: 'shop/web:80' } },
      { host: 'app.example.com', path: '/blog/post', nginx: { backend: 'shop/web:80' } },
      // Prefix "/blog/": ingress-nginx's location "/blog/" does not take "/blog"; Gateway API ignores the trailing slash.
      {
        host: 'app.example.com',
        path: '/blog',
        nginx: { backend: 'shop/fallback:80' },
        converted: { backend: 'shop/web:80' },
        finding: /did not match "\/blog" for Prefix "\/blog\/"/,
      },
      { host: 'app.example.com', path: '/ping', nginx: { backend: 'shop/fallback:80' } },
      { host: 'other.example.com', path: '/ping', nginx: { backend: 'shop/health:80' } },
      { host: 'other.example.com', path: '/other', nginx: { status: 404 } },
      { host: 'docs.example.com', path: '/guide/start', nginx: { backend: 'shop/web:80' } },
      // A host's unmatched paths do not fall through to the host-less rules (in ingress-nginx nor in Switchyard).
      { host: 'docs.example.com', path: '/ping', nginx: { status: 404 } },
    ],
  },
  {
    fixture: 'tls.yaml',
    fleet: 'default/nginx',
    certificates: { 'shop/shop-tls': 'shop.example.com', 'blog/blog-tls': 'blog.example.com', 'shop/tenants-tls': '*.tenants.example.com' },
    cases: [
      { scheme: 'http', host: 'shop.example.com', path: '/cart?id=1', nginx: { redirect: 308, location: 'https://shop.example.com/cart?id=1' } },
      { scheme: 'https', host: 'shop.example.com', path: '/cart', nginx: { backend: 'shop/shop:80' } },
      { scheme: 'http', host: 'blog.example.com', path: '/post', nginx: { backend: 'blog/blog:80' } },
      { scheme: 'https', host: 'blog.example.com', path: '/post', nginx: { backend: 'blog/blog:80' } },
      { scheme: 'http', host: 'legacy.example.com', path: '/x', nginx: { redirect: 308, location: 'https://legacy.example.com/x' } },
      { scheme: 'http', host: 'acme.tenants.example.com', path: '/', nginx: { redirect: 308, location: 'https://acme.tenants.example.com/' } },
      // ssl-passthrough: TLS reaches a TCP proxy, not an HTTP connection manager; plain HTTP is still routed.
      { scheme: 'https', host: 'vault.example.com', path: '/', nginx: { passthrough: 'shop/vault:8200' } },
      { scheme: 'http', host: 'vault.example.com', path: '/v1/sys', nginx: { backend: 'shop/vault:8200' } },
      { scheme: 'https', host: 'acme.tenants.example.com', path: '/', nginx: { backend: 'shop/tenant:80' } },
    ],
  },
  {
    fixture: 'rewrite.yaml',
    fleet: 'default/nginx',
    cases: [
      { host: 'rewrite.example.com', path: '/api/users/7', nginx: { backend: 'default/api:80', path: '/users/7' } },
      { host: 'rewrite.example.com', path: '/api/', nginx: { backend: 'default/api:80', path: '/' } },
      { host: 'rewrite.example.com', path: '/api', nginx: { backend: 'default/api:80', path: '/' } },
      { host: 'rewrite.example.com', path: '/apix', nginx: { status: 404 } },
      { host: 'full.example.com', path: '/home/room', nginx: { backend: 'default/home:80', path: '/index.html' } },
      { host: 'full.example.com', path: '/HOME', nginx: { backend: 'default/home:80', path: '/index.html' } },
      { host: 'regex.example.com', path: '/v2/users/7', nginx: { backend: 'default/users:80', path: '/v2/users/7' } },
      { host: 'regex.example.com', path: '/V10/Users', nginx: { backend: 'default/users:80', path: '/V10/Users' } },
      { host: 'regex.example.com', path: '/v/users', nginx: { status: 404 } },
      // use-regex is host-wide: the plain paths of another Ingress become case-insensitive character-prefix regexes.
      { host: 'regex.example.com', path: '/docs/intro', nginx: { backend: 'default/docs:80' } },
      { host: 'regex.example.com', path: '/Docsets', nginx: { backend: 'default/docs:80' } },
      // ingress-nginx tries regex locations longest first.
      { host: 'regex.example.com', path: '/api/v2/items', nginx: { backend: 'default/api-v:80' } },
      { host: 'regex.example.com', path: '/api/items', nginx: { backend: 'default/api:80' } },
    ],
  },
  {
    fixture: 'redirects.yaml',
    fleet: 'default/nginx',
    certificates: { 'default/secure-tls': 'secure.example.com', 'default/shop-org-tls': 'shop.example.org,www.shop.example.org' },
    cases: [
      { host: 'old.example.com', path: '/anything', nginx: { redirect: 301, location: 'https://new.example.com/landing' } },
      { host: 'example.com', path: '/a/b?x=1', nginx: { redirect: 308, location: 'https://www.example.com/a/b?x=1' } },
      { host: 'down.example.com', path: '/x', nginx: { redirect: 302, location: 'https://status.example.com/' } },
      { host: 'portal.example.com', path: '/', nginx: { redirect: 302, location: 'http://portal.example.com/portal' } },
      { host: 'portal.example.com', path: '/portal/home', nginx: { backend: 'default/app:80' } },
      { host: 'secure.example.com', path: '/', nginx: { redirect: 302, location: 'http://secure.example.com/portal' } },
      { host: 'secure.example.com', path: '/portal', nginx: { redirect: 308, location: 'https://secure.example.com/portal' } },
      { scheme: 'https', host: 'secure.example.com', path: '/', nginx: { redirect: 302, location: 'https://secure.example.com/portal' } },
      { scheme: 'https', host: 'secure.example.com', path: '/portal', nginx: { backend: 'default/app:80' } },
      { host: 'www.shop.example.org', path: '/cart?id=2', nginx: { redirect: 308, location: 'http://shop.example.org/cart?id=2' } },
      { scheme: 'https', host: 'www.shop.example.org', path: '/cart', nginx: { redirect: 308, location: 'https://shop.example.org/cart' } },
      { scheme: 'https', host: 'shop.example.org', path: '/cart', nginx: { backend: 'default/app:80' } },
    ],
  },
  {
    fixture: 'canary.yaml',
    fleet: 'default/nginx',
    cases: [
      { host: 'canary.example.com', path: '/', nginx: { split: { 'default/stable:80': 80, 'default/next:80': 20 } } },
      { host: 'canary.example.com', path: '/', headers: { 'x-canary': 'always' }, nginx: { backend: 'default/next:80' } },
      { host: 'canary.example.com', path: '/', headers: { 'x-canary': 'never', cookie: 'canary=always' }, nginx: { backend: 'default/stable:80' } },
      { host: 'canary.example.com', path: '/', headers: { 'x-canary': 'maybe', cookie: 'canary=always' }, nginx: { backend: 'default/next:80' } },
      { host: 'canary.example.com', path: '/', headers: { cookie: 'session=1; canary=always' }, nginx: { backend: 'default/next:80' } },
      { host: 'canary.example.com', path: '/', headers: { cookie: 'canary=never' }, nginx: { backend: 'default/stable:80' } },
      { host: 'flag.example.com', path: '/', headers: { 'x-beta': 'opt-in' }, nginx: { backend: 'default/beta:80' } },
      { host: 'flag.example.com', path: '/', headers: { 'x-beta': 'no' }, nginx: { backend: 'default/stable:80' } },
      { host: 'nobody.example.com', path: '/', nginx: { status: 404 } },
    ],
  },
  {
    fixture: 'annotations.yaml',
    fleet: 'default/nginx',
    cases: [
      // limit-rps 10 (burst multiplier 5): a bucket of 10 + 50 per client address, refilled by 10 per second.
      {
        host: 'api.example.com',
        path: '/v1/orders',
        nginx: {
          backend: 'default/api:80',
          path: '/v1/orders',
          rateLimit: { maxTokens: 60, tokensPerFill: 10, fillIntervalSeconds: 1, keyedBy: ['remote_address'] },
        },
      },
      // enable-cors with cors-allow-origin/-methods: the preflight is answered by the proxy.
      {
        method: 'OPTIONS',
        host: 'api.example.com',
        path: '/v1/orders',
        headers: { origin: 'https://admin.example.com', 'access-control-request-method': 'POST' },
        nginx: { corsPreflight: { allowOrigin: 'https://admin.example.com', allowMethods: 'GET,POST' } },
      },
      // upstream-vhost -> URLRewrite hostname, x-forwarded-prefix -> RequestHeaderModifier, with the rewrite.
      {
        host: 'vhost.example.com',
        path: '/shop/cart',
        nginx: { backend: 'default/api:80', path: '/cart', upstreamHost: 'internal.example.com', upstreamHeaders: { 'x-forwarded-prefix': '/shop' } },
      },
      // proxy-read/send-timeout -> timeouts.request (the larger of the two).
      { host: 'slow.example.com', path: '/report', nginx: { backend: 'default/api:80', timeout: 120 } },
      { host: 'secure.example.com', path: '/', nginx: { backend: 'default/secure:443' } },
      // backend-protocol GRPC becomes a GRPCRoute: HTTP/2 to the backend, as ingress-nginx's grpc_pass.
      {
        method: 'POST',
        host: 'grpc.example.com',
        path: '/pkg.Svc/Call',
        headers: { 'content-type': 'application/grpc' },
        nginx: { backend: 'default/grpc:50051', upstream: 'http2' },
      },
    ],
  },
  {
    fixture: '70 TLS hosts',
    build: manyTlsHosts,
    fleet: 'sites/nginx',
    certificates: { 'sites/site0-tls': 'site00.example.com', 'sites/site69-tls': 'site69.example.com' },
    cases: [
      { scheme: 'https', host: 'site00.example.com', path: '/', nginx: { backend: 'sites/site:80' } },
      { scheme: 'https', host: 'site69.example.com', path: '/', nginx: { backend: 'sites/site:80' } },
      { scheme: 'http', host: 'site69.example.com', path: '/a', nginx: { redirect: 308, location: 'https://site69.example.com/a' } },
    ],
  },
  {
    fixture: 'annotations.yaml',
    fleet: 'default/traefik',
    cases: [
      // rewrite-target is an nginx annotation: traefik never applied it.
      { host: 'traefik.example.com', path: '/deep/path', nginx: { backend: 'default/api:80', path: '/deep/path' } },
    ],
  },
];

/** 70 TLS hosts: more HTTPS listeners than a Gateway holds, so they go to ListenerSets. */
function manyTlsHosts(): KubeObject[] {
  const objects: KubeObject[] = [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'site', namespace: 'sites' }, spec: { ports: [{ port: 80 }] } }];
  for (let i = 0; i < 70; i++) {
    const host = `site${String(i).padStart(2, '0')}.example.com`;
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `site${i}`, namespace: 'sites' },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [host], secretName: `site${i}-tls` }],
        rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'site', port: { number: 80 } } } }] } }],
      },
    });
  }
  return objects;
}

const GATEWAY_CLASS: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'switchyard' },
  spec: { controllerName: CONTROLLER_NAME },
};

let ca: { certPem: string; keyPem: string };
beforeAll(async () => {
  ca = await createCa('migrate test CA');
});

async function tlsSecret(key: string, host: string): Promise<KubeObject> {
  const [namespace, name] = key.split('/') as [string, string];
  const hosts = host.split(',');
  const c = await issueCertificate(ca, { commonName: hosts[0]!, dnsNames: hosts, usage: 'server' });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(c.certPem).toString('base64'), 'tls.key': Buffer.from(c.keyPem).toString('base64') },
  } as KubeObject;
}

/** The outcome explain reports, in the table's terms. */
function outcomeOf(e: Explanation): Outcome {
  if (e.kind !== 'route') return { status: e.kind === 'no-route' ? e.status : -1 };
  if (e.cors?.kind === 'preflight') {
    const h = (n: string) => (e.cors!.kind === 'preflight' ? (e.cors!.responseHeaders.find(([k]) => k === n)?.[1] ?? '') : '');
    // A list header: "GET, POST" (ingress-nginx echoes the annotation) and "GET,POST" are the same value.
    return { corsPreflight: { allowOrigin: h('access-control-allow-origin'), allowMethods: h('access-control-allow-methods').replace(/\s+/g, '') } };
  }
  const a = e.action;
  if (a.kind === 'redirect') return { redirect: a.status, location: a.location };
  if (a.kind === 'direct_response') return { status: a.status };
  if (a.kind !== 'clusters') return { status: -1 };
  const name = (b: (typeof a.backends)[number]) =>
    b.target.kind === 'backend' && b.target.backend
      ? `${b.target.backend.namespace}/${b.target.backend.name}:${b.target.backend.port}`
      : `error:${b.target.cluster}`;
  const live = a.backends.filter((b) => b.weight > 0);
  const only = live[0]!;
  if (live.length === 1) {
    const rl = e.rateLimit;
    return {
      backend: name(only),
      path: only.upstream.path,
      timeout: a.timeouts.request,
      ...(only.target.kind === 'backend' ? { upstream: only.target.upstreamProtocol } : {}),
      ...(only.upstream.host !== undefined ? { upstreamHost: only.upstream.host } : {}),
      upstreamHeaders: Object.fromEntries(only.upstream.headers.map(([k, v]) => [k, v])),
      ...(rl
        ? { rateLimit: { maxTokens: rl.maxTokens, tokensPerFill: rl.tokensPerFill, fillIntervalSeconds: rl.fillIntervalSeconds, keyedBy: rl.keyedBy } }
        : {}),
    };
  }
  return { split: Object.fromEntries(live.map((b) => [name(b), b.weight])) };
}

/** Where a TLS connection that reaches no HTTP connection manager goes: the backend of a passthrough (tcp_proxy) chain. */
function passthroughOutcome(fleet: Parameters<typeof explain>[0], host: string): Outcome {
  const t = explainTlsConnection(fleet, { port: 443, transport: 'tls', sni: host });
  if (t.outcome !== 'accepted' || t.tls.mode !== 'passthrough' || t.action.kind !== 'tcp_proxy') return { status: -1 };
  const b = t.action.backends[0]?.backend;
  return { passthrough: b ? `${b.namespace}/${b.name}:${b.port}` : 'unknown' };
}

/** Compares only what the case states (the path when given). */
function expectOutcome(actual: Outcome, expected: Outcome, context: string): void {
  if ('backend' in expected && 'backend' in actual) {
    expect({
      context,
      backend: actual.backend,
      ...(expected.path !== undefined ? { path: actual.path } : {}),
      ...(expected.timeout !== undefined ? { timeout: actual.timeout } : {}),
      ...(expected.upstream !== undefined ? { upstream: actual.upstream } : {}),
      ...(expected.rateLimit !== undefined ? { rateLimit: actual.rateLimit } : {}),
      ...(expected.upstreamHost !== undefined ? { upstreamHost: actual.upstreamHost } : {}),
      ...(expected.upstreamHeaders !== undefined
        ? { upstreamHeaders: Object.fromEntries(Object.keys(expected.upstreamHeaders).map((k) => [k, actual.upstreamHeaders?.[k.toLowerCase()]])) }
        : {}),
    }).toEqual({ context, ...expected });
  } else {
    expect({ context, ...actual }).toEqual({ context, ...expected });
  }
}

describe.each(TABLES.map((t) => [`${t.fixture} (${t.fleet})`, t] as const))('migrate convert %s', (_label, table) => {
  let result: ConvertResult;
  let fleet: Parameters<typeof explain>[0];
  beforeAll(async () => {
    const input = table.build ? table.build() : fixture(table.fixture);
    result = convert(input, table.options);
    const secrets = await Promise.all(Object.entries(table.certificates ?? {}).map(([k, h]) => tlsSecret(k, h)));
    const services = input.filter((o) => o.kind === 'Service');
    const t = translate(snapshotOf([GATEWAY_CLASS, ...services, ...secrets, ...result.objects]));
    const f = t.fleets.get(table.fleet);
    if (!f) throw new Error(`no fleet ${table.fleet}; fleets: ${[...t.fleets.keys()].join(', ')}; statuses: ${JSON.stringify(t.statuses, null, 1)}`);
    fleet = f;
  });

  const label = (c: Case) => `${c.scheme ?? 'http'}://${c.host}${c.path}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''}`;
  const check = (c: Case) => {
    const scheme = c.scheme ?? 'http';
    const e = explain(fleet, { port: scheme === 'https' ? 443 : 80, method: c.method ?? 'GET', scheme, host: c.host, path: c.path, headers: c.headers ?? {} });
    expectOutcome(e.kind === 'not-http' ? passthroughOutcome(fleet, c.host) : outcomeOf(e), c.converted ?? c.nginx, label(c));
    if (c.finding) expect(result.findings.map(formatFinding).join('\n')).toMatch(c.finding);
  };
  for (const c of table.cases) {
    if (c.needs) it.failing(`${label(c)} (needs ${c.needs})`, () => check(c));
    else it(label(c), () => check(c));
  }
});
