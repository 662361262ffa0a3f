/**
 * "Where to?" for Back Up and Restore: a connection (the one used last time
 * for this database, any existing one, or a new local folder / S3
 * connection added on the spot), then a database path inside it. A
 * destination is a DatabaseTarget like any other: a backup repository is an
 * ordinary database root.
 */

import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import { normalizeDbPath } from '../../engine/paths';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import type { ConnectionManager } from '../connections/connectionManager';
import { describeConnection } from '../connections/connection';
import type { DatabaseTarget } from '../targets';

export interface DestinationRequest {
  /** Quick-input title, e.g. "Back Up rich". */
  title: string;
  /** What the path is, for the prompt: "backup repository" / "database to restore into". */
  pathMeaning: string;
  /** Offered first and selected: where this went last time. */
  remembered?: DatabaseTarget;
  /** Suggested path when a connection other than the remembered one is picked. */
  defaultPath(connectionId: string): string;
  /** Why this destination cannot be used (e.g. it is the source), or undefined. */
  problem?(destination: DatabaseTarget): string | undefined;
}

type ConnectionItem = vscode.QuickPickItem & { pick: { connectionId: string; path?: string } | { add: 'local' | 's3' } };

/** Paths as SlateDB takes them ("a/b", '' = the store root), or the reason not. */
export function destinationPathProblem(text: string): string | undefined {
  try {
    normalizeDbPath(text);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

/** True when one database root lies inside the other (or they are the same): SlateDB's GC of one would see the other's files. */
export function overlaps(a: DatabaseTarget, b: DatabaseTarget): boolean {
  if (a.connectionId !== b.connectionId) return false;
  const inside = (x: string, y: string) => x === y || y === '' || x.startsWith(`${y}/`);
  return inside(a.dbPath, b.dbPath) || inside(b.dbPath, a.dbPath);
}

export async function pickDestination(connections: ConnectionManager, request: DestinationRequest): Promise<DatabaseTarget | undefined> {
  const items: ConnectionItem[] = [];
  const { remembered } = request;
  if (remembered) {
    const c = connections.get(remembered.connectionId);
    items.push({ label: `$(history) ${c.name}: ${databaseLabel(remembered.dbPath)}`, description: 'used last time', detail: describeConnection(c), pick: { connectionId: c.id, path: remembered.dbPath } });
  }
  for (const c of connections.list()) {
    items.push({ label: `$(${c.kind === 'local' ? 'folder-library' : 'cloud'}) ${c.name}`, description: describeConnection(c), pick: { connectionId: c.id } });
  }
  items.push({ label: '$(add) Add Local Folder…', description: 'a new connection to a folder', pick: { add: 'local' } });
  items.push({ label: '$(add) Add S3 / MinIO Connection…', description: 'a new connection to a bucket', pick: { add: 's3' } });

  const picked = await vscode.window.showQuickPick(items, { title: `${request.title} (1/2): connection`, placeHolder: `Which connection holds the ${request.pathMeaning}?`, matchOnDescription: true });
  if (!picked) return undefined;
  let connectionId: string;
  let suggested: string;
  if ('add' in picked.pick) {
    const added = await vscode.commands.executeCommand<string | undefined>(picked.pick.add === 'local' ? Command.addLocalConnection : Command.addS3Connection);
    if (!added) return undefined;
    connectionId = added;
    suggested = request.defaultPath(added);
  } else {
    connectionId = picked.pick.connectionId;
    suggested = picked.pick.path ?? (remembered?.connectionId === connectionId ? remembered.dbPath : request.defaultPath(connectionId));
  }
  const connection = connections.get(connectionId);
  const problemOf = (text: string) => destinationPathProblem(text) ?? request.problem?.({ connectionId, dbPath: normalizeDbPath(text) });
  const text = await vscode.window.showInputBox({
    title: `${request.title} (2/2): path in ${connection.name}`,
    prompt: `Path of the ${request.pathMeaning} inside ${describeConnection(connection)} (empty = the root of the connection)`,
    value: suggested,
    valueSelection: [0, suggested.length],
    validateInput: problemOf,
  });
  if (text === undefined) return undefined;
  return { connectionId, dbPath: normalizeDbPath(text) };
}
