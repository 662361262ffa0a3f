// Helpers for integration tests that run INSIDE the VS Code extension host (see ../index.ts).
//
// Environment (set by scripts/run-host-tests.mjs):
//   SLATEDB_TEST_DB_ROOT        real SlateDB databases built by test/fixtures/buildHostFixtures.ts
//                               (`rich`, `tiny`); READ-ONLY: copy a database before writing to it
//   SLATEDB_TEST_USER_DATA_DIR  the host's --user-data-dir (User/settings.json, logs/)
// Without SLATEDB_TEST_DB_ROOT (e.g. under @vscode/test-electron) the fixtures are built on first use
// into test-results/fixtures/suite-<pid>/ with `node --import tsx` (needs `node` on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { CheckpointJson } from '../../../src/engine/json';
import type { SlateDbExtensionApi } from '../../../src/extension/extension';
import type { SlateNode } from '../../../src/extension/tree/nodes';

export const EXTENSION_ID = 'slatedb-checkpoint-explorer.slatedb-checkpoint-explorer';

export async function extensionApi(): Promise<SlateDbExtensionApi> {
  const ext = vscode.extensions.getExtension<SlateDbExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return ext.isActive ? ext.exports : await ext.activate();
}

export function extensionRoot(): string {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this host`);
  return ext.extensionPath;
}

let builtRoot: string | undefined;

/** The folder with the fixture databases (`rich`, `tiny`, `fixtures.json`). */
export function fixtureRoot(): string {
  const given = process.env.SLATEDB_TEST_DB_ROOT;
  if (given && fs.existsSync(path.join(given, 'fixtures.json'))) return given;
  if (builtRoot) return builtRoot;
  const dir = path.join(extensionRoot(), 'test-results', 'fixtures', `suite-${process.pid}`);
  const r = spawnSync('node', ['--import', 'tsx', path.join('test', 'fixtures', 'buildHostFixtures.ts'), dir], {
    cwd: extensionRoot(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`building fixtures failed: ${r.stderr || r.stdout || r.error?.message}`);
  builtRoot = dir;
  return dir;
}

const scratchDirs: string[] = [];

/** A fresh folder holding copies of the named fixture databases (writable). */
export function copyFixtures(...dbs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-it-'));
  scratchDirs.push(dir);
  for (const db of dbs) fs.cpSync(path.join(fixtureRoot(), db), path.join(dir, db), { recursive: true });
  return dir;
}

export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

// ─────────────────────────────────────── independent view of the disk: the CLI ──

/** Runs `node dist/cli.js --store file://<folder> --path <db> <args>` in its own process and parses its JSON. */
export function cli<T = unknown>(folder: string, db: string, ...args: string[]): T {
  const out = execFileSync(process.execPath, [path.join(extensionRoot(), 'dist', 'cli.js'), '--store', `file://${folder}`, '--path', db, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    timeout: 30_000,
  });
  return JSON.parse(out) as T;
}

export const cliCheckpoints = (folder: string, db: string) => cli<CheckpointJson[]>(folder, db, 'list-checkpoints');

/** Manifest ids on disk, read straight from the directory listing. */
export function manifestIdsOnDisk(folder: string, db: string): number[] {
  return fs
    .readdirSync(path.join(folder, db, 'manifest'))
    .filter((f) => /^\d{20}\.manifest$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
}

export const latestIdOnDisk = (folder: string, db: string) => manifestIdsOnDisk(folder, db).at(-1) ?? 0;

/** Every file under a folder with its size and bytes hash: to prove nothing was written. */
export function snapshotFiles(folder: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(folder, full), fs.readFileSync(full).toString('base64'));
    }
  };
  walk(folder);
  return out;
}

// ──────────────────────────────────────────────────────────── the tree ──

export type Kind = SlateNode['kind'];

export function kindOf(node: SlateNode): Kind {
  return node.kind;
}

/** The connection node of `connectionId` (the tree's root children). */
export async function connectionNode(api: SlateDbExtensionApi, connectionId: string): Promise<SlateNode> {
  const roots = await api.tree.getChildren();
  const node = roots.find((n) => n.kind === 'connection' && n.connection.id === connectionId);
  if (!node) throw new Error(`connection ${connectionId} is not in the tree (${roots.map((n) => n.label).join(', ')})`);
  return node;
}

export async function databaseNodes(api: SlateDbExtensionApi, connectionId: string): Promise<SlateNode[]> {
  return api.tree.getChildren(await connectionNode(api, connectionId));
}

export async function databaseNode(api: SlateDbExtensionApi, connectionId: string, dbPath: string): Promise<Extract<SlateNode, { kind: 'database' }>> {
  const dbs = await databaseNodes(api, connectionId);
  const node = dbs.find((n) => n.kind === 'database' && n.target.dbPath === dbPath);
  if (!node || node.kind !== 'database') throw new Error(`database ${dbPath} is not in the tree (${dbs.map((n) => n.label).join(', ')})`);
  return node;
}

export async function checkpointNodes(api: SlateDbExtensionApi, connectionId: string, dbPath: string): Promise<SlateNode[]> {
  const db = api.tree.findDatabaseNode({ connectionId, dbPath }) ?? (await databaseNode(api, connectionId, dbPath));
  return api.tree.getChildren(db);
}

export function themeIcon(node: vscode.TreeItem): { id: string; color?: string } {
  const icon = node.iconPath as vscode.ThemeIcon | undefined;
  if (!icon || !(icon instanceof vscode.ThemeIcon)) throw new Error(`${String(node.label)} has no ThemeIcon`);
  return { id: icon.id, color: icon.color?.id };
}

// ─────────────────────────────────────────────────────── connections ──

export async function addLocal(folder: string): Promise<string> {
  const id = await vscode.commands.executeCommand<string | undefined>('slatedb.addLocalConnection', folder);
  if (!id) throw new Error(`slatedb.addLocalConnection ${folder} returned nothing`);
  return id;
}

/** Removes every connection (settings and secrets). */
export async function removeAllConnections(api: SlateDbExtensionApi): Promise<void> {
  for (const c of api.connections.list()) await api.connections.remove(c.id);
  await vscode.workspace.getConfiguration('slatedb').update('connections', undefined, vscode.ConfigurationTarget.Global);
}

// ─────────────────────────────────────────────────────────────── misc ──

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Every file under `dir` (recursively) whose name matches. */
export function findFiles(dir: string, name: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && name.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/**
 * Prints a measurement through mocha's reporter output (index.ts keeps those lines in the results
 * file, so the runner prints them) and appends it to test-results/host-measurements.json.
 */
export function measure(what: string, value: number, unit = 'ms'): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  base.consoleLog(`      MEASURE ${what}: ${value.toFixed(1)} ${unit}`);
  const results = process.env.SLATEDB_TEST_RESULTS ?? path.join(extensionRoot(), 'test-results', 'integration-results.json');
  const file = path.join(path.dirname(results), 'host-measurements.json');
  let all: Record<string, { value: number; unit: string; at: string }> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    // first measurement of the run
  }
  all[what] = { value: Math.round(value * 10) / 10, unit, at: new Date().toISOString() };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
}
