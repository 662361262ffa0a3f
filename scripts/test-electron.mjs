#!/usr/bin/env node
// `npm run test:electron`: the same integration suite (out/test/integration) in VS Code desktop via
// @vscode/test-electron, which downloads VS Code. For developer machines with internet access; on
// machines without it, `npm test` runs the suite in code-server instead.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync('node', ['esbuild.js'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
const { runTests } = await import('@vscode/test-electron');
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error('integration tests failed:', e instanceof Error ? e.message : e);
  process.exit(1);
}
