// Writes generated objects as multi-document YAML files, the way a user keeps
// manifests in a directory, for standalone mode (`serve --from-dir`). The
// emitter handles exactly the JSON-shaped data the generator makes; strings
// are always double-quoted (JSON escapes are valid YAML), so no value can be
// misread as a number, boolean or null.
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '@switchyard/api';

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/;

function key(k: string): string {
  return PLAIN_KEY.test(k) ? k : JSON.stringify(k);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new Error(`yaml: unsupported value ${typeof v}`);
}

function isEmptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function emit(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      const empty = isEmptyCollection(item);
      if (empty) out.push(`${indent}- ${empty}`);
      else if (item !== null && typeof item === 'object') {
        // "- " then the first key on the same line, the rest indented under it.
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        const first = lines[0] ?? '';
        out.push(`${indent}- ${first.slice(indent.length + 2)}`, ...lines.slice(1));
      } else out.push(`${indent}- ${scalar(item)}`);
    }
    return;
  }
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === undefined) continue;
    const empty = isEmptyCollection(val);
    if (empty) out.push(`${indent}${key(k)}: ${empty}`);
    else if (val !== null && typeof val === 'object') {
      out.push(`${indent}${key(k)}:`);
      emit(val, Array.isArray(val) ? indent : `${indent}  `, out);
    } else out.push(`${indent}${key(k)}: ${scalar(val)}`);
  }
}

export function toYaml(objects: readonly KubeObject[]): string {
  const docs = objects.map((o) => {
    const lines: string[] = [];
    emit(o, '', lines);
    return lines.join('\n');
  });
  return `${docs.join('\n---\n')}\n`;
}

/**
 * Writes objects into `dir`, one file per kind and namespace (how manifests
 * are usually kept), and returns the file paths written.
 */
export function writeManifests(dir: string, objects: readonly KubeObject[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const groups = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const file = `${o.metadata.namespace ?? 'cluster'}-${o.kind.toLowerCase()}s.yaml`;
    let list = groups.get(file);
    if (!list) groups.set(file, (list = []));
    list.push(o);
  }
  const written: string[] = [];
  for (const [file, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = path.join(dir, file);
    writeFileAtomic(p, toYaml(list));
    written.push(p);
  }
  return written;
}

/** Write to a temp name and rename, so a watcher never reads half a file. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}
