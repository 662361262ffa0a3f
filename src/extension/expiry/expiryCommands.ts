/**
 * SlateDB: Show Expiring Checkpoints (the status-bar item's click): one
 * expiring checkpoint is revealed in the tree at once; several are offered
 * in a quick pick (soonest first) and the one picked is revealed.
 */

import * as vscode from 'vscode';
import { checkpointLabel } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import type { CheckpointTarget } from '../targets';
import { timeLeft, whereLabel } from './expiryStatusBar';
import type { ExpiryWatch } from './expiryWatch';

export function registerExpiryCommands(watch: ExpiryWatch): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.showExpiring, async (): Promise<(CheckpointTarget & { revealed: boolean }) | undefined> => {
      const scan = watch.update();
      const nowS = watch.nowS();
      if (scan.expiring.length === 0) {
        void vscode.window.showInformationMessage(`No checkpoint of the databases shown expires within ${watch.window.text}.`);
        return undefined;
      }
      const many = new Set(scan.expiring.map((e) => e.database.target.connectionId)).size > 1;
      const items = scan.expiring.map((e) => ({
        label: `$(watch) ${checkpointLabel(e.checkpoint)}`,
        description: `${whereLabel(e, many)} · expires in ${timeLeft(e, nowS)}`,
        detail: e.checkpoint.id,
        target: { ...e.database.target, checkpointId: e.checkpoint.id } as CheckpointTarget,
      }));
      const picked =
        items.length === 1
          ? items[0]
          : await vscode.window.showQuickPick(items, { title: `SlateDB: checkpoints expiring within ${watch.window.text}`, placeHolder: 'Reveal in the SlateDB view', matchOnDescription: true, matchOnDetail: true });
      if (!picked) return undefined;
      const revealed = await vscode.commands.executeCommand<boolean>(Command.revealInTree, picked.target);
      if (!revealed) void vscode.window.showWarningMessage(`Checkpoint ${picked.detail} is not in the SlateDB view: expand its connection, or refresh.`);
      return { ...picked.target, revealed };
    }),
  ];
}
