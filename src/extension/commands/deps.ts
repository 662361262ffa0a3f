import type * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import type { DatabaseRegistry } from '../databaseRegistry';
import type { SlateNode } from '../tree/nodes';
import type { SlateTreeProvider } from '../tree/treeProvider';
import type { HistoryPanelHost } from '../webview/historyPanel';

/** What every command needs; built once in activate(). */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  connections: ConnectionManager;
  databases: DatabaseRegistry;
  tree: SlateTreeProvider;
  treeView: vscode.TreeView<SlateNode>;
  panelHost: HistoryPanelHost;
}
