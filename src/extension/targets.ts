/**
 * What a command acts on. Tree nodes carry these, and commands also accept
 * them as plain objects (from the webview, tests, or `executeCommand`), so
 * every command works from the palette (asks), the tree (node) and code.
 */

import type { DatabaseRef } from '../shared/messages';

/** A database: `connectionId` and `dbPath` (its root inside the connection's store, '' = the store root). The page knows it as DatabaseRef. */
export type DatabaseTarget = DatabaseRef;

export interface CheckpointTarget extends DatabaseTarget {
  checkpointId: string;
}

/** One string per database, for maps (NUL cannot occur in a connection id or a key). */
export const targetKey = (t: DatabaseTarget): string => `${t.connectionId}\u0000${t.dbPath}`;

export function sameTarget(a: DatabaseTarget, b: DatabaseTarget): boolean {
  return a.connectionId === b.connectionId && a.dbPath === b.dbPath;
}

export function isDatabaseTarget(v: unknown): v is DatabaseTarget {
  const t = v as DatabaseTarget | undefined;
  return typeof t === 'object' && t !== null && typeof t.connectionId === 'string' && typeof t.dbPath === 'string';
}

export function isCheckpointTarget(v: unknown): v is CheckpointTarget {
  return isDatabaseTarget(v) && typeof (v as CheckpointTarget).checkpointId === 'string';
}
