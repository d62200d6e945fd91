#!/usr/bin/env node
// The `switchyard` command: dispatches to a subcommand and turns every user
// error into one line on stderr and an exit code (1 for bad input, 2 for a bad
// command line), never a stack trace.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { holdYoungGeneration, isStandaloneCommandLine } from './standalone/heap-settings.js';
import { EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError, UserError, writeLine, type Io } from './io.js';

export const USAGE = `Usage: switchyard COMMAND [OPTIONS]

Commands:
  serve               run the controller in a cluster
  serve --from-dir D  standalone: serve the Gateway API manifests in directory D to Envoy
  translate           print the Envoy resources and statuses for manifests
  explain             show what a Gateway's Envoy would do with a request
  migrate             assess and convert Ingress resources to Gateway API
  version             print the version

Run 'switchyard COMMAND --help' for a command's options.`;

type Command = (args: string[], io: Io) => Promise<number>;

// Commands load on use: `version` should not pay for the Envoy protos, and
// `translate` not for the Kubernetes client.
const COMMANDS: Readonly<Record<string, Command>> = {
  serve: async (args, io) => {
    // Before serve's modules load: their loading is the first growth to prevent.
    if (isStandaloneCommandLine(args)) holdYoungGeneration();
    return (await import('./commands/serve.js')).serveCommand(args, io);
  },
  translate: async (args, io) => (await import('./commands/translate.js')).translateCommand(args, io),
  explain: async (args, io) => (await import('./commands/explain.js')).explainCommand(args, io),
  migrate: async (args, io) => (await import('./migrate/index.js')).migrateCommand(args, io),
  version: async (args, io) => (await import('./commands/version.js')).versionCommand(args, io),
};

/** Runs one command line (without the `node switchyard` part) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '-h' || name === '--help') {
    writeLine(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') return COMMANDS.version!([], io);
  const command = COMMANDS[name];
  if (!command) {
    writeLine(io.stderr, `error: unknown command "${name}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await command(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      writeLine(io.stderr, `error: ${err.message}`);
      writeLine(io.stderr, `Run 'switchyard ${name} --help' for usage.`);
      return EXIT_USAGE;
    }
    if (err instanceof UserError) {
      writeLine(io.stderr, `error: ${err.message}`);
      return EXIT_USER_ERROR;
    }
    // A bug: still one line by default; SWITCHYARD_DEBUG=1 shows the stack.
    const e = err instanceof Error ? err : new Error(String(err));
    writeLine(io.stderr, `error: internal error (please report it): ${e.message}`);
    if (process.env.SWITCHYARD_DEBUG) writeLine(io.stderr, e.stack ?? '');
    return EXIT_USER_ERROR;
  }
}

/** The process entry: runs main on process.argv and exits with its code. */
export async function runMain(): Promise<void> {
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  // The command is done (serve returns once stopped): exit once stdout has
  // drained, whatever handles a library may have left open.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

function isEntryModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return fs.realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryModule()) void runMain();
