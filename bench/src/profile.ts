// A profiling driver for owners of hot code: translates a generated
// configuration and hands it to the xDS cache, a few times, under
// `node --cpu-prof`, then prints the functions with the most self time.
//
//   node --cpu-prof --cpu-prof-dir=bench/results/profiles bench/dist/profile.js [--routes N] [--runs N] [--change route|endpoint]
//   node bench/dist/profile.js --summarize bench/results/profiles/<file>.cpuprofile
//
// Each run after the first changes one object (the marker route or the churn
// slice), as the latency benchmarks do, so the profile shows the cost of a
// single change with everything warm.
import fs from 'node:fs';
import { generateConfig, withEndpointMarker, withRouteMarker } from './generate.js';
import { Pipeline } from './pipeline.js';
import { loadXds } from './xds-contract.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (ms), highest first. */
export function summarize(file: string, top = 25): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (!n) return;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^file:\/\/.*?\/(packages|protos|node_modules|bench)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `total ${total.toFixed(0)} ms sampled`,
    ...rows.map(([k, ms]) => `${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
  };
  if (argv[0] === '--summarize') {
    process.stdout.write(`${summarize(argv[1] ?? '', Number(opt('top', '25')))}\n`);
    return;
  }
  const routes = Number(opt('routes', '10000'));
  const runs = Number(opt('runs', '5'));
  const change = opt('change', 'route');
  const xds = await loadXds();
  const config = generateConfig({ gateways: 1, routes, seed: 1 });
  const pipeline = new Pipeline(config.objects, xds.createCache());
  let route = pipeline.get('gateway.networking.k8s.io/v1', 'HTTPRoute', config.markerRoute.namespace, config.markerRoute.name)!;
  let slice = pipeline.get('discovery.k8s.io/v1', 'EndpointSlice', config.churnSlice.namespace, config.churnSlice.name)!;
  for (let i = 0; i < runs; i++) {
    if (i > 0) {
      if (change === 'endpoint') pipeline.apply((slice = withEndpointMarker(slice, i)));
      else pipeline.apply((route = withRouteMarker(route, i)));
    }
    const t = pipeline.run();
    process.stdout.write(`run ${i}: translate ${t.translateMs.toFixed(1)} ms, setFleet ${t.setFleetMs.toFixed(1)} ms\n`);
  }
}

void main();
