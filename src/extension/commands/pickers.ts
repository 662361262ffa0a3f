/**
 * Palette fallbacks: when a command runs without a tree node, ask which
 * connection / database / checkpoint it is for.
 */

import * as vscode from 'vscode';
import { discoverDatabases } from '../../engine/discovery';
import { checkpointLabel, expiryPhrase } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import type { ConnectionManager } from '../connections/connectionManager';
import { describeConnection } from '../connections/connection';
import type { DatabaseRegistry } from '../databaseRegistry';
import { CheckpointTarget, DatabaseTarget, isCheckpointTarget, isDatabaseTarget } from '../targets';
import { runOperation } from './operation';

export async function pickDatabase(connections: ConnectionManager, arg: unknown): Promise<DatabaseTarget | undefined> {
  if (isDatabaseTarget(arg)) return { connectionId: arg.connectionId, dbPath: arg.dbPath };
  const targetOf = (arg as { target?: unknown } | undefined)?.target;
  if (isDatabaseTarget(targetOf)) return { connectionId: targetOf.connectionId, dbPath: targetOf.dbPath };
  const list = connections.list();
  if (list.length === 0) {
    void vscode.window.showWarningMessage('No SlateDB connections yet: add a local folder or an S3 connection first.');
    return undefined;
  }
  const items = await Promise.all(
    list.map(async (c) => {
      try {
        const dbs = await discoverDatabases(await connections.store(c.id), '');
        return dbs.map((d) => ({ label: databaseLabel(d.path), description: `${c.name} · manifest #${d.latestManifestId}`, detail: describeConnection(c), target: { connectionId: c.id, dbPath: d.path } }));
      } catch {
        return [];
      }
    }),
  );
  // ignoreFocusOut: a webview (data, history panel) that takes the focus back as the palette closes must not dismiss the pick.
  const picked = await vscode.window.showQuickPick(items.flat(), { title: 'SlateDB: choose a database', placeHolder: 'Database', matchOnDescription: true, ignoreFocusOut: true });
  return picked?.target;
}

export async function pickCheckpoint(connections: ConnectionManager, databases: DatabaseRegistry, arg: unknown): Promise<CheckpointTarget | undefined> {
  if (isCheckpointTarget(arg)) return { connectionId: arg.connectionId, dbPath: arg.dbPath, checkpointId: arg.checkpointId };
  const targetOf = (arg as { target?: unknown } | undefined)?.target;
  if (isCheckpointTarget(targetOf)) return targetOf;
  const db = await pickDatabase(connections, arg);
  if (!db) return undefined;
  const snap = await runOperation(`Reading ${databaseLabel(db.dbPath)}`, () => databases.current(db, { fresh: true }));
  if (!snap) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const picked = await vscode.window.showQuickPick(
    snap.checkpoints.map((c) => ({ label: checkpointLabel(c), description: `→ #${c.manifestId} · ${expiryPhrase(c, now)}`, detail: c.id, id: c.id })),
    { title: `SlateDB: choose a checkpoint of ${databaseLabel(db.dbPath)}`, placeHolder: snap.checkpoints.length ? 'Checkpoint' : 'This database has no checkpoints', matchOnDetail: true, ignoreFocusOut: true },
  );
  return picked ? { ...db, checkpointId: picked.id } : undefined;
}
