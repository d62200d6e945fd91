// The `$ switchyard ...` examples in docs/extensions.md (ProxyConfig and
// RateLimit) run against examples/ and print what the doc shows, line for
// line in order, so the doc cannot drift from what users get.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './testing/capture.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DOC = fs.readFileSync(path.join(REPO, 'docs', 'extensions.md'), 'utf8');

function examples(): Array<{ argv: string[]; shown: string[] }> {
  const out: Array<{ argv: string[]; shown: string[] }> = [];
  for (const block of DOC.split(/^```[a-z]*\s*$/m).filter((_, i) => i % 2 === 1)) {
    let current: { argv: string[]; shown: string[] } | undefined;
    for (const line of block.split('\n')) {
      const m = /^\$ switchyard (.*)$/.exec(line);
      if (m) out.push((current = { argv: [...m[1]!.matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]!), shown: [] }));
      else if (current && line.trim() !== '') current.shown.push(line);
    }
  }
  return out;
}

describe('docs/extensions.md', () => {
  const list = examples();
  it('has explain examples for RateLimit and the Prometheus listener', () => {
    expect(list.map((e) => e.argv.join(' '))).toEqual([expect.stringContaining('networking/scaled-gateway'), expect.stringContaining('networking/external-gateway')]);
  });

  it.each(list.map((e) => [e.argv.join(' '), e] as const))('switchyard %s', async (_name, e) => {
    const r = await runCli(e.argv.map((a) => (a === 'examples/' ? path.join(REPO, 'examples') : a)));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    let at = 0;
    for (const want of e.shown) {
      const found = lines.indexOf(want, at);
      expect({ want, found: found >= 0 }).toEqual({ want, found: true });
      at = found + 1;
    }
  });
});
