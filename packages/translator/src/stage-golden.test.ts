// Golden data per translation stage, so a change to one stage is reviewed
// against that stage alone:
//   testdata/gatewayapi/<case>/in.yaml  Gateway API objects
//                             /out.yaml  stage 1's IR per fleet, and every status
//   testdata/envoy/<case>/in.yaml       IR per fleet (FleetIR)
//                        /out.yaml      stage 2's Envoy resources (proto3 JSON)
// An Envoy-only change moves envoy/ outputs and leaves every gatewayapi/
// golden as it was. (testdata/golden/ keeps the end-to-end scenarios.)
// Regenerate after an intended change and review the diff:
//   UPDATE_GOLDEN=1 npm run test:unit -- packages/translator/src/stage-golden.test.ts
// A new envoy/ case's in.yaml can start as the `ir` of a gatewayapi/ case's
// out.yaml; from then on it is an input of its own.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import { emitFleet } from './envoy/index.js';
import type { FleetIR } from './ir/ir.js';
import { XDSCHECK_PATH as XDSCHECK } from '@switchyard/xds/test/xdscheck.js';
import { fleetsJson } from '../test/fixtures.js';
import { translateDetailed } from './translate.js';

const testdata = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testdata');
const update = process.env.UPDATE_GOLDEN === '1';
const casesOf = (stage: string) =>
  fs
    .readdirSync(path.join(testdata, stage))
    .filter((d) => fs.existsSync(path.join(testdata, stage, d, 'in.yaml')))
    .sort();
const yaml = (v: unknown) => stringify(v, { lineWidth: 0, aliasDuplicateObjects: false });

function compare(stage: string, name: string, got: string): void {
  const outFile = path.join(testdata, stage, name, 'out.yaml');
  if (update) fs.writeFileSync(outFile, got);
  expect(got).toBe(fs.readFileSync(outFile, 'utf8'));
}

/** Stage 1: objects -> IR and statuses. */
function renderGatewayApi(objects: KubeObject[]): string {
  const r = translateDetailed(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' });
  // supportedFeatures grows with every feature and is tested on its own; keep it out of every case's diff.
  const statuses = r.statuses.map((st) =>
    st.kind === 'GatewayClass' ? { ...st, status: { ...(st.status as object), supportedFeatures: '(see gatewayapi/features.ts)' } } : st,
  );
  return yaml({ ir: Object.fromEntries(r.ir), statuses });
}

/** Stage 2: IR -> Envoy resources. */
function renderEnvoy(ir: Record<string, FleetIR>): string {
  const fleets = new Map<string, EnvoyResources>(Object.entries(ir).map(([id, f]) => [id, emitFleet(f)]));
  return yaml({ fleets: fleetsJson({ fleets, statuses: [] }) });
}

describe('stage goldens: gatewayapi (objects -> IR, statuses)', () => {
  const cases = casesOf('gatewayapi');
  it('has cases', () => expect(cases.length).toBeGreaterThan(3));
  it.each(cases)('%s', (name) => {
    const objects = parseAllDocuments(fs.readFileSync(path.join(testdata, 'gatewayapi', name, 'in.yaml'), 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o && typeof o === 'object');
    compare('gatewayapi', name, renderGatewayApi(objects));
  });
});

describe('stage goldens: envoy (IR -> Envoy resources)', () => {
  const cases = casesOf('envoy');
  it('has cases', () => expect(cases.length).toBeGreaterThan(3));
  it.each(cases)('%s', (name) => {
    const ir = parse(fs.readFileSync(path.join(testdata, 'envoy', name, 'in.yaml'), 'utf8')) as Record<string, FleetIR>;
    compare('envoy', name, renderEnvoy(ir));
  });
  it.each(cases)('%s passes xdscheck (Envoy validation rules, references resolve)', (name) => {
    expect(fs.existsSync(XDSCHECK)).toBe(true); // run `npm run build:tools` first
    const out = execFileSync(XDSCHECK, ['-file', path.join(testdata, 'envoy', name, 'out.yaml')], { encoding: 'utf8' });
    expect(out).toMatch(/OK\n$/);
  });
});
