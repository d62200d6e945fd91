// Runs CLI commands in-process with captured output, for the tests.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../main.js';

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

/** Runs `switchyard ...argv` in-process; `stdin` feeds `-f -`. */
export async function runCli(argv: string[], stdin = ''): Promise<CliRun> {
  const out = captureStream();
  const err = captureStream();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, stdin: Readable.from([Buffer.from(stdin)]) });
  // PassThrough delivers written data asynchronously.
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}
