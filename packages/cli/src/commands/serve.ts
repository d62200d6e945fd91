// `switchyard serve`: the in-cluster controller, or with --from-dir the
// standalone mode that serves a directory of manifests.
import fs from 'node:fs';
import { parseCommandLine, parseHostPort, parsePort } from '../args.js';
import { EXIT_OK, EXIT_USER_ERROR, UsageError, UserError, writeLine, type Io } from '../io.js';
import { createLogger, parseLogLevel } from '../logger.js';
import { startStandalone, StandaloneSetupError, type StandaloneXds } from '../standalone/index.js';
import type { Logger } from 'pino';
import { createXdsServer, SnapshotCache } from '@switchyard/xds';
// Types only: the controller (and @kubernetes/client-node, ~40 MiB resident)
// is loaded when `serve` runs in a cluster, never in standalone mode.
import type { ControllerOptions } from '@switchyard/controller';

export const SERVE_USAGE = `Usage:
  switchyard serve [--kubeconfig FILE] [--xds-port N] [--metrics-port N]
                   [--leader-elect true|false] [--log-level LEVEL]
  switchyard serve --from-dir DIR [--xds-address HOST:PORT] [--http-address HOST:PORT]
                   [--log-level LEVEL]

Without --from-dir: the controller. It watches Gateway API objects in the
cluster (in-cluster config, or --kubeconfig / $KUBECONFIG), serves Envoy fleets
over xDS with mTLS and writes status.

With --from-dir: standalone mode, no cluster. Reads every *.yaml, *.yml and
*.json under DIR, serves each Gateway's Envoy configuration over xDS without
TLS (point Envoy's node.cluster at "namespace/gateway-name"; see
envoy/bootstrap-local.yaml), re-translates when the files change, and answers
HTTP GET /config, /status and /healthz.

Options:
      --from-dir DIR            standalone mode on this directory
      --xds-address HOST:PORT   standalone xDS address (default 127.0.0.1:18000)
      --http-address HOST:PORT  standalone HTTP address (default 127.0.0.1:18080)
      --kubeconfig FILE         kubeconfig for the controller (default: in-cluster, then $KUBECONFIG)
      --xds-port N              controller xDS (mTLS) port (default 18000)
      --metrics-port N          controller Prometheus metrics port (default 8080)
      --leader-elect true|false take the Lease before writing (default true)
      --log-level LEVEL         fatal, error, warn, info, debug or trace (default info)
  -h, --help                    show this help`;

export async function serveCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    'from-dir': { type: 'string' },
    'xds-address': { type: 'string' },
    'http-address': { type: 'string' },
    kubeconfig: { type: 'string' },
    'xds-port': { type: 'string' },
    'metrics-port': { type: 'string' },
    'leader-elect': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    writeLine(io.stdout, SERVE_USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`serve: unexpected argument "${positionals[0]}"`);
  const level = parseLogLevel(values['log-level']);

  if (values['from-dir'] !== undefined) {
    for (const f of ['kubeconfig', 'xds-port', 'metrics-port', 'leader-elect'] as const) {
      if (values[f] !== undefined) throw new UsageError(`serve: --${f} is for the in-cluster controller, not --from-dir`);
    }
    const xdsAddress = parseHostPort('--xds-address', values['xds-address'] ?? '127.0.0.1:18000');
    const httpAddress = parseHostPort('--http-address', values['http-address'] ?? '127.0.0.1:18080');
    const logger = createLogger(level, io.stderr);
    if (!isLoopback(xdsAddress.host)) {
      logger.warn({ address: values['xds-address'] }, 'standalone xDS has no TLS and trusts any client: keep it on a loopback address');
    }
    if (!isLoopback(httpAddress.host)) {
      logger.warn({ address: values['http-address'] }, '/config shows Secrets (private keys included): keep the HTTP endpoint on a loopback address');
    }
    const xds = loadXds();
    let standalone;
    try {
      standalone = await startStandalone({ dir: values['from-dir'], xdsAddress, httpAddress, logger, xds });
    } catch (err) {
      if (err instanceof StandaloneSetupError) {
        writeLine(io.stderr, `error: ${err.message}`);
        return EXIT_USER_ERROR;
      }
      throw err;
    }
    await (io.stopSignal ?? untilSignal());
    logger.info('stopping');
    await standalone.close();
    return EXIT_OK;
  }

  for (const f of ['xds-address', 'http-address'] as const) {
    if (values[f] !== undefined) throw new UsageError(`serve: --${f} is for --from-dir (standalone mode)`);
  }
  const leaderElect = values['leader-elect'] ?? 'true';
  if (leaderElect !== 'true' && leaderElect !== 'false') throw new UsageError(`--leader-elect: expected true or false, got "${leaderElect}"`);
  const controllerOptions: ControllerFlags = {
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    xdsPort: parsePort('--xds-port', values['xds-port'] ?? '18000'),
    metricsPort: parsePort('--metrics-port', values['metrics-port'] ?? '8080'),
    leaderElection: leaderElect === 'true',
    logLevel: level,
  };
  if (values.kubeconfig !== undefined && !fs.existsSync(values.kubeconfig)) {
    throw new UserError(`--kubeconfig: "${values.kubeconfig}": no such file`);
  }
  const logger = createLogger(level, io.stderr);
  return runInCluster(controllerOptions, logger, io);
}

/** What the in-cluster controller is started with. */
export interface ControllerFlags {
  kubeconfig?: string;
  xdsPort: number;
  metricsPort: number;
  leaderElection: boolean;
  logLevel: string;
}

/** The flags as the controller package's options. */
export function controllerOptions(flags: ControllerFlags, logger: Logger): ControllerOptions {
  return {
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    xds: { port: flags.xdsPort },
    http: { port: flags.metricsPort },
    leaderElection: { enabled: flags.leaderElection },
    logger,
  };
}

async function runInCluster(flags: ControllerFlags, logger: Logger, io: Io): Promise<number> {
  let running;
  try {
    const { runController } = await import('@switchyard/controller');
    running = await runController(controllerOptions(flags, logger));
  } catch (err) {
    // Typically no cluster to talk to: no in-cluster config, no kubeconfig.
    throw new UserError(`cannot start the controller: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  await (io.stopSignal ?? untilSignal());
  logger.info('stopping');
  await running.stop();
  return EXIT_OK;
}

function loadXds(): StandaloneXds<SnapshotCache> {
  return {
    createCache: () => new SnapshotCache(),
    // Loopback only, without TLS: the fleet of a stream is the node's cluster.
    createServer: (cache, logger) => createXdsServer({ cache, tls: { insecure: true }, logger }),
  };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
