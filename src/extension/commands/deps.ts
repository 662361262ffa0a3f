import type * as vscode from 'vscode';
import type { ConnectionManager } from '../connections/connectionManager';
import type { DatabaseRegistry } from '../databases';
import type { SlateNode } from '../tree/nodes';
import type { SlateTreeProvider } from '../tree/treeProvider';

/** What every command needs; built once in activate(). */
export interface CommandDeps {
  context: vscode.ExtensionContext;
  connections: ConnectionManager;
  databases: DatabaseRegistry;
  tree: SlateTreeProvider;
  treeView: vscode.TreeView<SlateNode>;
}
