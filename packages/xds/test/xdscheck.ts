// Runs e2e/bin/xdscheck (the Go stand-in for "Envoy accepts this"), building
// it first when missing. For tests of any package: pass `-file out.json` to
// check translator output, or `-addr ...` to check a running server.
import { execFile } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { E2E_BIN, E2E_DIR, REPO_ROOT } from '../../../e2e/go-module.js';

export const XDSCHECK_PATH = path.join(E2E_BIN, 'xdscheck');

export interface XdscheckResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<XdscheckResult> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? err.message : '') });
    });
  });
}

let building: Promise<void> | undefined;

/** Builds e2e/bin/xdscheck if it is not there yet (once per process). */
export function ensureXdscheck(): Promise<void> {
  if (existsSync(XDSCHECK_PATH)) return Promise.resolve();
  // Built under a temporary name and renamed into place, so test files
  // running in parallel processes never see a half-written binary.
  const tmp = `${XDSCHECK_PATH}.${process.pid}.tmp`;
  building ??= run('go', ['build', '-o', tmp, './xdscheck'], E2E_DIR, { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' }).then((r) => {
    if (r.code !== 0) throw new Error(`building xdscheck failed (exit ${r.code}):\n${r.stderr}`);
    renameSync(tmp, XDSCHECK_PATH);
  });
  return building;
}

export async function runXdscheck(args: string[]): Promise<XdscheckResult> {
  await ensureXdscheck();
  return run(XDSCHECK_PATH, args, REPO_ROOT);
}
