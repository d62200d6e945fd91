// Test helpers for the extensions' tests: builders for the switchyard.dev
// kinds and an xdscheck run over a translation's fleets.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProxyConfig, ProxyConfigSpec, RateLimit, RateLimitSpec } from '@switchyard/api';
import { XDSCHECK_PATH as XDSCHECK } from '@switchyard/xds/test/xdscheck.js';
import { fleetsJson } from './fixtures.js';
import type { TranslateResult } from '../src/translate.js';

export function rateLimitObject(namespace: string, name: string, spec: RateLimitSpec | Record<string, unknown>): RateLimit {
  return { apiVersion: 'switchyard.dev/v1alpha1', kind: 'RateLimit', metadata: { namespace, name, generation: 1 }, spec: spec as RateLimitSpec };
}

export function proxyConfigObject(namespace: string, name: string, spec: ProxyConfigSpec | Record<string, unknown>): ProxyConfig {
  return { apiVersion: 'switchyard.dev/v1alpha1', kind: 'ProxyConfig', metadata: { namespace, name, generation: 1 }, spec };
}

export const rateLimitRef = (name: string) => ({ type: 'ExtensionRef' as const, extensionRef: { group: 'switchyard.dev', kind: 'RateLimit', name } });

/** Runs xdscheck -file over every fleet (as `switchyard translate` prints them); returns its output. */
export function xdscheckFleets(r: TranslateResult): { code: number; output: string } {
  if (!existsSync(XDSCHECK)) throw new Error(`${XDSCHECK} missing: run npm run build:tools`);
  const fleets = fleetsJson(r);
  const dir = mkdtempSync(path.join(tmpdir(), 'switchyard-ext-'));
  try {
    const file = path.join(dir, 'fleets.json');
    writeFileSync(file, JSON.stringify({ fleets }));
    const res = spawnSync(XDSCHECK, ['-file', file], { encoding: 'utf8' });
    return { code: res.status ?? -1, output: res.stdout + res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
