// The command examples in docs/cli.md run as shown: each `$ npx switchyard ...`
// line exits 0, and the output lines the doc shows (with `...` eliding some)
// appear in the real output, in order.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './testing/capture.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DOC = fs.readFileSync(path.join(REPO, 'docs', 'cli.md'), 'utf8');

interface Example {
  readonly argv: string[];
  readonly shown: string[];
}

/** Splits a shell command line: words, with '...' quoting. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const block of DOC.split(/^```\s*$/m).filter((_, i) => i % 2 === 1)) {
    let current: { argv: string[]; shown: string[] } | undefined;
    for (const line of block.split('\n')) {
      const m = /^\$ npx switchyard (.*)$/.exec(line);
      if (m) {
        current = { argv: words(m[1]!), shown: [] };
        out.push(current);
      } else if (current && line.trim() !== '') current.shown.push(line);
    }
  }
  return out;
}

const EXAMPLES = examples();

describe('docs/cli.md', () => {
  it('has command examples', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
  });

  it.each(EXAMPLES.map((e) => [e.argv.join(' '), e]))('switchyard %s', async (_name, e) => {
    const argv = e.argv.map((a) => (a === 'examples/' ? path.join(REPO, 'examples') : a));
    const r = await runCli(argv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Only the text output of explain and version is shown verbatim.
    if (argv[0] === 'translate') return;
    const actual = r.stdout.split('\n');
    let at = 0;
    for (const line of e.shown) {
      if (line.trim() === '...') continue;
      const expected = line.replace(/Node\.js v[\d.]+/, `Node.js ${process.version}`);
      const found = actual.indexOf(expected, at);
      expect({ line: expected, found: found >= 0 }).toEqual({ line: expected, found: true });
      at = found + 1;
    }
  });
});
