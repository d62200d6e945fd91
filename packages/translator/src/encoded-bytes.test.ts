// Every resource the translator emits for its golden inputs, the bundled
// examples and the Gateway API conformance tests encodes to the bytes protobufjs's fromObject + encode gives (the
// encoder protos/src/encode.ts replaced; resource versions are hashes of
// these bytes, so a difference would re-send every resource after an
// upgrade and break version pins).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { encodeMessage, messageType, RESOURCE_FIELDS, resourceName, type EnvoyResources } from '@switchyard/protos';
import { emitFleet } from './envoy/index.js';
import type { FleetIR } from './ir/ir.js';
import { translate } from './translate.js';
import { appliedObjects, programmaticObjects, upstreamTests } from '../test/conformance/manifests.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const testdata = path.resolve(here, '../testdata');
const examples = path.resolve(here, '../../../examples');

const inputs = (stage: string): string[] =>
  fs
    .readdirSync(path.join(testdata, stage))
    .filter((d) => fs.existsSync(path.join(testdata, stage, d, 'in.yaml')))
    .sort()
    .map((d) => path.join(testdata, stage, d, 'in.yaml'));

function objectsOf(files: readonly string[]): KubeObject[] {
  return files.flatMap((f) =>
    parseAllDocuments(fs.readFileSync(f, 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .filter((o) => o && typeof o === 'object'),
  );
}

function translated(objects: KubeObject[]): ReadonlyMap<string, EnvoyResources> {
  return translate(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' }).fleets;
}

/** Resources whose bytes differ from the reference's, by fleet, type and name; and how many were compared. */
function differences(fleets: ReadonlyMap<string, EnvoyResources>): { compared: number; differing: string[] } {
  let compared = 0;
  const differing: string[] = [];
  for (const [id, res] of fleets)
    for (const [field, typeUrl] of RESOURCE_FIELDS)
      for (const r of res[field]) {
        const type = messageType(typeUrl);
        const want = Buffer.from(type.encode(type.fromObject(r)).finish());
        if (!Buffer.from(encodeMessage(typeUrl, r)).equals(want)) differing.push(`${id} ${typeUrl} ${resourceName(r)}`);
        compared++;
      }
  return { compared, differing };
}

describe('encoded bytes equal protobufjs fromObject + encode', () => {
  it.each([...inputs('golden'), ...inputs('gatewayapi')].map((f) => [path.relative(testdata, f), f]))('%s', (_name, file) => {
    const { compared, differing } = differences(translated(objectsOf([file])));
    expect(differing).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });

  it.each(inputs('envoy').map((f) => [path.relative(testdata, f), f]))('%s', (_name, file) => {
    const ir = parse(fs.readFileSync(file, 'utf8')) as Record<string, FleetIR>;
    const { compared, differing } = differences(new Map(Object.entries(ir).map(([id, f]) => [id, emitFleet(f)])));
    expect(differing).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });

  it('the bundled examples', () => {
    const files = (fs.readdirSync(examples, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(examples, f));
    const { compared, differing } = differences(translated(objectsOf(files)));
    expect(differing).toEqual([]);
    expect(compared).toBeGreaterThan(20);
  });

  it('every Gateway API conformance test', async () => {
    const programmatic = await programmaticObjects();
    let total = 0;
    for (const t of upstreamTests()) {
      const { compared, differing } = differences(translated(appliedObjects(t.manifests, programmatic)));
      expect(differing).toEqual([]);
      total += compared;
    }
    expect(total).toBeGreaterThan(1000);
  }, 120_000);
});
