// Runs CLI commands in-process with captured output, for the tests.
import { PassThrough, Readable } from 'node:stream';
import type { Io } from '../src/io.js';
import { main } from '../src/main.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function captureStream(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs one command function in-process with captured output; `stdin` feeds `-f -`. */
export async function runCommand(command: (io: Io) => Promise<number>, stdin = ''): Promise<CliRun> {
  const out = captureStream();
  const err = captureStream();
  const code = await command({ stdout: out.stream, stderr: err.stream, stdin: Readable.from([Buffer.from(stdin)]) });
  // PassThrough delivers written data asynchronously.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Runs `switchyard ...argv` in-process; `stdin` feeds `-f -`. */
export function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  return runCommand((io) => main(argv, io), stdin);
}
