// The suite's request expectations (utils/http CompareRoundTrip, utils/grpc
// compareResponse, utils/weight) checked through explain: what the fleet's
// Envoy would answer, which backend Service would serve it and what that
// backend would receive. Every share of a weighted route must satisfy the
// expectation, as the suite requires consistent answers over many requests.
import type { EnvoyResources } from '@switchyard/protos';
import type { KubeObject } from '@switchyard/api';
import { explain, applyHeaderChanges, headerListValue, weightDistribution } from '@switchyard/explain';
import { explainTlsConnection } from '@switchyard/explain';
import type { Explanation, ExplainRequest, HeaderChange, HeaderList, Mirror, UpstreamProtocol, UpstreamRequest } from '@switchyard/explain';
import type {
  BackendHeaderExpectation,
  TlsClientCertificateExpectation,
  GrpcExpectation,
  HttpExpectation,
  HttpRequestSpec,
  NN,
  RequestStep,
  WeightExpectation,
} from './types.js';

/** The address the suite would find in the Gateway's status; any documentation address will do. */
export const GATEWAY_IP = '192.0.2.10';

/** One way a request can end; a weighted route has one per share. */
type Outcome =
  | { readonly kind: 'connect-failure'; readonly why: string }
  | {
      readonly kind: 'envoy';
      readonly status: number;
      readonly why: string;
      readonly responseHeaderChanges: readonly HeaderChange[];
      readonly responseHeaders?: HeaderList;
    }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string; readonly responseHeaderChanges: readonly HeaderChange[] }
  | {
      readonly kind: 'backend';
      /** 200, or the backend's own error status when it fails and Envoy does not (or cannot) retry. */
      readonly status: number;
      readonly service: { readonly namespace: string; readonly name: string } | undefined;
      readonly upstream: UpstreamRequest;
      readonly responseHeaderChanges: readonly HeaderChange[];
      readonly mirrors: readonly Mirror[];
      readonly share: number;
      /** Headers Envoy's filters add to the backend's response (CORS). */
      readonly addedResponseHeaders: HeaderList;
      readonly upstreamProtocol?: UpstreamProtocol;
    };

export interface RequestContext {
  readonly fleets: ReadonlyMap<string, EnvoyResources>;
  readonly gateway: (nn: NN) => KubeObject | undefined;
  readonly configMapData: (nn: NN) => Readonly<Record<string, string>> | undefined;
}

interface GatewaySpec {
  listeners?: Array<{ name?: string; port?: number }>;
}

function listenerPort(ctx: RequestContext, gateway: NN, listener: string | undefined): number | undefined {
  const spec = ctx.gateway(gateway)?.spec as GatewaySpec | undefined;
  const ls = spec?.listeners ?? [];
  const l = listener === undefined ? ls[0] : ls.find((x) => x.name === listener);
  return l?.port;
}

