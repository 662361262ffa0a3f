/**
 * Policies and the health report on databases the REAL SlateDB 0.12.1 wrote (local directory),
 * with an injected clock: four simulated days of hourly / nightly / write-volume rules with real
 * writes in between, against hand-computed expectations; SlateDB's reader opens what the policy
 * made; checkpoints no rule made (a live reader's, named ones) are never touched; a second run is
 * a no-op; a dry run writes nothing. Health findings on purpose-built databases: an old
 * never-expiring checkpoint, a big compactor-like pin, an expired checkpoint, an orphan SST.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCheckpoint } from '../../src/engine/checkpoints';
import { healthReport } from '../../src/engine/health';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf, CheckpointInfo, sstsOf } from '../../src/engine/manifest/model';
import { applyPolicy, DatabaseReport } from '../../src/engine/policy/apply';
import { validatePolicy } from '../../src/engine/policy/parse';
import type { Policy } from '../../src/engine/policy/types';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { buildDatabase, closeKeptReaders, keyFor, openReaderAtCheckpoint, valueFor } from '../fixtures/realSlateDb';
import { dirSnapshot as snapshot } from '../support/dirSnapshot';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.000/g, '');

async function latestCheckpoints(store: ObjectStore, db: string): Promise<CheckpointInfo[]> {
  return checkpointsOf((await new ManifestStore(store, db).readLatest()).manifest);
}

describe('policies on real SlateDB databases', function () {
  this.timeout(180_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-real-'));
  const DB = 'orders';
  let store: LocalObjectStore;
  // Simulated time starts at the UTC midnight two days ahead, so every lifetime we give ends in the real future
  // (the real writer, which runs on the real clock, must not see our checkpoints as expired).
  const T0 = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  const policy: Policy = validatePolicy({
    targets: [
      {
        store: 'file:///unused',
        path: DB,
        rules: [
          { name: 'hourly', every: '1h', lifetime: '30days', keep: { last: 6, daily: 3 } },
          { name: 'nightly', every: '1day', keep: { daily: 2, weekly: 1 } },
          { name: 'bulk', everyWrites: 3, keep: { last: 2 } },
        ],
      },
    ],
  });
  const run = (nowMs: number, s: ObjectStore = store, dryRun = false): Promise<DatabaseReport[]> => applyPolicy(policy, { nowMs, dryRun, openStore: async () => s });
  /** Real writes: `rounds` write batches, each flushed to L0 (each batch is one sequence number). No compactor, for a
   * deterministic manifest: keep the total under SlateDB's 8 L0 SSTs, past which it stalls writes until compaction. */
  const writeRounds = (rounds: number) =>
    buildDatabase({ rootDir: root, dbPath: DB, rounds, putsPerRound: 50, readerCheckpoints: 0, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0 });
  let others: CheckpointInfo[];

  before(async () => {
    // A real database with a live reader (its unnamed checkpoint stays while the reader is open).
    await buildDatabase({ rootDir: root, dbPath: DB, rounds: 1, putsPerRound: 200, readerCheckpoints: 1, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0 });
    store = new LocalObjectStore(root);
    const ms = new ManifestStore(store, DB);
    await createCheckpoint(ms, { name: 'adhoc' }, { now: () => new Date(T0 - 30 * DAY) });
    await createCheckpoint(ms, { name: 'hourlyish-20200101T000000Z', lifetimeMs: 60 * DAY }, { now: () => new Date(T0) }); // a look-alike, not the rule's
    await createCheckpoint(ms, { name: `nightly` }, { now: () => new Date(T0) }); // no "-": not the nightly rule's either
    others = await latestCheckpoints(store, DB);
    assert.equal(others.filter((c) => c.name === null).length, 1, 'the live reader holds one unnamed checkpoint');
  });

  after(async () => {
    const errors = await closeKeptReaders();
    fs.rmSync(root, { recursive: true, force: true });
    assert.deepEqual(errors, []);
  });

  it('four simulated days, runs every 2 h, real writes in between: exactly the hand-computed checkpoints remain', async () => {
    const created: string[] = [];
    for (let i = 0; i < 48; i++) {
      if (i === 6) await writeRounds(2); // 2 batches since bulk's first checkpoint: not due
      if (i === 11) await writeRounds(1); // 3 since: due at run 11
      if (i === 31) await writeRounds(3); // due at run 31 (no compactor here: SlateDB stalls writes past 8 L0 SSTs, so few rounds)
      const [r] = await run(T0 + i * 2 * HOUR + 60_000);
      assert.equal(r.error, null, JSON.stringify(r.error));
      for (const a of r.planned) if (a.action === 'create' && a.result?.status === 'created') created.push(a.name);
    }
    const at = (i: number) => T0 + i * 2 * HOUR;
    assert.deepEqual(created.filter((n) => n.startsWith('bulk-')), [0, 11, 31].map((i) => `bulk-${stamp(at(i) + 60_000)}`));
    assert.equal(created.filter((n) => n.startsWith('hourly-')).length, 48);
    assert.equal(created.filter((n) => n.startsWith('nightly-')).length, 4);

    const cps = await latestCheckpoints(store, DB);
    const names = (prefix: string) => cps.filter((c) => c.name?.startsWith(prefix)).map((c) => c.name!).sort();
    // hourly: last 6 = day 3 at 12..22 h; daily 3 = the newest of days 3, 2, 1 (22 h each).
    const d = (day: number, hour: number) => `hourly-${stamp(T0 + day * DAY + hour * HOUR)}`;
    assert.deepEqual(names('hourly-'), [d(1, 22), d(2, 22), d(3, 12), d(3, 14), d(3, 16), d(3, 18), d(3, 20), d(3, 22)].sort());
    // nightly: daily 2 = days 3 and 2; weekly 1 = day 3 again.
    assert.deepEqual(names('nightly-'), [`nightly-${stamp(T0 + 2 * DAY)}`, `nightly-${stamp(T0 + 3 * DAY)}`]);
    assert.deepEqual(names('bulk-'), [11, 31].map((i) => `bulk-${stamp(at(i) + 60_000)}`));
    // The simulated clock is what the checkpoints carry.
    const h = cps.find((c) => c.name === d(3, 22))!;
    assert.equal(h.createTimeS, (T0 + 3 * DAY + 22 * HOUR + 60_000) / 1000);
    assert.equal(h.expireTimeS, h.createTimeS + 30 * 86400);
    // Nothing the rules did not make was touched: same ids, same fields.
    for (const o of others) assert.deepEqual(cps.find((c) => c.id === o.id), o, `checkpoint ${o.name ?? o.id}`);
  });

  it("SlateDB's own reader opens a checkpoint the policy made and reads the rows", async () => {
    const cps = await latestCheckpoints(store, DB);
    const nightly = cps.find((c) => c.name === `nightly-${stamp(T0 + 3 * DAY)}`)!;
    const reader = await openReaderAtCheckpoint(root, DB, nightly.id);
    try {
      assert.equal(await reader.get(keyFor(0)), valueFor(0));
      assert.equal(await reader.get(keyFor(49)), valueFor(49));
    } finally {
      await reader.close();
    }
  });

  it('a second run in the same window plans nothing and writes nothing', async () => {
    const before = snapshot(root);
    const counting = new CountingObjectStore(store);
    const [r] = await run(T0 + 47 * 2 * HOUR + 30 * 60_000, counting);
    assert.deepEqual(r.planned, []);
    assert.equal(r.applied, true);
    assert.equal(counting.counts.put + counting.counts.delete, 0);
    assert.equal(snapshot(root), before);
  });

  it('a dry run lists creates and deletes with reasons, and writes nothing', async () => {
    const before = snapshot(root);
    const counting = new CountingObjectStore(store);
    const [r] = await run(T0 + 4 * DAY + 60_000, counting, true);
    assert.equal(counting.counts.put + counting.counts.delete, 0);
    assert.equal(snapshot(root), before);
    assert.equal(r.applied, false);
    const creates = r.planned.filter((a) => a.action === 'create').map((a) => a.name);
    assert.deepEqual(creates, [`hourly-${stamp(T0 + 4 * DAY)}`, `nightly-${stamp(T0 + 4 * DAY)}`]);
    const deletes = r.planned.filter((a) => a.action === 'delete');
    // hourly: day 4 00:00 joins; last 6 drops day3 12:00; daily 3 (days 4, 3, 2) drops day 1 22:00.
    assert.deepEqual(deletes.map((a) => a.name).sort(), [`hourly-${stamp(T0 + DAY + 22 * HOUR)}`, `hourly-${stamp(T0 + 3 * DAY + 12 * HOUR)}`, `nightly-${stamp(T0 + 2 * DAY)}`].sort());
    for (const a of deletes) assert.match(a.reason, /not selected by keep \{/);
  });
});

