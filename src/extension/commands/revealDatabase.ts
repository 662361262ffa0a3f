/**
 * Show a database (or one of its checkpoints) in the tree after a command
 * wrote it: a backup repository or a restored database may be new, i.e. not
 * among the databases the tree discovered under its connection yet.
 */

import * as vscode from 'vscode';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import type { DatabaseTarget } from '../targets';
import type { CommandDeps } from './deps';

/**
 * After a write to `t`: reload it when the tree shows it; otherwise list its
 * connection again, so that the new database root appears.
 */
export async function showWritten(deps: CommandDeps, t: DatabaseTarget): Promise<void> {
  if (deps.tree.findDatabaseNode(t)) await deps.databases.afterWrite(t);
  else deps.databases.reset(t.connectionId);
}

/** Selects the database (and checkpoint) in the SlateDB view. False when it is not there. */
export async function revealDatabase(deps: CommandDeps, t: DatabaseTarget, checkpointId?: string): Promise<boolean> {
  let db = deps.tree.findDatabaseNode(t);
  if (!db) {
    // The connection's databases are listed when VS Code expands it; list them now.
    const connection = (await deps.tree.getChildren()).find((n) => n.kind === 'connection' && n.connection.id === t.connectionId);
    if (connection) await deps.tree.getChildren(connection);
    db = deps.tree.findDatabaseNode(t);
  }
  if (!db) {
    void vscode.window.showWarningMessage(`${databaseLabel(t.dbPath)} is not in the SlateDB view; refresh its connection.`);
    return false;
  }
  if (checkpointId) return (await vscode.commands.executeCommand<boolean>(Command.revealInTree, { ...t, checkpointId })) === true;
  await deps.treeView.reveal(db, { select: true, focus: true, expand: true });
  return true;
}
