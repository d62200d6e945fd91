// The stand-in is test tooling: the product image never contains it, and the
// product's build (what the Dockerfile runs) does not depend on it.
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './testing/harness.js';

describe('packaging', () => {
  it('stays out of the product image and the product build', () => {
    const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    expect(dockerfile.split('\n').filter((l) => /^\s*COPY\b/.test(l) && l.includes('e2e'))).toEqual([]);
    const root = fs.readFileSync(path.join(REPO, 'tsconfig.json'), 'utf8');
    expect(root).not.toContain('envoy-standin');
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { workspaces: string[]; scripts: Record<string, string> };
    expect(pkg.workspaces.some((w) => w.includes('envoy-standin'))).toBe(false);
    // ...but the test command builds it, so the local cluster can run bin/envoy-standin.js.
    expect(pkg.scripts.test).toContain('npm run build:standin');
  });
});
