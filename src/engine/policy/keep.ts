/**
 * Retention with the semantics of restic's `forget` (internal/restic/
 * snapshot_policy.go), in UTC:
 *   - candidates are ordered newest first;
 *   - `last: N` keeps the N newest;
 *   - `hourly|daily|weekly|monthly: N` walks that order and keeps a
 *     checkpoint whenever it opens a bucket (hour / day / ISO week / month)
 *     not seen yet, until N buckets are kept: the newest checkpoint of each of
 *     the last N buckets that have one;
 *   - `within: DUR` keeps every checkpoint created after now − DUR;
 *   - a checkpoint survives when any clause keeps it.
 * Differences from restic, on purpose: `within` counts from now (restic: from
 * the newest snapshot), as the CLI contract says; restic ≥ 0.17 also keeps the
 * oldest snapshot while a bucket clause has counts left, which the contract's
 * definition ("the newest of each of the last N buckets that have one") does
 * not, so neither do we; no `yearly`, no tags, no "unlimited" (-1).
 */

import { formatDuration } from '../duration';
import type { KeepPolicy } from './types';

export interface KeepCandidate {
  id: string;
  name: string | null;
  createTimeS: number;
}

export interface KeepDecision<T extends KeepCandidate> {
  kept: Array<{ item: T; reasons: string[] }>;
  removed: T[];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** ISO 8601 week of a UTC instant: the year that owns the week, and the week number. */
export function isoWeek(ms: number): { year: number; week: number } {
  const d = new Date(ms);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(midnight + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const dayOfYear = (thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000; // 0-based
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

type Bucketer = (ms: number) => string;

const BUCKETS: Array<{ clause: 'hourly' | 'daily' | 'weekly' | 'monthly'; bucket: Bucketer }> = [
  { clause: 'hourly', bucket: (ms) => new Date(ms).toISOString().slice(0, 13) + 'h' },
  { clause: 'daily', bucket: (ms) => new Date(ms).toISOString().slice(0, 10) },
  {
    clause: 'weekly',
    bucket: (ms) => {
      const w = isoWeek(ms);
      return `${w.year}-W${pad(w.week)}`;
    },
  },
  { clause: 'monthly', bucket: (ms) => new Date(ms).toISOString().slice(0, 7) },
];

/** Newest first; ties by name, then id, both descending, so the order never depends on the listing. */
export function newestFirst<T extends KeepCandidate>(items: readonly T[]): T[] {
  const key = (c: T) => [c.createTimeS, c.name ?? '', c.id] as const;
  return [...items].sort((a, b) => {
    const [ta, na, ia] = key(a);
    const [tb, nb, ib] = key(b);
    if (ta !== tb) return tb - ta;
    if (na !== nb) return na < nb ? 1 : -1;
    return ia < ib ? 1 : ia > ib ? -1 : 0;
  });
}

export function applyKeep<T extends KeepCandidate>(items: readonly T[], keep: KeepPolicy, nowMs: number): KeepDecision<T> {
  const ordered = newestFirst(items);
  const left = { hourly: keep.hourly ?? 0, daily: keep.daily ?? 0, weekly: keep.weekly ?? 0, monthly: keep.monthly ?? 0 };
  const lastBucket: Record<string, string | undefined> = {};
  let lastLeft = keep.last ?? 0;
  const decision: KeepDecision<T> = { kept: [], removed: [] };

  for (const item of ordered) {
    const ms = item.createTimeS * 1000;
    const reasons: string[] = [];
    if (lastLeft > 0) {
      reasons.push(`last ${keep.last} (#${(keep.last ?? 0) - lastLeft + 1})`);
      lastLeft--;
    }
    for (const { clause, bucket } of BUCKETS) {
      if (left[clause] <= 0) continue;
      const b = bucket(ms);
      if (b !== lastBucket[clause]) {
        lastBucket[clause] = b;
        left[clause]--;
        reasons.push(`${clause} ${b}`);
      }
    }
    if (keep.withinMs !== undefined && ms > nowMs - keep.withinMs) reasons.push(`within ${formatDuration(keep.withinMs)} of now`);
    if (reasons.length > 0) decision.kept.push({ item, reasons });
    else decision.removed.push(item);
  }
  return decision;
}