/** CalculateHost: the Gateway address, with the port unless it is the scheme's default. */
function defaultHost(port: number, scheme: string): string {
  return (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? GATEWAY_IP : `${GATEWAY_IP}:${port}`;
}

/** Whether Envoy's retry_on (and retriable_status_codes) covers an upstream answer with this status. */
function retriable(retry: { retryOn: readonly string[]; retriableStatusCodes: readonly number[] }, code: number): boolean {
  const on = new Set(retry.retryOn);
  if (on.has('5xx') && code >= 500) return true;
  if (on.has('gateway-error') && (code === 502 || code === 503 || code === 504)) return true;
  if (on.has('retriable-status-codes') && retry.retriableStatusCodes.includes(code)) return true;
  return false;
}

interface BackendBehaviour {
  readonly delaySeconds?: number;
  readonly failure?: { readonly code: number; readonly succeedAfter: number };
  readonly refusedConnections?: number;
}

function outcomesOf(e: Explanation, behaviour: BackendBehaviour = {}): Outcome[] {
  const backendDelay = behaviour.delaySeconds;
  switch (e.kind) {
    case 'no-listener':
      return [{ kind: 'connect-failure', why: `no listener on port ${e.port} (listening: ${e.listeningPorts.join(', ') || 'none'})` }];
    case 'no-filter-chain':
      return [{ kind: 'connect-failure', why: `listener ${e.listener} has no filter chain for the connection` }];
    case 'not-http':
      return [{ kind: 'connect-failure', why: `listener ${e.selection.listener} is not HTTP` }];
    case 'no-route':
      return [{ kind: 'envoy', status: 404, why: e.reason, responseHeaderChanges: [] }];
    case 'route':
      break;
  }
  // An allowed CORS preflight is answered by Envoy's CORS filter before any backend sees it.
  if (e.cors?.kind === 'preflight')
    return [{ kind: 'envoy', status: e.cors.status, why: 'CORS preflight', responseHeaderChanges: [], responseHeaders: e.cors.responseHeaders }];
  if (e.cors?.kind === 'not-allowed' && e.cors.answeredByEnvoy)
    return [
      { kind: 'envoy', status: 200, why: 'CORS preflight from an origin not allowed', responseHeaderChanges: [], responseHeaders: e.cors.responseHeaders },
    ];
  const corsHeaders = e.cors?.kind === 'actual' ? e.cors.responseHeaders : [];
  const a = e.action;
  switch (a.kind) {
    case 'redirect':
      return [{ kind: 'redirect', status: a.status, location: a.location, responseHeaderChanges: a.responseHeaderChanges }];
    case 'direct_response':
      return [{ kind: 'envoy', status: a.status, why: `direct response${a.body ? ` "${a.body}"` : ''}`, responseHeaderChanges: a.responseHeaderChanges }];
    case 'unsupported':
      return [{ kind: 'envoy', status: 0, why: `unsupported action ${a.action}`, responseHeaderChanges: [] }];
    case 'clusters':
      break;
  }
  if (a.backends.length === 0 || a.totalWeight === 0)
    return [{ kind: 'envoy', status: 503, why: 'no weighted cluster has weight (Envoy rejects this route)', responseHeaderChanges: a.responseHeaderChanges }];
  // The effective upstream timeout: the route timeout (0 = none), cut short by a per-try timeout.
  const limits = [a.timeouts.request, a.retry?.perTryTimeout ?? 0].filter((t) => t > 0);
  const timeout = limits.length ? Math.min(...limits) : Infinity;
  const out: Outcome[] = [];
  for (const b of a.backends) {
    if (b.share === 0) continue;
    const t = b.target;
    const responseHeaderChanges = [...b.responseHeaderChanges, ...a.responseHeaderChanges];
    if (t.kind === 'error') {
      out.push({ kind: 'envoy', status: t.status, why: `${t.reason} (${t.cluster})`, responseHeaderChanges });
      continue;
    }
    if (backendDelay !== undefined && backendDelay > timeout) {
      out.push({ kind: 'envoy', status: 504, why: `upstream timeout after ${timeout}s`, responseHeaderChanges });
      continue;
    }
    const refused = behaviour.refusedConnections ?? 0;
    // Envoy retries a refused connection only with connect-failure in retry_on, at most numRetries times.
    if (refused > 0 && !(a.retry?.retryOn.includes('connect-failure') && refused <= a.retry.numRetries)) {
      out.push({
        kind: 'envoy',
        status: 503,
        why: `upstream connect error (${refused} refused connection${refused > 1 ? 's' : ''}, not retried)`,
        responseHeaderChanges,
      });
      continue;
    }
    const service = t.backend && t.backend.kind === 'Service' ? { namespace: t.backend.namespace, name: t.backend.name } : undefined;
    const f = behaviour.failure;
    // The backend fails `succeedAfter` times; Envoy retries only retriable answers, at most numRetries times.
    const status = f && f.succeedAfter > 0 && !(a.retry && retriable(a.retry, f.code) && f.succeedAfter <= a.retry.numRetries) ? f.code : 200;
    out.push({
      kind: 'backend',
      status,
      service,
      upstream: b.upstream,
      responseHeaderChanges,
      mirrors: a.mirrors,
      share: b.share,
      addedResponseHeaders: corsHeaders,
      upstreamProtocol: t.upstreamProtocol,
    });
  }
  return out;
}

function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'connect-failure':
      return `connection failure: ${o.why}`;
    case 'envoy':
      return `${o.status} from Envoy (${o.why})`;
    case 'redirect':
      return `${o.status} redirect to ${o.location}`;
    case 'backend':
      return `${o.status} from ${o.service ? `${o.service.namespace}/${o.service.name}` : 'a non-Service backend'}`;
  }
}

