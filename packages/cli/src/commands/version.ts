// `switchyard version`.
import { createRequire } from 'node:module';
import { GATEWAY_API_VERSION } from '@switchyard/api';
import { EXIT_OK, UsageError, writeLine, type Io } from '../io.js';

export function cliVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export function versionCommand(args: string[], io: Io): number {
  if (args.includes('-h') || args.includes('--help')) {
    writeLine(io.stdout, 'Usage: switchyard version\n\nPrints the Switchyard version, the Gateway API release it implements and the Node.js version.');
    return EXIT_OK;
  }
  if (args.length > 0) throw new UsageError(`version: unexpected argument "${args[0]}"`);
  writeLine(io.stdout, `switchyard ${cliVersion()} (Gateway API ${GATEWAY_API_VERSION}, Envoy API v3, Node.js ${process.version})`);
  return EXIT_OK;
}
