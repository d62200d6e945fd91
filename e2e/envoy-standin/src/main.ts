#!/usr/bin/env node
// switchyard-envoy-standin: test tooling that plays an Envoy of a Switchyard
// fleet where Envoy cannot run. It is NOT Envoy: it takes Envoy's command
// line and bootstrap, speaks ADS to Switchyard as Envoy does, and serves the
// Listeners it receives with every decision taken by Switchyard's Envoy model
// (explain). It never ships in the product image.
//
//   node e2e/envoy-standin/bin/envoy-standin.js -c /etc/envoy/envoy.yaml --service-node $(POD_NAME) [--log-level info]
import { parseStandinArgs, UsageError } from './args.js';
import { BootstrapError, readBootstrap } from './bootstrap.js';
import { startStandin } from './standin.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseStandinArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`envoy-standin: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let bootstrap;
  try {
    bootstrap = readBootstrap(args);
  } catch (e) {
    if (e instanceof BootstrapError) {
      process.stderr.write(`envoy-standin: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const standin = await startStandin(bootstrap, args);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve());
  });
  await standin.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`envoy-standin: ${e.message}\n`);
    process.exit(1);
  },
);