function explainHttp(
  ctx: RequestContext,
  gateway: NN,
  listener: string | undefined,
  scheme: 'http' | 'https',
  r: HttpRequestSpec,
  extraHeaders: Array<[string, string]>,
  sni?: string,
): { outcomes: Outcome[]; explanation?: Explanation; problems: string[] } {
  const port = listenerPort(ctx, gateway, listener);
  if (port === undefined) return { outcomes: [], problems: [`Gateway ${gateway} has no listener ${listener ?? '(first)'}`] };
  const fleet = ctx.fleets.get(gateway);
  if (!fleet) return { outcomes: [{ kind: 'connect-failure', why: `no fleet for Gateway ${gateway}` }], problems: [] };
  const req: ExplainRequest = {
    port,
    scheme,
    method: r.method ?? 'GET',
    host: r.host || defaultHost(port, scheme),
    path: r.path,
    ...(sni !== undefined ? { sni } : {}),
    headers: [...Object.entries(r.headers ?? {}), ...extraHeaders],
  };
  const explanation = explain(fleet, req);
  return { outcomes: outcomesOf(explanation), explanation, problems: [] };
}

export function checkRequest(ctx: RequestContext, step: RequestStep): string[] {
  switch (step.kind) {
    case 'http':
      return checkHttp(ctx, step);
    case 'grpc':
      return checkGrpc(ctx, step);
    case 'weights':
      return checkWeights(ctx, step);
    case 'backend-header':
      return checkBackendHeader(ctx, step);
    case 'tls-client-certificate':
      return checkClientCertificate(ctx, step);
  }
}

/** The base64 body of a PEM, whitespace removed: how a certificate is recognised wherever Envoy config carries it. */
function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
}

/** Every string in a resource, with bytes and base64 strings also decoded, for looking up a certificate. */
function stringsIn(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') {
    out.push(x.replace(/\s+/g, ''));
    if (/^[A-Za-z0-9+/=\s]+$/.test(x)) out.push(Buffer.from(x, 'base64').toString('utf8').replace(/\s+/g, ''));
  } else if (x instanceof Uint8Array) out.push(Buffer.from(x).toString('utf8').replace(/\s+/g, ''));
  else if (Array.isArray(x)) for (const v of x) stringsIn(v, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) stringsIn(v, out);
  return out;
}

function checkClientCertificate(ctx: RequestContext, s: TlsClientCertificateExpectation): string[] {
  const fleet = ctx.fleets.get(s.gateway);
  if (!fleet) return [`no fleet for Gateway ${s.gateway}`];
  const e = explainTlsConnection(fleet, { port: s.port, transport: 'tls', sni: s.sni, alpn: ['h2', 'http/1.1'] });
  if (e.outcome !== 'accepted') return [`TLS connection to ${s.port} (SNI ${s.sni}) not accepted: ${e.message}`];
  const tls = e.tls;
  if (tls.mode !== 'terminate') return [`TLS on ${s.port} (SNI ${s.sni}) is ${tls.mode}, expected terminated`];
  const out: string[] = [];
  if (tls.clientCertificate !== s.policy) out.push(`expected client certificates ${s.policy}, Envoy's policy is ${tls.clientCertificate}`);
  const ca = ctx.configMapData(s.trustedCa)?.['ca.crt'];
  if (!ca) return [...out, `no ConfigMap ${s.trustedCa} with ca.crt in the test objects`];
  const secret = fleet.secrets.find((x) => x.name === tls.clientCa);
  if (!secret) return [...out, `validation context ${tls.clientCa ?? '(none)'} is not among the fleet's secrets`];
  if (!stringsIn(secret).some((v) => v.includes(pemBody(ca)))) out.push(`validation context ${tls.clientCa} does not trust the CA of ConfigMap ${s.trustedCa}`);
  return out;
}

function checkBackendHeader(ctx: RequestContext, s: BackendHeaderExpectation): string[] {
  const { outcomes, problems } = explainHttp(ctx, s.gateway, undefined, 'http', s.request, []);
  if (problems.length) return problems;
  const out: string[] = [];
  for (const o of outcomes) {
    if (o.kind !== 'backend' || o.status !== 200) {
      out.push(`expected 200 from a backend, got ${describeOutcome(o)}`);
      continue;
    }
    const values = o.upstream.headers.filter(([n]) => n === s.header.toLowerCase()).map(([, v]) => v);
    if (values.length !== 1) out.push(`expected a single ${s.header} header at ${o.service?.name}, got ${JSON.stringify(values)}`);
    else if (!(o.service?.name ?? '').startsWith(values[0] ?? '')) out.push(`${s.header}: ${values[0]} was sent to ${o.service?.name ?? '(no Service)'}`);
    if (o.service?.namespace !== s.namespace) out.push(`backend ${o.service?.name} is not in ${s.namespace}`);
  }
  return out;
}

