#!/usr/bin/env node
// The `switchyard` command. npm links a workspace's bin when `npm ci` runs,
// before `npm run build` has written dist/, and skips targets that do not
// exist yet; this committed file is what it links, and it loads the build.
try {
  const { runMain } = await import('../dist/main.js');
  await runMain();
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    process.stderr.write('switchyard: not built yet; run `npm run build` at the repository root first\n');
    process.exit(1);
  }
  throw err;
}
