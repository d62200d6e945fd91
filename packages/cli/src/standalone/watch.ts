// Watching the directory: fs.watch for promptness, a slow poll for file
// systems (network mounts, some containers) where events go missing. Both
// only trigger a re-read (debounced: editors write in bursts), which does
// nothing when no content changed.
import fs from 'node:fs';
import type { Logger } from 'pino';

export interface WatchOptions {
  /** Quiet time after a file event before re-reading. */
  readonly debounceMs: number;
  /** Poll interval; 0 disables polling. */
  readonly pollMs: number;
}

/** Calls `reload` after changes under `dir`; returns the function that stops watching. */
export function watchDirectory(dir: string, reload: () => Promise<unknown>, o: WatchOptions, logger: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
    }, o.debounceMs);
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(dir, { recursive: true }, schedule);
    watcher.on('error', (err) => logger.warn({ err }, 'watching the directory failed; relying on polling'));
  } catch (err) {
    logger.warn({ err }, 'cannot watch the directory; relying on polling');
  }
  const poller = o.pollMs > 0 ? setInterval(schedule, o.pollMs) : undefined;
  poller?.unref();
  return () => {
    if (timer) clearTimeout(timer);
    if (poller) clearInterval(poller);
    watcher?.close();
  };
}
