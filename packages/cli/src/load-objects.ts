// Files -> Kubernetes objects, with every problem reported as a LoadError that
// names the file, the object (or its document number) and the field. The
// loader never throws on user input: a bad document is reported and skipped,
// the other documents of the file and the other files still load.
import fs from 'node:fs/promises';
import path from 'node:path';
import jsyaml from 'js-yaml';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from '@switchyard/api';
import { lookupKind } from '@switchyard/api';

/** The file extensions read from directories. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];

/** The name used in messages for `-` (standard input). */
export const STDIN_NAME = '<stdin>';

export interface LoadError {
  /** The path as given (or found under a given directory); "<stdin>" for `-`. */
  readonly file: string;
  /** 1-based line of the document (or of the syntax error), when known. */
  readonly line?: number;
  /** 1-based position of the document in its file, when the error is about one document. */
  readonly document?: number;
  /** "Kind namespace/name" (or "Kind name") once the object's identity is known. */
  readonly object?: string;
  /** Dotted path of the offending field, e.g. "metadata.name". */
  readonly field?: string;
  readonly message: string;
}

/** One object and where it came from. */
export interface SourcedObject {
  readonly object: KubeObject;
  readonly file: string;
  readonly document: number;
}

export interface LoadResult {
  readonly objects: KubeObject[];
  readonly errors: LoadError[];
  /** Not errors: e.g. one object defined twice with different content (the later one is used). */
  readonly warnings?: LoadError[];
}

export interface LoadOptions {
  /** What `-` reads; defaults to process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** One line, e.g. `routes.yaml:12: HTTPRoute apps/web: metadata.name: required field is missing`. */
export function formatLoadError(e: LoadError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}` : e.file;
  const parts = [where];
  // An object whose name is not known yet is identified by its document.
  if (e.object && !e.object.includes(' ') && e.document !== undefined) parts.push(`document ${e.document} (${e.object})`);
  else if (e.object) parts.push(e.object);
  else if (e.document !== undefined) parts.push(`document ${e.document}`);
  if (e.field) parts.push(e.field);
  parts.push(e.message);
  return parts.join(': ');
}

/**
 * Reads every path: a file, a directory (every *.yaml, *.yml and *.json under
 * it, recursively, in sorted order) or `-` for standard input.
 */
export async function loadObjects(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const sourced = await loadSourcedObjects(paths, options);
  return { objects: sourced.objects.map((s) => s.object), errors: sourced.errors, warnings: duplicateWarnings(sourced.objects) };
}

/**
 * An object defined twice (same kind, namespace and name): as with `kubectl
 * apply`, the later one wins; when the two differ, that is worth saying.
 */
export function duplicateWarnings(objects: readonly SourcedObject[]): LoadError[] {
  const seen = new Map<string, SourcedObject>();
  const warnings: LoadError[] = [];
  for (const s of objects) {
    const o = s.object;
    const key = `${o.apiVersion.split('/')[0]}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const prior = seen.get(key);
    if (prior && JSON.stringify(prior.object) !== JSON.stringify(o)) {
      const label = o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
      warnings.push({
        file: s.file,
        document: s.document,
        object: label,
        message: `also defined, differently, in ${prior.file} (document ${prior.document}); this later definition is used`,
      });
    }
    seen.set(key, s);
  }
  return warnings;
}

/** As loadObjects, keeping each object's file and document number. */
export async function loadSourcedObjects(paths: string[], options: LoadOptions = {}): Promise<{ objects: SourcedObject[]; errors: LoadError[] }> {
  const objects: SourcedObject[] = [];
  const errors: LoadError[] = [];
  for (const p of paths) {
    if (p === '-') {
      const text = await readStream(options.stdin ?? process.stdin);
      const r = parseManifests(text, STDIN_NAME);
      objects.push(...r.objects);
      errors.push(...r.errors);
      continue;
    }
    const files = await expandPath(p, errors);
    for (const f of files) {
      const r = await loadFile(f);
      objects.push(...r.objects);
      errors.push(...r.errors);
    }
  }
  return { objects, errors };
}

/** Reads and parses one file. */
export async function loadFile(file: string): Promise<{ objects: SourcedObject[]; errors: LoadError[] }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return { objects: [], errors: [{ file, message: `cannot read file: ${ioReason(err)}` }] };
  }
  return parseManifests(text, file);
}

/** Lists the manifest files a path stands for; reports a path that cannot be read. */
export async function expandPath(p: string, errors: LoadError[]): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(p);
  } catch (err) {
    errors.push({ file: p, message: `cannot read file: ${ioReason(err)}` });
    return [];
  }
  if (!stat.isDirectory()) return [p];
  const out: string[] = [];
  await walk(p, out, errors);
  return out;
}

