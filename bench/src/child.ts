// Entry point of one benchmark process: `node --expose-gc child.js NAME ARGS_JSON`.
// Each measurement runs in a fresh process so memory numbers and JIT state
// belong to it alone; the result goes back to the runner over IPC.
import { runAnchor, type AnchorArgs } from './anchor.js';
import { runChurnInProcess, runChurnStandalone, type ChurnArgs } from './churn.js';
import { runEndpointChurn, type EndpointChurnArgs } from './endpoint-churn.js';
import { runFanout, type FanoutArgs } from './fanout.js';
import { runIncremental, type IncrementalArgs } from './incremental.js';
import { runPropagation, type PropagationArgs } from './propagation.js';
import { runStandaloneMemory, type StandaloneMemoryArgs } from './standalone.js';
import { runTranslation, type TranslationArgs } from './translation.js';
import { runWholeProcess, type WholeProcessArgs } from './whole-process.js';

export interface ChildJobs {
  translation: [TranslationArgs, Awaited<ReturnType<typeof runTranslation>>];
  propagation: [PropagationArgs, Awaited<ReturnType<typeof runPropagation>>];
  endpointChurn: [EndpointChurnArgs, Awaited<ReturnType<typeof runEndpointChurn>>];
  standaloneMemory: [StandaloneMemoryArgs, Awaited<ReturnType<typeof runStandaloneMemory>>];
  churnInProcess: [ChurnArgs, Awaited<ReturnType<typeof runChurnInProcess>>];
  churnStandalone: [ChurnArgs, Awaited<ReturnType<typeof runChurnStandalone>>];
  wholeProcess: [WholeProcessArgs, Awaited<ReturnType<typeof runWholeProcess>>];
  incremental: [IncrementalArgs, Awaited<ReturnType<typeof runIncremental>>];
  fanout: [FanoutArgs, Awaited<ReturnType<typeof runFanout>>];
  anchor: [AnchorArgs, Awaited<ReturnType<typeof runAnchor>>];
}

export type ChildMessage = { ok: true; result: unknown } | { ok: false; error: string };

const jobs: { [K in keyof ChildJobs]: (a: ChildJobs[K][0]) => ChildJobs[K][1] | Promise<ChildJobs[K][1]> } = {
  translation: runTranslation,
  propagation: runPropagation,
  endpointChurn: runEndpointChurn,
  standaloneMemory: runStandaloneMemory,
  churnInProcess: runChurnInProcess,
  churnStandalone: runChurnStandalone,
  wholeProcess: runWholeProcess,
  incremental: runIncremental,
  fanout: runFanout,
  anchor: runAnchor,
};

async function main(): Promise<void> {
  const [name, argsJson] = process.argv.slice(2);
  const job = jobs[name as keyof ChildJobs] as ((a: unknown) => unknown) | undefined;
  let msg: ChildMessage;
  if (!job) msg = { ok: false, error: `unknown benchmark "${name}"` };
  else {
    try {
      msg = { ok: true, result: await job(JSON.parse(argsJson ?? '{}')) };
    } catch (err) {
      msg = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
  }
  process.send?.(msg, () => process.exit(0));
}

void main();
