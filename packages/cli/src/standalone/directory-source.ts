// The objects of a directory of manifests, re-read on demand. Each file is
// tracked on its own: a file that stops parsing keeps serving the objects of
// its last good version (an editor's half-saved file must not take routes
// down), and its errors are reported until it is fixed. A deleted file's
// objects go away.
import fs from 'node:fs/promises';
import type { KubeObject } from '@switchyard/api';
import { duplicateWarnings, expandPath, parseManifests, type LoadError, type SourcedObject } from '../load-objects.js';

interface FileState {
  readonly text: string;
  readonly objects: readonly SourcedObject[];
  readonly errors: readonly LoadError[];
  /** The objects of the newest version of the file that had no errors. */
  readonly lastGood: readonly SourcedObject[] | undefined;
}

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

  constructor(readonly dir: string) {}

  /** Reads the directory, re-parsing only files whose content changed. */
  async scan(): Promise<SourceScan> {
    const dirErrors: LoadError[] = [];
    const paths = await expandPath(this.dir, dirErrors);
    if (dirErrors.some((e) => e.file === this.dir)) {
      // The directory itself is gone or unreadable (unmounted, replaced):
      // keep serving what was read from it, and say so.
      const changed = JSON.stringify(dirErrors) !== JSON.stringify(this.dirErrors);
      this.dirErrors = dirErrors;
      return { ...this.current(), changed, files: [...this.files.keys()] };
    }
    let changed = paths.length !== this.files.size || JSON.stringify(dirErrors) !== JSON.stringify(this.dirErrors);
    const next = new Map<string, FileState>();
    for (const file of paths) {
      const prev = this.files.get(file);
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        // Deleted between listing and reading: it is gone, the next scan agrees.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          changed = true;
          continue;
        }
        text = `\u0000unreadable:${(err as Error).message}`;
        if (!prev || prev.text !== text) changed = true;
        const error: LoadError = { file, message: `cannot read file: ${(err as Error).message}` };
        next.set(file, { text, objects: [], errors: [error], lastGood: prev?.lastGood });
        continue;
      }
      if (prev && prev.text === text) {
        next.set(file, prev);
        continue;
      }
      changed = true;
      const parsed = parseManifests(text, file);
      const lastGood = parsed.errors.length === 0 ? parsed.objects : prev?.lastGood;
      next.set(file, { text, objects: parsed.objects, errors: parsed.errors, lastGood });
    }
    for (const file of this.files.keys()) if (!next.has(file)) changed = true;
    this.files = next;
    this.dirErrors = dirErrors;
    return { ...this.current(), changed, files: [...next.keys()] };
  }

  private current(): { objects: KubeObject[]; errors: SourceError[]; warnings: LoadError[] } {
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
