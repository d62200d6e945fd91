// Benchmark 8 (only with `--egctl PATH`): Switchyard against Envoy Gateway,
// the anchor of issue 16, on the same generated input. Times
// `switchyard translate -f world.yaml -o json` and `egctl x translate
// --from gateway-api --to xds -t all -f world.yaml` (stdout to /dev/null),
// each a whole process from spawn to exit. Envoy Gateway's copy of the input
// differs only in the GatewayClass's controllerName (the generated Services
// already carry a clusterIP, which egctl needs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONTROLLER_NAME, generateConfig } from './generate.js';
import { median } from './stats.js';
import { benchTmpDir } from './standalone.js';
import { runCli } from './whole-process.js';
import { toYaml } from './yaml.js';

/** The controllerName Envoy Gateway's GatewayClasses carry by default. */
export const ENVOY_GATEWAY_CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

export interface AnchorArgs {
  readonly routes: number;
  readonly gateways: number;
  readonly repeats: number;
  /** Path of the egctl binary. */
  readonly egctl: string;
}

export interface AnchorRow {
  readonly routes: number;
  readonly gateways: number;
  readonly yamlMiB: number;
  readonly switchyardMs: number;
  readonly switchyardCpuMs: number;
  readonly egctlMs: number;
  readonly egctlCpuMs: number;
  /** Bytes egctl printed (its xDS as YAML): shows it translated everything. */
  readonly egctlOutputMiB: number;
  readonly egctlVersion: string;
}

/** Runs a command with stdout to a file; wall time and the CPU time of its children (POSIX `times`, so no time tool is needed). */
async function timed(command: string, args: readonly string[], stdoutFile: string): Promise<{ wallMs: number; cpuMs: number }> {
  const t0 = performance.now();
  // `times` prints the shell's, then its children's, user and system time ("0m1.230000s 0m0.100000s").
  const proc = spawn('/bin/sh', ['-c', '"$0" "$@" > "$OUT" && times >&2', command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OUT: stdoutFile },
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-1000)}`);
  const lines = stderr.trim().split('\n');
  const seconds = (lines.at(-1) ?? '').match(/(\d+)m([\d.]+)s/g)?.map((t) => {
    const m = /(\d+)m([\d.]+)s/.exec(t)!;
    return Number(m[1]) * 60 + Number(m[2]);
  });
  if (!seconds || seconds.length !== 2) throw new Error(`could not read the CPU time of ${command} from: ${lines.at(-1) ?? ''}`);
  return { wallMs, cpuMs: (seconds[0]! + seconds[1]!) * 1000 };
}

export async function runAnchor(a: AnchorArgs): Promise<AnchorRow> {
  const config = generateConfig({ gateways: a.gateways, routes: a.routes, seed: 1 });
  const tmp = benchTmpDir(`anchor-${a.routes}`);
  try {
    const world = path.join(tmp, 'world.yaml');
    fs.writeFileSync(world, toYaml(config.objects));
    const egWorld = path.join(tmp, 'world-envoy-gateway.yaml');
    fs.writeFileSync(
      egWorld,
      toYaml(
        config.objects.map((o) =>
          o.kind === 'GatewayClass' && (o.spec as { controllerName?: string }).controllerName === CONTROLLER_NAME
            ? { ...o, spec: { ...(o.spec as object), controllerName: ENVOY_GATEWAY_CONTROLLER_NAME } }
            : o,
        ),
      ),
    );
    const out = path.join(tmp, 'egctl-out.yaml');
    const version = await new Promise<string>((resolve) => {
      const p = spawn(a.egctl, ['version', '--remote=false'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.once('exit', () => resolve(/GitTag:\s*(\S+)/.exec(text)?.[1] ?? (text.trim().split('\n')[0] || 'no version embedded')));
      p.once('error', () => resolve('unknown'));
    });
    const sw: Array<{ wallMs: number; cpuMs: number }> = [];
    const eg: Array<{ wallMs: number; cpuMs: number }> = [];
    let egctlOutputMiB = 0;
    for (let i = 0; i < a.repeats; i++) {
      sw.push(await runCli(['translate', '-f', world, '-o', 'json'], tmp));
      eg.push(await timed(a.egctl, ['x', 'translate', '--from', 'gateway-api', '--to', 'xds', '-t', 'all', '-f', egWorld], out));
      egctlOutputMiB = fs.statSync(out).size / 2 ** 20;
    }
    return {
      routes: a.routes,
      gateways: a.gateways,
      yamlMiB: fs.statSync(world).size / 2 ** 20,
      switchyardMs: median(sw.map((r) => r.wallMs)),
      switchyardCpuMs: median(sw.map((r) => r.cpuMs)),
      egctlMs: median(eg.map((r) => r.wallMs)),
      egctlCpuMs: median(eg.map((r) => r.cpuMs)),
      egctlOutputMiB,
      egctlVersion: version,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
