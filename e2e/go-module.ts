// The one way tests reach the Go module for test tooling (this directory):
// where it is, where its binaries are built (e2e/bin, by
// e2e/scripts/build-tools.sh), and the directory of a Go module its go.mod
// pins (Gateway API CRDs, conformance manifests), fetched through the Go
// module proxy on first use. Test code only; no product package imports it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The e2e/ directory (e2e/go.mod). */
export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const REPO_ROOT = path.dirname(E2E_DIR);
/** Where build-tools.sh puts kube-apiserver, etcd and xdscheck. */
export const E2E_BIN = path.join(E2E_DIR, 'bin');

const moduleDirs = new Map<string, string>();

/** A Go module's directory at the version e2e/go.mod pins, downloaded on first use. */
export function goModuleDir(module: string): string {
  let dir = moduleDirs.get(module);
  if (dir) return dir;
  // Both commands read e2e/go.mod and go.sum as they are; neither rewrites them.
  execFileSync('go', ['mod', 'download', module], { cwd: E2E_DIR, stdio: ['ignore', 'ignore', 'pipe'] });
  dir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', module], { cwd: E2E_DIR, encoding: 'utf8' }).trim();
  if (!dir || !fs.existsSync(dir)) throw new Error(`Go module ${module} not found (go list gave ${JSON.stringify(dir)})`);
  moduleDirs.set(module, dir);
  return dir;
}
