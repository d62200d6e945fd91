// The objects of a directory of manifests, re-read on demand. Each file is
// tracked on its own: a file that stops parsing keeps serving the objects of
// its last good version (an editor's half-saved file must not take routes
// down), and its errors are reported until it is fixed. A deleted file's
// objects go away.
//
// A file's text is dropped once parsed: only its digest is kept, to tell
// whether the next read changed anything. The objects are what translation
// needs; keeping the text too would hold the whole directory twice.
import { createHash } from 'node:crypto';
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
        next.set(file, prev);
        continue;
      }
      changed = true;
      const parsed = parseManifests(bytes.toString('utf8'), file);
      const lastGood = parsed.errors.length === 0 ? parsed.objects : prev?.lastGood;
      next.set(file, { digest, objects: parsed.objects, errors: parsed.errors, lastGood });
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

function digestOf(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('base64');
}
