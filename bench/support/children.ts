/**
 * Benchmarked work in child processes, so that each peak RSS is that work's alone: a TypeScript
 * child script that prints one JSON document, or our CLI (dist/cli.js) with a preload that records
 * its peak RSS on exit (rssPreload.mjs). Both report wall time measured from the parent.
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.join(__dirname, '..', '..');
const PRELOAD = pathToFileURL(path.join(__dirname, 'rssPreload.mjs')).href;
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface ChildRun {
  code: number | null;
  ms: number;
  /** Peak RSS of the child in MiB. */
  maxRssMb: number;
  stdoutBytes: number;
  /** Newlines on stdout (text scan output: one per entry). */
  stdoutLines: number;
  /** stdout when it was kept (keepStdout), else ''. */
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  keepStdout?: boolean;
  timeoutMs?: number;
}

function run(argv: string[], o: ChildOptions): Promise<ChildRun> {
  const rssFile = path.join(os.tmpdir(), `bench-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...argv], {
      cwd: ROOT,
      env: { ...process.env, ...o.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutBytes = 0;
    let stdoutLines = 0;
    const kept: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdoutBytes += b.length;
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) stdoutLines++;
      if (o.keepStdout) kept.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += b.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      let maxRssMb = NaN;
      try {
        maxRssMb = (JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRssKb: number }).maxRssKb / 1024;
        fs.rmSync(rssFile, { force: true });
      } catch {
        // no figure: the child died before its exit handler
      }
      resolve({ code, ms, maxRssMb, stdoutBytes, stdoutLines, stdout: Buffer.concat(kept).toString('utf8'), stderr });
    });
  });
}

/** `node --import tsx <script> <args>`; the script prints one JSON document on stdout. */
export async function runScript<T>(script: string, args: string[], o: ChildOptions = {}): Promise<{ result: T; run: ChildRun }> {
  const r = await run(['--import', 'tsx', script, ...args], { ...o, keepStdout: true });
  if (r.code !== 0) throw new Error(`${path.basename(script)} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().slice(-2000)}`);
  return { result: JSON.parse(r.stdout) as T, run: r };
}

/** Our CLI, `node dist/cli.js <args>` (build it first: `node esbuild.js`). */
export function runCli(args: string[], o: ChildOptions = {}): Promise<ChildRun> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "node esbuild.js" first`);
  return run([CLI, ...args], o);
}

/** True when the built CLI knows `command` (its help lists it). */
export async function cliHasCommand(command: string): Promise<boolean> {
  if (!fs.existsSync(CLI)) return false;
  const r = await run([CLI, '--help'], {});
  return new RegExp(`^\\s*${command}\\b`, 'm').test(r.stderr);
}