function lowerKeys(m: Readonly<Record<string, string>> | undefined): Array<[string, string]> {
  return Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
}

function checkHttp(ctx: RequestContext, s: HttpExpectation): string[] {
  const scheme = s.scheme ?? 'http';
  // The suite asks the echo backend to set these on its response, through a request header.
  const echoSet = Object.entries(s.backendSetResponseHeaders ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
  const upgradeHeaders: Array<[string, string]> = s.upgrade
    ? [
        ['Connection', 'Upgrade'],
        ['Upgrade', s.upgrade],
      ]
    : [];
  const {
    outcomes: raw,
    explanation,
    problems,
  } = explainHttp(ctx, s.gateway, s.listener, scheme, s.request, [['X-Echo-Set-Header', echoSet], ...upgradeHeaders], s.sni);
  if (problems.length) return problems;
  if (s.upgrade && explanation?.kind === 'route' && explanation.action.kind === 'clusters' && !explanation.action.upgrades.includes(s.upgrade.toLowerCase())) {
    return [`the route does not allow ${s.upgrade} upgrades (allowed: ${explanation.action.upgrades.join(', ') || 'none'})`];
  }
  const behaviour = {
    ...(s.backendDelaySeconds !== undefined ? { delaySeconds: s.backendDelaySeconds } : {}),
    ...(s.backendFailure ? { failure: s.backendFailure } : {}),
    ...(s.backendRefusedConnections ? { refusedConnections: s.backendRefusedConnections } : {}),
  };
  const outcomes = explanation ? outcomesOf(explanation, behaviour) : raw;
  const out: string[] = [];
  const statusCodes = s.response?.statusCodes ?? [200];
  for (const o of outcomes) {
    const tag = outcomes.length > 1 ? `[${describeOutcome(o)}] ` : '';
    if (o.kind === 'connect-failure') {
      // A refused TLS handshake is the failure a TLS failure expectation waits for; for plain HTTP the suite keeps retrying.
      if (!(s.expectFailure && scheme === 'https')) out.push(`${tag}request failed: ${o.why}`);
      continue;
    }
    if (s.expectFailure) {
      if (o.status === 200) out.push(`${tag}expected a failure, got 200 (${describeOutcome(o)})`);
      continue;
    }
    const timeoutOk = (o.status === 408 || o.status === 504) && statusCodes.some((c) => c === 408 || c === 504);
    if (!statusCodes.includes(o.status) && !timeoutOk) {
      out.push(`${tag}expected status ${statusCodes.join('|')}, got ${describeOutcome(o)}`);
      continue;
    }
    if (o.kind === 'backend' && o.status === 200) out.push(...checkBackend(s, o).map((p) => tag + p));
    // A 2xx Envoy answers itself is not the echo server's JSON: the suite sees an empty capture with the request's method.
    else if (o.kind === 'envoy' && (o.status === 200 || o.status === 204)) {
      const capture = {
        kind: 'backend' as const,
        status: o.status,
        service: undefined,
        share: 1,
        mirrors: [],
        responseHeaderChanges: o.responseHeaderChanges,
        addedResponseHeaders: [],
        upstream: { method: s.request.method ?? 'GET', host: '', path: '', headers: [] },
      };
      out.push(...checkBackend(s, capture, o.responseHeaders ?? []).map((p) => tag + p));
    } else if (o.kind === 'redirect' && s.redirect) out.push(...checkRedirect(s, scheme, o.location).map((p) => tag + p));
  }
  return out;
}

function checkBackend(s: HttpExpectation, o: Extract<Outcome, { kind: 'backend' }>, envoyResponse?: HeaderList): string[] {
  const out: string[] = [];
  const exp = s.expectedRequest;
  const want = {
    path: exp?.path ?? s.request.path,
    method: exp ? exp.method || 'GET' : (s.request.method ?? 'GET'),
    host: exp?.host ?? (exp ? undefined : s.request.host || undefined),
    // Without an ExpectedRequest the request itself is what must arrive, headers included.
    headers: exp ? exp.headers : s.request.headers,
  };
  if (want.host !== undefined && want.host !== o.upstream.host) out.push(`expected host ${want.host}, backend got ${o.upstream.host ?? '(auto)'}`);
  if (want.path !== o.upstream.path) out.push(`expected path ${want.path}, backend got ${o.upstream.path}`);
  if (want.method !== o.upstream.method) out.push(`expected method ${want.method}, backend got ${o.upstream.method}`);
  if ((s.namespace ?? '') !== (o.service?.namespace ?? ''))
    out.push(`expected namespace ${s.namespace ?? '(none)'}, backend is in ${o.service?.namespace ?? '(no Service)'}`);
  if (!(o.service?.name ?? '').startsWith(s.backend ?? '')) out.push(`expected backend ${s.backend}, got ${o.service?.name ?? '(no Service)'}`);
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const got = headerListValue(o.upstream.headers, name);
    if (got !== value) out.push(`expected request header ${name}: ${value}, backend got ${got ?? '(absent)'}`);
  }
  for (const name of exp?.absentHeaders ?? []) {
    const got = headerListValue(o.upstream.headers, name);
    if (got !== undefined) out.push(`expected request header ${name} to be absent, backend got ${got}`);
  }
  const fromUpstream = envoyResponse ?? [...lowerKeys(s.backendSetResponseHeaders), ...o.addedResponseHeaders];
  const response: HeaderList = applyHeaderChanges(fromUpstream, o.responseHeaderChanges);
  const squash = (v: string) => (s.response?.ignoreWhitespace ? v.replace(/ /g, '') : v);
  for (const [name, values] of Object.entries(s.response?.validHeaderValues ?? {})) {
    const got = headerListValue(response, name);
    if (got === undefined) out.push(`expected response header ${name} to be one of ${JSON.stringify(values)}, it is absent`);
    else if (!values.map(squash).includes(squash(got))) out.push(`expected response header ${name} to be one of ${JSON.stringify(values)}, got ${got}`);
  }
  for (const [name, value] of Object.entries(s.response?.headers ?? {})) {
    const got = headerListValue(response, name);
    if (got === undefined || squash(got) !== squash(value)) out.push(`expected response header ${name}: ${value}, got ${got ?? '(absent)'}`);
  }
  for (const name of s.response?.absentHeaders ?? []) {
    const got = headerListValue(response, name);
    if (got !== undefined) out.push(`expected response header ${name} to be absent, got ${got}`);
  }
  for (const m of s.mirroredTo ?? []) {
    const found = o.mirrors.find((x) => x.backend?.name === m.name && x.backend.namespace === m.namespace);
    if (!found)
      out.push(
        `expected a mirror to ${m.namespace}/${m.name}, mirrors: ${JSON.stringify(o.mirrors.map((x) => [x.backend?.namespace, x.backend?.name, x.percent]))}`,
      );
    else if (m.percent !== undefined && Math.abs(found.percent - m.percent) > 1e-9)
      out.push(`expected ${m.percent}% mirrored to ${m.namespace}/${m.name}, got ${found.percent}%`);
  }
  return out;
}

