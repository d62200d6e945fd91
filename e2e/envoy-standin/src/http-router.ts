// Envoy's HTTP connection manager and router for one request: the model
// (explain) decides everything — route, redirect, direct response, CORS, rate
// limit, weighted backend, rewrites, header changes, timeout, retries,
// mirrors — and this carries it out: answers the client itself, or sends the
// request to an endpoint of the chosen cluster and streams the answer back.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EnvoyResources } from '@switchyard/protos';
import {
  applyHeaderChanges,
  clusterEndpoints,
  explain,
  pickWeighted,
  shouldRetry,
  type AttemptOutcome,
  type Explanation,
  type HeaderList,
  type WeightedBackend,
} from './envoy-model.js';
import { respond, type Downstream } from './http-downstream.js';
import { sendUpstream, type UpstreamResult } from './http-upstream.js';
import { upstreamTlsOptions } from './upstream-tls.js';
import type { TokenBuckets } from './rate-limit.js';
import type { Log } from './log.js';

export interface RouterContext {
  resources(): EnvoyResources;
  readonly buckets: TokenBuckets;
  readonly log: Log;
}

type RouteExplanation = Extract<Explanation, { kind: 'route' }>;
type ClustersAction = Extract<RouteExplanation['action'], { kind: 'clusters' }>;

export async function routeRequest(ctx: RouterContext, down: Downstream): Promise<void> {
  const resources = ctx.resources();
  const e = explain(resources, {
    port: down.conn.port,
    method: down.method,
    scheme: down.conn.scheme,
    host: down.authority,
    path: down.path,
    ...(down.conn.sni ? { sni: down.conn.sni } : {}),
    headers: down.headers,
  });
  switch (e.kind) {
    case 'no-listener':
    case 'no-filter-chain':
    case 'not-http':
      return down.reset();
    case 'no-route':
      return respond(down, 404, []);
  }
  const cors = e.cors;
  if (cors?.kind === 'preflight') return respond(down, cors.status, cors.responseHeaders);
  if (cors?.kind === 'not-allowed' && cors.answeredByEnvoy) return respond(down, 200, cors.responseHeaders);
  const extraResponseHeaders: Array<readonly [string, string]> = cors?.kind === 'actual' ? [...cors.responseHeaders] : [];

  if (e.rateLimit) {
    const verdict = ctx.buckets.take(e.rateLimit, rateLimitKey(e, down));
    extraResponseHeaders.push(...verdict.headers);
    if (!verdict.allowed) return respond(down, e.rateLimit.status, [...verdict.headers, ['x-envoy-ratelimited', 'true']], 'local_rate_limited');
  }

  const a = e.action;
  switch (a.kind) {
    case 'redirect':
      return respond(down, a.status, applyHeaderChanges([['location', a.location], ...extraResponseHeaders], a.responseHeaderChanges));
    case 'direct_response':
      return respond(down, a.status, applyHeaderChanges(extraResponseHeaders, a.responseHeaderChanges), a.body);
    case 'unsupported':
      ctx.log.warn(`route ${e.route.name}: action ${a.action} is not carried out by the stand-in`);
      return respond(down, 500, [], `the Envoy stand-in does not carry out ${a.action}`);
    case 'clusters':
      return forward(ctx, down, e, a, extraResponseHeaders);
  }
}

/** The bucket key: the route and the values of the descriptor keys the model names. */
function rateLimitKey(e: RouteExplanation, down: Downstream): string {
  const values = (e.rateLimit?.keyedBy ?? []).map((k) => {
    if (k === 'remote_address') return down.conn.remoteAddress;
    if (k.startsWith('header:')) return down.headers.filter(([n]) => n === k.slice(7).toLowerCase()).map(([, v]) => v).join(',');
    return '';
  });
  return JSON.stringify([e.routeConfiguration, e.virtualHost, e.route.index, e.rateLimit?.level, values]);
}

async function bufferBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

