// `switchyard explain --config-dump FILE`: any Envoy's configuration (its admin
// /config_dump, or a list of typed xDS resources), in JSON or YAML, as the
// resources the Envoy model explains against.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { ConfigDumpError, resourcesFromConfigDump, type ConfigDumpResources } from '@switchyard/explain';
import { UserError } from '../io.js';

export async function readConfigDump(file: string): Promise<ConfigDumpResources> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError(`--config-dump ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseConfigDump(text, file);
}

/** The text of a config dump (JSON is YAML too); several YAML documents are a list of resources. */
export function parseConfigDump(text: string, file: string): ConfigDumpResources {
  // Config dumps of big Envoys exceed yaml's default alias/size guards only by
  // their length; JSON.parse first is also much faster for the common case.
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    const bad = list.find((d) => d.errors.length > 0);
    if (bad) throw new UserError(`--config-dump ${file}: not JSON or YAML: ${bad.errors[0]!.message.split('\n')[0]}`);
    const values = list.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown).filter((v) => v !== null && v !== undefined);
    doc = values.length === 1 ? values[0] : values;
  }
  try {
    return resourcesFromConfigDump(doc);
  } catch (e) {
    if (e instanceof ConfigDumpError) throw new UserError(`--config-dump ${file}: ${e.message}`);
    throw e;
  }
}
