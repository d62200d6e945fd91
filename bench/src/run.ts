// `npm run bench [-- --quick] [-- --only 1,3] [-- --egctl PATH]`: runs the benchmarks of issues 9 and 16,
// each in its own process, prints a table per benchmark with PASS/FAIL per
// target, and writes everything as JSON (and the tables as Markdown) into
// bench/results/.
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildJobs, ChildMessage } from './child.js';
import { errorText, type TargetResult } from './result.js';
import { max, min } from './summary.js';
import { median } from './stats.js';
import { fmt, renderMarkdown, type Table } from './table.js';
import { DEFAULT_H2_WINDOW, ENVOY_H2_WINDOW } from './grpc-h2.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const RESULTS = path.join(ROOT, 'bench/results');

interface Options {
  readonly quick: boolean;
  readonly only: ReadonlySet<number> | undefined;
  /** Envoy Gateway's egctl: benchmark 8 runs only when given. */
  readonly egctl: string | undefined;
}

function parseOptions(argv: string[]): Options {
  let quick = false;
  let only: Set<number> | undefined;
  let egctl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      only = new Set((v ?? '').split(',').map((s) => Number(s.trim())));
      if ([...only].some((n) => !Number.isInteger(n) || n < 1 || n > 9)) throw new Error(`--only: expected benchmark numbers 1-9, got "${v}"`);
    } else if (a === '--egctl' || a.startsWith('--egctl=')) {
      egctl = path.resolve(a.includes('=') ? a.slice(a.indexOf('=') + 1) : (argv[++i] ?? ''));
      if (!fs.existsSync(egctl)) throw new Error(`--egctl: ${egctl} does not exist`);
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('Usage: npm run bench [-- --quick] [-- --only 1,2,3,4,5,6,7,8,9] [-- --egctl PATH]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --quick, --only 1,2, --egctl PATH)`);
  }
  return { quick, only, egctl };
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Runs one measurement in a fresh `node --expose-gc` process. */
function runChild<K extends keyof ChildJobs>(name: K, args: ChildJobs[K][0], timeoutMs = 900_000): Promise<ChildJobs[K][1]> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(HERE, 'child.js'), [name, JSON.stringify(args)], {
      execArgv: ['--expose-gc', '--max-old-space-size=6144'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', (m: ChildMessage) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (m.ok) resolve(m.result as ChildJobs[K][1]);
      else reject(new Error(m.error));
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) without a result`));
    });
  });
}

function machine(): Record<string, string | number> {
  const git = (args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    load1m: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

const passText = (p: boolean | undefined): string => (p === undefined ? 'NOT MEASURED' : p ? 'PASS' : 'FAIL');
const ms = (v: number): string => `${fmt(v, 1)} ms`;
const mib = (v: number): string => `${fmt(v, 1)} MiB`;

interface Section {
  readonly id: number;
  readonly title: string;
  readonly tables: Table[];
  readonly targets: TargetResult[];
  readonly data: unknown;
  readonly errors: string[];
}

async function translationSection(o: Options): Promise<Section> {
  const sizes = o.quick ? [1000, 5000] : [1000, 10000, 50000];
  const rows: Array<ChildJobs['translation'][1]> = [];
  const errors: string[] = [];
  for (const routes of sizes) {
    log(`1 translation: ${routes} HTTPRoutes`);
    try {
      rows.push(await runChild('translation', { routes, gateways: 10, repeats: routes >= 50000 ? 1 : routes >= 10000 ? 3 : 5 }));
    } catch (err) {
      errors.push(`translation ${routes}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: '1. Full translation (10 Gateways; median of repeats after JIT warm-up)',
    columns: [
      'HTTPRoutes',
      'accepted',
      'objects',
      'Envoy routes',
      'clusters',
      'encoded MiB',
      'snapshotOf ms',
      'translate wall ms',
      'translate CPU ms',
      'encode-only wall ms',
      'encode-only CPU ms',
      'ratio (CPU)',
      'input heap MiB',
      'output heap MiB',
      'heap growth MiB',
      'peak RSS MiB',
    ],
    rows: rows.map((r) => [
      r.routes,
      r.routesAccepted,
      r.objects,
      r.output.envoyRoutes,
      r.output.clusters,
      r.output.encodedBytes / 2 ** 20,
      r.snapshotMs,
      r.translateMs,
      r.translateCpuMs,
      r.encodeMs,
      r.encodeCpuMs,
      r.ratio,
      r.inputHeapMiB,
      r.outputHeapMiB,
      r.translateHeapGrowthMiB,
      r.peakRssMiB,
    ]),
    notes: [
      'accepted: HTTPRoutes with Accepted=True and ResolvedRefs=True on every parent (the generator makes only valid routes).',
      'translate ms: translate(snapshot) alone; snapshotOf ms: indexing the objects (done incrementally by a running controller).',
      "encode-only ms: encodeMessage() (protos/src/encode.ts) over every resource of the translator's own output: the floor.",
      "CPU ms: user + system time of the process (V8's GC threads included) during the call; on this shared machine wall time also counts waiting for a core. ratio: translate CPU / encode-only CPU. heap growth: heap after translate() minus before, before GC (output + uncollected garbage); output heap: what stays after GC.",
      "peak RSS: the process's maximum resident set (getrusage), including the generated input objects.",
    ],
  };
  const r10k = rows.find((r) => r.routes === 10000);
  const empty = rows.find((r) => r.output.fleets === 0);
  if (empty) errors.push('the translator produced no fleets: is it still the placeholder?');
  const targets: TargetResult[] = [
    r10k
      ? {
          target: '10,000 HTTPRoutes fully translated in < 1 s',
          measured: `${ms(r10k.translateCpuMs)} CPU (wall ${ms(r10k.translateMs)} + snapshotOf ${ms(r10k.snapshotMs)})`,
          pass: r10k.output.fleets > 0 ? r10k.translateCpuMs < 1000 : undefined,
        }
      : { target: '10,000 HTTPRoutes fully translated in < 1 s', measured: 'not run', pass: undefined },
    r10k
      ? {
          target: 'translation within 3x of the encode-only floor (10,000 routes)',
          measured: `${fmt(r10k.ratio, 2)}x`,
          pass: r10k.output.fleets > 0 ? r10k.ratio <= 3 : undefined,
        }
      : { target: 'translation within 3x of the encode-only floor (10,000 routes)', measured: 'not run', pass: undefined },
  ];
  return { id: 1, title: 'Full translation', tables: [table], targets, data: rows, errors };
}

