/**
 * This process's peak resident set size in MiB: VmHWM from /proc/self/status. Not
 * process.resourceUsage().maxRSS: on Linux that survives fork + exec, so a child spawned by a
 * big parent reports at least the parent's RSS at the spawn (measured here: a 40 MB child of a
 * 300 MB parent reports 304 MB). Falls back to maxRSS where /proc is missing.
 */

import * as fs from 'node:fs';

export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: below
  }
  return process.resourceUsage().maxRSS / 1024;
}
