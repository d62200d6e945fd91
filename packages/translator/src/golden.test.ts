// Golden tests: each packages/translator/testdata/golden/<scenario>/in.yaml
// is translated and the result (every fleet's Envoy resources in proto3 JSON,
// as an Envoy config dump shows them, and every status) compared with
// out.yaml. Regenerate after an intended change and review the diff:
//   UPDATE_GOLDEN=1 npm run test:unit -- packages/translator/src/golden.test.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { XDSCHECK_PATH as XDSCHECK } from '@switchyard/xds/test/xdscheck.js';
import { fleetsJson } from '../test/fixtures.js';
import { translate } from './translate.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testdata/golden');
const update = process.env.UPDATE_GOLDEN === '1';
const scenarios = fs
  .readdirSync(dir)
  .filter((d) => fs.existsSync(path.join(dir, d, 'in.yaml')))
  .sort();

export function render(objects: KubeObject[]): string {
  const r = translate(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' });
  const fleets = fleetsJson(r);
  // supportedFeatures grows with every feature and is tested on its own; keep it out of every scenario's diff.
  const statuses = r.statuses.map((st) =>
    st.kind === 'GatewayClass' ? { ...st, status: { ...(st.status as object), supportedFeatures: '(see gatewayapi/features.ts)' } } : st,
  );
  return stringify({ fleets, statuses }, { lineWidth: 0, aliasDuplicateObjects: false });
}

describe('golden', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(5));
  it.each(scenarios)('%s', (name) => {
    const input = fs.readFileSync(path.join(dir, name, 'in.yaml'), 'utf8');
    const objects = parseAllDocuments(input)
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o && typeof o === 'object');
    const got = render(objects);
    const outFile = path.join(dir, name, 'out.yaml');
    if (update) fs.writeFileSync(outFile, got);
    expect(got).toBe(fs.readFileSync(outFile, 'utf8'));
  });
  it.each(scenarios)('%s passes xdscheck (Envoy validation rules, references resolve)', (name) => {
    expect(fs.existsSync(XDSCHECK)).toBe(true); // run `npm run build:tools` first
    const out = execFileSync(XDSCHECK, ['-file', path.join(dir, name, 'out.yaml')], { encoding: 'utf8' });
    expect(out).toMatch(/OK\n$/);
  });
});
