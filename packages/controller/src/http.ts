// /healthz (the process serves requests), /readyz (caches synced, not
// shutting down) and /metrics (Prometheus text format).
import { createServer } from 'node:http';
import type { ControllerMetrics } from './metrics.js';

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpServer(o: {
  host: string;
  port: number;
  metrics: ControllerMetrics;
  ready: () => boolean;
  beforeScrape?: () => void;
}): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ok = o.ready();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    } else if (path === '/metrics') {
      o.beforeScrape?.();
      o.metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'Content-Type': o.metrics.registry.contentType }).end(text))
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : o.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
