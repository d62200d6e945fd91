// What ships is the product alone: from every package's main entry (and the
// `switchyard` command's), following every static and dynamic import across
// the workspace, no test-only module is reached — no *.test.ts, nothing in a
// package's test/ folder, nothing of the e2e/ Go test tooling. And the
// controller does not load the Envoy model (@switchyard/explain), which only
// the CLI's `explain` uses.
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../test/doc-examples.js';

const WORKSPACE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };

/** Package name -> its main entry's source file. */
function entries(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of WORKSPACE.workspaces) {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as { name: string; main: string };
    // dist/index.js is compiled from src/index.ts
    out.set(pkg.name, path.join(dir, pkg.main.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')));
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm;

/** Every workspace source file reached from `start` (repository-relative paths). */
function reachable(start: string, packages: Map<string, string>): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      let target: string | undefined;
      if (spec.startsWith('.')) target = path.normalize(path.join(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec.startsWith('@switchyard/')) {
        const name = spec.split('/').slice(0, 2).join('/');
        const rest = spec.slice(name.length + 1);
        const entry = packages.get(name);
        if (entry === undefined) throw new Error(`${file} imports ${spec}, which is no workspace package`);
        // Subpaths: generated proto types are declarations only; anything else is followed into the package.
        if (rest === '') target = entry;
        else if (!rest.startsWith('generated/')) target = path.join(path.dirname(path.dirname(entry)), rest.replace(/\.js$/, '.ts'));
      }
      if (target !== undefined && fs.existsSync(path.join(REPO_ROOT, target))) todo.push(target);
      else if (target !== undefined && !target.includes('/generated/')) throw new Error(`${file}: cannot resolve ${spec}`);
    }
  }
  return seen;
}

const isTestOnly = (f: string) => f.endsWith('.test.ts') || /(^|\/)test\//.test(f) || f.startsWith('e2e/');

describe('the product', () => {
  const packages = entries();
  const mains: Array<[string, string]> = [...packages, ['switchyard command', 'packages/cli/src/main.ts']];

  it.each(mains)('%s reaches no test-only module', (_name, entry) => {
    const reached = [...reachable(entry, packages)];
    expect(reached.length).toBeGreaterThan(0);
    expect(reached.filter(isTestOnly)).toEqual([]);
  });

  it('the walk sees dynamic imports and workspace packages (so it can fail)', () => {
    const fromMain = reachable('packages/cli/src/main.ts', packages);
    expect(fromMain).toContain('packages/cli/src/commands/explain.ts');
    expect(fromMain).toContain('packages/explain/src/explain.ts');
    expect(fromMain).toContain('packages/controller/src/index.ts');
    // A test's imports are test-only modules, and the walk finds them.
    expect([...reachable('packages/translator/src/golden.test.ts', packages)].filter(isTestOnly)).toEqual(
      expect.arrayContaining([
        'packages/translator/src/golden.test.ts',
        'packages/translator/test/fixtures.ts',
        'packages/xds/test/xdscheck.ts',
        'e2e/go-module.ts',
      ]),
    );
  });

  it('the controller does not load the Envoy model', () => {
    const reached = reachable(packages.get('@switchyard/controller')!, packages);
    expect([...reached].filter((f) => f.startsWith('packages/explain/'))).toEqual([]);
  });
});
