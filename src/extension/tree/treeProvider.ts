/**
 * The SlateDB explorer tree: connections → databases → checkpoints.
 *
 * Databases are discovered under each connection (delimiter listings); what
 * a database node shows is the registry's snapshot of it. The tree never
 * reloads a database on its own account: it redraws when the registry says
 * one changed (a poll, a command's write) and starts over when it says
 * everything did.
 */

import * as vscode from 'vscode';
import { discoverDatabases } from '../../engine/discovery';
import { messageOf } from '../../engine/errors';
import { Disposable } from '../common/disposable';
import type { ConnectionManager } from '../connections/connectionManager';
import type { DatabaseRegistry } from '../databaseRegistry';
import { createLogger } from '../log';
import { CheckpointTarget, DatabaseTarget, targetKey } from '../targets';
import { backupSizeText } from './backupPresentation';
import { CheckpointNode, ConnectionNode, DatabaseNode, MessageNode, SlateNode } from './nodes';
import { verificationState } from '../verificationState';
import { markVerified } from './verifiedMark';

const log = createLogger('tree');

export class SlateTreeProvider extends Disposable implements vscode.TreeDataProvider<SlateNode> {
  private readonly changed = this._register(new vscode.EventEmitter<SlateNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** Database nodes currently shown, by target key (to redraw one and to reveal). */
  private readonly dbNodes = new Map<string, DatabaseNode>();
  private readonly checkpointNodes = new Map<string, CheckpointNode[]>();

  constructor(
    private readonly connections: ConnectionManager,
    private readonly databases: DatabaseRegistry,
  ) {
    super();
    this._register(databases.onDidChange((target) => (target ? this.redraw(target) : this.startOver())));
    this._register(verificationState.onDidChange((target) => this.redraw(target)));
  }

  /** Re-render labels (relative times) without any I/O. */
  rerender(): void {
    for (const node of this.dbNodes.values()) this.changed.fire(node);
  }

  getTreeItem(node: SlateNode): vscode.TreeItem {
    return node;
  }

  getParent(node: SlateNode): SlateNode | undefined {
    return node.parent;
  }

  /** On hover: a backup's tooltip gets its size (listings, so not for every row drawn). */
  async resolveTreeItem(item: vscode.TreeItem, node: SlateNode): Promise<vscode.TreeItem> {
    if (node instanceof CheckpointNode && node.backup && !node.tooltip) {
      node.showSize(await backupSizeText(await this.databases.manifestStore(node.parent.target), node.checkpoint.id));
    }
    return item;
  }

  async getChildren(node?: SlateNode): Promise<SlateNode[]> {
    if (!node) {
      const roots = this.connections.list().map((c) => new ConnectionNode(c));
      void vscode.commands.executeCommand('setContext', 'slatedb.hasConnections', roots.length > 0);
      return roots;
    }
    if (node instanceof ConnectionNode) return this.databasesOf(node);
    if (node instanceof DatabaseNode) return this.checkpointNodesOf(node);
    return [];
  }

  findDatabaseNode(target: DatabaseTarget): DatabaseNode | undefined {
    return this.dbNodes.get(targetKey(target));
  }

  async findCheckpointNode(target: CheckpointTarget): Promise<CheckpointNode | undefined> {
    const db = this.findDatabaseNode(target);
    if (!db) return undefined;
    // The nodes VS Code was last given, unless the checkpoint is newer than them (then as the snapshot says).
    const shown = this.checkpointNodes.get(targetKey(target))?.find((n) => n.checkpoint.id === target.checkpointId);
    return shown ?? this.checkpointNodesOf(db).find((n): n is CheckpointNode => n instanceof CheckpointNode && n.checkpoint.id === target.checkpointId);
  }

  /** The database nodes the tree shows (for the reveal command and tests). */
  shownDatabases(): DatabaseNode[] {
    return [...this.dbNodes.values()];
  }

  private async databasesOf(node: ConnectionNode): Promise<SlateNode[]> {
    const connectionId = node.connection.id;
    // Their nodes are about to be replaced: loads below must not redraw the old ones.
    for (const [key, db] of [...this.dbNodes]) if (db.target.connectionId === connectionId) this.dbNodes.delete(key);
    try {
      const store = await this.connections.store(connectionId);
      const found = await discoverDatabases(store, '');
      if (found.length === 0) return [new MessageNode(node, 'No SlateDB databases found here', 'info', 'A database is a folder with a manifest/ folder of .manifest files.')];
      const out = await Promise.all(
        found.map(async (db) => {
          const target = { connectionId, dbPath: db.path };
          return new DatabaseNode(node, target, await this.databases.load(target));
        }),
      );
      for (const db of out) this.dbNodes.set(targetKey(db.target), db);
      return out;
    } catch (e) {
      const message = messageOf(e);
      log.error(`listing ${node.connection.name}: ${message}`);
      return [new MessageNode(node, `Cannot list: ${message}`, 'error', message)];
    }
  }

  private checkpointNodesOf(node: DatabaseNode): SlateNode[] {
    const snap = node.snapshot;
    if (!snap) return [];
    if (snap.kind === 'error') return [new MessageNode(node, snap.error.message, 'error', snap.error.message)];
    if (snap.kind === 'unsupportedVersion') {
      // Not decoded at all: its checkpoints are unknown, not absent.
      return [new MessageNode(node, `Checkpoints not shown: manifest format version ${snap.version} is not supported`, 'lock', snap.error.message)];
    }
    if (snap.checkpoints.length === 0) return [new MessageNode(node, 'No checkpoints', 'info')];
    const readOnly = snap.readOnlyReason !== null;
    const nodes = [...snap.checkpoints]
      .sort((a, b) => b.createTimeS - a.createTimeS || a.id.localeCompare(b.id))
      .map((c) => new CheckpointNode(node, c, readOnly));
    for (const n of nodes) markVerified(n, snap.latestId);
    this.checkpointNodes.set(targetKey(node.target), nodes);
    return nodes;
  }

  /** The registry loaded one database: redraw its node, if shown (VS Code then asks for its children). */
  private redraw(target: DatabaseTarget): void {
    const node = this.dbNodes.get(targetKey(target));
    const snapshot = this.databases.snapshot(target);
    if (!node || !snapshot) return;
    node.show(snapshot);
    this.changed.fire(node);
  }

  private startOver(): void {
    this.dbNodes.clear();
    this.checkpointNodes.clear();
    this.changed.fire(undefined);
  }
}
