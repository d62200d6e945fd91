// Watching the directory: fs.watch for promptness, a slow poll for file
// systems (network mounts, some containers) where events go missing. Both
// only trigger a re-read (debounced: editors write in bursts), which does
// nothing when no content changed.
//
// One non-recursive watcher per directory, not `fs.watch(dir, {recursive})`:
// on Linux, Node 20 builds the recursive watch from a watcher per file, and
// a file replaced by rename (how editors and `kubectl`-style tools save, and
// how the bench writes) leaves that watcher on the old inode, so every later
// change to the file went unseen until the poll (up to 2 s). A directory's
// own watcher sees its entries created, renamed, and written, whatever the
// inode. The set of directories is re-listed after every event, so a new
// subdirectory is watched too.
import fs from 'node:fs';
import path from 'node:path';
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
  let stopped = false;
  const watchers = new Map<string, fs.FSWatcher>();
  let warned = false;
  const warn = (err: unknown, msg: string) => {
    if (warned) return;
    warned = true;
    logger.warn({ err }, msg);
  };

  /** Watches every directory under `dir` (hidden ones excepted, as the reader skips them) and stops watching removed ones. */
  const syncWatchers = () => {
    if (stopped) return;
    const dirs = directoriesUnder(dir);
    for (const [d, w] of watchers) {
      if (dirs.has(d)) continue;
      w.close();
      watchers.delete(d);
    }
    for (const d of dirs) {
      if (watchers.has(d)) continue;
      try {
        const w = fs.watch(d, schedule);
        w.on('error', (err) => {
          // A watched directory removed: the next sync forgets it.
          w.close();
          watchers.delete(d);
          if (d === dir) warn(err, 'watching the directory failed; relying on polling');
          schedule();
        });
        watchers.set(d, w);
      } catch (err) {
        if (d === dir) warn(err, 'cannot watch the directory; relying on polling');
      }
    }
  };

  function schedule(): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      syncWatchers();
      reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
    }, o.debounceMs);
  }

  syncWatchers();
  const poller = o.pollMs > 0 ? setInterval(schedule, o.pollMs) : undefined;
  poller?.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (poller) clearInterval(poller);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
}

/** `dir` and every directory under it, hidden ones (and what is under them) excepted; unreadable ones are left out. */
function directoriesUnder(dir: string): Set<string> {
  const out = new Set<string>();
  const visit = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    out.add(d);
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) visit(path.join(d, e.name));
  };
  visit(dir);
  return out;
}
