// `switchyard serve --from-dir`: Switchyard without a cluster. The objects of
// a directory are translated exactly as the controller translates a cluster's,
// served over xDS on a loopback port (insecure: the fleet of a stream is the
// Envoy node's cluster, "namespace/name" of its Gateway), re-translated when
// the files change, and shown on a small HTTP endpoint.
//
// Every re-read goes through translateIncremental, as the controller's passes
// do: when it changed nothing but EndpointSlices (the commonest change) only
// endpoints are refreshed; when it changed only routes, only the Gateways
// they attach to are translated again; when it changed no object at all
// (whitespace, a file error), the previous translation stands.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { snapshotOf } from '@switchyard/api';
import { translateIncremental, type TranslateResult, type Translation } from '@switchyard/translator';
import { formatLoadError, type LoadError } from '../load-objects.js';
import { renderFleet, renderStatus, type RenderedFleet, type RenderedStatus } from '../render.js';
import { DirectorySource, type SourceError } from './directory-source.js';
import type { FleetCache, NackEvent, XdsServerHandle, XdsStreamInfo } from './xds-contract.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** How standalone mode makes its xDS cache and server (the xds package, or a test double). */
export interface StandaloneXds<C extends FleetCache> {
  createCache(): C;
  createServer(cache: C, logger: Logger): XdsServerHandle;
}

export interface StandaloneOptions<C extends FleetCache = FleetCache> {
  readonly dir: string;
  readonly xdsAddress: Address;
  readonly httpAddress: Address;
  readonly logger: Logger;
  readonly xds: StandaloneXds<C>;
  /** Quiet time after a file event before re-reading (editors write in bursts). Default 100 ms. */
  readonly debounceMs?: number;
  /** Safety net for file systems where watching misses events. Default 2000 ms; 0 disables. */
  readonly pollMs?: number;
}

export interface StandaloneState {
  /** Counts translations; 0 before the first. */
  readonly generation: number;
  readonly translatedAt: string | undefined;
  readonly files: readonly string[];
  readonly errors: readonly SourceError[];
  readonly warnings: readonly LoadError[];
  readonly result: TranslateResult;
  /** Translations so far: full, routes-only (only the touched Gateways) or endpoints-only (only EndpointSlices changed). */
  readonly translations: TranslationCounts;
}

export interface TranslationCounts {
  readonly full: number;
  readonly routes: number;
  readonly endpoints: number;
}

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

export interface Standalone {
  readonly xdsPort: number;
  readonly httpPort: number;
  state(): StandaloneState;
  /** Re-reads the directory now (what a file event triggers); resolves when translated. */
  reload(): Promise<StandaloneState>;
  /** Calls back after every translation that changed something. */
  onUpdate(listener: (s: StandaloneState) => void): () => void;
  close(): Promise<void>;
}

const MAX_NACKS = 50;

