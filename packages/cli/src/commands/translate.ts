// `switchyard translate`: Gateway API manifests in, the Envoy resources of
// every Gateway's fleet and the objects' statuses out.
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { translate, type TranslateResult } from '@switchyard/translator';
import { parseCommandLine, parseOutputFormat } from '../args.js';
import { EXIT_OK, EXIT_USER_ERROR, UsageError, UserError, writeLine, type Io } from '../io.js';
import { formatLoadError, loadObjects } from '../load-objects.js';
import { synthesizeMissingEndpointSlices } from '../missing-endpoints.js';
import { formatDocument } from '../output.js';
import { renderTranslation } from '../render.js';

export const TRANSLATE_USAGE = `Usage: switchyard translate -f FILE [-f FILE...] [-o yaml|json] [--add-missing-endpoints]

Prints the Envoy resources (listeners, routes, clusters, endpoints, secrets in
proto3 JSON form) of every Gateway's fleet, keyed "namespace/name", and the
status of every object.

Options:
  -f, --filename PATH         a file, a directory (every *.yaml, *.yml, *.json
                              under it) or - for standard input; repeatable
  -o, --output yaml|json      output format (default yaml)
      --add-missing-endpoints give every Service that has no EndpointSlice one
                              endpoint at 127.0.0.1 per port
  -h, --help                  show this help`;

export async function translateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandLine(args, {
    filename: { type: 'string', short: 'f', multiple: true },
    output: { type: 'string', short: 'o' },
    'add-missing-endpoints': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    writeLine(io.stdout, TRANSLATE_USAGE);
    return EXIT_OK;
  }
  const format = parseOutputFormat(values.output, 'yaml');
  const files = values.filename ?? [];
  if (files.length === 0) throw new UsageError('translate: at least one -f FILE is required');

  const objects = await loadOrReport(files, io);
  if (!objects) return EXIT_USER_ERROR;
  const input = values['add-missing-endpoints'] ? [...objects, ...synthesizeMissingEndpointSlices(objects)] : objects;
  const result = runTranslator(input);
  io.stdout.write(formatDocument(renderTranslation(result), format));
  return EXIT_OK;
}

/** Loads the files; on any error prints one line per error and returns undefined. */
export async function loadOrReport(files: string[], io: Io): Promise<KubeObject[] | undefined> {
  const { objects, errors, warnings = [] } = await loadObjects(files, io.stdin ? { stdin: io.stdin } : {});
  if (errors.length > 0) {
    for (const e of errors) writeLine(io.stderr, `error: ${formatLoadError(e)}`);
    return undefined;
  }
  for (const w of warnings) writeLine(io.stderr, `warning: ${formatLoadError(w)}`);
  return objects;
}

/**
 * The time stamped on conditions. SOURCE_DATE_EPOCH (the reproducible-builds
 * convention) pins it, so two runs over the same files print the same bytes.
 */
export function conditionTime(env: NodeJS.ProcessEnv = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  const ms = epoch && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now();
  // Kubernetes writes metav1.Time with second precision.
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function runTranslator(objects: readonly KubeObject[]): TranslateResult {
  try {
    return translate(snapshotOf(objects), { now: conditionTime() });
  } catch (err) {
    // The translator promises not to throw on user input; if it does, that
    // is a Switchyard bug, reported as one line, not a stack trace.
    throw new UserError(`internal error in the translator (please report it): ${err instanceof Error ? err.message : String(err)}`);
  }
}
