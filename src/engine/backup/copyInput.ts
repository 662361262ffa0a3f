/**
 * Checks and small helpers shared by backup and restore: the number of
 * parallel copies, that source and target do not overlap, progress
 * reporting, and the contract's snake_case totals.
 */

import { EngineError } from '../errors';
import type { BackupEndpoint, BackupProgress } from './backup';
import type { ObjectTotals } from './copy';

const MAX_CONCURRENCY = 256;

/** Throws INVALID_ARGUMENT unless `n` is a usable number of parallel copies. */
export function checkConcurrency(n: number | undefined): number {
  if (n === undefined) return 8;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new EngineError('INVALID_ARGUMENT', `the number of parallel copies must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${n}. Nothing was read or written.`);
  }
  return n;
}

/** Throws INVALID_ARGUMENT when the two roots are the same or one holds the other (a copy would land in its own source). */
export function checkSeparate(a: BackupEndpoint, aPath: string, b: BackupEndpoint, bPath: string, what: string): void {
  if (a.store.description !== b.store.description) return;
  // Stores are told apart by description (two handles on one directory or bucket are one store), except in-memory ones: each is its own.
  if (a.store !== b.store && a.store.description.startsWith('memory:')) return;
  const inside = (x: string, y: string) => x === y || y === '' || x.startsWith(`${y}/`);
  if (inside(aPath, bPath) || inside(bPath, aPath)) {
    throw new EngineError('INVALID_ARGUMENT', `${what}: "${bPath || '/'}" and "${aPath || '/'}" in ${a.store.description} are the same place or one holds the other; choose a separate path. Nothing was read or written.`);
  }
}

export function totalsJson(t: ObjectTotals): { ssts: number; wal_files: number; bytes: number } {
  return { ssts: t.ssts, wal_files: t.walFiles, bytes: t.bytes };
}

export function progressReporter(onProgress: ((p: BackupProgress) => void) | undefined) {
  let last: BackupProgress = { phase: 'plan', objectsDone: 0, objectsTotal: 0, bytesDone: 0, bytesTotal: 0 };
  return (phase: BackupProgress['phase'], counts?: Omit<BackupProgress, 'phase'>) => {
    last = { ...last, ...(counts ?? {}), phase };
    onProgress?.({ ...last });
  };
}
