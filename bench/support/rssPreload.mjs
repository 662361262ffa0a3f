// Loaded with `node --import` in front of a benchmarked process: on exit, writes the process's peak
// resident set size (KiB) to the file named by BENCH_RSS_FILE. VmHWM, not resourceUsage().maxRSS,
// which on Linux carries the spawning parent's RSS over fork + exec (see peakRss.ts).
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssKb() {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux: below
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, JSON.stringify({ maxRssKb: peakRssKb() }));
    } catch {
      // the figure is lost, the benchmarked process is not affected
    }
  });
}
