// Command-line parsing on node:util parseArgs, with its errors turned into
// UsageErrors (exit code 2) that name the offending option.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Config<O extends Options> = { args: string[]; options: O; allowPositionals: true; strict: true };
export type ParsedCommandLine<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

export function parseCommandLine<O extends Options>(args: string[], options: O): ParsedCommandLine<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(e.message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '.'));
    throw err;
  }
}

/** "host:port" (or "[v6]:port") with a port in 0..65535. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag}: expected HOST:PORT (for example 127.0.0.1:18000), got "${value}"`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

export function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) throw new UsageError(`${flag}: expected a port number (0-65535), got "${value}"`);
  return port;
}

/** -o yaml|json; `alsoAccepted` names a format the caller handles itself (listed in the message). */
export function parseOutputFormat(value: string | undefined, fallback: 'yaml' | 'json', alsoAccepted?: string): 'yaml' | 'json' {
  if (value === undefined) return fallback;
  if (value === 'yaml' || value === 'json') return value;
  throw new UsageError(`-o/--output: expected ${alsoAccepted ? `${alsoAccepted}, ` : ''}yaml or json, got "${value}"`);
}
