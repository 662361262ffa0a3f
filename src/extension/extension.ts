/**
 * Activation: builds the parts (connections → database registry → tree,
 * poller, panels) and registers every command (commands/index.ts), document
 * provider and serializer. Every disposable goes to context.subscriptions.
 * Activation is lazy (VS Code activates on the view or a command), and
 * nothing here loads the AWS SDK: S3 connections load it on first use.
 * How a new feature hangs on this: README.md in this folder.
 */

import * as vscode from 'vscode';
import { registerCommands } from './commands';
import type { CommandDeps } from './commands/deps';
import { ConnectionManager } from './connections/connectionManager';
import { DatabasePoller } from './databasePoller';
import { DatabaseRegistry } from './databaseRegistry';
import { registerExpiryCommands } from './expiry/expiryCommands';
import { ExpiryNotifier } from './expiry/expiryNotifier';
import { ExpiryStatusBar } from './expiry/expiryStatusBar';
import { ExpiryWatch } from './expiry/expiryWatch';
import { createLogger, initLog } from './log';
import { MANIFEST_SCHEME, ManifestDocumentProvider, ShowHistoryCodeLens } from './manifestDocument';
import type { SlateNode } from './tree/nodes';
import { SlateTreeProvider } from './tree/treeProvider';
import { registerHistoryPanels } from './webview/historyPanel';

/** What the integration tests reach through `extension.exports`. */
export interface SlateDbExtensionApi {
  tree: SlateTreeProvider;
  connections: ConnectionManager;
  databases: DatabaseRegistry;
  /** Expiry monitoring: the watch (scan + clock), its status-bar item and its notifications. */
  expiry: { watch: ExpiryWatch; statusBar: ExpiryStatusBar; notifier: ExpiryNotifier };
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): SlateDbExtensionApi {
  const started = performance.now();
  initLog(context);
  const connections = new ConnectionManager(context.secrets);
  const databases = new DatabaseRegistry(connections);
  const tree = new SlateTreeProvider(connections, databases);
  const treeView = vscode.window.createTreeView<SlateNode>('slatedb.explorer', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const poller = new DatabasePoller(databases, treeView);
  const panelHost = { extensionUri: context.extensionUri, databases };
  const deps: CommandDeps = { context, connections, databases, tree, treeView, panelHost };
  const expiryWatch = new ExpiryWatch(databases, connections);
  const expiry = { watch: expiryWatch, statusBar: new ExpiryStatusBar(expiryWatch), notifier: new ExpiryNotifier(expiryWatch, context.globalState) };

  context.subscriptions.push(
    connections,
    databases,
    tree,
    treeView,
    poller,
    // Relative times ("expires in 5 min") move even when no manifest does.
    poller.onDidPoll((changed) => {
      if (changed === 0) tree.rerender();
    }),
    vscode.workspace.registerTextDocumentContentProvider(MANIFEST_SCHEME, new ManifestDocumentProvider(databases)),
    vscode.languages.registerCodeLensProvider({ scheme: MANIFEST_SCHEME }, new ShowHistoryCodeLens()),
    ...registerHistoryPanels(panelHost),
    ...registerCommands(deps),
    expiry.notifier,
    expiry.statusBar,
    expiryWatch,
    // A checkpoint just crossed its expiry: the tree redraws it as expired (no I/O).
    expiryWatch.onDidExpire(() => tree.rerender()),
    ...registerExpiryCommands(expiryWatch),
  );
  const activationMs = performance.now() - started;
  createLogger('extension').info(`SlateDB Checkpoint Explorer activated in ${activationMs.toFixed(1)} ms`);
  return { tree, connections, databases, expiry, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
