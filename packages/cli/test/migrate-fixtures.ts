// The Ingress fixtures under packages/cli/testdata/migrate, for the tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@switchyard/api';
import { parseManifests } from '../src/load-objects.js';

export const TESTDATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../testdata/migrate');

export function fixture(name: string): KubeObject[] {
  const file = path.join(TESTDATA, name);
  const r = parseManifests(readFileSync(file, 'utf8'), file);
  if (r.errors.length) throw new Error(`fixture ${name}: ${JSON.stringify(r.errors)}`);
  return r.objects.map((o) => o.object);
}
