// The two translation stages are a boundary: stage 1 (gatewayapi/, and the
// helpers it uses in extensions/ and tls/) produces IR; stage 2 (envoy/)
// turns IR into Envoy resources. Stage 1 and the IR never import the
// emitters, so an Envoy-only change cannot change what stage 1 decides.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.dirname(fileURLToPath(import.meta.url));
const STAGE_ONE = ['gatewayapi', 'extensions', 'tls', 'ir'];

/** Relative import specifiers of a TypeScript module (import/export ... from, and import()). */
function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

/** "dir/file.ts imports ../envoy/x.js" for each import of `file` that resolves into src/envoy/. */
function envoyImports(file: string, source: string): string[] {
  return relativeImports(source)
    .filter((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep)[0] === 'envoy')
    .map((spec) => `${path.relative(SRC, file)} imports ${spec}`);
}

describe('stage boundary', () => {
  it('finds an import into envoy/ (the check itself)', () => {
    expect(envoyImports(path.join(SRC, 'gatewayapi', 'x.ts'), "import { a } from '../envoy/listener.js';\nexport { b } from './gateway.js';")).toEqual([
      'gatewayapi/x.ts imports ../envoy/listener.js',
    ]);
  });

  it.each(STAGE_ONE)('%s/ imports nothing from envoy/', (dir) => {
    const found: string[] = [];
    for (const name of readdirSync(path.join(SRC, dir))) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const file = path.join(SRC, dir, name);
      found.push(...envoyImports(file, readFileSync(file, 'utf8')));
    }
    expect(found).toEqual([]);
  });
});