describe('health report on purpose-built real databases', function () {
  this.timeout(180_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'health-real-'));
  let store: LocalObjectStore;
  const NOW = Date.now();

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('flags an old never-expiring checkpoint, an expired one, and leaves young ones alone', async () => {
    await buildDatabase({ rootDir: root, dbPath: 'old', rounds: 2, putsPerRound: 100, readerCheckpoints: 0, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0 });
    store = new LocalObjectStore(root);
    const ms = new ManifestStore(store, 'old');
    const old = await createCheckpoint(ms, { name: 'forgotten' }, { now: () => new Date(NOW - 40 * DAY) });
    await createCheckpoint(ms, { name: 'fresh' }, { now: () => new Date(NOW - HOUR) });
    const expired = await createCheckpoint(ms, { name: 'lapsed', lifetimeMs: 60_000 }, { now: () => new Date(NOW - 2 * HOUR) });
    const report = await healthReport(ms, { nowMs: NOW });
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.checkpoint]),
      [
        ['no_expiry_old', old.id],
        ['expired_present', expired.id],
      ],
    );
    assert.match(report.findings[0].message, /"forgotten" .* never expires and was created 40days ago/);
    assert.equal(report.checkpoints.find((c) => c.checkpoint.id === expired.id)!.state, 'expired');
    assert.equal(report.orphans.checked, true);
    assert.deepEqual(report.orphans.ssts, []);
  });

  it('flags an unnamed compactor-like checkpoint that keeps most bytes alive, with the bytes it would free', async () => {
    // Rows written, pinned by an unnamed 15-minute checkpoint (the compactor's shape), then rewritten with new values
    // and compacted: the latest state no longer uses the pinned SSTs, which GC keeps only for that checkpoint.
    const db = 'pinned';
    await buildDatabase({ rootDir: root, dbPath: db, rounds: 4, putsPerRound: 300, valueBytes: 400, readerCheckpoints: 0, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0 });
    const ms = new ManifestStore(store, db);
    const pin = await createCheckpoint(ms, { lifetimeMs: 15 * 60_000 });
    await buildDatabase({ rootDir: root, dbPath: db, rounds: 4, putsPerRound: 300, valueBytes: 400, keyPrefix: 'key-', readerCheckpoints: 0, closedReaders: 0, compaction: true, gc: true, roundPauseMs: 400, settleMaxMs: 6000 });
    const latest = await ms.readLatest();
    const pinnedManifest = await ms.read(pin.manifestId);
    const latestIds = new Set(sstsOf(latest.manifest).map((s) => s.id));
    const heldOnlyByPin = sstsOf(pinnedManifest.manifest).filter((s) => !latestIds.has(s.id));
    assert.ok(heldOnlyByPin.length > 0, 'the rewrite must have left SSTs that only the pin holds');

    const report = await healthReport(ms, { nowMs: Date.now(), unnamedPinPercent: 20 });
    const big = report.findings.find((f) => f.kind === 'unnamed_big_pin');
    assert.ok(big, `expected a big-pin finding: ${JSON.stringify(report.checkpoints.map((c) => [c.checkpoint.id, c.sharePercent]))}`);
    assert.equal(big!.checkpoint, pin.id);
    assert.match(big!.message, /probably the compactor/);
    const h = report.checkpoints.find((c) => c.checkpoint.id === pin.id)!;
    assert.equal(h.origin, 'compactor');
    // Bytes it keeps beyond the latest state = sizes of exactly those SSTs, from the directory itself.
    const onDisk = heldOnlyByPin.reduce((n, s) => n + fs.statSync(path.join(root, db, 'compacted', `${s.id}.sst`)).size, 0);
    assert.equal(h.bytesNotInLatest, onDisk);
    assert.ok(h.sharePercent > 20, `share ${h.sharePercent}`);
    assert.equal(report.bytes.onlyPinnedByCheckpoints >= onDisk, true);
  });

  it('reports an old SST no manifest references (never deletes it), not a young one, and manifest growth over a threshold', async () => {
    const db = 'old';
    const dir = path.join(root, db, 'compacted');
    const existing = fs.readdirSync(dir).filter((f) => f.endsWith('.sst'))[0];
    const orphan = path.join(dir, '01JDZZZZZZZZZZZZZZZZZZZZZZ.sst');
    const young = path.join(dir, '01JE0000000000000000000000.sst');
    fs.copyFileSync(path.join(dir, existing), orphan);
    fs.copyFileSync(path.join(dir, existing), young);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    fs.utimesSync(orphan, twoDaysAgo, twoDaysAgo);
    const before = snapshot(path.join(root, db));
    const ms = new ManifestStore(store, db);
    const count = (await ms.listManifests()).length;
    const report = await healthReport(ms, { nowMs: Date.now(), manifestCountWarn: count - 1 });
    assert.deepEqual(report.orphans.ssts.map((s) => s.key), [`${db}/compacted/01JDZZZZZZZZZZZZZZZZZZZZZZ.sst`]);
    const f = report.findings.find((x) => x.kind === 'orphan_ssts')!;
    assert.equal(f.bytes, fs.statSync(orphan).size);
    assert.match(f.message, /Reported only: nothing was deleted/);
    const growth = report.findings.find((x) => x.kind === 'manifest_growth')!;
    assert.match(growth.message, new RegExp(`^${count} manifests are kept`));
    assert.equal(report.manifests.count, count);
    assert.equal(snapshot(path.join(root, db)), before, 'the health report writes nothing');
    // Past the read cap the orphan check is skipped and says why.
    const capped = await healthReport(ms, { nowMs: Date.now(), maxManifestReads: 1 });
    assert.equal(capped.orphans.checked, false);
    assert.match(capped.orphans.why!, /exceed the limit of 1/);
  });
});
