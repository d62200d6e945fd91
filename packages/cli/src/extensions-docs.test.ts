// The `$ switchyard ...` examples in docs/extensions.md (ProxyConfig and
// RateLimit) run against examples/ and print what the doc shows, line for
// line in order, so the doc cannot drift from what users get.
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../test/capture.js';
import { docExamples, expectShownInOrder, REPO_ROOT } from '../test/doc-examples.js';

describe('docs/extensions.md', () => {
  const list = docExamples(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'extensions.md'), 'utf8'), '$ switchyard ');
  it('has explain examples for RateLimit and the Prometheus listener', () => {
    expect(list.map((e) => e.command)).toEqual([expect.stringContaining('networking/scaled-gateway'), expect.stringContaining('networking/external-gateway')]);
  });

  it.each(list.map((e) => [e.command, e] as const))('switchyard %s', async (_name, e) => {
    const r = await runCli(e.argv);
    expect(r.code).toBe(0);
    expectShownInOrder(r.stdout, e.shown);
  });
});
