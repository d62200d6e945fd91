// Envoy's own command line, the part an Envoy pod of a Switchyard fleet uses
// (packages/controller/src/fleet.ts): -c, --service-node, --service-cluster,
// --log-level, --drain-time-s; a few more Envoy options are accepted and
// ignored. Options only the stand-in has start with --standin-.
import { parseArgs } from 'node:util';

export interface StandinArgs {
  readonly configPath: string;
  readonly serviceNode?: string;
  readonly serviceCluster?: string;
  readonly logLevel: string;
  readonly drainTimeSeconds: number;
  /** Binds every listener to this address instead of the one it names (tests on loopback). */
  readonly bindAddress?: string;
}

export class UsageError extends Error {}

export function parseStandinArgs(argv: readonly string[]): StandinArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'config-path': { type: 'string', short: 'c' },
        'service-node': { type: 'string' },
        'service-cluster': { type: 'string' },
        'log-level': { type: 'string', short: 'l' },
        'drain-time-s': { type: 'string' },
        // Accepted for compatibility with Envoy command lines; no effect here.
        'base-id': { type: 'string' },
        concurrency: { type: 'string' },
        'service-zone': { type: 'string' },
        'parent-shutdown-time-s': { type: 'string' },
        'standin-bind-address': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const configPath = values['config-path'];
  if (!configPath) throw new UsageError('-c/--config-path is required (the Envoy bootstrap file)');
  const drain = Number(values['drain-time-s'] ?? '600');
  if (!Number.isFinite(drain) || drain < 0) throw new UsageError(`--drain-time-s: not a number of seconds: ${values['drain-time-s']}`);
  return {
    configPath,
    ...(values['service-node'] ? { serviceNode: values['service-node'] } : {}),
    ...(values['service-cluster'] ? { serviceCluster: values['service-cluster'] } : {}),
    logLevel: values['log-level'] ?? 'info',
    drainTimeSeconds: drain,
    ...(values['standin-bind-address'] ? { bindAddress: values['standin-bind-address'] } : {}),
  };
}
