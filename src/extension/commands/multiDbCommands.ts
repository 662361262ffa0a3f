/**
 * One named checkpoint across many databases, from the tree:
 *   - Create Checkpoint in Selected Databases… (databases multi-selected, or
 *     on a connection: every database a path glob matches under it);
 *   - Refresh / Delete Named Checkpoint in Selected Databases… (same scopes).
 * Asks for the glob (connection), the name and the lifetime; confirms a
 * delete, and any glob scope, listing the databases first; reports per
 * database (log lines, a summary notification, "Show Details" quick pick);
 * after a create that failed somewhere, offers to roll back the ones created.
 * Called from code with {connectionId, dbPaths | glob, name, lifetime,
 * confirmed, rollBackOnFailure} it asks nothing and resolves with the rows.
 */

import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import { compileGlob } from '../../engine/glob';
import { validateCheckpointName } from '../../engine/checkpoints';
import { plural, shortId } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { createLogger } from '../log';
import { AcrossInput, AcrossKind, AcrossRow, databasesMatching, rollBackCreated, runAcross, validateAcross } from '../multiDb/acrossTargets';
import type { DatabaseTarget } from '../targets';
import { ConnectionNode, DatabaseNode } from '../tree/nodes';
import type { CommandDeps } from './deps';
import { pickLifetime } from './lifetimePicker';
import { runOperation, runQuietly } from './operation';

const log = createLogger('multi-db');

export interface AcrossArgs {
  connectionId: string;
  /** The databases, or… */
  dbPaths?: string[];
  /** …every database under the connection this path glob matches. */
  glob?: string;
  name: string;
  /** humantime (create, refresh); null/absent = never expires. */
  lifetime?: string | null;
  /** A delete, or a glob scope, asks first unless this is true. */
  confirmed?: boolean;
  /** create: delete the ones created again when any database failed (the UI asks instead). */
  rollBackOnFailure?: boolean;
}

export interface AcrossResultRow {
  connectionId: string;
  path: string;
  ids: string[];
  error: { code: string; message: string } | null;
  rolledBack?: boolean;
}

export interface AcrossResult {
  databases: AcrossResultRow[];
  rolledBack: boolean;
}

const VERB: Record<AcrossKind, { doing: string; done: string; title: string }> = {
  create: { doing: 'Creating', done: 'Created', title: 'Create Checkpoint in Selected Databases' },
  refresh: { doing: 'Refreshing', done: 'Refreshed', title: 'Refresh Named Checkpoint in Selected Databases' },
  delete: { doing: 'Deleting', done: 'Deleted', title: 'Delete Named Checkpoint in Selected Databases' },
};

function isAcrossArgs(v: unknown): v is AcrossArgs {
  const a = v as AcrossArgs | undefined;
  return typeof a === 'object' && a !== null && !(a instanceof vscode.TreeItem) && typeof a.connectionId === 'string' && typeof a.name === 'string';
}

function toResult(rows: AcrossRow[], rolledBack: boolean): AcrossResult {
  return {
    rolledBack,
    databases: rows.map((r) => ({
      connectionId: r.target.connectionId,
      path: r.target.dbPath,
      ids: r.ids ?? [],
      error: r.error ? { code: r.error.code, message: r.error.message } : null,
      ...(r.rolledBack !== undefined ? { rolledBack: r.rolledBack } : {}),
    })),
  };
}

interface Scope {
  targets: DatabaseTarget[];
  /** Set when the scope came from a glob (then the databases are listed in a confirmation). */
  glob?: string;
  connectionName: string;
}

async function askGlob(connectionName: string): Promise<string | undefined> {
  const glob = await vscode.window.showInputBox({
    title: `Databases under ${connectionName}: path glob`,
    prompt: '"*" matches one path segment, "**" any number; e.g. tenants/* or **',
    value: '**',
    validateInput: (v) => {
      try {
        compileGlob(v);
        return undefined;
      } catch (e) {
        return messageOf(e);
      }
    },
  });
  return glob?.trim();
}

/** Which databases: the tree's multi-selection, a connection's glob, or (palette) a connection picked then a glob. */
async function askScope(deps: CommandDeps, arg: unknown, selection: unknown): Promise<Scope | undefined> {
  if (arg instanceof DatabaseNode) {
    const picked = (Array.isArray(selection) ? selection : []).filter((n): n is DatabaseNode => n instanceof DatabaseNode);
    const nodes = picked.includes(arg) ? picked : [arg, ...picked];
    const names = new Set(nodes.map((n) => n.parent.connection.name));
    return { targets: nodes.map((n) => n.target), connectionName: [...names].join(', ') };
  }
  let connection = arg instanceof ConnectionNode ? arg.connection : undefined;
  if (!connection) {
    const list = deps.connections.list();
    if (list.length === 0) {
      void vscode.window.showWarningMessage('No SlateDB connections yet: add a local folder or an S3 connection first.');
      return undefined;
    }
    const picked = list.length === 1 ? { c: list[0] } : await vscode.window.showQuickPick(list.map((c) => ({ label: c.name, c })), { title: 'SlateDB: which connection?' });
    connection = picked?.c;
  }
  if (!connection) return undefined;
  const glob = await askGlob(connection.name);
  if (!glob) return undefined;
  const id = connection.id;
  const targets = await runOperation(`Finding databases matching "${glob}"`, async () => databasesMatching(await deps.connections.store(id), id, glob));
  if (!targets) return undefined;
  if (targets.length === 0) {
    void vscode.window.showInformationMessage(`No SlateDB database under ${connection.name} matches "${glob}".`);
    return undefined;
  }
  return { targets, glob, connectionName: connection.name };
}

