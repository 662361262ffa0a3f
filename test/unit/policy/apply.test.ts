/**
 * apply-policy on in-memory databases with an injected clock (src/engine/policy/apply.ts, plan.ts,
 * batch.ts): schedules over simulated days (time and write-volume triggers), retention over the
 * rule's own checkpoints only, idempotence, dry runs that write nothing, concurrent runners, and a
 * failing database that does not stop the others.
 */
import * as assert from 'node:assert/strict';
import { ManifestStore } from '../../../src/engine/manifest/manifestStore';
import { checkpointsOf, CheckpointInfo } from '../../../src/engine/manifest/model';
import { encodeManifest } from '../../../src/engine/manifest/codec';
import { applyPolicy, ApplyPolicyOptions, DatabaseReport } from '../../../src/engine/policy/apply';
import { validatePolicy } from '../../../src/engine/policy/parse';
import type { Policy } from '../../../src/engine/policy/types';
import { CountingObjectStore } from '../../../src/engine/store/countingStore';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import { checkpointTable, manifestV1, putManifest } from '../../support/manifestKit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const ADHOC = '0a0a0a0a-0000-4000-8000-00000000000a';
const UNNAMED = '0b0b0b0b-0000-4000-8000-00000000000b';
const LOOKALIKE = '0c0c0c0c-0000-4000-8000-00000000000c';

function policy(rules: unknown[], target: Record<string, unknown> = { path: 'orders' }): Policy {
  return validatePolicy({ targets: [{ store: 'file:///mem', ...target, rules }] });
}

/** A database with checkpoints no rule made: one named, one unnamed, one named like a rule of another target. */
async function seed(store: ObjectStore, db = 'orders', seq = 1000n): Promise<void> {
  await putManifest(
    store,
    db,
    1,
    manifestV1({
      extra: { last_l0_seq: seq },
      checkpoints: [
        checkpointTable({ id: ADHOC, manifestId: 1, create: T0 / 1000 - 90 * 86400, name: 'adhoc' }),
        checkpointTable({ id: UNNAMED, manifestId: 1, create: T0 / 1000 - 90 * 86400 }),
        checkpointTable({ id: LOOKALIKE, manifestId: 1, create: T0 / 1000 - 90 * 86400, name: 'hourlyish-20260101T000000Z' }),
      ],
    }),
  );
}

/** What SlateDB's writer does when rows arrive: a new manifest with a higher last_l0_seq, checkpoints kept. */
async function write(store: ObjectStore, db: string, rows: number): Promise<void> {
  const ms = new ManifestStore(store, db);
  const latest = await ms.readLatest();
  const root = { ...latest.manifest.root, last_l0_seq: (latest.manifest.root.last_l0_seq as bigint) + BigInt(rows) };
  await store.putIfAbsent(ms.keyOf(latest.id + 1), encodeManifest({ ...latest.manifest, root }));
}

async function checkpoints(store: ObjectStore, db = 'orders'): Promise<CheckpointInfo[]> {
  return checkpointsOf((await new ManifestStore(store, db).readLatest()).manifest);
}

function run(p: Policy, store: ObjectStore, nowMs: number, extra: Partial<ApplyPolicyOptions> = {}): Promise<DatabaseReport[]> {
  return applyPolicy(p, { nowMs, dryRun: false, openStore: async () => store, ...extra });
}

const names = (cps: CheckpointInfo[], prefix: string) => cps.filter((c) => c.name?.startsWith(prefix)).map((c) => c.name!).sort();

