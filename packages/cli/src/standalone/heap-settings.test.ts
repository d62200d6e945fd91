// The young-generation hold, in a fresh process each (V8 flags are process
// wide): allocating objects that survive grows the young generation without
// it and leaves it at its initial size with it.
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../test/doc-examples.js';
import { isStandaloneCommandLine } from './heap-settings.js';

const MiB = 2 ** 20;
const BUILT = pathToFileURL(path.join(REPO_ROOT, 'packages/cli/dist/standalone/heap-settings.js')).href;

/** The young generation's size after allocating ~20 MiB of objects that stay alive. */
function youngGenerationAfterAllocating(hold: boolean): number {
  const script = `
    import v8 from 'node:v8';
    const { holdYoungGeneration } = await import(${JSON.stringify(BUILT)});
    if (${hold}) holdYoungGeneration();
    const keep = [];
    for (let i = 0; i < 300000; i++) keep.push({ i, s: 'route-' + i });
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(young.space_size));
    if (keep.length === 0) process.exit(1); // keeps the objects alive until measured
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return Number(r.stdout);
}

test('holdYoungGeneration keeps the young generation at its initial size', () => {
  expect(youngGenerationAfterAllocating(false)).toBeGreaterThan(4 * MiB);
  expect(youngGenerationAfterAllocating(true)).toBeLessThanOrEqual(2 * MiB);
});

test('only standalone serve command lines are held', () => {
  expect(isStandaloneCommandLine(['--from-dir', 'examples'])).toBe(true);
  expect(isStandaloneCommandLine(['--from-dir=examples', '--log-level', 'warn'])).toBe(true);
  expect(isStandaloneCommandLine(['--kubeconfig', 'k', '--xds-port', '18000'])).toBe(false);
});
