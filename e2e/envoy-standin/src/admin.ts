// The part of Envoy's admin interface a fleet uses: /ready (the readiness
// listener forwards to it), plus /config_dump and /server_info to see what
// the stand-in holds. Bound where the bootstrap's admin.address says
// (loopback in a Switchyard fleet).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvoyResources } from '@switchyard/protos';

export interface AdminState {
  initialized(): boolean;
  resources(): EnvoyResources;
  readonly node: { readonly id: string; readonly cluster: string };
}

export function startAdmin(address: string, port: number, state: AdminState): Promise<{ port: number; close(): void }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const live = state.initialized();
    if (path === '/ready') {
      res.writeHead(live ? 200 : 503, { 'content-type': 'text/plain' });
      return res.end(live ? 'LIVE\n' : 'PRE_INITIALIZING\n');
    }
    if (path === '/server_info') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ version: 'switchyard-envoy-standin', state: live ? 'LIVE' : 'PRE_INITIALIZING', node: state.node }));
    }
    if (path === '/config_dump') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(state.resources(), null, 2));
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('the Envoy stand-in serves /ready, /server_info and /config_dump\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() }));
  });
}