async function walk(dir: string, out: string[], errors: LoadError[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    errors.push({ file: dir, message: `cannot read directory: ${ioReason(err)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    // Editors' swap and backup files and hidden directories are not manifests.
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walk(full, out, errors);
    else if (isManifestFile(e.name)) out.push(full);
  }
}

export function isManifestFile(name: string): boolean {
  return !name.startsWith('.') && MANIFEST_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/**
 * Parses multi-document YAML (or JSON) text into validated objects.
 *
 * Two parsers, one result. The fast one (JSON.parse for JSON text, js-yaml
 * otherwise) keeps no positions and reads 12 MB of manifests in about a
 * second; the position-aware one (`yaml`'s document API) takes about nine
 * times as long. A file goes through the fast one first, and only a file with
 * a problem (a syntax error, an object that fails validation) is read again
 * by the position-aware one, so every message still names its line.
 */
export function parseManifests(text: string, file: string): { objects: SourcedObject[]; errors: LoadError[] } {
  return parseManifestsFast(text, file) ?? parseManifestsWithPositions(text, file);
}

// An anchor (`&name`) makes aliases possible, and so alias expansion bombs:
// the position-aware parser limits those (maxAliasCount), so it reads such files.
const ANCHOR = /(?:^|[\s[{,:-])&[^\s]/m;

/** The fast path: undefined when the text has a problem (or anchors), for the position-aware parser to report. */
function parseManifestsFast(text: string, file: string): { objects: SourcedObject[]; errors: LoadError[] } | undefined {
  const json = looksLikeJson(text);
  if (!json && ANCHOR.test(text)) return undefined;
  let documents: unknown[];
  try {
    // CORE_SCHEMA: YAML 1.2's core types, as the position-aware parser reads them (no timestamps, no !!js types).
    documents = json ? [JSON.parse(text)] : jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  const objects: SourcedObject[] = [];
  const errors: LoadError[] = [];
  let index = 0;
  for (const value of documents) {
    index++;
    if (value === null || value === undefined) continue;
    for (const item of expandList(dropNulls(value), file, 0, index, errors)) {
      const r = validateObject(item, file, 0, index);
      if (r.kind !== 'ok') return undefined;
      objects.push({ object: r.object, file, document: index });
    }
  }
  return errors.length > 0 ? undefined : { objects, errors };
}

/** JSON text (a Kubernetes object or List in JSON form): JSON.parse reads it fastest. */
function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text);
  return first !== null && (first[0] === '{' || first[0] === '[');
}

/** The position-aware path: every error with its line, the good documents still loaded. */
export function parseManifestsWithPositions(text: string, file: string): { objects: SourcedObject[]; errors: LoadError[] } {
  const objects: SourcedObject[] = [];
  const errors: LoadError[] = [];
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  // parseAllDocuments returns an EmptyStream (not an array) for empty input.
  if (!Array.isArray(docs)) return { objects, errors };
  let index = 0;
  for (const doc of docs) {
    index++;
    // The line of the document's first node, not of its `---` marker.
    const docLine = lines.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const line = lines.linePos(e.pos[0]).line;
      errors.push({ file, line, document: index, message: `invalid YAML: ${firstLine(e.message)}` });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      errors.push({ file, line: docLine, document: index, message: `invalid YAML: ${err instanceof Error ? firstLine(err.message) : String(err)}` });
      continue;
    }
    // An empty document (a stray `---`) is not an object, and not an error.
    if (value === null || value === undefined) continue;
    const items = expandList(dropNulls(value), file, docLine, index, errors);
    for (const item of items) {
      const r = validateObject(item, file, docLine, index);
      if (r.kind === 'ok') objects.push({ object: r.object, file, document: index });
      else errors.push(r.error);
    }
  }
  return { objects, errors };
}

/**
 * A field written as YAML null (`set:` with nothing after it) is absent, as
 * the API server reads it, whichever parser read the file: it drops null fields of custom resources before a
 * controller sees them, and built-in kinds decode null as unset. So objects
 * from files mean what the same objects applied to a cluster mean.
 */
function dropNulls(value: unknown): unknown {
  // In place: both parsers hand over a tree nobody else holds, and a copy of
  // a 12 MB world would cost as much as reading it.
  // Loops without Object.entries: its pair arrays were most of this walk's cost (and garbage).
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) dropNulls(value[i]);
  } else if (isRecord(value)) {
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = value[k];
      if (v === null) delete value[k];
      else if (typeof v === 'object') dropNulls(v);
    }
  }
  return value;
}

/** `kind: List` (what `kubectl get -o yaml` prints) stands for its items. */
function expandList(value: unknown, file: string, line: number, document: number, errors: LoadError[]): unknown[] {
  if (isRecord(value) && value.kind === 'List' && typeof value.apiVersion === 'string') {
    if (!Array.isArray(value.items)) {
      errors.push({ file, line, document, object: 'List', field: 'items', message: 'must be a list of objects' });
      return [];
    }
    return value.items as unknown[];
  }
  return [value];
}

type Validated = { readonly kind: 'ok'; readonly object: KubeObject } | { readonly kind: 'error'; readonly error: LoadError };

// RFC 1123 subdomain (object names) and label (namespaces), as the API server checks them.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks the envelope every object needs; the translator checks the spec. */
export function validateObject(value: unknown, file: string, line: number, document: number): Validated {
  const fail = (field: string | undefined, message: string, object?: string): Validated => ({
    kind: 'error',
    error: { file, line, document, ...(object ? { object } : {}), ...(field ? { field } : {}), message },
  });
  if (!isRecord(value)) return fail(undefined, `expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${describe(value)}`);
  const { apiVersion, kind, metadata } = value;
  if (apiVersion === undefined) return fail('apiVersion', 'required field is missing');
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail('apiVersion', `must be a non-empty string, got ${describe(apiVersion)}`);
  if (kind === undefined) return fail('kind', 'required field is missing');
  if (typeof kind !== 'string' || kind === '') return fail('kind', `must be a non-empty string, got ${describe(kind)}`);

  const rawName = isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
  const rawNs = isRecord(metadata) && typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const label = (scoped: boolean) => (rawName ? `${kind} ${scoped && rawNs ? `${rawNs}/` : ''}${rawName}` : undefined);

  const found = lookupKind(apiVersion, kind);
  switch (found.kind) {
    case 'unknown-group':
      return fail('apiVersion', `unknown API group "${found.group}" for kind ${kind} (is it a typo, or a CRD Switchyard does not read?)`, label(true));
    case 'unknown-kind':
      return fail('kind', `unknown kind "${kind}" in ${apiVersion} (known kinds: ${found.known.join(', ')})`, label(true));
    case 'unknown-version':
      return fail(
        'apiVersion',
        `${kind} is not served as ${apiVersion} (served versions: ${found.served.map((v) => (found.group ? `${found.group}/${v}` : v)).join(', ')})`,
        label(true),
      );
    case 'known':
      break;
  }
  const namespaced = found.facts.scope === 'Namespaced';

  if (metadata === undefined) return fail('metadata', 'required field is missing', kind);
  if (!isRecord(metadata)) return fail('metadata', `must be a mapping, got ${describe(metadata)}`, kind);
  if (metadata.name === undefined) {
    // generateName only works against an API server, which picks the name.
    return fail(
      'metadata.name',
      metadata.generateName !== undefined ? 'required field is missing (generateName needs an API server to pick a name)' : 'required field is missing',
      kind,
    );
  }
  if (typeof metadata.name !== 'string' || metadata.name === '')
    return fail('metadata.name', `must be a non-empty string, got ${describe(metadata.name)}`, kind);
  const name = metadata.name;
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return fail(
      'metadata.name',
      `"${name}" is not a valid name (lower case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
      kind,
    );
  }
  let namespace: string | undefined;
  if (metadata.namespace !== undefined && metadata.namespace !== null) {
    if (typeof metadata.namespace !== 'string' || metadata.namespace.length > 63 || !DNS_LABEL.test(metadata.namespace)) {
      return fail(
        'metadata.namespace',
        `must be a valid namespace name (lower case letters, digits and '-', at most 63 characters), got ${describe(metadata.namespace)}`,
        `${kind} ${name}`,
      );
    }
    namespace = metadata.namespace;
  }
  const object = namespaced ? `${kind} ${namespace ?? 'default'}/${name}` : `${kind} ${name}`;
  if (!namespaced && namespace) return fail('metadata.namespace', `${kind} is cluster-scoped and takes no namespace`, object);
  for (const field of ['labels', 'annotations'] as const) {
    const m = metadata[field];
    if (m === undefined || m === null) continue;
    if (!isRecord(m)) return fail(`metadata.${field}`, `must be a mapping of strings, got ${describe(m)}`, object);
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') return fail(`metadata.${field}.${k}`, `must be a string, got ${describe(v)} (quote it)`, object);
    }
  }
  if (metadata.generation !== undefined && (typeof metadata.generation !== 'number' || !Number.isInteger(metadata.generation))) {
    return fail('metadata.generation', `must be an integer, got ${describe(metadata.generation)}`, object);
  }
  if ('spec' in value && value.spec !== null && value.spec !== undefined && !isRecord(value.spec)) {
    return fail('spec', `must be a mapping, got ${describe(value.spec)}`, object);
  }

  // Objects read from files have no generation; give them the API server's
  // first one, so statuses carry observedGeneration 1 as they would in a cluster.
  const meta = { ...metadata, name } as KubeObject['metadata'];
  if (namespaced) meta.namespace = namespace ?? 'default';
  else delete meta.namespace;
  if (meta.generation === undefined) meta.generation = 1;
  return { kind: 'ok', object: { ...value, apiVersion, kind, metadata: meta } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined) return `${typeof v} ${String(v)}`;
  return typeof v; // a symbol or a function: nothing a YAML or JSON document holds
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e?.message ? firstLine(e.message) : String(err);
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
