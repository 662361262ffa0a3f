/**
 * Where each database was last backed up to (and where each repository was
 * last restored to): a connection id and a path, per source database, in
 * the extension's global state. Connections live in user settings, so the
 * memory is global too. Only ids and paths are kept: never a secret, and a
 * remembered connection that was removed since is simply forgotten.
 */

import type * as vscode from 'vscode';
import { DatabaseTarget, isDatabaseTarget, targetKey } from './targets';

export type DestinationKind = 'backup' | 'restore';

const STATE_KEY: Record<DestinationKind, string> = {
  backup: 'slatedb.backupDestinations',
  restore: 'slatedb.restoreDestinations',
};

export class BackupDestinations {
  constructor(private readonly state: vscode.Memento) {}

  /** The destination last used for `source`, if its connection still exists. */
  get(kind: DestinationKind, source: DatabaseTarget, connectionExists: (id: string) => boolean): DatabaseTarget | undefined {
    const remembered = this.all(kind)[targetKey(source)];
    if (!isDatabaseTarget(remembered) || !connectionExists(remembered.connectionId)) return undefined;
    return { connectionId: remembered.connectionId, dbPath: remembered.dbPath };
  }

  async remember(kind: DestinationKind, source: DatabaseTarget, destination: DatabaseTarget): Promise<void> {
    const next = { ...this.all(kind), [targetKey(source)]: { connectionId: destination.connectionId, dbPath: destination.dbPath } };
    await this.state.update(STATE_KEY[kind], next);
  }

  private all(kind: DestinationKind): Record<string, unknown> {
    const raw = this.state.get<unknown>(STATE_KEY[kind]);
    return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  }
}