/** The suite's redirect comparison: unset expectations default to what was sent; an unset port accepts none or the scheme's default. */
function checkRedirect(s: HttpExpectation, scheme: string, location: string): string[] {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return [`Location ${location} is not a URL`];
  }
  const got = { scheme: url.protocol.replace(/:$/, ''), host: url.hostname, port: url.port, path: url.pathname };
  // URL drops a port equal to the scheme's default; Go's url.Port() keeps what was written.
  const written = /^[a-z]+:\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/i.exec(location);
  got.port = written?.[2] ?? '';
  const r = s.redirect ?? {};
  const want = { scheme: r.scheme || scheme, host: r.host || got.host, path: r.path || s.request.path.split('?')[0] || '/' };
  const out: string[] = [];
  if (want.host !== got.host) out.push(`expected redirect host ${want.host}, got ${got.host} (${location})`);
  if (!r.port) {
    if (got.scheme === 'http' && got.port !== '80' && got.port !== '') out.push(`for http, expected redirect port 80 or none, got ${got.port} (${location})`);
    if (got.scheme === 'https' && got.port !== '443' && got.port !== '')
      out.push(`for https, expected redirect port 443 or none, got ${got.port} (${location})`);
  } else if (r.port !== got.port) out.push(`expected redirect port ${r.port}, got ${got.port || '(none)'} (${location})`);
  if (want.scheme !== got.scheme) out.push(`expected redirect scheme ${want.scheme}, got ${got.scheme} (${location})`);
  if (want.path !== got.path) out.push(`expected redirect path ${want.path}, got ${got.path} (${location})`);
  return out;
}

