/**
 * What the expiry monitoring counts (src/extension/expiry/expiringCheckpoints.ts): inside the window
 * soonest first, expired apart, SlateDB's own short-lived checkpoints left out, the next instant the
 * answer changes by itself, and which remembered checkpoints left the window. Hand-computed cases.
 */
import * as assert from 'node:assert/strict';
import type { CheckpointInfo } from '../../../src/engine/manifest/model';
import { checkpointKey, outsideWindow, scanExpiry, WatchedDatabase } from '../../../src/extension/expiry/expiringCheckpoints';
import { expiredTooltipRow } from '../../../src/extension/expiry/expiredMark';

const NOW = 1_800_000_000;
let n = 0;
const cp = (o: Partial<CheckpointInfo>): CheckpointInfo => ({
  id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  manifestId: 7,
  createTimeS: NOW - 86400,
  expireTimeS: 0,
  name: 'named',
  writerEpoch: null,
  ...o,
});
const db = (dbPath: string, checkpoints: CheckpointInfo[]): WatchedDatabase => ({ target: { connectionId: 'c1', dbPath }, connectionName: 'conn', checkpoints });

describe('expiry monitoring: which checkpoints expire within the window', () => {
  const in20m = cp({ name: 'in-20m', expireTimeS: NOW + 1200 });
  const in5m = cp({ name: 'in-5m', expireTimeS: NOW + 300 });
  const in2h = cp({ name: 'in-2h', expireTimeS: NOW + 7200 });
  const never = cp({ name: 'never' });
  const gone = cp({ name: 'gone', expireTimeS: NOW - 60 });
  const atEdge = cp({ name: 'edge', expireTimeS: NOW + 3600 });
  // SlateDB's own: unnamed, 15-minute (compactor) and 10-minute (reader) lifetimes.
  const compactor = cp({ name: null, createTimeS: NOW - 100, expireTimeS: NOW + 800 });
  const reader = cp({ name: null, createTimeS: NOW - 100, expireTimeS: NOW + 500 });
  const dbs = [db('a', [in20m, never, gone, compactor]), db('b', [in2h, in5m, atEdge, reader])];

  it('inside a 1 h window, soonest first; the window edge counts; expired and never-expiring do not', () => {
    const scan = scanExpiry(dbs, NOW, 3600);
    assert.deepEqual(scan.expiring.map((e) => [e.database.target.dbPath, e.checkpoint.name, e.leftS]), [
      ['b', 'in-5m', 300],
      ['a', 'in-20m', 1200],
      ['b', 'edge', 3600],
    ]);
    assert.deepEqual(scan.expired.map((e) => [e.checkpoint.name, e.leftS]), [['gone', -60]]);
    assert.equal(scan.selfRenewing, 2, 'the compactor and reader checkpoints are counted apart');
  });

  it('the next change: the soonest of "enters the window" and "expires"', () => {
    // in-2h enters a 1 h window in 3600 s; in-5m expires in 300 s; the reader's in 500 s.
    assert.equal(scanExpiry(dbs, NOW, 3600).nextChangeS, 300);
    // A 1 min window: in-5m enters it in 240 s.
    assert.equal(scanExpiry(dbs, NOW, 60).nextChangeS, 240);
    assert.equal(scanExpiry([db('a', [never, gone])], NOW, 3600).nextChangeS, undefined, 'nothing will change by itself');
  });

  it('outsideWindow: checkpoints seen neither expiring nor expired (a refreshed one left the window)', () => {
    const scan = scanExpiry(dbs, NOW, 3600);
    const keys = outsideWindow(scan);
    assert.deepEqual([...keys].sort(), [checkpointKey({ connectionId: 'c1', dbPath: 'a' }, never.id), checkpointKey({ connectionId: 'c1', dbPath: 'b' }, in2h.id)].sort());
  });

  it('the tree tooltip row of an expired checkpoint says it is still listed; none for the others', () => {
    assert.match(expiredTooltipRow(gone, NOW), /^\| \$\(error\) Expired \| 1 min ago, but still listed in the latest manifest\. .* \|\n$/);
    assert.equal(expiredTooltipRow(in5m, NOW), '');
    assert.equal(expiredTooltipRow(never, NOW), '');
  });
});
