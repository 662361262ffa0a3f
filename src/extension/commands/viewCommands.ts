/**
 * Refresh (a database, a connection, or everything), Reveal in Tree, and
 * Show Log.
 */

import * as vscode from 'vscode';
import { normalizeUuid } from '../../engine/ids';
import { messageOf } from '../../engine/errors';
import { Command } from '../commandIds';
import { showLog } from '../log';
import { isCheckpointTarget, isDatabaseTarget } from '../targets';
import { ConnectionNode, DatabaseNode } from '../tree/nodes';
import type { CommandDeps } from './deps';

export function registerViewCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.refresh, async (arg?: unknown) => {
      if (arg instanceof DatabaseNode) await deps.databases.load(arg.target);
      else if (arg instanceof ConnectionNode) deps.databases.reset(arg.connection.id);
      else if (isDatabaseTarget(arg)) await deps.databases.load(arg);
      else deps.databases.reset();
    }),

    vscode.commands.registerCommand(Command.revealInTree, async (arg?: unknown) => {
      let target = isCheckpointTarget(arg) ? arg : undefined;
      if (!target) {
        const text = await vscode.window.showInputBox({
          title: 'Reveal checkpoint in the SlateDB view',
          prompt: 'Checkpoint id (UUID)',
          validateInput: (v) => {
            try {
              normalizeUuid(v);
              return undefined;
            } catch (e) {
              return messageOf(e);
            }
          },
        });
        if (!text) return false;
        const id = normalizeUuid(text);
        const db = deps.tree.shownDatabases().find((d) => d.snapshot?.kind === 'ok' && d.snapshot.checkpoints.some((c) => c.id === id));
        if (!db) {
          void vscode.window.showWarningMessage(`Checkpoint ${id} is not in any database shown in the SlateDB view. Expand its connection first or refresh.`);
          return false;
        }
        target = { ...db.target, checkpointId: id };
      }
      const node = await deps.tree.findCheckpointNode(target);
      if (!node) return false;
      await deps.treeView.reveal(node, { select: true, focus: true, expand: true });
      return true;
    }),

    vscode.commands.registerCommand(Command.showLog, () => showLog()),
  ];
}
