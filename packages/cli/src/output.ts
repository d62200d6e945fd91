// Printing documents as YAML or JSON.
import { stringify } from 'yaml';

export function formatDocument(doc: unknown, format: 'yaml' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // No anchors for repeated objects and no folded lines: the output is meant
  // to be read, diffed and fed back to tools.
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}
