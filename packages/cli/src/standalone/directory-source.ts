// The objects of a directory of manifests, re-read on demand. Each file is
// tracked on its own: a file that stops parsing keeps serving the objects of
// its last good version (an editor's half-saved file must not take routes
// down), and its errors are reported until it is fixed. A deleted file's
// objects go away.
//
// A file's text is dropped once parsed: only its digest is kept, to tell
// whether the next read changed anything. The objects are what translation
// needs; keeping the text too would hold the whole directory twice.
//
// A file whose stat (device, inode, size, modification and change times) is
// what it was at its last read is not read again: a re-read after one file
// changed, and every poll, would otherwise read and hash the whole directory
// (18 MB at 10,000 routes). As git does for its index, a file changed too
// recently before it was read is not trusted to its stat (a second write in
// the same timestamp tick, same size, would look the same): it is read again
// by every scan until its change is older than RACY_MS.
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import type { KubeObject } from '@switchyard/api';
import { duplicateWarnings, expandPath, parseManifests, type LoadError, type SourcedObject } from '../load-objects.js';

interface FileState {
  /** SHA-256 of the bytes read (or of the read error): the same digest means the same content. */
  readonly digest: string;
  readonly objects: readonly SourcedObject[];
  readonly errors: readonly LoadError[];
  /** The objects of the newest version of the file that had no errors. */
  readonly lastGood: readonly SourcedObject[] | undefined;
  /** The stat the content was read under, when it can be trusted to tell a later change. */
  readonly stat?: string;
}

/** How long before a read a file's change must be for its stat to tell the next change (timestamps are coarse; clocks of network file systems drift). */
const RACY_MS = 2000;

/** A problem in one file, and whether an older version of it is being served instead. */
export interface SourceError extends LoadError {
  readonly servingLastGood: boolean;
}

export interface SourceScan {
  readonly objects: readonly KubeObject[];
  readonly errors: readonly SourceError[];
  /** Objects defined more than once, differently (the later file wins). */
  readonly warnings: readonly LoadError[];
  /** Whether anything (a file's content, the set of files) changed since the previous scan. */
  readonly changed: boolean;
  readonly files: readonly string[];
}

export class DirectorySource {
  private files = new Map<string, FileState>();
  private dirErrors: LoadError[] = [];
  private latest: { objects: KubeObject[]; errors: SourceError[]; warnings: LoadError[] } | undefined;

  /** `racyMs`: RACY_MS, for tests. */
  constructor(
    readonly dir: string,
    private readonly racyMs: number = RACY_MS,
  ) {}

  /** Reads the directory, re-parsing only files whose content changed. */
  async scan(): Promise<SourceScan> {
    const dirErrors: LoadError[] = [];
    const paths = await expandPath(this.dir, dirErrors);
    if (dirErrors.some((e) => e.file === this.dir)) {
      // The directory itself is gone or unreadable (unmounted, replaced):
      // keep serving what was read from it, and say so.
      const changed = JSON.stringify(dirErrors) !== JSON.stringify(this.dirErrors);
      this.dirErrors = dirErrors;
      if (changed) this.latest = undefined;
      return { ...this.current(), changed, files: [...this.files.keys()] };
    }
    let changed = paths.length !== this.files.size || JSON.stringify(dirErrors) !== JSON.stringify(this.dirErrors);
    const next = new Map<string, FileState>();
    for (const file of paths) {
      const prev = this.files.get(file);
      const stat = await statSignature(file, this.racyMs);
      if (prev?.stat !== undefined && prev.stat === stat) {
        next.set(file, prev);
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(file);
      } catch (err) {
        // Deleted between listing and reading: it is gone, the next scan agrees.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          changed = true;
          continue;
        }
        const digest = digestOf(`\u0000unreadable:${(err as Error).message}`);
        if (!prev || prev.digest !== digest) changed = true;
        const error: LoadError = { file, message: `cannot read file: ${(err as Error).message}` };
        next.set(file, { digest, objects: [], errors: [error], lastGood: prev?.lastGood });
        continue;
      }
      const digest = digestOf(bytes);
      if (prev && prev.digest === digest) {
        next.set(file, { ...prev, stat });
        continue;
      }
      changed = true;
      const parsed = parseManifests(bytes.toString('utf8'), file);
      const lastGood = parsed.errors.length === 0 ? parsed.objects : prev?.lastGood;
      next.set(file, { digest, objects: parsed.objects, errors: parsed.errors, lastGood, stat });
    }
    for (const file of this.files.keys()) if (!next.has(file)) changed = true;
    this.files = next;
    this.dirErrors = dirErrors;
    if (changed) this.latest = undefined;
    return { ...this.current(), changed, files: [...next.keys()] };
  }

  /** The objects, errors and warnings of the files as last read (computed again only after a change). */
  private current(): { objects: KubeObject[]; errors: SourceError[]; warnings: LoadError[] } {
    this.latest ??= this.collect();
    return this.latest;
  }

  private collect(): { objects: KubeObject[]; errors: SourceError[]; warnings: LoadError[] } {
    const sourced: SourcedObject[] = [];
    const errors: SourceError[] = this.dirErrors.map((e) => ({ ...e, servingLastGood: e.file === this.dir && this.files.size > 0 }));
    for (const state of this.files.values()) {
      const servingLastGood = state.errors.length > 0 && state.lastGood !== undefined;
      const use = servingLastGood ? state.lastGood : state.objects;
      sourced.push(...use);
      for (const e of state.errors) errors.push({ ...e, servingLastGood });
    }
    return { objects: sourced.map((s) => s.object), errors, warnings: duplicateWarnings(sourced) };
  }
}

/** What a file's stat says of its content, taken before it is read; undefined when it cannot be trusted (changed less than RACY_MS ago, or not statable). */
async function statSignature(file: string, racyMs: number): Promise<string | undefined> {
  let st: BigIntStats;
  try {
    st = await fs.stat(file, { bigint: true });
  } catch {
    return undefined;
  }
  const since = BigInt(Date.now() - racyMs) * 1_000_000n;
  if (st.ctimeNs > since || st.mtimeNs > since) return undefined;
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function digestOf(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('base64');
}
