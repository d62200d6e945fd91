// Preloaded (`node --import`) into a command the whole-process benchmark runs:
// at exit, writes the process's peak resident set (getrusage maxrss, KiB) and
// CPU time (user + system, µs) as JSON to the file named by
// SWITCHYARD_BENCH_PEAK_RSS, so the bench reads them for exactly that process
// without an external `time` tool.
import fs from 'node:fs';

const out = process.env.SWITCHYARD_BENCH_PEAK_RSS;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, cpuMicros: u.userCPUTime + u.systemCPUTime }));
  });
}
