/**
 * Which checkpoints expire within the warning window, from the registry's
 * snapshots. Pure (no vscode): the status bar, the notifications and tests
 * share it.
 *
 * Left out on purpose: checkpoints SlateDB makes and renews for itself
 * (unnamed, with the compactor's 15-minute or a DbReader's short lifetime,
 * `likelyOrigin`). With a one-hour window they are always "expiring" and
 * warning about them would be noise; they are counted separately so the
 * tooltip can say so.
 */

import type { CheckpointInfo } from '../../engine/manifest/model';
import { likelyOrigin } from '../../shared/checkpointStatus';
import type { DatabaseTarget } from '../targets';

export interface WatchedDatabase {
  target: DatabaseTarget;
  /** The connection's display name. */
  connectionName: string;
  checkpoints: readonly CheckpointInfo[];
}

export interface ExpiringCheckpoint {
  database: WatchedDatabase;
  checkpoint: CheckpointInfo;
  /** Seconds until it expires (> 0). */
  leftS: number;
}

export interface ExpiryScan {
  /** The databases scanned. */
  databases: readonly WatchedDatabase[];
  /** Inside the window, soonest first. */
  expiring: ExpiringCheckpoint[];
  /** Past their expiry but still in the latest manifest. */
  expired: ExpiringCheckpoint[];
  /** Inside the window but SlateDB's own short-lived ones (not in `expiring`). */
  selfRenewing: number;
  /** Seconds from now until the answer changes on its own (a checkpoint enters the window or expires); undefined: never. */
  nextChangeS: number | undefined;
}

/** Unnamed compactor / DbReader checkpoints: SlateDB renews or drops them itself. */
export function isSelfRenewing(c: CheckpointInfo): boolean {
  const origin = likelyOrigin(c);
  return origin === 'compactor' || origin === 'reader';
}

/** The key a checkpoint is remembered by (notifications): connection, database, id. */
export function checkpointKey(t: DatabaseTarget, checkpointId: string): string {
  return `${t.connectionId}\u0000${t.dbPath}\u0000${checkpointId}`;
}

/** Keys of the checkpoints the scan saw outside the window and not expired (never expiring, or later). */
export function outsideWindow(scan: ExpiryScan): Set<string> {
  const out = new Set<string>();
  const inside = new Set([...scan.expiring, ...scan.expired].map((e) => checkpointKey(e.database.target, e.checkpoint.id)));
  for (const db of scan.databases) {
    for (const c of db.checkpoints) {
      const key = checkpointKey(db.target, c.id);
      if (!inside.has(key) && !isSelfRenewing(c)) out.add(key);
    }
  }
  return out;
}

export const EMPTY_SCAN: ExpiryScan = { databases: [], expiring: [], expired: [], selfRenewing: 0, nextChangeS: undefined };

export function scanExpiry(databases: readonly WatchedDatabase[], nowS: number, windowS: number): ExpiryScan {
  const expiring: ExpiringCheckpoint[] = [];
  const expired: ExpiringCheckpoint[] = [];
  let selfRenewing = 0;
  let next: number | undefined;
  const soonest = (s: number) => {
    if (s > 0 && (next === undefined || s < next)) next = s;
  };
  for (const database of databases) {
    for (const checkpoint of database.checkpoints) {
      if (checkpoint.expireTimeS === 0) continue;
      const leftS = checkpoint.expireTimeS - nowS;
      if (leftS <= 0) {
        expired.push({ database, checkpoint, leftS });
        continue;
      }
      soonest(leftS); // it expires then
      if (leftS > windowS) {
        soonest(leftS - windowS); // it enters the window then
        continue;
      }
      if (isSelfRenewing(checkpoint)) selfRenewing++;
      else expiring.push({ database, checkpoint, leftS });
    }
  }
  expiring.sort((a, b) => a.leftS - b.leftS || a.checkpoint.id.localeCompare(b.checkpoint.id));
  expired.sort((a, b) => a.leftS - b.leftS || a.checkpoint.id.localeCompare(b.checkpoint.id));
  return { databases, expiring, expired, selfRenewing, nextChangeS: next };
}