async function forward(ctx: RouterContext, down: Downstream, e: RouteExplanation, a: ClustersAction, extra: HeaderList): Promise<void> {
  const chosen = pickWeighted(a.backends, Math.floor(Math.random() * Math.max(a.totalWeight, 1)));
  if (!chosen) return respond(down, 500, [], 'no cluster to route to');
  if (chosen.target.kind === 'error') return respond(down, chosen.target.status, []);
  const clusterName = chosen.target.cluster;
  const resources = ctx.resources();
  const cluster = resources.clusters.find((c) => c.name === clusterName);
  if (!cluster) return respond(down, 503, [], 'no healthy upstream');

  // A retry needs the body again, and a mirror needs a copy: keep it whole then.
  const keepBody = a.retry !== undefined || a.mirrors.length > 0;
  const body: Buffer | Readable = keepBody ? await bufferBody(down.body) : down.body;
  const upstreamHeaders = withForwardingHeaders(chosen, down);
  const protocol = chosen.target.upstreamProtocol === 'http2' || (chosen.target.upstreamProtocol === 'downstream' && down.httpVersion === '2') ? 'http2' : 'http1';
  const tls = upstreamTlsOptions(cluster, resources);
  for (const m of a.mirrors) if (Math.random() * 100 < m.percent) mirror(ctx, m.cluster, chosen, upstreamHeaders, body as Buffer, down);

  const timeoutMs = a.timeouts.request > 0 ? a.timeouts.request * 1000 : 0;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (let attempt = 0; ; attempt++) {
    const endpoints = clusterEndpoints(cluster, resources);
    const ep = pickWeighted(endpoints, Math.floor(Math.random() * endpoints.reduce((s, x) => s + x.weight, 0)));
    if (!ep) return respond(down, 503, [], 'no healthy upstream');
    const perTryMs = a.retry?.perTryTimeout ? a.retry.perTryTimeout * 1000 : Infinity;
    const limitMs = Math.min(deadline - Date.now(), perTryMs);
    const result = await withTimeout(
      sendUpstream(
        { cluster: clusterName, address: ep.address, port: ep.port, protocol, ...(tls ? { tls } : {}) },
        { method: chosen.upstream.method, authority: chosen.upstream.host ?? ep.hostname ?? ep.address, path: chosen.upstream.path, headers: upstreamHeaders, body },
      ),
      limitMs,
    );
    const outcome: AttemptOutcome =
      result === 'timeout' ? { kind: 'per-try-timeout' } : result.kind === 'response' ? { kind: 'response', status: result.status } : { kind: result.kind };
    const overall = Date.now() >= deadline;
    if (!overall && shouldRetry(a.retry, outcome, attempt + 1) && Buffer.isBuffer(body)) {
      if (result !== 'timeout' && result.kind === 'response') result.abort();
      await new Promise((r) => setTimeout(r, backoffMs(a, attempt)));
      continue;
    }
    if (result === 'timeout') return respond(down, 504, [], 'upstream request timeout');
    if (result.kind !== 'response') return respond(down, 503, [], `upstream connect error or disconnect/reset before headers. reset reason: ${result.kind === 'connect-failure' ? 'connection failure' : 'connection termination'}`);
    return relay(down, result, applyHeaderChanges([...result.headers, ...extra], [...chosen.responseHeaderChanges, ...a.responseHeaderChanges]), protocol === 'http2');
  }
}

function backoffMs(a: ClustersAction, attempt: number): number {
  // Envoy's default: 25 ms base, fully jittered exponential back-off, capped at 10x base.
  const base = (a.retry?.backOff?.baseInterval ?? 0.025) * 1000;
  const max = (a.retry?.backOff?.maxInterval ?? (a.retry?.backOff?.baseInterval ?? 0.025) * 10) * 1000;
  return Math.random() * Math.min(max, base * 2 ** attempt);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  if (!Number.isFinite(ms)) return p;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
    void p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** The upstream request headers: the model's, plus what Envoy's connection manager adds (use_remote_address). */
function withForwardingHeaders(b: WeightedBackend, down: Downstream): Array<readonly [string, string]> {
  const hs: Array<readonly [string, string]> = b.upstream.headers.filter(([n]) => n !== 'x-forwarded-proto' && n !== 'x-forwarded-for');
  const xff = b.upstream.headers.filter(([n]) => n === 'x-forwarded-for').map(([, v]) => v);
  hs.push(['x-forwarded-for', [...xff, down.conn.remoteAddress].join(',')]);
  hs.push(['x-forwarded-proto', down.conn.scheme]);
  if (!hs.some(([n]) => n === 'x-request-id')) hs.push(['x-request-id', randomUUID()]);
  return hs;
}

function relay(down: Downstream, r: Extract<UpstreamResult, { kind: 'response' }>, headers: HeaderList, mayHaveTrailers: boolean): void {
  down.head(r.status, headers, { trailers: mayHaveTrailers && down.httpVersion === '2' });
  down.onClose(() => r.abort());
  r.body.on('data', (c: Buffer) => {
    if (!down.write(c)) {
      r.body.pause();
      down.onDrain(() => r.body.resume());
    }
  });
  r.body.on('end', () => down.end(r.trailers()));
  r.body.on('error', () => down.reset());
}

/** A shadow copy to a mirror cluster: Host gets "-shadow", the answer is dropped (Envoy's request mirroring). */
function mirror(ctx: RouterContext, clusterName: string, b: WeightedBackend, headers: HeaderList, body: Buffer, down: Downstream): void {
  const resources = ctx.resources();
  const cluster = resources.clusters.find((c) => c.name === clusterName);
  if (!cluster) return;
  const endpoints = clusterEndpoints(cluster, resources);
  const ep = pickWeighted(endpoints, Math.floor(Math.random() * endpoints.reduce((s, x) => s + x.weight, 0)));
  if (!ep) return;
  const host = b.upstream.host ?? ep.address;
  const tls = upstreamTlsOptions(cluster, resources);
  void sendUpstream(
    { cluster: clusterName, address: ep.address, port: ep.port, protocol: down.httpVersion === '2' ? 'http2' : 'http1', ...(tls ? { tls } : {}) },
    { method: b.upstream.method, authority: shadowHost(host), path: b.upstream.path, headers, body },
  ).then((r) => {
    if (r.kind === 'response') r.body.resume();
    else ctx.log.debug(`mirror to ${clusterName}: ${r.message}`);
  });
}

function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && !host.endsWith(']') ? `${host.slice(0, colon)}-shadow${host.slice(colon)}` : `${host}-shadow`;
}
