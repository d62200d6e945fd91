// Generates TypeScript types for every message reachable from the root protos
// (src/roots.ts), so that a misspelt Envoy field is a compile error. Output goes
// to src/generated (not committed; `npm run build` regenerates it).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.dirname(here);
const require = createRequire(import.meta.url);
const xdsDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const rootsSrc = fs.readFileSync(path.join(pkgDir, 'src/roots.ts'), 'utf8');
const files = [...rootsSrc.matchAll(/^\s+'([a-z0-9_/]+\.proto)',$/gm)].map((m) => m[1]);
const outDir = path.join(pkgDir, 'src/generated');
const stamp = path.join(outDir, '.inputs');
const inputs = JSON.stringify({ files, version: require('@grpc/grpc-js-xds/package.json').version });
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === inputs) process.exit(0);
fs.rmSync(outDir, { recursive: true, force: true });
const bin = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
const includes = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].flatMap((d) => ['-I', path.join(xdsDir, 'deps', d)]);
execFileSync(
  process.execPath,
  [
    bin,
    '--keepCase',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--json',
    '--grpcLib=@grpc/grpc-js',
    '--importFileExtension=.js',
    '-O',
    outDir,
    ...files,
    ...includes,
  ],
  { stdio: 'inherit' },
);
fs.writeFileSync(stamp, inputs);
