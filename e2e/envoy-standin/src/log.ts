// Envoy-style levels on stderr; --log-level picks the least severe shown.
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'critical', 'off'] as const;

export interface Log {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLog(level: string, write: (line: string) => void = (l) => process.stderr.write(l)): Log {
  const min = Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const at = (lvl: (typeof LEVELS)[number]) => (msg: string) => {
    if (LEVELS.indexOf(lvl) >= min) write(`[${new Date().toISOString()}][envoy-standin][${lvl}] ${msg}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
