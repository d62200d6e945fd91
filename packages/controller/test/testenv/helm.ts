// The helm binary that build-tools.sh builds (e2e/bin/helm), run on the
// project's chart (charts/switchyard): render it into objects, or install it
// into a TestEnv's API server. Each run gets its own HELM_*_HOME directories,
// so tests never read or write the user's Helm configuration.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@switchyard/api';
import { E2E_BIN, REPO_ROOT } from '../../../../e2e/go-module.js';
import { loadObjects } from './index.js';

export const helmBin = join(E2E_BIN, 'helm');
export const chartDir = join(REPO_ROOT, 'charts', 'switchyard');

export interface HelmResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HelmOptions {
  /** A values file's content, passed as --values. */
  readonly values?: string;
  /** For commands that talk to a cluster (install, upgrade, ...). */
  readonly kubeconfig?: string;
}

/** Runs `helm ARGS [--values FILE] [--kubeconfig FILE]`; never throws on a non-zero exit. */
export function helm(args: readonly string[], o: HelmOptions = {}): Promise<HelmResult> {
  return run(helmBin, args, o);
}

/** Runs a bash script that calls helm as $HELM (e2e/scripts/install-chart.sh), with the same options appended. */
export function helmScript(script: string, args: readonly string[], o: HelmOptions = {}): Promise<HelmResult> {
  return run('bash', [script, ...args], o);
}

async function run(file: string, args: readonly string[], o: HelmOptions): Promise<HelmResult> {
  if (!existsSync(helmBin)) throw new Error(`${helmBin} is missing: run \`npm run build:tools\` (bash e2e/scripts/build-tools.sh)`);
  const home = mkdtempSync(join(tmpdir(), 'switchyard-helm-'));
  try {
    const extra: string[] = [];
    if (o.values !== undefined) {
      writeFileSync(join(home, 'values.yaml'), o.values);
      extra.push('--values', join(home, 'values.yaml'));
    }
    if (o.kubeconfig !== undefined) extra.push('--kubeconfig', o.kubeconfig);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HELM: helmBin,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    };
    return await new Promise((resolve) => {
      execFile(file, [...args, ...extra], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `helm template` of the chart (CRDs included) as objects; throws with helm's message when it fails. */
export async function renderChart(o: { values?: string; namespace?: string } = {}): Promise<KubeObject[]> {
  const r = await helm(
    ['template', 'switchyard', chartDir, '--namespace', o.namespace ?? 'switchyard-system', '--include-crds'],
    o.values !== undefined ? { values: o.values } : {},
  );
  if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return loadObjects(r.stdout);
}
