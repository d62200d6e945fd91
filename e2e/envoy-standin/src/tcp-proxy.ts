// Envoy's tcp_proxy: the model names the weighted clusters of the chain
// (ConnectionBackend); one is drawn by weight, an endpoint of it by its
// load-balancing weight, and bytes flow both ways until either side closes.
// A share that stands for an invalid backendRef, or a cluster without
// endpoints, gets the connection closed, as Envoy does.
import net from 'node:net';
import tls from 'node:tls';
import { clusterEndpoints, pickWeighted, type ConnectionBackend } from './envoy-model.js';
import { upstreamTlsOptions } from './upstream-tls.js';
import type { RouterContext } from './http-router.js';

export function proxyTcp(ctx: RouterContext, client: net.Socket, backends: readonly ConnectionBackend[]): void {
  const total = backends.reduce((s, b) => s + b.weight, 0);
  const chosen = pickWeighted(backends, Math.floor(Math.random() * Math.max(total, 1)));
  const resources = ctx.resources();
  const cluster = chosen && !chosen.rejected ? resources.clusters.find((c) => c.name === chosen.cluster) : undefined;
  const endpoints = cluster ? clusterEndpoints(cluster, resources) : [];
  const ep = pickWeighted(endpoints, Math.floor(Math.random() * endpoints.reduce((s, e) => s + e.weight, 0)));
  if (!cluster || !ep) {
    ctx.log.debug(`tcp_proxy: no endpoint for ${chosen?.cluster ?? '(no cluster)'}: closing`);
    return void client.destroy();
  }
  const upstreamTls = upstreamTlsOptions(cluster, resources);
  const upstream = upstreamTls ? tls.connect({ host: ep.address, port: ep.port, ...upstreamTls }) : net.connect({ host: ep.address, port: ep.port });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}
