/**
 * Runs the built CLI (`node dist/cli.js`) in a clean environment (no AWS_*, CLOUD_PROVIDER,
 * LOCAL_PATH or SLATEDB_* variables) and checks that stdout is exactly one JSON document.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

export interface CliRun {
  status: number | null;
  stderr: string;
  json: any;
}

export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CLOUD_PROVIDER|LOCAL_PATH|SLATEDB_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function parseOne(stdout: string, args: string[], stderr: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (e) {
    return assert.fail(`stdout of "${args.join(' ')}" is not exactly one JSON document (${(e as Error).message}):\n${stdout}\nstderr:\n${stderr}`);
  }
}

export function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(extraEnv), cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stderr: r.stderr, json: parseOne(r.stdout, args, r.stderr) };
}

export function cliAsync(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(extraEnv), cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr, json: parseOne(stdout, args, stderr) }));
  });
}
