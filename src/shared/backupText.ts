/**
 * Words for a backup or restore in progress and for its result (the
 * notification, the log, the tests). Pure functions; the shapes are the
 * engine's (src/engine/backup/backup.ts), imported as types only.
 */

import type { BackupProgress, BackupResult } from '../engine/backup/backup';
import { formatBytes, plural } from './checkpointStatus';

const PHASE_TEXT: Record<BackupProgress['phase'], string> = {
  pin: 'pinning the source with a temporary checkpoint',
  plan: 'listing what to copy',
  copy: 'copying',
  commit: 'every object checked; writing the manifest',
  unpin: 'removing the temporary checkpoint',
};

/** "copying 12 MiB of 40 MiB · 3 of 9 objects"; the other phases by name. */
export function progressMessage(p: BackupProgress): string {
  if (p.phase !== 'copy') return PHASE_TEXT[p.phase];
  return `copying ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)} · ${p.objectsDone} of ${plural(p.objectsTotal, 'object')}`;
}

/** "3 SSTs + 1 WAL file (1.2 MiB)". */
export function totalsText(t: { ssts: number; wal_files: number; bytes: number }): string {
  return `${plural(t.ssts, 'SST')} + ${plural(t.wal_files, 'WAL file')} (${formatBytes(t.bytes)})`;
}

/** "copied 2 SSTs + 1 WAL file (800 KiB), reused 5 SSTs + 0 WAL files (3.0 MiB)[, 7 server-side copies]". */
export function copiedVsReused(r: Pick<BackupResult, 'copied' | 'reused' | 'server_side_copies'>): string {
  const serverSide = r.server_side_copies > 0 ? `, ${plural(r.server_side_copies, 'server-side copy', 'server-side copies')}` : '';
  return `copied ${totalsText(r.copied)}, reused ${totalsText(r.reused)}${serverSide}`;
}
