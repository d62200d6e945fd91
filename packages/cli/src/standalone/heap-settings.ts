// V8 heap settings for `serve --from-dir`, applied before anything else
// loads. V8 doubles the young generation (two semi-spaces, 1 MiB each at
// start) up to 16 MiB each whenever much of it survives a scavenge, which
// reading protos, parsing manifests and translating all do; it never gives
// that memory back, so a served process kept ~30 MiB of empty young
// generation for good. Holding the semi-spaces at their initial size costs
// more, shorter scavenges during translation (measured in BENCHMARKS.md,
// table 4: start-up CPU time) and keeps that memory free. Node reads
// --max-semi-space-size only at start, so this sets the growth factor,
// which V8 reads each time it would grow.
import v8 from 'node:v8';

/** Whether a `serve` command line runs standalone mode. */
export function isStandaloneCommandLine(args: readonly string[]): boolean {
  return args.some((a) => a === '--from-dir' || a.startsWith('--from-dir='));
}

/** Keeps V8's young generation at its initial size for the life of the process. */
export function holdYoungGeneration(): void {
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
