// The one logger of a serving process: JSON lines (pino) on stderr, so stdout
// stays free for command output.
import { pino, type Level, type Logger } from 'pino';
import { UsageError } from './io.js';

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export function parseLogLevel(value: string | undefined): Level {
  const level = (value ?? 'info') as Level;
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

export function createLogger(level: Level, stream: NodeJS.WritableStream): Logger {
  return pino({ level, base: { component: 'switchyard' } }, stream as unknown as pino.DestinationStream);
}
