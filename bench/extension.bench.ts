/**
 * Extension figures: bundle sizes of a production build, and — measured
 * inside the real VS Code extension host (code-server) by the integration
 * suite's measurement tests — activation time and the time for the tree to
 * produce 1,000 checkpoint items.
 */

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export interface ExtensionFigures {
  bundleBytes: { extension: number; s3: number; cli: number; webview: number };
  host: Record<string, { value: number; unit: string }> | { skipped: string };
}

function productionSizes(): ExtensionFigures['bundleBytes'] {
  const r = spawnSync('node', ['esbuild.js', '--production'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('production build failed');
  const size = (f: string) => (fs.existsSync(path.join(ROOT, 'dist', f)) ? fs.statSync(path.join(ROOT, 'dist', f)).size : 0);
  const sizes = { extension: size('extension.js'), s3: size('s3.js'), cli: size('cli.js'), webview: size('webview.js') };
  spawnSync('node', ['esbuild.js'], { cwd: ROOT, stdio: 'inherit' }); // back to the development build
  return sizes;
}

function hostFigures(): ExtensionFigures['host'] {
  const out = path.join(ROOT, 'test-results', 'host-measurements.json');
  fs.rmSync(out, { force: true });
  const r = spawnSync('node', ['scripts/run-host-tests.mjs', '--grep=activates quickly|1,000 checkpoints'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(out)) return { skipped: `host run failed (exit ${r.status})` };
  const raw = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, { value: number; unit: string }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, { value: v.value, unit: v.unit }]));
}

export async function runExtensionBench(): Promise<ExtensionFigures> {
  const bundleBytes = productionSizes();
  console.log('Production bundles (minified)');
  console.table(Object.fromEntries(Object.entries(bundleBytes).map(([k, v]) => [k, { KiB: Math.round(v / 102.4) / 10 }])));
  const host = hostFigures();
  console.log('Measured in the VS Code extension host (code-server 4.100.3)');
  if ('skipped' in host) console.log(`  ${host.skipped}`);
  else console.table(Object.fromEntries(Object.entries(host).map(([k, v]) => [k, { value: v.value, unit: v.unit }])));
  return { bundleBytes, host };
}
