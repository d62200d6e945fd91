// Printing documents as YAML or JSON.
import jsyaml from 'js-yaml';

export function formatDocument(doc: unknown, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // js-yaml's dumper: about four times as fast as `yaml`'s stringify on a
  // large translation. No anchors for repeated objects (noRefs) and no folded
  // lines: the output is meant to be read, diffed and fed back to tools.
  // Strings YAML 1.1 readers would take for booleans or timestamps are quoted.
  return jsyaml.dump(doc, { noRefs: true, lineWidth: -1 });
}
