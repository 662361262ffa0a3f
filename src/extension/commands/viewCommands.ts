/**
 * Refresh, Reveal in Tree, and the entry points of the history webview
 * (Show History / Show Pinned SSTs), which the webview module registers
 * itself when present.
 */

import * as vscode from 'vscode';
import { normalizeUuid } from '../../engine/ids';
import { Command } from '../commandIds';
import { DatabaseNode, ConnectionNode } from '../tree/nodes';
import { isCheckpointTarget, isDatabaseTarget } from '../targets';
import type { CommandDeps } from './deps';
import { registerHistoryCommands } from '../webview/registerHistory';

export function registerViewCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.refresh, async (arg?: unknown) => {
      if (arg instanceof DatabaseNode) await deps.tree.reloadDatabase(arg);
      else if (arg instanceof ConnectionNode || arg === undefined) deps.tree.refresh();
      else if (isDatabaseTarget(arg)) await deps.tree.refresh(arg);
      else deps.tree.refresh();
    }),

    vscode.commands.registerCommand(Command.revealInTree, async (arg?: unknown) => {
      let target = isCheckpointTarget(arg) ? arg : undefined;
      if (!target) {
        const text = await vscode.window.showInputBox({ title: 'Reveal checkpoint in the SlateDB view', prompt: 'Checkpoint id (UUID)', validateInput: (v) => { try { normalizeUuid(v); return undefined; } catch (e) { return (e as Error).message; } } });
        if (!text) return false;
        const id = normalizeUuid(text);
        const db = deps.tree.shownDatabases().find((d) => d.snapshot?.checkpoints.some((c) => c.id === id));
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

    ...registerHistoryCommands(deps),
  ];
}
