// The command examples in docs/cli.md run as shown: each `$ npx switchyard ...`
// line exits 0, and the output lines the doc shows (with `...` eliding some)
// appear in the real output, in order.
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../test/capture.js';
import { docExamples, expectShownInOrder, REPO_ROOT } from '../test/doc-examples.js';

const EXAMPLES = docExamples(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'cli.md'), 'utf8'));

describe('docs/cli.md', () => {
  it('has command examples', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
  });

  it.each(EXAMPLES.map((e) => [e.command, e] as const))('switchyard %s', async (_name, e) => {
    const r = await runCli(e.argv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Only the text output of explain and version is shown verbatim.
    if (e.argv[0] === 'translate') return;
    expectShownInOrder(
      r.stdout,
      e.shown.map((line) => line.replace(/Node\.js v[\d.]+/, `Node.js ${process.version}`)),
    );
  });
});
