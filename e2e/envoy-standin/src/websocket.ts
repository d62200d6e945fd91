// HTTP/1.1 upgrades (WebSocket): the model routes the request and says which
// upgrade types the route allows (RouteAction upgrades); an allowed upgrade
// goes to an endpoint of the chosen backend as a raw HTTP/1.1 request, and
// after the backend's 101 the bytes flow both ways untouched. A route that
// does not allow the upgrade gets 403, as Envoy answers.
import net from 'node:net';
import tls from 'node:tls';
import type http from 'node:http';
import { clusterEndpoints, explain, pickWeighted } from './envoy-model.js';
import type { ConnectionInfo } from './http-downstream.js';
import { upstreamTlsOptions } from './upstream-tls.js';
import type { RouterContext } from './http-router.js';

function answer(socket: net.Socket, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

export function routeUpgrade(ctx: RouterContext, conn: ConnectionInfo, req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const headers: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const n = req.rawHeaders[i]!.toLowerCase();
    if (n !== 'host') headers.push([n, req.rawHeaders[i + 1]!]);
  }
  const resources = ctx.resources();
  const e = explain(resources, { port: conn.port, method: req.method ?? 'GET', scheme: conn.scheme, host: req.headers.host ?? '', path: req.url ?? '/', ...(conn.sni ? { sni: conn.sni } : {}), headers });
  ctx.log.debug(`upgrade ${req.method} ${req.url}: ${e.kind}${e.kind === 'route' ? ` ${e.action.kind}${e.action.kind === 'clusters' ? ` upgrades ${e.action.upgrades.join(',')}` : ''}` : ''}`);
  if (e.kind !== 'route') return answer(socket, 404, 'Not Found');
  const a = e.action;
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (a.kind !== 'clusters' || !a.upgrades.includes(upgrade)) return answer(socket, 403, 'Forbidden');
  const chosen = pickWeighted(a.backends, Math.floor(Math.random() * Math.max(a.totalWeight, 1)));
  if (!chosen || chosen.target.kind === 'error') return answer(socket, chosen?.target.kind === 'error' ? chosen.target.status : 500, 'Error');
  const cluster = resources.clusters.find((c) => c.name === chosen.target.cluster);
  const endpoints = cluster ? clusterEndpoints(cluster, resources) : [];
  const ep = pickWeighted(endpoints, Math.floor(Math.random() * endpoints.reduce((n, x) => n + x.weight, 0)));
  if (!cluster || !ep) return answer(socket, 503, 'Service Unavailable');
  const up = chosen.upstream;
  const t = upstreamTlsOptions(cluster, resources);
  const upstream = t ? tls.connect({ host: ep.address, port: ep.port, ...t }) : net.connect({ host: ep.address, port: ep.port });
  upstream.once(t ? 'secureConnect' : 'connect', () => {
    const lines = [`${up.method} ${up.path} HTTP/1.1`, `host: ${up.host ?? ep.hostname ?? ep.address}`];
    for (const [n, v] of up.headers) lines.push(`${n}: ${v}`);
    if (!up.headers.some(([n]) => n === 'x-forwarded-proto')) lines.push(`x-forwarded-proto: ${conn.scheme}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => (socket.writable ? answer(socket, 503, 'Service Unavailable') : socket.destroy()));
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
}