/** The name: typed (create), or one the databases hold, most common first (refresh, delete). */
async function askName(deps: CommandDeps, kind: AcrossKind, targets: DatabaseTarget[]): Promise<string | undefined> {
  const problem = (v: string) => {
    try {
      validateCheckpointName(v);
      return undefined;
    } catch (e) {
      return messageOf(e);
    }
  };
  if (kind === 'create') {
    const name = await vscode.window.showInputBox({ title: `${VERB.create.title}: name`, prompt: `One checkpoint of this name in each of ${plural(targets.length, 'database')}`, validateInput: problem });
    return name?.trim() || undefined;
  }
  const counts = new Map<string, number>();
  for (const t of targets) {
    const snap = await deps.databases.current(t).catch(() => undefined);
    for (const n of new Set(snap?.checkpoints.map((c) => c.name).filter((n): n is string => n !== null))) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const items = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name, n]) => ({ label: name, description: `in ${n} of ${plural(targets.length, 'database')}` }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`None of the ${plural(targets.length, 'database')} has a named checkpoint.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title: `${VERB[kind].title}: which name?`, placeHolder: 'Every checkpoint of this name, in each database' });
  return picked?.label;
}

async function confirm(deps: CommandDeps, kind: AcrossKind, name: string, scope: Scope): Promise<boolean> {
  // A delete says, per database, how many of that name it holds (as the registry last read it).
  const count = (t: DatabaseTarget) => {
    const snap = deps.databases.snapshot(t);
    if (kind !== 'delete' || snap?.kind !== 'ok') return '';
    const n = snap.checkpoints.filter((c) => c.name === name).length;
    return n === 0 ? ' (none of that name)' : ` (${n})`;
  };
  const list = scope.targets.slice(0, 12).map((t) => `• ${databaseLabel(t.dbPath)}${count(t)}`).join('\n') + (scope.targets.length > 12 ? `\n… and ${scope.targets.length - 12} more` : '');
  const where = scope.glob ? `${plural(scope.targets.length, 'database')} matching "${scope.glob}" under ${scope.connectionName}` : plural(scope.targets.length, 'database');
  const message =
    kind === 'delete' ? `Delete every checkpoint named “${name}” in ${where}?` : kind === 'create' ? `Create checkpoint “${name}” in ${where}?` : `Refresh the lifetime of “${name}” in ${where}?`;
  const detail = `${list}${kind === 'delete' ? '\n\nThis cannot be undone.' : ''}`;
  const button = kind === 'delete' ? 'Delete' : kind === 'create' ? 'Create' : 'Refresh';
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
}

function logRows(kind: AcrossKind, name: string, rows: AcrossRow[]): void {
  for (const r of rows) {
    const where = `${r.target.connectionId}:${databaseLabel(r.target.dbPath)}`;
    if (r.error) log.error(`${kind} "${name}" in ${where} failed [${r.error.code}]: ${r.error.message}`);
    else log.info(`${kind} "${name}" in ${where}: ${r.ids?.length ? r.ids.join(', ') : 'none of that name'}${r.rolledBack ? ' (rolled back)' : ''}`);
  }
}

/** The per-database summary: one row each; picking one reveals its checkpoint. */
export async function showDetails(kind: AcrossKind, name: string, rows: AcrossRow[]): Promise<void> {
  const items = rows.map((r) => ({
    label: `${r.error ? '$(error)' : r.rolledBack ? '$(discard)' : '$(check)'} ${databaseLabel(r.target.dbPath)}`,
    description: r.error
      ? `${r.error.code}: ${r.error.message}`
      : r.rolledBack
        ? `created ${shortId(r.ids![0])}, rolled back`
        : r.rollbackError
          ? `created ${shortId(r.ids![0])}; roll back failed: ${r.rollbackError.message}`
          : r.ids?.length
            ? `${VERB[kind].done.toLowerCase()} ${r.ids.map(shortId).join(', ')}`
            : `no checkpoint named “${name}”`,
    row: r,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: `${VERB[kind].title}: “${name}”, per database`, placeHolder: 'Pick one to reveal it in the SlateDB view' });
  const id = picked?.row.ids?.[0];
  if (picked && id && !picked.row.rolledBack && kind !== 'delete') void vscode.commands.executeCommand(Command.revealInTree, { ...picked.row.target, checkpointId: id });
}

/** The notification after the run; for a create that failed somewhere, the "Roll Back" offer. */
async function report(deps: CommandDeps, kind: AcrossKind, name: string, rows: AcrossRow[]): Promise<void> {
  const failed = rows.filter((r) => r.error);
  const okCount = rows.length - failed.length;
  const details = 'Show Details';
  if (failed.length === 0) {
    const touched = rows.filter((r) => r.ids?.length).length;
    const text = kind === 'create' ? `${VERB.create.done} checkpoint “${name}” in ${plural(okCount, 'database')}.` : `${VERB[kind].done} “${name}” in ${touched} of ${plural(rows.length, 'database')}${touched < rows.length ? ` (the others have none of that name)` : ''}.`;
    if ((await vscode.window.showInformationMessage(text, details)) === details) await showDetails(kind, name, rows);
    return;
  }
  const first = failed[0];
  const why = `${databaseLabel(first.target.dbPath)}: ${first.error!.message}`;
  const text = `${VERB[kind].done} “${name}” in ${okCount} of ${plural(rows.length, 'database')}; ${failed.length} failed (${why}${failed.length > 1 ? ', …' : ''}).`;
  const rollBack = 'Roll Back';
  const offer = kind === 'create' && okCount > 0 ? [rollBack, details] : [details];
  const choice = await vscode.window.showWarningMessage(text, ...offer);
  if (choice === details) await showDetails(kind, name, rows);
  if (choice !== rollBack) return;
  await runOperation(`Rolling back “${name}” in ${plural(okCount, 'database')}`, () => rollBackCreated(deps.databases, rows));
  logRows('create', name, rows);
  const undone = rows.filter((r) => r.rolledBack).length;
  const stuck = rows.filter((r) => r.rollbackError).length;
  const message = `Rolled back: deleted “${name}” again from ${plural(undone, 'database')}${stuck ? `; ${stuck} could not be deleted (see Show Details)` : ''}.`;
  if ((await (stuck ? vscode.window.showWarningMessage(message, details) : vscode.window.showInformationMessage(message, details))) === details) await showDetails('create', name, rows);
}

async function runFromCode(deps: CommandDeps, kind: AcrossKind, args: AcrossArgs): Promise<AcrossResult | undefined> {
  return runQuietly(VERB[kind].title, async () => {
    const input: AcrossInput = { kind, name: args.name, lifetime: args.lifetime };
    validateAcross(input); // before the glob lists anything
    if (args.glob !== undefined) compileGlob(args.glob);
    const targets = args.glob !== undefined ? await databasesMatching(await deps.connections.store(args.connectionId), args.connectionId, args.glob) : (args.dbPaths ?? []).map((dbPath) => ({ connectionId: args.connectionId, dbPath }));
    const scope: Scope = { targets, glob: args.glob, connectionName: deps.connections.get(args.connectionId).name };
    if ((kind === 'delete' || args.glob !== undefined) && !args.confirmed && !(await confirm(deps, kind, args.name, scope))) return undefined;
    const rows = await runAcross(deps.databases, targets, input);
    logRows(kind, args.name, rows);
    const rollBack = kind === 'create' && args.rollBackOnFailure === true && rows.some((r) => r.error);
    if (rollBack) await rollBackCreated(deps.databases, rows);
    return toResult(rows, rollBack);
  });
}

function registerAcross(deps: CommandDeps, command: string, kind: AcrossKind): vscode.Disposable {
  return vscode.commands.registerCommand(command, async (arg?: unknown, selection?: unknown): Promise<AcrossResult | undefined> => {
    if (isAcrossArgs(arg)) return runFromCode(deps, kind, arg);
    const scope = await askScope(deps, arg, selection);
    if (!scope) return undefined;
    const name = await askName(deps, kind, scope.targets);
    if (!name) return undefined;
    let lifetime: string | null | undefined = null;
    if (kind !== 'delete') {
      lifetime = await pickLifetime({ title: `${VERB[kind].title}: lifetime of “${name}”`, placeholder: kind === 'create' ? 'Pick a lifetime or type one, e.g. "7days"' : 'New lifetime, counted from now' });
      if (lifetime === undefined) return undefined;
    }
    if ((kind === 'delete' || scope.glob !== undefined) && !(await confirm(deps, kind, name, scope))) return undefined;
    const rows = await runOperation(`${VERB[kind].doing} “${name}” in ${plural(scope.targets.length, 'database')}`, () => runAcross(deps.databases, scope.targets, { kind, name, lifetime }));
    if (!rows) return undefined;
    logRows(kind, name, rows);
    void report(deps, kind, name, rows);
    return toResult(rows, false);
  });
}

export function registerMultiDbCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    registerAcross(deps, Command.createCheckpointAcross, 'create'),
    registerAcross(deps, Command.refreshCheckpointAcross, 'refresh'),
    registerAcross(deps, Command.deleteCheckpointAcross, 'delete'),
  ];
}
