/**
 * Show History / Show Pinned SSTs: open the history panel of a database
 * (from the tree, the palette, or a manifest document's title bar and code
 * lens), the serializer that revives it after a restart, and the code lens.
 *
 * Both commands return the panel (`HistoryPanelApi`) to callers in this
 * extension host, such as the integration tests.
 */

import * as vscode from 'vscode';
import { Command } from '../commandIds';
import type { CommandDeps } from '../commands/deps';
import { pickCheckpoint, pickDatabase } from '../commands/pickers';
import { MANIFEST_SCHEME } from '../manifestDocument';
import type { DatabaseTarget } from '../targets';
import { HISTORY_VIEW_TYPE, HistoryPanel, HistoryPanelApi } from './historyPanel';

/** The database of a `slatedb-manifest:` document URI (see manifestDocument.ts). */
function targetOfManifestUri(arg: unknown): DatabaseTarget | undefined {
  if (!(arg instanceof vscode.Uri) || arg.scheme !== MANIFEST_SCHEME) return undefined;
  const q = new URLSearchParams(arg.query);
  const connectionId = q.get('conn');
  const dbPath = q.get('db');
  return connectionId !== null && dbPath !== null ? { connectionId, dbPath } : undefined;
}

class ShowHistoryCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const target = targetOfManifestUri(document.uri);
    if (!target) return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { command: Command.showHistory, title: '$(graph-line) Show History', tooltip: `Manifest history of ${target.dbPath || 'the store root'}`, arguments: [document.uri] })];
  }
}

export function registerHistoryCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.showHistory, async (arg?: unknown): Promise<HistoryPanelApi | undefined> => {
      const target = targetOfManifestUri(arg) ?? (await pickDatabase(deps.connections, arg));
      if (!target) return undefined;
      return HistoryPanel.createOrShow(deps, target);
    }),

    vscode.commands.registerCommand(Command.showPinnedSsts, async (arg?: unknown): Promise<HistoryPanelApi | undefined> => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      return HistoryPanel.createOrShow(deps, { connectionId: target.connectionId, dbPath: target.dbPath }, target.checkpointId);
    }),

    vscode.window.registerWebviewPanelSerializer(HISTORY_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        HistoryPanel.revive(panel, deps, state);
      },
    }),

    vscode.languages.registerCodeLensProvider({ scheme: MANIFEST_SCHEME }, new ShowHistoryCodeLens()),

    { dispose: () => HistoryPanel.disposeAll() },
  ];
}