describe('apply-policy (in-memory databases, injected clock)', () => {
  it('hourly + nightly over 10 simulated days keep exactly what keep says, and never touch other checkpoints', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([
      { name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } },
      { name: 'nightly', every: '1day', keep: { daily: 7 } },
    ]);
    // Runs every 20 minutes, at odd seconds, for 10 days.
    for (let t = T0 + 7_000; t < T0 + 10 * DAY; t += 20 * 60_000) {
      const [r] = await run(p, store, t);
      assert.equal(r.error, null, JSON.stringify(r.error));
      assert.equal(r.applied, true);
    }
    const cps = await checkpoints(store);
    const last = T0 + 10 * DAY - HOUR; // the last window: 2026-11-29T23:00Z
    const expectedHourly = Array.from({ length: 24 }, (_, i) => `hourly-${new Date(last - i * HOUR).toISOString().replace(/[-:]|\.000/g, '')}`).sort();
    assert.deepEqual(names(cps, 'hourly-'), expectedHourly);
    assert.deepEqual(names(cps, 'nightly-'), ['23', '24', '25', '26', '27', '28', '29'].map((d) => `nightly-202611${d}T000000Z`));
    // Created at the first run inside their window, with that instant as create time.
    const h = cps.find((c) => c.name === 'hourly-20261129T230000Z')!;
    assert.equal(h.createTimeS, (T0 + 9 * DAY + 23 * HOUR + 7_000) / 1000);
    assert.equal(h.expireTimeS, h.createTimeS + 2 * 86400);
    assert.equal(cps.find((c) => c.name === 'nightly-20261129T000000Z')!.expireTimeS, 0);
    for (const id of [ADHOC, UNNAMED, LOOKALIKE]) assert.ok(cps.some((c) => c.id === id), `checkpoint ${id} not made by a rule must stay`);
  });

  it('a second run in the same window plans nothing and writes nothing', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([{ name: 'hourly', every: '1h', keep: { last: 2 } }]);
    const [first] = await run(p, store, T0 + 5 * 60_000);
    assert.deepEqual(first.planned.map((a) => [a.action, a.name, a.result?.status]), [['create', 'hourly-20261120T000000Z', 'created']]);
    const counting = new CountingObjectStore(store);
    const [second] = await run(p, counting, T0 + 50 * 60_000);
    assert.deepEqual(second.planned, []);
    assert.equal(second.applied, true);
    assert.equal(counting.counts.put + counting.counts.delete, 0);
    assert.deepEqual({ list: counting.counts.list, get: counting.counts.get }, { list: 1, get: 1 }, 'one listing + one read');
  });

  it('a dry run prints the plan with reasons and writes nothing', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([{ name: 'hourly', every: '1h', keep: { last: 2 } }]);
    for (let i = 0; i < 4; i++) await run(p, store, T0 + i * HOUR);
    const before = await checkpoints(store);
    const counting = new CountingObjectStore(store);
    const [r] = await run(p, counting, T0 + 4 * HOUR + 60_000, { dryRun: true });
    assert.equal(counting.counts.put + counting.counts.delete, 0);
    assert.equal(r.applied, false);
    assert.deepEqual(
      r.planned.map((a) => [a.action, a.name, a.checkpoint === null]),
      [
        ['create', 'hourly-20261120T040000Z', true],
        ['delete', 'hourly-20261120T020000Z', false],
      ],
    );
    assert.match(r.planned[0].reason, /every 1h: no hourly checkpoint in the window 2026-11-20T04:00:00Z – 2026-11-20T05:00:00Z \(never expires\)/);
    assert.match(r.planned[1].reason, /created 2026-11-20T02:00:00Z; not selected by keep \{last: 2\}/);
    assert.equal(r.planned[1].result, undefined);
    assert.deepEqual(await checkpoints(store), before);
  });

  it('everyWrites: due when last_l0_seq grew by N since the manifest the newest checkpoint pins', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([{ name: 'bulk', everyWrites: 1000, keep: { last: 2 } }]);
    const made: string[] = [];
    let t = T0;
    const step = async (rows: number) => {
      if (rows > 0) await write(store, 'orders', rows);
      t += 60_000;
      const [r] = await run(p, store, t);
      assert.equal(r.error, null);
      for (const a of r.planned) if (a.action === 'create') made.push(a.name);
      return r;
    };
    const first = await step(0); // no checkpoint yet
    assert.match(first.planned[0].reason, /everyWrites 1000: the rule has no checkpoint yet/);
    await step(400);
    await step(599); // 999 since: not yet
    assert.equal(made.length, 1);
    const third = await step(1); // 1000 since
    assert.match(third.planned[0].reason, /last_l0_seq grew by 1000 \(1000 in manifest 2, pinned by bulk-20261120T000100Z, → 2000 in manifest 5\)/);
    await step(5000);
    await step(0);
    assert.deepEqual(made, ['bulk-20261120T000100Z', 'bulk-20261120T000400Z', 'bulk-20261120T000500Z']);
    assert.deepEqual(names(await checkpoints(store), 'bulk-'), ['bulk-20261120T000400Z', 'bulk-20261120T000500Z']);
  });

  it('both triggers: due when either is; one checkpoint per run', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([{ name: 'snap', every: '1day', everyWrites: 100 }]);
    const [a] = await run(p, store, T0 + HOUR);
    assert.deepEqual(a.planned.map((x) => x.name), ['snap-20261120T000000Z']);
    assert.match(a.planned[0].reason, /every 1day: .*; everyWrites 100: the rule has no checkpoint yet/);
    await write(store, 'orders', 150);
    const [b] = await run(p, store, T0 + 2 * HOUR);
    assert.deepEqual(b.planned.map((x) => x.name), ['snap-20261120T020000Z']); // write trigger: named by the instant
    const [c] = await run(p, store, T0 + DAY + HOUR);
    assert.deepEqual(c.planned.map((x) => x.name), ['snap-20261121T000000Z']);
  });

  it('expired checkpoints of the rule are deleted (they protect nothing); without keep nothing is deleted', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const withKeep = policy([{ name: 'h', every: '1h', lifetime: '90min', keep: { last: 10 } }]);
    for (let i = 0; i < 4; i++) await run(withKeep, store, T0 + i * HOUR);
    assert.deepEqual(names(await checkpoints(store), 'h-'), ['h-20261120T020000Z', 'h-20261120T030000Z']);
    const store2 = new MemoryObjectStore();
    await seed(store2);
    const noKeep = policy([{ name: 'h', every: '1h', lifetime: '90min' }]);
    for (let i = 0; i < 4; i++) await run(noKeep, store2, T0 + i * HOUR);
    assert.equal(names(await checkpoints(store2), 'h-').length, 4);
  });

  it('concurrent runners create exactly one checkpoint per window', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = policy([{ name: 'hourly', every: '1h', keep: { last: 3 } }]);
    for (let hour = 0; hour < 5; hour++) {
      const reports = await Promise.all([0, 1, 2, 3, 4, 5].map((k) => run(p, store, T0 + hour * HOUR + k * 1000)));
      for (const [r] of reports) assert.equal(r.error, null, JSON.stringify(r.error));
      const statuses = reports.map(([r]) => r.planned.find((a) => a.action === 'create')?.result?.status).filter(Boolean);
      assert.equal(statuses.filter((s) => s === 'created').length, 1, `hour ${hour}: ${statuses}`);
    }
    assert.deepEqual(names(await checkpoints(store), 'hourly-'), ['hourly-20261120T020000Z', 'hourly-20261120T030000Z', 'hourly-20261120T040000Z']);
  });

  it('a glob target runs on every matching database; one failing does not stop the others', async () => {
    const store = new MemoryObjectStore();
    for (const db of ['tenants/a', 'tenants/b', 'tenants/c']) await seed(store, db);
    await store.putIfAbsent('tenants/b/manifest/00000000000000000002.manifest', new Uint8Array([0, 1, 2, 3])); // corrupt latest
    const p = policy([{ name: 'daily', every: '1day' }], { path_glob: 'tenants/*' });
    const reports = await run(p, store, T0);
    assert.deepEqual(
      reports.map((r) => [r.path, r.applied, r.error?.code ?? null]),
      [
        ['tenants/a', true, null],
        ['tenants/b', false, 'MANIFEST_CORRUPT'],
        ['tenants/c', true, null],
      ],
    );
    assert.equal(names(await checkpoints(store, 'tenants/c'), 'daily-').length, 1);
  });

  it('a missing database and a store that does not open are reported per target', async () => {
    const store = new MemoryObjectStore();
    await seed(store);
    const p = validatePolicy({
      targets: [
        { store: 'file:///mem', path: 'nope', rules: [{ name: 'a', every: '1h' }] },
        { store: 'file:///broken', path: 'orders', rules: [{ name: 'a', every: '1h' }] },
        { store: 'file:///mem', path: 'orders', rules: [{ name: 'a', every: '1h' }] },
      ],
    });
    const reports = await applyPolicy(p, {
      nowMs: T0,
      dryRun: false,
      openStore: async (s) => {
        if (s.url === 'file:///broken') throw new Error('cannot open');
        return store;
      },
    });
    assert.deepEqual(
      reports.map((r) => [r.store, r.path, r.error?.code ?? null]),
      [
        ['file:///mem', 'nope', 'DATABASE_NOT_FOUND'],
        ['file:///mem', 'orders', null],
        ['file:///broken', 'orders', 'STORE_ERROR'],
      ],
    );
  });

  it('a rule with a backup plans the backup and, by default, runs it through the backup engine into the repository', async () => {
    const store = new MemoryObjectStore();
    const repo = new MemoryObjectStore();
    await seed(store);
    // The WAL files of the seeded manifest's replay range, as empty fences: a backup copies each one.
    const m = (await new ManifestStore(store, 'orders').readLatest()).manifest.root;
    for (let w = Number(m.replay_after_wal_id) + 1; w <= Number(m.wal_id_last_seen); w++) await store.putIfAbsent(`orders/wal/${String(w).padStart(20, '0')}.sst`, new Uint8Array(0));
    const p = policy([{ name: 'nightly', every: '1day', backup: { store: 'file:///repo', path: 'orders' } }]);
    const open = { openStore: async (s: { url: string }) => (s.url === 'file:///repo' ? repo : store) };
    const [dry] = await run(p, store, T0, { dryRun: true, ...open });
    assert.deepEqual(dry.planned.map((a) => [a.action, a.name, a.repository?.path ?? null]), [
      ['create', 'nightly-20261120T000000Z', null],
      ['backup', 'nightly-20261120T000000Z', 'orders'],
    ]);
    const [r] = await run(p, new CountingObjectStore(store), T0, open);
    assert.equal(r.error, null, JSON.stringify(r.error));
    assert.equal(r.applied, true);
    const created = r.planned[0].result!;
    assert.equal(created.status, 'created');
    assert.equal(r.planned[1].result?.status, 'backed-up');
    const backups = checkpointsOf((await new ManifestStore(repo, 'orders').readLatest()).manifest);
    assert.deepEqual(backups.map((c) => [c.id, c.expireTimeS]), [[r.planned[1].result!.id, 0]]);
    assert.match(backups[0].name!, new RegExp(`^nightly-20261120T000000Z backup:orders@${created.id}:`));
    assert.ok((await repo.listPage({ prefix: 'orders/wal/' })).objects.length > 0, 'the WAL range was copied');
  });
});
