/**
 * Every file under a directory with its size and mtime, one line each, sorted: "nothing was
 * written" means this text does not change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function dirSnapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${fs.statSync(p).size} ${fs.statSync(p).mtimeMs}`);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort().join('\n');
}
