/**
 * Activation: wires the engine-backed tree, commands, manifest documents and
 * poller. Every disposable goes to context.subscriptions. Activation is lazy
 * (VS Code activates on the view or a command), and nothing here loads the
 * AWS SDK: S3 connections load it on first use.
 */

import * as vscode from 'vscode';
import { Command } from './commandIds';
import { registerCheckpointCommands } from './commands/checkpointCommands';
import { registerConnectionCommands } from './commands/connectionCommands';
import { registerCreateCheckpoint } from './commands/createCheckpoint';
import { registerDemo } from './commands/demo';
import type { CommandDeps } from './commands/deps';
import { registerViewCommands } from './commands/viewCommands';
import { ConnectionManager } from './connections/connectionManager';
import { DatabaseRegistry } from './databases';
import { initLog, log } from './log';
import { ManifestDocumentProvider, MANIFEST_SCHEME, registerOpenManifest } from './manifestDocument';
import { TreePoller } from './poller';
import { SlateTreeProvider } from './tree/treeProvider';
import type { SlateNode } from './tree/nodes';

/** What the integration tests reach through `extension.exports`. */
export interface SlateDbExtensionApi {
  tree: SlateTreeProvider;
  connections: ConnectionManager;
  databases: DatabaseRegistry;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): SlateDbExtensionApi {
  const started = performance.now();
  initLog(context);
  const connections = new ConnectionManager(context.secrets);
  const databases = new DatabaseRegistry(connections);
  const tree = new SlateTreeProvider(connections, databases);
  const treeView = vscode.window.createTreeView<SlateNode>('slatedb.explorer', { treeDataProvider: tree, showCollapseAll: true });
  const deps: CommandDeps = { context, connections, databases, tree, treeView };

  context.subscriptions.push(
    connections,
    tree,
    treeView,
    new TreePoller(tree, treeView),
    vscode.workspace.registerTextDocumentContentProvider(MANIFEST_SCHEME, new ManifestDocumentProvider(databases)),
    registerOpenManifest(connections, databases),
    registerCreateCheckpoint(deps),
    ...registerCheckpointCommands(deps),
    ...registerConnectionCommands(deps),
    ...registerViewCommands(deps),
    registerDemo(deps),
    vscode.commands.registerCommand(Command.showLog, () => log().show()),
  );
  const activationMs = performance.now() - started;
  log().info(`SlateDB Checkpoint Explorer activated in ${activationMs.toFixed(1)} ms`);
  return { tree, connections, databases, activationMs };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
