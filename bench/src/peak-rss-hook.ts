// Preloaded (`node --import`) into a command the whole-process benchmark runs:
// at exit, writes the process's peak resident set (getrusage maxrss, KiB) to
// the file named by SWITCHYARD_BENCH_PEAK_RSS, so the bench reads the peak of
// exactly that process without an external `time` tool.
import fs from 'node:fs';

const out = process.env.SWITCHYARD_BENCH_PEAK_RSS;
if (out) process.on('exit', () => fs.writeFileSync(out, String(process.resourceUsage().maxRSS)));
