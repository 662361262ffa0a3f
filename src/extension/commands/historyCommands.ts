/**
 * Show History / Show Pinned SSTs: open the history panel of a database
 * (from the tree, the palette, or a manifest document's title bar and code
 * lens). Both return the panel (`HistoryPanelApi`) to callers in this
 * extension host, such as the integration tests.
 */

import * as vscode from 'vscode';
import { Command } from '../commandIds';
import { targetOfManifestUri } from '../manifestDocument';
import { HistoryPanel, HistoryPanelApi } from '../webview/historyPanel';
import type { CommandDeps } from './deps';
import { pickCheckpoint, pickDatabase } from './pickers';

export function registerHistoryCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.showHistory, async (arg?: unknown): Promise<HistoryPanelApi | undefined> => {
      const target = targetOfManifestUri(arg) ?? (await pickDatabase(deps.connections, arg));
      if (!target) return undefined;
      return HistoryPanel.createOrShow(deps.panelHost, target);
    }),

    vscode.commands.registerCommand(Command.showPinnedSsts, async (arg?: unknown): Promise<HistoryPanelApi | undefined> => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      return HistoryPanel.createOrShow(deps.panelHost, { connectionId: target.connectionId, dbPath: target.dbPath }, target.checkpointId);
    }),
  ];
}
