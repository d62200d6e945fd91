// Benchmark 4: resident memory of a running standalone controller
// (`switchyard serve --from-dir`), the real process users run, with the
// generated configuration written as YAML files and simulated Envoys
// connected. Memory is read from /proc (VmRSS now, VmHWM the peak).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '@switchyard/api';
import type { AdsMode } from './ads-client.js';
import { ClientPool } from './client-pool.js';
import { generateConfig, type GeneratedConfig } from './generate.js';
import { MiB, procCpuMs, procMemory } from './stats.js';
import { writeFileAtomic, writeManifests, toYaml } from './yaml.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_MAIN = path.join(REPO_ROOT, 'packages/cli/dist/main.js');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface StandaloneProcess {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly xdsTarget: string;
  readonly httpUrl: string;
  /** Wall time from spawn until /healthz answered (it answers after the first translation). */
  readonly startMs: number;
  stderrTail(): string;
  stdoutTail(): string;
  stop(): Promise<void>;
}

/** Starts `switchyard serve --from-dir DIR` on free loopback ports; `nodeArgs` go to node (e.g. --trace-gc for investigations). */
export async function startStandaloneProcess(dir: string, nodeArgs: readonly string[] = [], logLevel = 'warn'): Promise<StandaloneProcess> {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${path.relative(REPO_ROOT, CLI_MAIN)} not found: build first (npm run build)`);
  const xdsPort = await freePort();
  const httpPort = await freePort();
  const t0 = performance.now();
  const proc = spawn(
    process.execPath,
    [
      ...nodeArgs,
      CLI_MAIN,
      'serve',
      '--from-dir',
      dir,
      '--xds-address',
      `127.0.0.1:${xdsPort}`,
      '--http-address',
      `127.0.0.1:${httpPort}`,
      '--log-level',
      logLevel,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-20000);
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`switchyard serve exited with ${proc.exitCode}: ${stderr.trim()}`);
    if (performance.now() - t0 > 300_000) {
      await stop();
      throw new Error('switchyard serve did not answer /healthz within 5 minutes');
    }
    try {
      const res = await fetch(`${httpUrl}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return {
    proc,
    pid: proc.pid ?? 0,
    xdsTarget: `127.0.0.1:${xdsPort}`,
    httpUrl,
    startMs: performance.now() - t0,
    stderrTail: () => stderr,
    stdoutTail: () => stdout,
    stop,
  };
}

/** Writes the configuration, keeping the marker route in a file of its own (the churn benchmark rewrites it). */
export function writeConfigDir(config: GeneratedConfig, dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const marker = config.objects.find(
    (o) => o.kind === 'HTTPRoute' && o.metadata.name === config.markerRoute.name && o.metadata.namespace === config.markerRoute.namespace,
  )!;
  writeManifests(
    dir,
    config.objects.filter((o) => o !== marker),
  );
  writeFileAtomic(path.join(dir, 'marker.yaml'), toYaml([marker]));
  return path.join(dir, 'marker.yaml');
}

export function writeMarker(file: string, route: KubeObject): void {
  writeFileAtomic(file, toYaml([route]));
}

export function benchTmpDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-bench-${name}-`));
}

/**
 * The live JS heap after the most recent full GC, from `--trace-gc` output
 * ("Mark-Compact 120.3 (150.1) -> 68.5 (134.5) MB"): what the program really
 * holds, as opposed to RSS, which also counts heap V8 keeps for reuse.
 */
export function lastFullGcHeapMiB(traceGcOutput: string): number {
  let last = Number.NaN;
  for (const m of traceGcOutput.matchAll(/Mark-Compact[^\n]*?-> ([\d.]+) \([\d.]+\) MB/g)) last = Number(m[1]);
  return last;
}

export interface StandaloneMemoryArgs {
  readonly routes: number;
  readonly gateways: number;
  readonly streams: number;
  readonly mode: AdsMode;
}

export interface StandaloneMemoryRow {
  readonly routes: number;
  readonly gateways: number;
  readonly streams: number;
  readonly mode: AdsMode;
  readonly yamlMiB: number;
  readonly startMs: number;
  /** CPU time the process used until /healthz answered: reading, parsing and translating, less sensitive to a loaded machine than startMs. */
  readonly startCpuMs: number;
  readonly syncMs: number;
  /** RSS once started (configuration translated, no Envoy connected). */
  readonly idleRssMiB: number;
  /** Highest RSS sampled over 3 s with all streams connected and synced. */
  readonly steadyRssMiB: number;
  /** Peak RSS of the process's life (VmHWM): start-up, translation, first pushes. */
  readonly peakRssMiB: number;
  /** Live JS heap after the last full GC (from --trace-gc). */
  readonly liveHeapMiB: number;
}

export async function runStandaloneMemory(a: StandaloneMemoryArgs): Promise<StandaloneMemoryRow> {
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const dir = benchTmpDir(`mem-${a.routes}`);
  writeConfigDir(config, dir);
  const yamlBytes = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  const sa = await startStandaloneProcess(dir, ['--trace-gc']);
  const startCpuMs = procCpuMs(sa.pid) ?? Number.NaN;
  try {
    await sleep(1000);
    const idle = procMemory(sa.pid);
    const fleets = Array.from({ length: a.streams }, (_, i) => config.fleets[i % config.fleets.length]!);
    const pool = await ClientPool.start({ target: sa.xdsTarget, mode: a.mode, fleets });
    const t0 = process.hrtime.bigint();
    const synced = await pool.waitFor('synced', 0, 300_000);
    if (!synced) throw new Error(`streams did not sync: ${sa.stderrTail()}`);
    const syncMs = Number(synced.maxAckNs - t0) / 1e6;
    let steady = 0;
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      steady = Math.max(steady, procMemory(sa.pid)?.rss ?? 0);
    }
    const peak = procMemory(sa.pid)?.peak ?? Number.NaN;
    await pool.close();
    return {
      routes: a.routes,
      gateways: a.gateways,
      streams: a.streams,
      mode: a.mode,
      yamlMiB: yamlBytes / MiB,
      startMs: sa.startMs,
      startCpuMs,
      syncMs,
      idleRssMiB: (idle?.rss ?? Number.NaN) / MiB,
      steadyRssMiB: steady / MiB,
      peakRssMiB: peak / MiB,
      liveHeapMiB: lastFullGcHeapMiB(sa.stdoutTail()),
    };
  } finally {
    await sa.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
