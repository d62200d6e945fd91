// Benchmark 6: the whole process, as a user runs it. `switchyard translate
// -f world.yaml -o json|yaml > /dev/null` (wall time from spawn to exit, peak
// RSS), `switchyard serve --from-dir` until /healthz answers, and the time
// from rewriting one file of the directory until the re-read's translation
// is logged.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateConfig } from './generate.js';
import { median, procCpuMs } from './stats.js';
import { benchTmpDir, CLI_MAIN, startStandaloneProcess, writeConfigDir, writeMarker } from './standalone.js';
import { toYaml } from './yaml.js';

const PEAK_RSS_HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peak-rss-hook.js');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WholeProcessArgs {
  readonly routes: number;
  readonly gateways: number;
  /** Runs of each command; medians are reported. */
  readonly repeats: number;
  /** One-file changes re-read by serve --from-dir. */
  readonly rereads: number;
}

export interface CommandRun {
  readonly wallMs: number;
  /** User + system CPU time of the process: on a loaded machine, closer to what it costs than wall time. */
  readonly cpuMs: number;
  readonly peakRssMiB: number;
}

export interface WholeProcessRow {
  readonly routes: number;
  readonly gateways: number;
  readonly yamlMiB: number;
  readonly json: readonly CommandRun[];
  readonly yaml: readonly CommandRun[];
  readonly jsonMs: number;
  readonly jsonCpuMs: number;
  readonly jsonPeakMiB: number;
  readonly yamlMs: number;
  readonly yamlCpuMs: number;
  readonly yamlPeakMiB: number;
  readonly serveReadyMs: readonly number[];
  readonly serveReadyP50Ms: number;
  /** CPU time of the serve process until /healthz answered. */
  readonly serveReadyCpuP50Ms: number;
  readonly rereadMs: readonly number[];
  readonly rereadP50Ms: number;
  /** CPU time of the serve process from the write until the re-read was logged. */
  readonly rereadCpuP50Ms: number;
  /** Translations the re-reads ran, by kind (full or endpoints-only). */
  readonly rereadKinds: Record<string, number>;
}

/** Runs the CLI once with stdout to /dev/null; wall time and peak RSS. */
export async function runCli(args: readonly string[], dir: string): Promise<CommandRun> {
  const peakFile = path.join(dir, `peak-${process.hrtime.bigint()}`);
  const devNull = fs.openSync('/dev/null', 'w');
  const t0 = performance.now();
  const proc = spawn(process.execPath, ['--import', PEAK_RSS_HOOK, CLI_MAIN, ...args], {
    stdio: ['ignore', devNull, 'pipe'],
    env: { ...process.env, SWITCHYARD_BENCH_PEAK_RSS: peakFile, SOURCE_DATE_EPOCH: '0' },
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  const wallMs = performance.now() - t0;
  fs.closeSync(devNull);
  if (code !== 0) throw new Error(`switchyard ${args.join(' ')} exited ${code}: ${stderr.trim()}`);
  const usage = JSON.parse(fs.readFileSync(peakFile, 'utf8')) as { maxRssKiB: number; cpuMicros: number };
  return { wallMs, cpuMs: usage.cpuMicros / 1000, peakRssMiB: usage.maxRssKiB / 1024 };
}

/** The generation of the last "translated" log line (the logger writes to stderr), and the kind of that translation. */
function lastTranslation(stdout: string): { generation: number; kind: string } | undefined {
  let last: { generation: number; kind: string } | undefined;
  for (const m of stdout.matchAll(/"generation":(\d+)[^\n]*"translation":"(\w+)"[^\n]*"msg":"translated"/g)) last = { generation: Number(m[1]), kind: m[2]! };
  return last;
}

export async function runWholeProcess(a: WholeProcessArgs): Promise<WholeProcessRow> {
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const tmp = benchTmpDir(`whole-${a.routes}`);
  try {
    const world = path.join(tmp, 'world.yaml');
    fs.writeFileSync(world, toYaml(config.objects));
    const yamlMiB = fs.statSync(world).size / 2 ** 20;
    const json: CommandRun[] = [];
    const yaml: CommandRun[] = [];
    for (let i = 0; i < a.repeats; i++) {
      json.push(await runCli(['translate', '-f', world, '-o', 'json'], tmp));
      yaml.push(await runCli(['translate', '-f', world, '-o', 'yaml'], tmp));
    }

    const dir = path.join(tmp, 'manifests');
    const markerFile = writeConfigDir(config, dir);
    const marker = config.objects.find(
      (o) => o.kind === 'HTTPRoute' && o.metadata.name === config.markerRoute.name && o.metadata.namespace === config.markerRoute.namespace,
    )!;
    const serveReadyMs: number[] = [];
    const serveReadyCpuMs: number[] = [];
    const rereadMs: number[] = [];
    const rereadCpuMs: number[] = [];
    const rereadKinds: Record<string, number> = {};
    for (let i = 0; i < a.repeats; i++) {
      const sa = await startStandaloneProcess(dir, [], 'info');
      try {
        serveReadyMs.push(sa.startMs);
        serveReadyCpuMs.push(procCpuMs(sa.pid) ?? Number.NaN);
        if (i > 0) continue;
        for (let c = 1; c <= a.rereads; c++) {
          const before = lastTranslation(sa.stderrTail())?.generation ?? 0;
          const changed = structuredClone(marker);
          (changed.metadata as { labels?: Record<string, string> }).labels = { 'bench-reread': String(c) };
          const cpu0 = procCpuMs(sa.pid) ?? Number.NaN;
          const t0 = performance.now();
          writeMarker(markerFile, changed);
          for (;;) {
            const last = lastTranslation(sa.stderrTail());
            if (last && last.generation > before) {
              rereadMs.push(performance.now() - t0);
              rereadCpuMs.push((procCpuMs(sa.pid) ?? Number.NaN) - cpu0);
              rereadKinds[last.kind] = (rereadKinds[last.kind] ?? 0) + 1;
              break;
            }
            if (performance.now() - t0 > 120_000) throw new Error(`serve --from-dir did not re-read within 2 minutes: ${sa.stderrTail()}`);
            await sleep(5);
          }
          await sleep(300);
        }
      } finally {
        await sa.stop();
      }
    }
    const med = (runs: readonly CommandRun[], k: keyof CommandRun): number => median(runs.map((r) => r[k]));
    return {
      routes: a.routes,
      gateways: a.gateways,
      yamlMiB,
      json,
      yaml,
      jsonMs: med(json, 'wallMs'),
      jsonCpuMs: med(json, 'cpuMs'),
      jsonPeakMiB: med(json, 'peakRssMiB'),
      yamlMs: med(yaml, 'wallMs'),
      yamlCpuMs: med(yaml, 'cpuMs'),
      yamlPeakMiB: med(yaml, 'peakRssMiB'),
      serveReadyMs,
      serveReadyP50Ms: median(serveReadyMs),
      serveReadyCpuP50Ms: median(serveReadyCpuMs),
      rereadMs,
      rereadP50Ms: median(rereadMs),
      rereadCpuP50Ms: median(rereadCpuMs),
      rereadKinds,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
