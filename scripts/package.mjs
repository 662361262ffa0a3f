#!/usr/bin/env node
// `npm run package`: production build, then a .vsix with @vscode/vsce (ships dist/ and media/ only; see .vscodeignore).
import { spawnSync } from 'node:child_process';

const steps = [
  ['node', ['esbuild.js', '--production']],
  ['npx', ['--yes', '@vscode/vsce@3', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license']],
];
for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
