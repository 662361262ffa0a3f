/**
 * Retention (restic `forget` semantics, UTC) against a hand-computed table, and ISO weeks at year
 * boundaries (src/engine/policy/keep.ts).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyKeep, isoWeek, KeepCandidate } from '../../../src/engine/policy/keep';
import type { KeepPolicy } from '../../../src/engine/policy/types';

const NOW = Date.parse('2026-12-02T12:00:00Z'); // a Wednesday in ISO week 2026-W49 (Mon 30 Nov – Sun 6 Dec)

// Hand-made history, listed deliberately out of order.
const AT: Record<string, string> = {
  G: '2026-11-27T12:00:00Z', // Fri, W48, November
  A: '2026-12-02T11:00:00Z', // Wed, W49, December
  J: '2026-09-15T00:00:00Z', // Tue, W38, September
  C: '2026-12-01T23:00:00Z', // Tue, W49
  E: '2026-11-30T00:30:00Z', // Mon, W49, November
  B: '2026-12-02T01:00:00Z', // Wed, W49
  I: '2026-10-31T23:59:00Z', // Sat, W44, October
  D: '2026-12-01T10:00:00Z', // Tue, W49
  H: '2026-11-20T12:00:00Z', // Fri, W47
  F: '2026-11-29T22:00:00Z', // Sun, W48, November
};
const HISTORY: KeepCandidate[] = Object.entries(AT).map(([name, at]) => ({ id: `id-${name}`, name, createTimeS: Date.parse(at) / 1000 }));

function keep(k: Omit<KeepPolicy, 'text'>, items = HISTORY, now = NOW): string[] {
  return applyKeep(items, { ...k, text: 'test' }, now)
    .kept.map((x) => x.item.name!)
    .sort();
}

describe('policy keep clauses (restic forget, UTC)', () => {
  // Each row computed by hand from the table above.
  const table: Array<[string, Omit<KeepPolicy, 'text'>, string[]]> = [
    ['last 3: the three newest', { last: 3 }, ['A', 'B', 'C']],
    ['hourly 2: newest of the two newest hours (11h, 01h on 12-02)', { hourly: 2 }, ['A', 'B']],
    ['daily 3: newest of 12-02, 12-01, 11-30', { daily: 3 }, ['A', 'C', 'E']],
    ['daily 5: days without a checkpoint are not counted (11-28 is skipped, 11-27 is the 5th)', { daily: 5 }, ['A', 'C', 'E', 'F', 'G']],
    ['weekly 2: newest of W49 and W48', { weekly: 2 }, ['A', 'F']],
    ['weekly 4: W49, W48, W47, then W44 (W45/W46 are empty)', { weekly: 4 }, ['A', 'F', 'H', 'I']],
    ['monthly 3: newest of December, November (E, on the 30th), October', { monthly: 3 }, ['A', 'E', 'I']],
    ['within 1day: created after 2026-12-01T12:00Z', { withinMs: 86_400_000 }, ['A', 'B', 'C']],
    ['union of clauses: last 1 + daily 2 + weekly 3 + monthly 4', { last: 1, daily: 2, weekly: 3, monthly: 4 }, ['A', 'C', 'E', 'F', 'H', 'I', 'J']],
    ['more buckets than history: one per month that has one', { monthly: 12 }, ['A', 'E', 'I', 'J']],
  ];
  for (const [title, clauses, expected] of table) {
    it(title, () => assert.deepEqual(keep(clauses), expected));
  }

  it('everything not kept is removed, each exactly once', () => {
    const d = applyKeep(HISTORY, { last: 1, daily: 2, weekly: 3, monthly: 4, text: 't' }, NOW);
    assert.deepEqual(d.removed.map((r) => r.name).sort(), ['B', 'D', 'G']);
    assert.equal(d.kept.length + d.removed.length, HISTORY.length);
  });

  it('reasons name every clause that keeps a checkpoint', () => {
    const d = applyKeep(HISTORY, { last: 1, daily: 2, weekly: 3, monthly: 4, text: 't' }, NOW);
    const a = d.kept.find((k) => k.item.name === 'A')!;
    assert.deepEqual(a.reasons, ['last 1 (#1)', 'daily 2026-12-02', 'weekly 2026-W49', 'monthly 2026-12']);
    assert.deepEqual(d.kept.find((k) => k.item.name === 'F')!.reasons, ['weekly 2026-W48']);
    assert.deepEqual(d.kept.find((k) => k.item.name === 'E')!.reasons, ['monthly 2026-11']);
  });

  it('within is strict, as restic: exactly DUR old is not within', () => {
    const items = [{ id: 'x', name: 'x', createTimeS: (NOW - 3_600_000) / 1000 }];
    assert.deepEqual(keep({ withinMs: 3_600_000 }, items), []);
    assert.deepEqual(keep({ withinMs: 3_601_000 }, items), ['x']);
  });

  it('ties on create time are broken by name, then id, whatever the input order', () => {
    const t = NOW / 1000;
    const items = [
      { id: '1', name: 'r-a', createTimeS: t },
      { id: '2', name: 'r-b', createTimeS: t },
    ];
    assert.deepEqual(keep({ last: 1 }, items), ['r-b']);
    assert.deepEqual(keep({ last: 1 }, [...items].reverse()), ['r-b']);
  });

  it('ISO weeks at year boundaries (UTC)', () => {
    const w = (s: string) => isoWeek(Date.parse(s));
    assert.deepEqual(w('2026-12-31T23:59:59Z'), { year: 2026, week: 53 }); // 2026 starts on a Thursday: 53 weeks
    assert.deepEqual(w('2027-01-03T12:00:00Z'), { year: 2026, week: 53 }); // Sunday still in 2026-W53
    assert.deepEqual(w('2027-01-04T00:00:00Z'), { year: 2027, week: 1 });
    assert.deepEqual(w('2024-12-30T00:00:00Z'), { year: 2025, week: 1 }); // Monday of 2025-W01
    assert.deepEqual(w('2021-01-03T23:00:00Z'), { year: 2020, week: 53 });
    assert.deepEqual(w('2026-01-01T00:00:00Z'), { year: 2026, week: 1 });
    assert.deepEqual(w('2025-12-29T00:00:00Z'), { year: 2026, week: 1 });
  });

  it('ISO weeks agree with GNU date (%G-W%V) on every day of 1999–2041', () => {
    const days: number[] = [];
    for (let t = Date.UTC(1999, 0, 1, 13); t < Date.UTC(2042, 0, 1); t += 86_400_000) days.push(t);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'isoweek-')), 'days.txt');
    fs.writeFileSync(file, days.map((t) => new Date(t).toISOString()).join('\n') + '\n');
    const oracle = execFileSync('date', ['-u', '-f', file, '+%G-W%V'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(oracle.length, days.length);
    days.forEach((t, i) => {
      const w = isoWeek(t);
      assert.equal(`${w.year}-W${String(w.week).padStart(2, '0')}`, oracle[i], new Date(t).toISOString());
    });
  });

  it('weekly buckets span the new year: 31 Dec and 2 Jan share one ISO week', () => {
    const items = [
      { id: '1', name: 'dec30', createTimeS: Date.parse('2026-12-30T00:00:00Z') / 1000 },
      { id: '2', name: 'dec31', createTimeS: Date.parse('2026-12-31T00:00:00Z') / 1000 },
      { id: '3', name: 'jan02', createTimeS: Date.parse('2027-01-02T00:00:00Z') / 1000 },
      { id: '4', name: 'dec27', createTimeS: Date.parse('2026-12-27T00:00:00Z') / 1000 }, // Sunday of W52
    ];
    assert.deepEqual(keep({ weekly: 2 }, items, Date.parse('2027-01-03T00:00:00Z')), ['dec27', 'jan02']);
    // monthly splits them: January and December
    assert.deepEqual(keep({ monthly: 2 }, items, Date.parse('2027-01-03T00:00:00Z')), ['dec31', 'jan02']);
  });

  it('buckets are UTC, not local time', () => {
    const items = [
      { id: '1', name: 'late', createTimeS: Date.parse('2026-12-01T23:30:00Z') / 1000 },
      { id: '2', name: 'early', createTimeS: Date.parse('2026-12-01T00:30:00Z') / 1000 },
    ];
    assert.deepEqual(keep({ daily: 2 }, items), ['late']); // one UTC day, whatever TZ the machine has
  });
});
