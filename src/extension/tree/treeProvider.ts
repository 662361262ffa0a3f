/**
 * The SlateDB explorer tree: connections → databases → checkpoints.
 *
 * Databases are discovered under each connection (delimiter listings). A
 * database's checkpoints come from its latest manifest. While the view is
 * visible a poller asks each shown database for a newer manifest (one warm
 * LIST each) and refreshes only the databases that changed.
 */

import * as vscode from 'vscode';
import { discoverDatabases } from '../../engine/discovery';
import { DatabaseRegistry, targetKey } from '../databases';
import type { ConnectionManager } from '../connections/connectionManager';
import { log } from '../log';
import type { DatabaseTarget } from '../targets';
import { CheckpointNode, ConnectionNode, DatabaseNode, MessageNode, SlateNode } from './nodes';

export class SlateTreeProvider implements vscode.TreeDataProvider<SlateNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SlateNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Database nodes currently shown, by target key (to refresh one and to reveal). */
  private readonly dbNodes = new Map<string, DatabaseNode>();
  private readonly dbErrors = new Map<string, string>();
  private readonly checkpointNodes = new Map<string, CheckpointNode[]>();
  private connectionNodes: ConnectionNode[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly connections: ConnectionManager,
    readonly databases: DatabaseRegistry,
  ) {
    this.subscriptions.push(connections.onDidChange(() => this.refresh()));
  }

  /**
   * Re-read everything (or one database). Resolves once a shown database has
   * been reloaded, so a command that wrote to it returns with the tree current.
   */
  refresh(target?: DatabaseTarget): Promise<void> {
    if (target) {
      const node = this.dbNodes.get(targetKey(target));
      if (node) return this.reloadDatabase(node).catch(() => undefined);
    }
    this.databases.forget();
    this.dbNodes.clear();
    this.checkpointNodes.clear();
    this.changed.fire(undefined);
    return Promise.resolve();
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

  async getChildren(node?: SlateNode): Promise<SlateNode[]> {
    if (!node) {
      this.connectionNodes = this.connections.list().map((c) => new ConnectionNode(c));
      void vscode.commands.executeCommand('setContext', 'slatedb.hasConnections', this.connectionNodes.length > 0);
      return this.connectionNodes;
    }
    if (node instanceof ConnectionNode) return this.databasesOf(node);
    if (node instanceof DatabaseNode) return this.checkpointsOf(node);
    return [];
  }

  private async databasesOf(node: ConnectionNode): Promise<SlateNode[]> {
    try {
      const store = await this.connections.store(node.connection.id);
      const found = await discoverDatabases(store, '');
      if (found.length === 0) return [new MessageNode(node, 'No SlateDB databases found here', 'info', 'A database is a folder with a manifest/ folder of .manifest files.')];
      const out: DatabaseNode[] = [];
      await Promise.all(
        found.map(async (db, i) => {
          const target = { connectionId: node.connection.id, dbPath: db.path };
          let error: string | undefined;
          let snapshot = this.databases.snapshot(target);
          try {
            snapshot = await this.databases.load(target);
            this.dbErrors.delete(targetKey(target));
          } catch (e) {
            error = e instanceof Error ? e.message : String(e);
            this.dbErrors.set(targetKey(target), error);
            log().warn(`loading ${db.path}: ${error}`);
          }
          out[i] = new DatabaseNode(node, target, snapshot, error);
          this.dbNodes.set(targetKey(target), out[i]);
        }),
      );
      return out;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log().error(`listing ${node.connection.name}: ${message}`);
      return [new MessageNode(node, `Cannot list: ${message}`, 'error', message)];
    }
  }

  private checkpointsOf(node: DatabaseNode): SlateNode[] {
    const current = this.dbNodes.get(targetKey(node.target)) ?? node;
    if (current.error) return [new MessageNode(current, current.error, 'error', current.error)];
    const snap = current.snapshot;
    if (!snap) return [];
    if (snap.formatVersion === null && snap.readOnlyReason) {
      // Not decoded at all (unknown format version): its checkpoints are unknown, not absent.
      const version = /format version (\d+)/.exec(snap.readOnlyReason)?.[1];
      return [new MessageNode(current, `Checkpoints not shown: manifest format version ${version ?? '?'} is not supported`, 'lock', snap.readOnlyReason)];
    }
    if (snap.checkpoints.length === 0) return [new MessageNode(current, 'No checkpoints', 'info')];
    const nodes = [...snap.checkpoints]
      .sort((a, b) => b.createTimeS - a.createTimeS || a.id.localeCompare(b.id))
      .map((c) => new CheckpointNode(current, c, !!snap.readOnlyReason));
    this.checkpointNodes.set(targetKey(node.target), nodes);
    return nodes;
  }

  /** Load one database again and redraw only its node. */
  async reloadDatabase(node: DatabaseNode, knownLatestId?: number): Promise<void> {
    let snapshot = node.snapshot;
    let error: string | undefined;
    try {
      snapshot = await this.databases.load(node.target, knownLatestId);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    // Update the node VS Code already holds, then redraw it: it keeps its
    // expansion state and asks for its children again.
    Object.assign(node, new DatabaseNode(node.parent, node.target, snapshot, error));
    this.dbNodes.set(targetKey(node.target), node);
    this.changed.fire(node);
  }

  /** Poll each shown database with one warm LIST; reload the ones that changed. */
  async poll(): Promise<number> {
    let changedCount = 0;
    await Promise.all(
      [...this.dbNodes.values()].map(async (node) => {
        try {
          const change = await this.databases.changedTo(node.target);
          if (change) {
            changedCount++;
            await this.reloadDatabase(node, change.latestId);
          }
        } catch (e) {
          log().debug(`poll ${node.target.dbPath}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    return changedCount;
  }

  findDatabaseNode(target: DatabaseTarget): DatabaseNode | undefined {
    return this.dbNodes.get(targetKey(target));
  }

  async findCheckpointNode(target: DatabaseTarget & { checkpointId: string }): Promise<CheckpointNode | undefined> {
    const db = this.findDatabaseNode(target);
    if (!db) return undefined;
    const nodes = this.checkpointNodes.get(targetKey(target)) ?? (this.checkpointsOf(db).filter((n) => n instanceof CheckpointNode) as CheckpointNode[]);
    return nodes.find((n) => n.checkpoint.id === target.checkpointId);
  }

  /** Snapshot of what the tree shows, for tests and the reveal command. */
  shownDatabases(): DatabaseNode[] {
    return [...this.dbNodes.values()];
  }

  dispose(): void {
    this.changed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
