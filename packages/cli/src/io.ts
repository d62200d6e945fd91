// What a command may touch of the outside world, so tests run commands
// in-process with captured output, and the exit codes every command shares.

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** What `-f -` reads; defaults to process.stdin. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Resolves when the user asks a long-running command (serve) to stop; defaults to SIGINT/SIGTERM. */
  readonly stopSignal?: Promise<void>;
}

export const EXIT_OK = 0;
/** The input was wrong: a file, an object, a field. */
export const EXIT_USER_ERROR = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;

/** A wrong command line; printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A user error (exit code 1) whose message is the one line to print. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(line.endsWith('\n') ? line : `${line}\n`);
}