const GRPC_SERVICE = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

/** How a gRPC client reads an HTTP status Envoy answers with (gRPC's HTTP-to-status mapping). */
function grpcCodeOf(status: number): string {
  if (status === 200) return 'OK';
  if (status === 404) return 'UNIMPLEMENTED';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'UNAVAILABLE';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'PERMISSION_DENIED';
  return 'INTERNAL';
}

function checkGrpc(ctx: RequestContext, s: GrpcExpectation): string[] {
  const headers: Array<[string, string]> = [['content-type', 'application/grpc'], ['te', 'trailers'], ...Object.entries(s.metadata ?? {})];
  const { outcomes, problems } = explainHttp(
    ctx,
    s.gateway,
    s.listener,
    'http',
    { host: s.authority ?? '', method: 'POST', path: `/${GRPC_SERVICE}/${s.method}` },
    headers,
  );
  if (problems.length) return problems;
  const want = s.code ?? 'OK';
  const out: string[] = [];
  for (const o of outcomes) {
    const tag = outcomes.length > 1 ? `[${describeOutcome(o)}] ` : '';
    if (o.kind === 'connect-failure') {
      out.push(`${tag}RPC failed: ${o.why}`);
      continue;
    }
    const code = grpcCodeOf(o.status);
    if (code !== want) {
      out.push(`${tag}expected ${want}, got ${code} (${describeOutcome(o)})`);
      continue;
    }
    if (o.kind !== 'backend') continue;
    // gRPC needs HTTP/2 end to end: over HTTP/1.1 the backend cannot answer the call.
    if (o.upstreamProtocol !== 'http2' && o.upstreamProtocol !== 'downstream')
      out.push(`${tag}Envoy speaks ${o.upstreamProtocol ?? 'HTTP/1.1'} to ${o.service?.name ?? 'the backend'}; gRPC needs HTTP/2`);
    if (o.upstream.path !== `/${GRPC_SERVICE}/${s.method}`) out.push(`${tag}expected method path /${GRPC_SERVICE}/${s.method}, backend got ${o.upstream.path}`);
    if (s.namespace && s.namespace !== o.service?.namespace) out.push(`${tag}expected namespace ${s.namespace}, got ${o.service?.namespace ?? '(no Service)'}`);
    if (!(o.service?.name ?? '').startsWith(s.backend ?? '')) out.push(`${tag}expected backend ${s.backend}, got ${o.service?.name ?? '(no Service)'}`);
  }
  return out;
}

function checkWeights(ctx: RequestContext, s: WeightExpectation): string[] {
  const headers: Array<[string, string]> = s.grpc
    ? [
        ['content-type', 'application/grpc'],
        ['te', 'trailers'],
      ]
    : [];
  const { explanation, problems } = explainHttp(ctx, s.gateway, undefined, 'http', s.request, headers);
  if (problems.length) return problems;
  if (!explanation) return [`no fleet for Gateway ${s.gateway}`];
  if (explanation.kind !== 'route' || explanation.action.kind !== 'clusters')
    return [`expected a weighted route, got ${explanation.kind === 'route' ? explanation.action.kind : explanation.kind}`];
  const got = new Map<string, number>();
  const out: string[] = [];
  for (const d of weightDistribution(explanation)) {
    if (d.status !== undefined) {
      if (d.share > 0) out.push(`${d.share * 100}% of requests get ${d.status} from Envoy`);
      continue;
    }
    const b = explanation.action.backends.find((x) => x.target.cluster === d.cluster)?.target;
    const svc = b?.kind === 'backend' ? b.backend : undefined;
    if (d.share > 0 && svc?.namespace !== s.namespace) out.push(`backend ${d.target} is not in namespace ${s.namespace}`);
    got.set(svc?.name ?? d.target, (got.get(svc?.name ?? d.target) ?? 0) + d.share);
  }
  for (const [name, share] of Object.entries(s.weights)) {
    const g = got.get(name) ?? 0;
    if (Math.abs(g - share) > 1e-9) out.push(`expected ${name} to get ${share}, it gets ${g}`);
  }
  for (const [name, share] of got) if (!(name in s.weights) && share > 0) out.push(`unexpected backend ${name} gets ${share}`);
  return out;
}