export async function startStandalone<C extends FleetCache>(options: StandaloneOptions<C>): Promise<Standalone> {
  const { dir, logger } = options;
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new StandaloneSetupError(`--from-dir: "${dir}" is not a directory`);

  const source = new DirectorySource(dir);
  const cache = options.xds.createCache();
  const nacks: NackEvent[] = [];
  const unsubscribeNack = cache.onNack((e) => {
    nacks.push(e);
    if (nacks.length > MAX_NACKS) nacks.shift();
    logger.warn({ fleet: e.fleet, node: e.nodeId, typeUrl: e.typeUrl, resources: e.resourceNames, version: e.version }, `Envoy rejected config: ${e.message}`);
  });

  let state: StandaloneState = {
    generation: 0,
    translatedAt: undefined,
    files: [],
    errors: [],
    warnings: [],
    result: { fleets: new Map(), statuses: [] },
    translations: { full: 0, routes: 0, endpoints: 0 },
  };
  // The translation `state.result` came from, with its inputs (undefined before the first).
  let translated: Translation | undefined;
  const listeners = new Set<(s: StandaloneState) => void>();

  // One reload at a time; events during a reload ask for one more after it.
  let running: Promise<StandaloneState> | undefined;
  let again = false;
  const reload = (): Promise<StandaloneState> => {
    if (running) {
      // The loop below checks `again` before it finishes, with no await in
      // between, so this request is served by the running reload.
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await reloadOnce();
        } while (again);
        return state;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const reloadOnce = async (): Promise<void> => {
    const scan = await source.scan();
    if (!scan.changed && state.generation > 0) return;
    for (const e of scan.errors) {
      logger.error({ file: e.file }, `${formatLoadError(e)}${e.servingLastGood ? ' (serving the last good version of this file)' : ''}`);
    }
    for (const w of scan.warnings) logger.warn({ file: w.file }, formatLoadError(w));
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    let next: Translation;
    let translation: 'full' | 'routes' | 'endpoints' | 'unchanged';
    try {
      ({ translation: next, pass: translation } = translateIncremental(translated, snapshotOf(scan.objects), { now }));
    } catch (err) {
      // The translator does not throw on user input; should it, keep serving
      // the previous translation rather than empty fleets.
      logger.error({ err }, 'translation failed; keeping the previous configuration');
      return;
    }
    const result = next.detail;
    // A fleet whose resources are the same object as before (untouched by this pass) has nothing to send.
    for (const [fleet, resources] of result.fleets) if (resources !== state.result.fleets.get(fleet)) cache.setFleet(fleet, resources);
    for (const fleet of state.result.fleets.keys()) if (!result.fleets.has(fleet)) cache.deleteFleet(fleet);
    translated = next;
    const t = state.translations;
    const translations = translation === 'unchanged' ? t : { ...t, [translation]: t[translation] + 1 };
    state = {
      generation: state.generation + 1,
      translatedAt: translation === 'unchanged' ? state.translatedAt : now,
      files: scan.files,
      errors: scan.errors,
      warnings: scan.warnings,
      result,
      translations,
    };
    logger.info(
      {
        generation: state.generation,
        files: scan.files.length,
        objects: scan.objects.length,
        fleets: [...result.fleets.keys()].sort(),
        errors: scan.errors.length,
        translation,
      },
      'translated',
    );
    for (const l of listeners) l(state);
  };

  await reload();

  const xdsServer = options.xds.createServer(cache, logger);
  let xdsPort: number;
  try {
    xdsPort = await xdsServer.listen(options.xdsAddress.host, options.xdsAddress.port);
  } catch (err) {
    unsubscribeNack();
    throw new StandaloneSetupError(`--xds-address ${options.xdsAddress.host}:${options.xdsAddress.port}: cannot listen: ${listenReason(err)}`);
  }

  const httpServer = http.createServer((req, res) => handleHttp(req, res));
  let httpPort: number;
  try {
    httpPort = await new Promise<number>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.httpAddress.port, options.httpAddress.host, () => resolve((httpServer.address() as AddressInfo).port));
    });
  } catch (err) {
    unsubscribeNack();
    await xdsServer.close();
    throw new StandaloneSetupError(`--http-address ${options.httpAddress.host}:${options.httpAddress.port}: cannot listen: ${listenReason(err)}`);
  }
  const xdsAddressText = `${hostForUrl(options.xdsAddress.host)}:${xdsPort}`;
  logger.info({ dir, xds: xdsAddressText, http: `http://${hostForUrl(options.httpAddress.host)}:${httpPort}` }, 'serving');

  function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET is supported' }, { allow: 'GET, HEAD' });
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
        return send(res, 200, statusDocument());
      default:
        return send(res, 404, { error: `no such endpoint ${url.pathname}; try /config, /status or /healthz` });
    }
  }

  function statusDocument(): StatusDocument {
    return {
      generation: state.generation,
      translatedAt: state.translatedAt ?? null,
      directory: dir,
      files: [...state.files],
      errors: state.errors.map((e) => ({ ...e, text: formatLoadError(e) })),
      warnings: state.warnings.map((w) => ({ ...w, text: formatLoadError(w) })),
      statuses: state.result.statuses.map(renderStatus),
      translations: state.translations,
      xds: { address: xdsAddressText, streams: xdsServer.streams() },
      nacks: [...nacks],
    };
  }

  // Watching: fs.watch for promptness, a slow poll for file systems (network
  // mounts, some containers) where events go missing. Both only trigger a
  // re-read, which does nothing when no content changed.
  const debounceMs = options.debounceMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
    }, debounceMs);
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(dir, { recursive: true }, schedule);
    watcher.on('error', (err) => logger.warn({ err }, 'watching the directory failed; relying on polling'));
  } catch (err) {
    logger.warn({ err }, 'cannot watch the directory; relying on polling');
  }
  const pollMs = options.pollMs ?? 2000;
  const poller = pollMs > 0 ? setInterval(schedule, pollMs) : undefined;
  poller?.unref();

  let closed = false;
  return {
    xdsPort,
    httpPort,
    state: () => state,
    reload,
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      watcher?.close();
      unsubscribeNack();
      await running?.catch(() => undefined);
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await xdsServer.close();
    },
  };
}

/** A problem that stops standalone mode from starting (exit code 1, one line). */
export class StandaloneSetupError extends Error {
  override readonly name = 'StandaloneSetupError';
}

/** The reason a bind failed, from a Node error or gRPC's wrapped one. */
function listenReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/EADDRINUSE/.test(text)) return 'address already in use';
  if (/EADDRNOTAVAIL/.test(text)) return 'address not available on this machine';
  if (/EACCES/.test(text)) return 'permission denied';
  return text.split('\n')[0]!;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body, null, 2)}\n`);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
