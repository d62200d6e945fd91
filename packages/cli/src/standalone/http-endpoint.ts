// The loopback HTTP endpoint of standalone mode: /config (the fleets' Envoy
// resources), /status (files, errors, statuses, xDS streams, NACKs) and
// /healthz. Read-only: GET and HEAD.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatLoadError, type LoadError } from '../load-objects.js';
import { renderFleet, renderStatus, type RenderedFleet, type RenderedStatus } from '../render.js';
import type { SourceError } from './directory-source.js';
import type { StandaloneState, TranslationCounts } from './reload.js';
import type { NackEvent, XdsStreamInfo } from './xds-contract.js';

export interface StatusDocument {
  generation: number;
  translatedAt: string | null;
  directory: string;
  files: string[];
  errors: Array<SourceError & { text: string }>;
  warnings: Array<LoadError & { text: string }>;
  statuses: RenderedStatus[];
  translations: TranslationCounts;
  xds: { address: string; streams: XdsStreamInfo[] };
  nacks: NackEvent[];
}

/** What the endpoint shows, read on every request. */
export interface EndpointSources {
  readonly dir: string;
  /** host:port of the xDS server, as shown in /status. */
  readonly xdsAddress: string;
  state(): StandaloneState;
  streams(): XdsStreamInfo[];
  nacks(): NackEvent[];
}

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the endpoint on host:port (0 picks a free port); rejects with the listen error. */
export async function serveHttpEndpoint(host: string, port: number, sources: EndpointSources): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => handle(sources, req, res));
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port: bound,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function handle(sources: EndpointSources, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET is supported' }, { allow: 'GET, HEAD' });
  const state = sources.state();
  switch (url.pathname) {
    case '/healthz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    case '/config': {
      const fleet = url.searchParams.get('fleet');
      const fleets: Record<string, RenderedFleet> = {};
      const ids = [...state.result.fleets.keys()].sort();
      if (fleet !== null && !state.result.fleets.has(fleet)) return send(res, 404, { error: `no fleet "${fleet}"; fleets: ${ids.join(', ') || '(none)'}` });
      for (const id of ids) if (fleet === null || id === fleet) fleets[id] = renderFleet(state.result.fleets.get(id)!);
      return send(res, 200, { generation: state.generation, fleets });
    }
    case '/status':
      return send(res, 200, statusDocument(sources, state));
    default:
      return send(res, 404, { error: `no such endpoint ${url.pathname}; try /config, /status or /healthz` });
  }
}

function statusDocument(sources: EndpointSources, state: StandaloneState): StatusDocument {
  return {
    generation: state.generation,
    translatedAt: state.translatedAt ?? null,
    directory: sources.dir,
    files: [...state.files],
    errors: state.errors.map((e) => ({ ...e, text: formatLoadError(e) })),
    warnings: state.warnings.map((w) => ({ ...w, text: formatLoadError(w) })),
    statuses: state.result.statuses.map(renderStatus),
    translations: state.translations,
    xds: { address: sources.xdsAddress, streams: sources.streams() },
    nacks: sources.nacks(),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body, null, 2)}\n`);
}
