// Reloading: read the directory, translate what changed, hand the fleets to
// the xDS cache. Every re-read goes through translateIncremental, as the
// controller's passes do: when it changed nothing but EndpointSlices (the
// commonest change) only endpoints are refreshed; when it changed only
// routes, only the Gateways they attach to are translated again; when it
// changed no object at all (whitespace, a file error), the previous
// translation stands. One reload runs at a time.
import type { Logger } from 'pino';
import { snapshotOf } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { translateIncremental, type TranslateResult, type Translation } from '@switchyard/translator';
import { formatLoadError, type LoadError } from '../load-objects.js';
import type { DirectorySource, SourceError } from './directory-source.js';
import { publishFleets } from '@switchyard/xds';
import type { FleetCache } from './xds-contract.js';

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

export interface Reloader {
  readonly state: () => StandaloneState;
  /** Re-reads the directory now; a call during a reload asks for one more after it and resolves with it. */
  readonly reload: () => Promise<StandaloneState>;
  /** Calls back after every translation that changed something. */
  readonly onUpdate: (listener: (s: StandaloneState) => void) => () => void;
  /** Resolves when the reload under way, if any, has finished. */
  readonly settled: () => Promise<void>;
}

const INITIAL_STATE: StandaloneState = {
  generation: 0,
  translatedAt: undefined,
  files: [],
  errors: [],
  warnings: [],
  result: { fleets: new Map(), statuses: [] },
  translations: { full: 0, routes: 0, endpoints: 0 },
};

export function createReloader(source: DirectorySource, cache: FleetCache, logger: Logger): Reloader {
  let state = INITIAL_STATE;
  // The translation `state.result` came from, with its inputs (undefined before the first).
  let translated: Translation | undefined;
  // The fleets last handed to the cache (publishFleets).
  const handed = new Map<string, EnvoyResources>();
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
    publishFleets(cache, handed, result.fleets);
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

  return {
    state: () => state,
    reload,
    onUpdate(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async settled() {
      await running?.catch(() => undefined);
    },
  };
}