async function propagationSection(o: Options): Promise<Section> {
  const routes = o.quick ? 1000 : 10000;
  const gateways = o.quick ? 1 : 10;
  const scenarios: Array<[number, 'sotw' | 'delta']> = o.quick
    ? [
        [100, 'sotw'],
        [100, 'delta'],
      ]
    : [
        [100, 'sotw'],
        [100, 'delta'],
        [1000, 'sotw'],
        [1000, 'delta'],
      ];
  const rows: Array<ChildJobs['propagation'][1]> = [];
  const errors: string[] = [];
  for (const [streams, mode] of scenarios) {
    log(`2 propagation: ${routes} HTTPRoutes, ${streams} ${mode} streams`);
    try {
      rows.push(
        await runChild('propagation', {
          routes,
          gateways,
          streams,
          mode,
          changes: o.quick ? 20 : 50,
          budgetMs: o.quick ? 30_000 : streams >= 1000 ? 90_000 : 45_000,
          sizeSamples: 5,
        }),
      );
    } catch (err) {
      errors.push(`propagation ${streams} ${mode}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: `2. Change propagation (${routes.toLocaleString('en-US')} HTTPRoutes over ${gateways} Gateway${gateways > 1 ? 's' : ''}, ${(rows[0]?.fleetRoutes ?? routes / gateways).toLocaleString('en-US')} on the one whose fleet the streams belong to; one HTTPRoute changed per step)`,
    columns: [
      'streams',
      'mode',
      'changes',
      'p50 ms',
      'p99 ms',
      'max ms',
      'first ACK p50 ms',
      'translate p50 ms',
      'setFleet p50 ms',
      'bytes/stream/change',
      'changed resource bytes',
      'bytes ratio',
      'changed vhost bytes',
      'initial sync s',
      'server CPU ms/change',
      'stream errors',
    ],
    rows: rows.map((r) => [
      r.streams,
      r.mode,
      r.timeouts ? `${r.changes} (+${r.timeouts} timed out)` : r.changes,
      r.p50Ms,
      r.p99Ms,
      r.maxMs,
      r.firstAckP50Ms,
      r.translateP50Ms,
      r.setFleetP50Ms,
      Math.round(r.bytesPerStream),
      Math.round(r.changedResourceBytes),
      r.bytesRatio,
      Math.round(r.changedVirtualHostBytes),
      r.initialSyncMs / 1000,
      r.serverCpuMsPerChange,
      r.streamErrors,
    ]),
    notes: [
      'Latency: from the changed HTTPRoute entering the store (then translate + setFleet for every fleet) until the last stream has written its ACK of a RouteConfiguration carrying the change (clients run in 1-2 worker processes; process.hrtime is one clock for all processes).',
      'bytes/stream/change: DiscoveryResponse bytes each stream received per change; changed resource bytes: encoded size of the resources whose bytes differ before and after the change (first 5 changes).',
      'changed vhost bytes: encoded size of the virtual hosts whose bytes changed: what a change would cost if virtual hosts travelled on their own (VHDS) or RouteConfigurations were split per hostname.',
      'Runs stop after their time budget; "changes" says how many were made.',
    ],
  };
  const typeTable: Table = {
    title: '2b. What travels per change, per stream',
    columns: ['streams', 'mode', 'type', 'responses', 'resources', 'bytes'],
    rows: rows.flatMap((r) =>
      Object.entries(r.byType).map(([t, c]) => [r.streams, r.mode, t, c.responsesPerStream, c.resourcesPerStream, Math.round(c.bytesPerStream)]),
    ),
  };
  const d1000 = rows.find((r) => r.streams === 1000 && r.mode === 'delta');
  const anyDelta = d1000 ?? rows.find((r) => r.mode === 'delta');
  const targets: TargetResult[] = [
    d1000 && routes === 10000
      ? {
          target: 'single-change p99 < 100 ms to 1,000 delta streams at 10,000 routes',
          measured: `p99 ${ms(d1000.p99Ms)} (p50 ${ms(d1000.p50Ms)}, ${d1000.changes} changes)`,
          pass: d1000.timeouts === 0 && d1000.changes >= 1 ? d1000.p99Ms < 100 : false,
        }
      : {
          target: 'single-change p99 < 100 ms to 1,000 delta streams at 10,000 routes',
          measured: o.quick ? 'not run (--quick)' : 'failed to run',
          pass: undefined,
        },
    anyDelta
      ? {
          target: 'single-route change in delta mode sends <= 2x the bytes of the resources it changed',
          measured: `${fmt(anyDelta.bytesRatio, 2)}x (${Math.round(anyDelta.bytesPerStream)} B sent vs ${Math.round(anyDelta.changedResourceBytes)} B changed, ${anyDelta.streams} streams)`,
          pass: Number.isFinite(anyDelta.bytesRatio) ? anyDelta.bytesRatio <= 2 : undefined,
        }
      : { target: 'single-route change in delta mode sends <= 2x the bytes of the resources it changed', measured: 'not run', pass: undefined },
  ];
  return { id: 2, title: 'Change propagation', tables: [table, typeTable], targets, data: rows, errors };
}

async function endpointSection(o: Options): Promise<Section> {
  const base = o.quick ? { routes: 1000, gateways: 1, streams: 100, intervalMs: 5 } : { routes: 10000, gateways: 10, streams: 1000, intervalMs: 5 };
  // Delta is what Envoy fleets use (envoy/ bootstrap); state of the world is
  // run shorter and with at most 100 streams, to show what it sends.
  const runs = [
    { ...base, mode: 'delta' as const, durationMs: o.quick ? 5000 : 10000 },
    { ...base, mode: 'sotw' as const, streams: Math.min(base.streams, 100), durationMs: o.quick ? 3000 : 5000 },
  ];
  const errors: string[] = [];
  const rows: Array<ChildJobs['endpointChurn'][1]> = [];
  for (const args of runs) {
    log(
      `3 endpoint churn: ${args.routes} HTTPRoutes, ${args.streams} ${args.mode} streams, a change every ${args.intervalMs} ms for ${args.durationMs / 1000} s`,
    );
    try {
      rows.push(await runChild('endpointChurn', args));
    } catch (err) {
      errors.push(`endpoint churn ${args.mode}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: `3. Endpoint churn (one EndpointSlice changing every ${base.intervalMs} ms; ${base.routes.toLocaleString('en-US')} HTTPRoutes over ${base.gateways} Gateway${base.gateways > 1 ? 's' : ''}; all streams on the slice's fleet)`,
    columns: [
      'streams',
      'mode',
      'seconds',
      'changes',
      'passes',
      'p50 ms',
      'p99 ms',
      'max ms',
      'translate p50 ms',
      'server CPU %',
      'client CPU %',
      'bytes/stream/push',
      'types sent',
      'only that CLA',
    ],
    rows: rows.map((row) => [
      row.streams,
      row.mode,
      row.durationMs / 1000,
      row.changes,
      Object.entries(row.translationKinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
      row.p50Ms,
      row.p99Ms,
      row.maxMs,
      row.translateP50Ms,
      row.serverCpuPct,
      row.clientCpuPct,
      Math.round(row.bytesPerStreamPerPush),
      Object.entries(row.byType)
        .map(([t, c]) => `${t} ${c.responses} resp x ${fmt(c.resourcesPerResponse, 1)} res`)
        .join('; '),
      row.onlyAffectedAssignment ? 'yes' : 'NO',
    ]),
    notes: [
      "Updates due while a translation runs are applied when it ends and coalesced into the next one, as the controller's pipeline does; latency per change runs from when it was due until the last stream ACKed a ClusterLoadAssignment with that change or a later one.",
      'passes: pipeline runs, by kind: "endpoints" is the endpoints-only refresh the controller uses when only EndpointSlices changed (refreshEndpoints), "full" a whole translation. translate p50: the time of those passes.',
      'CPU % is of one core (the server process: translate, encode, serve; the client workers share the same 2 cores).',
    ],
  };
  const delta = rows.find((r) => r.mode === 'delta');
  const targets: TargetResult[] = [
    delta
      ? {
          target: 'endpoint churn (delta): only the affected ClusterLoadAssignment travels',
          measured: Object.entries(delta.byType)
            .map(([t, c]) => `${t}: ${c.responses} responses, ${fmt(c.resourcesPerResponse, 2)} resources each`)
            .join('; '),
          pass: delta.onlyAffectedAssignment,
        }
      : { target: 'endpoint churn (delta): only the affected ClusterLoadAssignment travels', measured: 'failed to run', pass: undefined },
  ];
  return { id: 3, title: 'Endpoint churn', tables: [table], targets, data: rows, errors };
}

async function memorySection(o: Options): Promise<Section> {
  const sizes = o.quick ? [1000] : [1000, 10000];
  const rows: Array<ChildJobs['standaloneMemory'][1]> = [];
  const errors: string[] = [];
  for (const routes of sizes) {
    log(`4 standalone memory: ${routes} HTTPRoutes, 100 streams`);
    try {
      rows.push(await runChild('standaloneMemory', { routes, gateways: 5, streams: 100, mode: 'delta' }));
    } catch (err) {
      errors.push(`standalone memory ${routes}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: '4. Resident memory of `switchyard serve --from-dir` (5 Gateways, 100 delta streams spread over their fleets)',
    columns: ['HTTPRoutes', 'YAML MiB', 'start s', 'start CPU s', 'streams synced s', 'idle RSS MiB', 'RSS with streams MiB', 'peak RSS MiB', 'live heap MiB'],
    rows: rows.map((r) => [
      r.routes,
      r.yamlMiB,
      r.startMs / 1000,
      r.startCpuMs / 1000,
      r.syncMs / 1000,
      r.idleRssMiB,
      r.steadyRssMiB,
      r.peakRssMiB,
      r.liveHeapMiB,
    ]),
    notes: [
      "start: spawn until /healthz answers (after reading, parsing and translating every file); start CPU: the process's CPU time (user + system) by then. RSS with streams: highest of 12 samples over 3 s once all streams are synced. Peak: VmHWM, the process's lifetime maximum.",
      "live heap: JS heap after the last full GC (node --trace-gc): what the program holds; RSS adds V8's spare heap, code, and the native side.",
    ],
  };
  const target = (routes: number, limit: number): TargetResult => {
    const r = rows.find((x) => x.routes === routes);
    const name = `RSS < ${limit} MiB at ${routes.toLocaleString('en-US')} routes (standalone, 100 streams)`;
    if (!r) return { target: name, measured: o.quick && routes > 1000 ? 'not run (--quick)' : 'failed to run', pass: undefined };
    return { target: name, measured: `${mib(r.steadyRssMiB)} (peak ${mib(r.peakRssMiB)})`, pass: r.steadyRssMiB < limit };
  };
  return { id: 4, title: 'Resident memory', tables: [table], targets: [target(1000, 128), target(10000, 512)], data: rows, errors };
}

async function churnSection(o: Options): Promise<Section> {
  const args = { baseRoutes: 1000, churnRoutes: o.quick ? 200 : 1000, cycles: o.quick ? 5 : 20 };
  const errors: string[] = [];
  let inproc: ChildJobs['churnInProcess'][1] | undefined;
  let standalone: ChildJobs['churnStandalone'][1] | undefined;
  log(`5 churn in process: ${args.cycles} cycles of ${args.churnRoutes} HTTPRoutes over ${args.baseRoutes}`);
  try {
    inproc = await runChild('churnInProcess', args);
  } catch (err) {
    errors.push(`churn in process: ${errorText(err)}`);
  }
  log(`5 churn standalone: ${args.cycles} cycles of ${args.churnRoutes} HTTPRoutes over ${args.baseRoutes}`);
  try {
    standalone = await runChild('churnStandalone', args);
  } catch (err) {
    errors.push(`churn standalone: ${errorText(err)}`);
  }
  const tables: Table[] = [];
  const targets: TargetResult[] = [];
  if (inproc) {
    const creates = inproc.steps.filter((s) => s.step === 'create');
    const deletes = inproc.steps.filter((s) => s.step === 'delete');
    const range = (v: number[]): string => (min(v) === max(v) ? fmt(min(v)) : `${fmt(min(v))}-${fmt(max(v))}`);
    tables.push({
      title: `5a. Churn in process: ${inproc.cycles} cycles creating and deleting ${inproc.churnRoutes.toLocaleString('en-US')} HTTPRoutes over ${inproc.baseRoutes.toLocaleString('en-US')} (simulated status writer)`,
      columns: ['step', 'status writes', 'expected', 'echo writes', 'translate p50 ms'],
      rows: [
        [
          'create',
          range(creates.map((s) => s.writes)),
          range(creates.map((s) => s.expectedWrites)),
          range(creates.map((s) => s.echoWrites)),
          median(creates.map((s) => s.translateMs)),
        ],
        [
          'delete',
          range(deletes.map((s) => s.writes)),
          range(deletes.map((s) => s.expectedWrites)),
          range(deletes.map((s) => s.echoWrites)),
          median(deletes.map((s) => s.translateMs)),
        ],
      ],
      notes: [
        `Heap after GC: ${mib(inproc.heapStartMiB)} before the first cycle, ${mib(inproc.heapAfterCycleMiB[0] ?? NaN)} after the first, ${mib(inproc.heapAfterCycleMiB.at(-1) ?? NaN)} after the last (max ${mib(max(inproc.heapAfterCycleMiB))}). RSS ${mib(inproc.rssStartMiB)} -> ${mib(inproc.rssAfterCycleMiB.at(-1) ?? NaN)}.`,
        "expected: the new routes plus Gateway gw-0 (its listener's attachedRoutes) on create; gw-0 alone on delete. Echo writes: what the re-translation triggered by the status writes' own watch events writes (should be 0).",
        'A status write stores the status on the object, as the API server would, so lastTransitionTime is kept only if the translator keeps it.',
      ],
    });
    const worst = inproc.steps.find((s) => s.writes !== s.expectedWrites || s.echoWrites !== 0);
    targets.push({
      target: 'status writes per churn cycle match the objects whose status changed (in process)',
      measured: worst
        ? `cycle ${worst.cycle} ${worst.step}: ${worst.writes} writes (${Object.entries(worst.byKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}), expected ${worst.expectedWrites}, echo ${worst.echoWrites}`
        : `${creates[0]?.writes ?? 0} per create, ${deletes[0]?.writes ?? 0} per delete, 0 echo`,
      pass: inproc.writesMatch,
    });
    const heapEnd = inproc.heapAfterCycleMiB.at(-1) ?? NaN;
    targets.push({
      target: 'no growth under churn: heap after GC within 10% of start (in process)',
      measured: `${mib(inproc.heapStartMiB)} -> ${mib(heapEnd)}`,
      pass: heapEnd <= inproc.heapStartMiB * 1.1,
    });
  } else
    targets.push({ target: 'status writes per churn cycle match the objects whose status changed (in process)', measured: 'failed to run', pass: undefined });
  if (standalone) {
    const s = standalone;
    const creates = s.statusChanges.filter((c) => c.step === 'create');
    const deletes = s.statusChanges.filter((c) => c.step === 'delete');
    tables.push({
      title: `5b. Churn against \`switchyard serve --from-dir\`: ${s.cycles} cycles of ${s.churnRoutes.toLocaleString('en-US')} HTTPRoutes (10 files) over ${s.baseRoutes.toLocaleString('en-US')}, ${s.streams} delta streams`,
      columns: [
        'RSS start MiB',
        'after cycle 1 MiB',
        'after last MiB',
        'max after delete MiB',
        'max after create MiB',
        'peak MiB',
        'create->ACK p50 ms',
        'delete->ACK p50 ms',
        'status changes create',
        'status changes delete',
      ],
      rows: [
        [
          s.rssStartMiB,
          s.rssAfterDeleteMiB[0],
          s.rssAfterDeleteMiB.at(-1),
          max(s.rssAfterDeleteMiB),
          max(s.rssAfterCreateMiB),
          s.peakRssMiB,
          median(s.createMs),
          median(s.deleteMs),
          `${min(creates.map((c) => c.changed))}-${max(creates.map((c) => c.changed))} (expected ${creates[0]?.expected ?? '-'})`,
          `${min(deletes.map((c) => c.changed))}-${max(deletes.map((c) => c.changed))} (expected ${deletes[0]?.expected ?? '-'})`,
        ],
      ],
      notes: [
        'Standalone mode has no API server and writes no status; "status changes" diffs its /status document between steps with lastTransitionTime ignored: what a status writer would have to write.',
        "create->ACK: from writing the first file until the streams ACKed the step's marker (includes the 100 ms watch debounce).",
        `RSS after each delete step: ${s.rssAfterDeleteMiB.map((v) => fmt(v, 0)).join(', ')} MiB.`,
        `Live JS heap after the last full GC (--trace-gc): ${fmt(s.liveHeapStartMiB, 1)} MiB before the first cycle; after each delete step ${s.liveHeapAfterDeleteMiB.map((v) => fmt(v, 0)).join(', ')} MiB.`,
      ],
    });
    const end = s.rssAfterDeleteMiB.at(-1) ?? NaN;
    targets.push({
      target: 'no growth under churn: RSS returns within 10% of start (standalone)',
      measured: `${mib(s.rssStartMiB)} -> ${mib(end)} (${fmt((100 * (end - s.rssStartMiB)) / s.rssStartMiB, 1)}%)`,
      pass: end <= s.rssStartMiB * 1.1,
    });
  } else targets.push({ target: 'no growth under churn: RSS returns within 10% of start (standalone)', measured: 'failed to run', pass: undefined });
  return { id: 5, title: 'Churn', tables, targets, data: { inProcess: inproc, standalone }, errors };
}

async function wholeProcessSection(o: Options): Promise<Section> {
  const sizes = o.quick ? [1000] : [1000, 10000];
  const rows: Array<ChildJobs['wholeProcess'][1]> = [];
  const errors: string[] = [];
  for (const routes of sizes) {
    log(`6 whole process: ${routes} HTTPRoutes (translate -o json, -o yaml, serve --from-dir start and re-read)`);
    try {
      rows.push(await runChild('wholeProcess', { routes, gateways: 10, repeats: 3, rereads: 5 }));
    } catch (err) {
      errors.push(`whole process ${routes}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: '6. Whole process: what a user runs (10 Gateways; medians of 3 runs; 5 re-reads)',
    columns: [
      'HTTPRoutes',
      'YAML MiB',
      '-o json wall s',
      '-o json CPU s',
      'json peak RSS MiB',
      '-o yaml wall s',
      '-o yaml CPU s',
      'yaml peak RSS MiB',
      'serve ready wall s',
      'serve ready CPU s',
      're-read p50 ms',
      're-read max ms',
      're-read CPU p50 ms',
      're-read passes',
    ],
    rows: rows.map((r) => [
      r.routes,
      r.yamlMiB,
      r.jsonMs / 1000,
      r.jsonCpuMs / 1000,
      r.jsonPeakMiB,
      r.yamlMs / 1000,
      r.yamlCpuMs / 1000,
      r.yamlPeakMiB,
      r.serveReadyP50Ms / 1000,
      r.serveReadyCpuP50Ms / 1000,
      r.rereadP50Ms,
      max([...r.rereadMs]),
      r.rereadCpuP50Ms,
      Object.entries(r.rereadKinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
    ]),
    notes: [
      "translate: `switchyard translate -f world.yaml -o json|yaml > /dev/null` on one multi-document file, wall time from spawn to exit (node start-up, protos, parse, translate, render, print); CPU: user + system time of that process (V8's GC threads included; on a loaded machine wall time also counts waiting for a core); peak RSS: getrusage maxrss.",
      'serve --from-dir ready: spawn until /healthz answers (the same files split per kind and namespace). re-read: from rewriting the file of one HTTPRoute until the process logs the new translation (includes the 100 ms watch debounce; the xDS cache is updated in the same pass).',
    ],
  };
  const r10k = rows.find((r) => r.routes === 10000);
  const t = (target: string, measured: (r: ChildJobs['wholeProcess'][1]) => string, pass: (r: ChildJobs['wholeProcess'][1]) => boolean): TargetResult =>
    r10k ? { target, measured: measured(r10k), pass: pass(r10k) } : { target, measured: o.quick ? 'not run (--quick)' : 'failed to run', pass: undefined };
  const targets: TargetResult[] = [
    t(
      'translate -o json at 10,000 routes: < 3 s wall and < 512 MiB peak',
      (r) => `${fmt(r.jsonMs / 1000, 2)} s wall (CPU ${fmt(r.jsonCpuMs / 1000, 2)} s), ${mib(r.jsonPeakMiB)}`,
      (r) => r.jsonMs < 3000 && r.jsonPeakMiB < 512,
    ),
    t(
      'translate -o yaml at 10,000 routes: < 5 s wall',
      (r) => `${fmt(r.yamlMs / 1000, 2)} s wall (CPU ${fmt(r.yamlCpuMs / 1000, 2)} s; peak ${mib(r.yamlPeakMiB)})`,
      (r) => r.yamlMs < 5000,
    ),
    t(
      'serve --from-dir ready at 10,000 routes: < 3 s',
      (r) => `${fmt(r.serveReadyP50Ms / 1000, 2)} s wall (CPU ${fmt(r.serveReadyCpuP50Ms / 1000, 2)} s)`,
      (r) => r.serveReadyP50Ms < 3000,
    ),
    t(
      'serve --from-dir re-read after one file changed: < 1 s',
      (r) => `p50 ${ms(r.rereadP50Ms)}, max ${ms(max([...r.rereadMs]))} wall (CPU p50 ${ms(r.rereadCpuP50Ms)})`,
      (r) => max([...r.rereadMs]) < 1000,
    ),
  ];
  return { id: 6, title: 'Whole process', tables: [table], targets, data: rows, errors };
}

async function incrementalSection(o: Options): Promise<Section> {
  const routes = o.quick ? 1000 : 10000;
  const shapes = [10, 1];
  const rows: Array<ChildJobs['incremental'][1]> = [];
  const errors: string[] = [];
  for (const gateways of shapes) {
    log(`7 incremental: one HTTPRoute changed, ${routes} HTTPRoutes over ${gateways} Gateway(s)`);
    try {
      rows.push(await runChild('incremental', { routes, gateways, changes: gateways === 1 ? 20 : o.quick ? 50 : 200 }));
    } catch (err) {
      errors.push(`incremental ${gateways} gateways: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: `7. One change, incrementally (${routes.toLocaleString('en-US')} HTTPRoutes; a random HTTPRoute's request timeout changed per step)`,
    columns: [
      'Gateways',
      'changes',
      'p50 ms',
      'p99 ms',
      'max ms',
      'CPU p50 ms',
      'CPU p99 ms',
      'translate p50 ms',
      'setFleet p50 ms',
      'fleets pushed p50',
      'passes',
      'first (full) pass ms',
    ],
    rows: rows.map((r) => [
      r.gateways,
      r.changes,
      r.p50Ms,
      r.p99Ms,
      r.maxMs,
      r.cpuP50Ms,
      r.cpuP99Ms,
      r.translateP50Ms,
      r.setFleetP50Ms,
      r.pushedP50,
      Object.entries(r.passes)
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
      r.fullTranslateMs,
    ]),
    notes: [
      'From the changed HTTPRoute entering the store until the new resources are in the xDS cache (translateIncremental + SnapshotCache.setFleet), in process, no streams connected. 5 warm-up changes not counted. CPU: user + system time of the process over the same span (V8 GC threads included), which a shared machine inflates much less than wall time.',
      '"virtual hosts" passes rebuild only the virtual hosts the changed route is in (before and after), with every route they hold, and emit only those; "routes" passes translate the Gateways the changed route attaches to whole (the fallback when a change cannot be confined to virtual hosts).',
    ],
  };
  const r = rows.find((x) => x.gateways === 10 && x.routes === 10000);
  const targets: TargetResult[] = [
    r
      ? {
          target: 'one HTTPRoute change with 10,000 routes (10 Gateways): change to cache p99 < 50 ms',
          measured: `p99 ${ms(r.p99Ms)} (p50 ${ms(r.p50Ms)})`,
          pass: r.p99Ms < 50,
        }
      : {
          target: 'one HTTPRoute change with 10,000 routes (10 Gateways): change to cache p99 < 50 ms',
          measured: o.quick ? 'not run (--quick)' : 'failed to run',
          pass: undefined,
        },
  ];
  return { id: 7, title: 'One change, incrementally', tables: [table], targets, data: rows, errors };
}

/** A window the simulated Envoys advertised, named when it is one of the two defaults. */
function windowLabel(bytes: number): string {
  if (bytes === ENVOY_H2_WINDOW) return `${fmt(bytes / 2 ** 20, 0)} MiB (Envoy default)`;
  if (bytes === DEFAULT_H2_WINDOW) return '64 KiB (Node default)';
  return `${bytes} bytes`;
}

async function fanoutSection(o: Options): Promise<Section> {
  const streams = o.quick ? 200 : 1000;
  const routes = o.quick ? 1000 : 10000;
  const windows = [ENVOY_H2_WINDOW, DEFAULT_H2_WINDOW];
  const rows: Array<ChildJobs['fanout'][1]> = [];
  const errors: string[] = [];
  for (const flowControlWindow of windows) {
    log(`8 fan-out: one change to ${streams} delta streams, ${routes} HTTPRoutes, window ${flowControlWindow}`);
    try {
      rows.push(await runChild('fanout', { routes, gateways: 10, streams, changes: o.quick ? 3 : 7, floorRounds: o.quick ? 4 : 6, flowControlWindow }));
    } catch (err) {
      errors.push(`fan-out window ${flowControlWindow}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: `8. Fan-out: one change to ${streams.toLocaleString('en-US')} delta streams (${routes.toLocaleString('en-US')} HTTPRoutes over 10 Gateways), beside a raw-socket floor`,
    columns: [
      'client window',
      'changes',
      'bytes/stream',
      'cache to last ACK p50 ms',
      'max ms',
      'first ACK p50 ms',
      'setFleet p50 ms',
      'server CPU ms/change',
      'Envoys CPU ms/change',
      'floor p50 ms',
      'floor max ms',
      'ratio (p50)',
      'stream errors',
    ],
    rows: rows.map((r) => [
      windowLabel(r.flowControlWindow),
      r.changes,
      Math.round(r.bytesPerStream),
      r.p50Ms,
      r.maxMs,
      r.firstAckP50Ms,
      r.setFleetP50Ms,
      r.serverCpuMsPerChange,
      r.clientCpuMsPerChange,
      r.floorP50Ms,
      r.floorMaxMs,
      r.ratio,
      r.streamErrors,
    ]),
    notes: [
      'One connection per stream, as separate Envoys have; the simulated Envoys run in 2 worker processes. Timed from SnapshotCache.setFleet of the translated fleet (translation is outside the window) until the last stream wrote its ACK of the RouteConfiguration carrying the change.',
      'floor: the same bytes per stream (one shared Buffer) written to the same number of plain TCP loopback sockets by a minimal sender in the same process, read by 2 worker processes that ACK with one byte once they have them all; half the rounds before the xDS changes, half after.',
      'client window: the HTTP/2 stream and connection window the simulated Envoys advertise. Envoy advertises 256 MiB; 64 KiB makes every 612 KB response wait for window updates.',
    ],
  };
  const r = rows.find((x) => x.flowControlWindow === ENVOY_H2_WINDOW);
  const targets: TargetResult[] = [
    {
      target: `fan-out: one change to ${streams} delta streams within 2x of the raw-socket floor`,
      measured: r
        ? `${fmt(r.ratio, 2)}x (p50 ${ms(r.p50Ms)} vs floor ${ms(r.floorP50Ms)}, ${fmt(Math.round(r.bytesPerStream))} B per stream)`
        : 'failed to run',
      pass: r ? r.ratio <= 2 : undefined,
    },
  ];
  return { id: 8, title: 'Fan-out', tables: [table], targets, data: rows, errors };
}

async function anchorSection(o: Options): Promise<Section> {
  const rows: Array<ChildJobs['anchor'][1]> = [];
  const errors: string[] = [];
  const egctl = o.egctl;
  if (!egctl) return { id: 9, title: 'Against Envoy Gateway', tables: [], targets: [], data: rows, errors };
  for (const routes of o.quick ? [1000] : [1000, 10000]) {
    log(`9 against Envoy Gateway: ${routes} HTTPRoutes, switchyard translate and ${egctl} x translate`);
    try {
      rows.push(await runChild('anchor', { routes, gateways: 10, repeats: routes > 1000 ? 1 : 3, egctl }, 1_800_000));
    } catch (err) {
      errors.push(`against Envoy Gateway ${routes}: ${errorText(err)}`);
    }
  }
  const table: Table = {
    title: '9. Against Envoy Gateway: the same generated input translated by both (10 Gateways)',
    columns: [
      'HTTPRoutes',
      'YAML MiB',
      'switchyard wall s',
      'switchyard CPU s',
      'egctl wall s',
      'egctl CPU s',
      'egctl / switchyard (wall)',
      'egctl / switchyard (CPU)',
      'egctl output MiB',
    ],
    rows: rows.map((r) => [
      r.routes,
      r.yamlMiB,
      r.switchyardMs / 1000,
      r.switchyardCpuMs / 1000,
      r.egctlMs / 1000,
      r.egctlCpuMs / 1000,
      r.egctlMs / r.switchyardMs,
      r.egctlCpuMs / r.switchyardCpuMs,
      r.egctlOutputMiB,
    ]),
    notes: [
      "`switchyard translate -f world.yaml -o json > /dev/null` against `egctl x translate --from gateway-api --to xds -t all -f world.yaml > file` (Envoy Gateway's copy names controllerName gateway.envoyproxy.io/gatewayclass-controller), each a whole process from spawn to exit; medians of 3 runs at 1,000 routes, 1 at 10,000. CPU: user + system time of the process (POSIX `times`).",
      `egctl: ${egctl} (${rows[0]?.egctlVersion ?? 'version unknown'}).`,
    ],
  };
  return { id: 9, title: 'Against Envoy Gateway', tables: [table], targets: [], data: rows, errors };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const info = machine();
  log(`machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}; load ${info.load1m}${o.quick ? '; --quick' : ''}`);
  const sections: Section[] = [];
  const plan: Array<[number, (o: Options) => Promise<Section>]> = [
    [1, translationSection],
    [2, propagationSection],
    [3, endpointSection],
    [4, memorySection],
    [5, churnSection],
    [6, wholeProcessSection],
    [7, incrementalSection],
    [8, fanoutSection],
    [9, anchorSection],
  ];
  for (const [id, fn] of plan) {
    if (o.only && !o.only.has(id)) continue;
    const s = await fn(o);
    // Other work on a shared machine inflates every time: say how busy it was.
    const first = s.tables[0];
    if (first)
      s.tables[0] = {
        ...first,
        notes: [
          ...(first.notes ?? []),
          `1-min load average when this benchmark finished: ${os.loadavg()[0]!.toFixed(2)} (${os.availableParallelism()} cores).`,
        ],
      };
    sections.push(s);
    for (const t of s.tables) process.stdout.write(`\n${renderMarkdown(t)}`);
    for (const e of s.errors) process.stdout.write(`\nERROR ${e.split('\n')[0]}\n`);
  }
  const targets = sections.flatMap((s) => s.targets);
  const targetTable: Table = {
    title: 'Targets',
    columns: ['target', 'measured', 'result'],
    rows: targets.map((t) => [t.target, t.measured, passText(t.pass)]),
  };
  process.stdout.write(`\n${renderMarkdown(targetTable)}`);
  const totalS = (performance.now() - started) / 1000;
  process.stdout.write(`\nTotal ${fmt(totalS, 0)} s.\n`);

  fs.mkdirSync(RESULTS, { recursive: true });
  const stamp = String(info.date).replace(/[:.]/g, '-');
  const json = {
    machine: info,
    quick: o.quick,
    totalSeconds: totalS,
    targets,
    sections: sections.map((s) => ({ id: s.id, title: s.title, errors: s.errors, tables: s.tables, data: s.data })),
  };
  const text = `${JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
  fs.writeFileSync(path.join(RESULTS, `bench-${stamp}.json`), text);
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), text);
  const md = [
    `Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, Node ${info.node}, ${info.os}; commit ${info.commit}; ${info.date}; 1-min load at start ${info.load1m}${o.quick ? '; --quick' : ''}.`,
    '',
    ...sections.flatMap((s) => [...s.tables.map(renderMarkdown), ...s.errors.map((e) => `ERROR ${e.split('\n')[0]}\n`)]),
    renderMarkdown(targetTable),
  ].join('\n');
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), md);
  log(`results: ${path.relative(process.cwd(), path.join(RESULTS, `bench-${stamp}.json`))} and latest.md`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
