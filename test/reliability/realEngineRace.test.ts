/**
 * Races against the REAL SlateDB engine (`@slatedb/uniffi@0.12.1`, see test/fixtures/realSlateDb.ts).
 *
 * 1. Local directory: a live SlateDB writer (memtable flush after every batch, compactor and garbage
 *    collector inside it on short intervals) while 8 of our clients each run 25 create / refresh /
 *    delete operations on their own checkpoints. Checked: no lost update (ledger of what each client
 *    was told), no duplicate id, the writer never errors, SlateDB's own DbReader opens every
 *    surviving checkpoint and reads a key that was flushed before the checkpoint was created, and
 *    the garbage collector never deletes a manifest or an SST that a surviving checkpoint pins —
 *    right after the race and again after more than two GC intervals.
 * 2. The flush-stall question: does a stream of our manifests starve the writer's own manifest CAS
 *    loop (SlateDB 0.12.1 `memtable_flusher/manifest_writer.rs` retries on
 *    TransactionalObjectVersionExists with no backoff and no limit: refresh = LIST the whole
 *    manifest/ folder + GET the latest, then PUT-if-absent)? An instrumented writer times every
 *    memtable flush while 8 clients create and delete checkpoints at full speed and with pacing.
 *    The writer's own PUT attempts are counted from the file system: SlateDB's LocalFileSystem
 *    stages each create-if-absent as `<name>#<n>` and hard-links it into place, so every attempt
 *    (won or lost) shows up in inotify as that staging file.
 * 3. The same race on S3 (Ceph RGW from test/store/s3TestServer.ts, the real writer on s3://):
 *    8 clients racing create / delete on one database; every successful create present at the end,
 *    no duplicate, no lost delete, the writer error-free.
 */
import { mulberry32 } from '../../src/engine/store/seededRandom';
import { useTestBucket } from '../store/s3TestServer';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../../src/engine/checkpoints';
import { EngineError } from '../../src/engine/errors';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { CheckpointInfo, shapeOf, sstsOf } from '../../src/engine/manifest/model';
import { dbKeys } from '../../src/engine/paths';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { listAll, type ObjectStore } from '../../src/engine/store/objectStore';
import {
  buildDatabase,
  keyFor,
  loadSlateDb,
  makeSettings,
  openReaderAtCheckpoint,
  startLiveWriter,
  valueFor,
  withTimeout,
  type EngineTuning,
  type LiveWriter,
  type StoreLike,
} from '../fixtures/realSlateDb';

const DB = 'db';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const HOUR_MS = 3_600_000;

/** Fast compaction and GC, so that both really run during a few seconds of racing. */
const TUNING: EngineTuning = { compaction: true, gc: true, compactorPollInterval: '200ms', gcInterval: '500ms', gcMinAge: '1s' };
const GC_INTERVAL_MS = 500;
const GC_MIN_AGE_MS = 1000;

function quantiles(values: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s.length ? s[s.length - 1] : NaN };
}

// ──────────────────────────────────────────────────────────────── ledger ──

interface Entry {
  client: number;
  name: string;
  id?: string;
  /** present / absent are definite; maybe = an operation failed and may or may not have landed. */
  state: 'present' | 'absent' | 'maybe';
  expiries: Set<number>;
  /** The live writer's last key flushed (durable in an L0 SST) before this checkpoint was created. */
  flushedKeyBefore?: string;
  log: string[];
}

interface RaceResult {
  entries: Entry[];
  ops: Map<string, number>;
  violations: string[];
  commits: number[];
  durationMs: number;
  puts: number;
}

/**
 * Run `clients` clients, each doing `opsPerClient` operations on its own checkpoints
 * (create / refresh / delete, or create / delete only).
 */
async function race(o: {
  clients: number;
  opsPerClient: number;
  storeFor: (client: number) => ObjectStore;
  kinds: Array<'create' | 'refresh' | 'delete'>;
  pauseMs: (random: () => number) => number;
  flushedKey?: () => string | undefined;
  seed: number;
}): Promise<RaceResult> {
  const result: RaceResult = { entries: [], ops: new Map(), violations: [], commits: [], durationMs: 0, puts: 0 };
  const count = (k: string) => result.ops.set(k, (result.ops.get(k) ?? 0) + 1);
  const counters: CountingObjectStore[] = [];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: o.clients }, async (_, client) => {
      const random = mulberry32(o.seed + client);
      const counting = new CountingObjectStore(o.storeFor(client));
      counters.push(counting);
      const ms = new ManifestStore(counting, DB);
      const ctx = { maxAttempts: 200, random };
      const mine: Entry[] = [];
      for (let i = 0; i < o.opsPerClient; i++) {
        const live = mine.filter((e) => e.id !== undefined && e.state !== 'absent');
        const r = random();
        let kind: 'create' | 'refresh' | 'delete' = o.kinds.length === 2 ? (r < 0.55 ? 'create' : 'delete') : r < 0.45 ? 'create' : r < 0.7 ? 'refresh' : 'delete';
        if (kind !== 'create' && live.length === 0) kind = 'create';
        const what = `client ${client} op ${i} (${kind})`;
        try {
          if (kind === 'create') {
            const lifetimeMs = HOUR_MS + (client * 100 + i) * 1000;
            const e: Entry = { client, name: `race-c${client}-op${i}`, state: 'maybe', expiries: new Set(), log: [], flushedKeyBefore: o.flushedKey?.() };
            mine.push(e);
            result.entries.push(e);
            const t = Math.floor(Date.now() / 1000);
            // Expiry is computed from the clock inside the call: allow its second.
            e.expiries = new Set([t + lifetimeMs / 1000, t + 1 + lifetimeMs / 1000]);
            const c = await createCheckpoint(ms, { name: e.name, lifetimeMs }, ctx);
            e.id = c.id;
            e.state = 'present';
            e.log.push(`op ${i} created, pins ${c.manifestId}`);
            if (c.committedManifestId !== undefined) result.commits.push(Date.now());
          } else {
            const e = live[Math.floor(random() * live.length)];
            if (kind === 'refresh') {
              const lifetimeMs = 2 * HOUR_MS + (client * 100 + i) * 1000;
              try {
                const info = await refreshCheckpoint(ms, { id: e.id!, lifetimeMs }, ctx);
                e.expiries = new Set([info.expireTimeS]);
                e.state = 'present';
                e.log.push(`op ${i} refreshed to ${info.expireTimeS}`);
                result.commits.push(Date.now());
              } catch (err) {
                const t = Math.floor(Date.now() / 1000);
                e.expiries.add(t + lifetimeMs / 1000).add(t - 1 + lifetimeMs / 1000);
                e.log.push(`op ${i} refresh failed ${(err as Error).message}`);
                throw err;
              }
            } else {
              try {
                const res = await deleteCheckpoint(ms, { id: e.id! }, ctx);
                if (!res.deleted && e.state === 'present') result.violations.push(`${what}: delete of ${e.name} (${e.id}) found nothing, but this client created it`);
                e.state = 'absent';
                e.log.push(`op ${i} deleted`);
                if (res.committedManifestId !== undefined) result.commits.push(Date.now());
              } catch (err) {
                e.state = 'maybe';
                e.log.push(`op ${i} delete failed ${(err as Error).message}`);
                throw err;
              }
            }
          }
          count(`${kind} ok`);
        } catch (err) {
          if (!(err instanceof EngineError)) throw new Error(`${what}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} (not an EngineError)`, { cause: err });
          count(`${kind} ${err.code}`);
        }
        const pause = o.pauseMs(random);
        if (pause > 0) await sleep(pause);
      }
    }),
  );
  result.durationMs = Date.now() - t0;
  result.puts = counters.reduce((n, c) => n + c.counts.put, 0);
  return result;
}

/** Ledger against the latest manifest. */
function ledgerViolations(entries: Entry[], latest: CheckpointInfo[]): string[] {
  const v: string[] = [];
  const ids = latest.map((c) => c.id);
  if (new Set(ids).size !== ids.length) v.push('the latest manifest holds a checkpoint id twice');
  for (const e of entries) {
    const found = latest.filter((c) => c.name === e.name);
    if (found.length > 1) v.push(`${e.name} is present ${found.length} times`);
    const c = found[0];
    if (e.state === 'present' && !c) v.push(`LOST UPDATE: ${e.name} (${e.id}) was reported created and not deleted, but is missing; ${e.log.join('; ')}`);
    if (e.state === 'absent' && c) v.push(`LOST DELETE: ${e.name} (${c.id}) was reported deleted but is present; ${e.log.join('; ')}`);
    if (c && e.id && c.id !== e.id) v.push(`${e.name} has id ${c.id}, created as ${e.id}`);
    if (c && !e.expiries.has(c.expireTimeS)) v.push(`${e.name}: expiry ${c.expireTimeS} is none of ${[...e.expiries].join(', ')}; ${e.log.join('; ')}`);
  }
  return v;
}

/**
 * Every manifest a checkpoint pins must exist, and every SST that manifest references (its own,
 * not a parent's) must exist under compacted/. Returns violations and what was checked.
 */
async function pinnedViolations(store: ObjectStore, checkpoints: CheckpointInfo[]): Promise<{ violations: string[]; manifests: number; ssts: number }> {
  const ms = new ManifestStore(store, DB);
  const { objects } = await listAll(store, { prefix: dbKeys.compactedDir(DB) });
  const present = new Set(objects.map((o) => o.key));
  const byCheckpoint = new Map<string, string[]>();
  const checked = new Set<string>();
  const manifests = new Set<number>();
  for (const cp of checkpoints) {
    const v: string[] = [];
    byCheckpoint.set(cp.id, v);
    let pinned;
    try {
      pinned = await ms.read(cp.manifestId);
    } catch (e) {
      v.push(`checkpoint ${cp.id} (${cp.name ?? 'unnamed'}) pins manifest ${cp.manifestId}, which cannot be read: ${(e as Error).message}`);
      continue;
    }
    manifests.add(cp.manifestId);
    for (const sst of sstsOf(pinned.manifest)) {
      if (sst.externalDbPath !== null) continue;
      const key = dbKeys.compactedSst(DB, sst.id);
      checked.add(key);
      if (!present.has(key)) v.push(`GC deleted ${key}, which checkpoint ${cp.id} (${cp.name ?? 'unnamed'}, manifest ${cp.manifestId}) pins`);
    }
  }
  // A checkpoint that SlateDB itself removed meanwhile (e.g. the compactor's) may lose its files legitimately:
  // only checkpoints still in the latest manifest count.
  const still = new Set((await latestCheckpoints(store)).map((c) => c.id));
  const violations = [...byCheckpoint.entries()].filter(([id]) => still.has(id)).flatMap(([, v]) => v);
  return { violations, manifests: manifests.size, ssts: checked.size };
}

/** Counts SlateDB's own manifest PUT attempts (its `<name>#<n>` staging files) and created manifests, from inotify. */
class ManifestDirWatcher {
  private watcher: fs.FSWatcher;
  readonly stagingEvents: number[] = [];
  readonly created = new Map<string, number>();
  constructor(dir: string) {
    this.watcher = fs.watch(dir, (event, name) => {
      // 'rename' = a name appeared or disappeared (IN_CREATE / IN_DELETE); writes and link-count
      // changes come as 'change' and are ignored.
      if (typeof name !== 'string' || event !== 'rename') return;
      if (/\.manifest#\d+$/.test(name)) this.stagingEvents.push(Date.now());
      else if (/^\d{20}\.manifest$/.test(name) && !this.created.has(name)) this.created.set(name, Date.now());
    });
  }
  /** SlateDB attempts in [from, to): each staging file appears and disappears (two events). */
  attempts(from: number, to: number): number {
    return Math.round(this.stagingEvents.filter((t) => t >= from && t < to).length / 2);
  }
  manifestsCreated(from: number, to: number, exclude: Set<number>): number {
    let n = 0;
    for (const [name, t] of this.created) if (t >= from && t < to && !exclude.has(Number(name.slice(0, 20)))) n++;
    return n;
  }
  close(): void {
    this.watcher.close();
  }
}

async function latestCheckpoints(store: ObjectStore): Promise<CheckpointInfo[]> {
  return (await listCheckpoints(new ManifestStore(store, DB))).checkpoints;
}

describe('reliability: our clients racing the REAL SlateDB engine', function () {
  this.timeout(900_000);

  describe('local directory', () => {
    let scratch = '';
    before(() => {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-race-'));
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('8 clients × 25 create/refresh/delete against a live writer with compaction and GC: no lost update, writer error-free, every surviving checkpoint opens in SlateDB\'s reader, GC keeps everything pinned', async () => {
      const root = path.join(scratch, 'main');
      const built = await buildDatabase({ rootDir: root, dbPath: DB, rounds: 3, putsPerRound: 200, readerCheckpoints: 0, closedReaders: 0, ...TUNING });
      const [preKey, preValue] = [...built.writtenKeys.entries()][0];
      const store = new LocalObjectStore(root);
      const batchSize = 50;
      const flushEvery = 1;
      const writer: LiveWriter = startLiveWriter(root, DB, { ...TUNING, keyPrefix: 'live-', batchSize, flushEvery, pauseMs: 20 });
      assert.equal(await withTimeout(writer.ready, 60_000, 'live writer open'), true);
      await sleep(500);
      const watcher = new ManifestDirWatcher(path.join(root, DB, 'manifest'));
      let writerResult;
      let res: RaceResult;
      const raceStart = Date.now();
      const statsBefore = writer.stats();
      try {
        res = await race({
          clients: 8,
          opsPerClient: 25,
          storeFor: () => new LocalObjectStore(root),
          kinds: ['create', 'refresh', 'delete'],
          pauseMs: (random) => 10 + Math.floor(random() * 40),
          // Rows [0, flushes × flushEvery × batchSize) are in L0 SSTs of a manifest older than any checkpoint created now.
          flushedKey: () => {
            const f = writer.stats().flushes;
            return f > 0 ? keyFor(f * flushEvery * batchSize - 1, 'live-') : undefined;
          },
          seed: 100,
        });
      } finally {
        watcher.close();
      }
      const raceEnd = Date.now();
      const statsAfter = writer.stats();
      const latest1 = await latestCheckpoints(store);
      const seconds = (raceEnd - raceStart) / 1000;
      const rustManifests = watcher.manifestsCreated(raceStart, raceEnd, new Set()) - res.commits.length;
      console.log(
        `      race: ${[...res.ops.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')} in ${seconds.toFixed(1)} s; ` +
          `our manifests ${res.commits.length} (${(res.commits.length / seconds).toFixed(1)}/s) from ${res.puts} PUT attempts; ` +
          `SlateDB: ${statsAfter.flushes - statsBefore.flushes} flushes, ~${rustManifests} manifests from ~${watcher.attempts(raceStart, raceEnd)} PUT attempts`,
      );

      // Ledger and GC, right after the race (writer still running).
      const v1 = ledgerViolations(res.entries, latest1);
      const surviving = latest1.filter((c) => c.name?.startsWith('race-'));
      const pinned1 = await pinnedViolations(store, latest1);
      await sleep(Math.max(3 * GC_INTERVAL_MS, GC_MIN_AGE_MS + 2 * GC_INTERVAL_MS) + 500);
      const latest2 = await latestCheckpoints(store);
      const pinned2 = await pinnedViolations(store, latest2);
      const v2 = ledgerViolations(res.entries, latest2);
      console.log(
        `      GC: ${latest1.length} checkpoints (${surviving.length} ours) pin ${pinned1.manifests} manifests and ${pinned1.ssts} SSTs right after the race; ` +
          `after ${((Math.max(3 * GC_INTERVAL_MS, GC_MIN_AGE_MS + 2 * GC_INTERVAL_MS) + 500) / 1000).toFixed(1)} s more (GC interval ${GC_INTERVAL_MS} ms, min age ${GC_MIN_AGE_MS} ms): ` +
          `${latest2.length} checkpoints pin ${pinned2.manifests} manifests and ${pinned2.ssts} SSTs; missing: ${pinned1.violations.length + pinned2.violations.length}`,
      );

      // SlateDB's own reader on every surviving checkpoint of ours.
      const readerFailures: string[] = [];
      const tr = Date.now();
      let liveKeysChecked = 0;
      for (const cp of surviving) {
        const e = res.entries.find((x) => x.name === cp.name)!;
        try {
          const reader = await openReaderAtCheckpoint(root, DB, cp.id, { stepTimeoutMs: 60_000 });
          try {
            const got = await reader.get(preKey);
            if (got !== preValue) readerFailures.push(`${cp.name}: ${preKey} = ${got}`);
            if (e.flushedKeyBefore) {
              liveKeysChecked++;
              const idx = Number(e.flushedKeyBefore.slice('live-'.length));
              const v = await reader.get(e.flushedKeyBefore);
              if (v !== valueFor(idx, 100)) readerFailures.push(`${cp.name}: ${e.flushedKeyBefore} (flushed before the checkpoint was created) = ${v}`);
            }
          } finally {
            await reader.close();
          }
        } catch (err) {
          readerFailures.push(`${cp.name} (${cp.id}): ${(err as Error).message.split('\n')[0]}`);
        }
      }
      console.log(`      SlateDB's DbReader opened ${surviving.length - readerFailures.length} of ${surviving.length} surviving checkpoints in ${((Date.now() - tr) / 1000).toFixed(1)} s (${liveKeysChecked} also checked for a live key flushed before creation)`);

      writerResult = await writer.stop();
      console.log(`      writer: ${writerResult.writes} rows, ${writerResult.batches} batches, ${writerResult.flushes} flushes in ${(writerResult.durationMs / 1000).toFixed(1)} s; errors: ${JSON.stringify(writerResult.errors)}`);

      assert.deepEqual(writerResult.errors, [], 'the SlateDB writer saw no error');
      assert.deepEqual([...res.violations, ...v1, ...v2], [], 'ledger');
      assert.deepEqual([...pinned1.violations, ...pinned2.violations], [], 'GC kept everything pinned');
      assert.deepEqual(readerFailures, [], 'SlateDB reads every surviving checkpoint');
      assert.ok(surviving.length > 0 && (res.ops.get('create ok') ?? 0) > 50 && (res.ops.get('delete ok') ?? 0) > 10 && (res.ops.get('refresh ok') ?? 0) > 10, 'a real mix of operations succeeded');
      assert.ok(statsAfter.flushes - statsBefore.flushes > 3, 'the writer flushed during the race');
    });

    it('flush stalls: SlateDB memtable-flush latency while our clients commit manifests at full speed, paced, and not at all (measured, see the printed table)', async () => {
      const root = path.join(scratch, 'stall');
      fs.mkdirSync(root, { recursive: true });
      const S = await loadSlateDb();
      const engineStore = S.ObjectStore.resolve(pathToFileURL(root).href);
      const settings = await makeSettings({ ...TUNING, l0SstSizeBytes: 65536 });
      const builder = new S.DbBuilder(DB, engineStore);
      builder.with_settings(settings);
      const db = await withTimeout(builder.build(), 60_000, 'open instrumented writer');
      builder.dispose();
      settings.dispose();
      await sleep(300);
      const watcher = new ManifestDirWatcher(path.join(root, DB, 'manifest'));
      const flushes: Array<{ start: number; ms: number }> = [];
      const writerErrors: string[] = [];
      let stopWriter = false;
      let row = 0;
      const writerLoop = (async () => {
        while (!stopWriter) {
          const batch = new S.WriteBatch();
          try {
            for (let i = 0; i < 50; i++, row++) batch.put(new Uint8Array(Buffer.from(keyFor(row, 'stall-'))), new Uint8Array(Buffer.from(valueFor(row, 100))));
            await withTimeout(db.write(batch), 120_000, 'write');
          } finally {
            batch.dispose();
          }
          const start = Date.now();
          try {
            await withTimeout(db.flush_with_options({ flush_type: S.FlushType.MemTable }), 120_000, 'flush');
            flushes.push({ start, ms: Date.now() - start });
          } catch (e) {
            writerErrors.push((e as Error).message);
            flushes.push({ start, ms: Date.now() - start });
          }
          await sleep(20);
        }
      })();

      const ourCommits: number[] = [];
      const ourIds = new Set<number>();
      let ourPuts = 0;
      let conflicts = 0;
      /** 8 clients create then delete a checkpoint, over and over, until `until`. */
      const clients = (until: number, pauseMs: number) =>
        Promise.all(
          Array.from({ length: 8 }, async (_, c) => {
            const counting = new CountingObjectStore(new LocalObjectStore(root));
            const ms = new ManifestStore(counting, DB);
            try {
              while (Date.now() < until) {
                try {
                  const cp = await createCheckpoint(ms, { lifetimeMs: HOUR_MS, name: `stall-${c}` }, { maxAttempts: 500 });
                  if (cp.committedManifestId) ourCommits.push(Date.now()), ourIds.add(cp.committedManifestId);
                  if (pauseMs) await sleep(pauseMs);
                  const d = await deleteCheckpoint(ms, { id: cp.id }, { maxAttempts: 500 });
                  if (d.committedManifestId) ourCommits.push(Date.now()), ourIds.add(d.committedManifestId);
                } catch (e) {
                  if (e instanceof EngineError && e.code === 'COMMIT_CONFLICT') conflicts++;
                  else throw e;
                }
                if (pauseMs) await sleep(pauseMs);
              }
            } finally {
              ourPuts += counting.counts.put;
            }
          }),
        );

      // L0 size of the latest manifest, sampled: L0 at l0_max_ssts (8) blocks flushes until the compactor catches up.
      const l0Samples: Array<{ t: number; l0: number }> = [];
      let sampling = true;
      const sampler = (async () => {
        const ms = new ManifestStore(new LocalObjectStore(root), DB);
        while (sampling) {
          try {
            l0Samples.push({ t: Date.now(), l0: shapeOf((await ms.readLatest()).manifest).l0 });
          } catch {
            // a manifest GC'd between list and get: next sample
          }
          await sleep(200);
        }
      })();

      /** Busy loops in child processes: a machine loaded like one running other test suites. */
      const hogs: ChildProcess[] = [];
      const startHogs = (n: number) => {
        for (let i = 0; i < n; i++) hogs.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
      };
      const stopHogs = () => {
        for (const h of hogs.splice(0)) h.kill('SIGKILL');
      };

      const PHASE_MS = 8000;
      const phases: Array<{ label: string; pauseMs: number | null; hogs?: number }> = [
        { label: 'writer alone', pauseMs: null },
        { label: '8 clients, no pause', pauseMs: 0 },
        { label: '8 clients, 100 ms pause', pauseMs: 100 },
        { label: '2 CPU hogs, no clients', pauseMs: null, hogs: 2 },
        { label: '2 CPU hogs + 8 clients', pauseMs: 0, hogs: 2 },
        { label: '4 CPU hogs + 8 clients', pauseMs: 0, hogs: 4 },
        { label: 'writer alone again', pauseMs: null },
      ];
      const rows: string[] = [];
      const table: Array<{ label: string; ours: number; rustAttempts: number; rustMade: number; flush: ReturnType<typeof quantiles>; load: number; maxL0: number }> = [];
      try {
        for (const p of phases) {
          startHogs(p.hogs ?? 0);
          const putsBefore = ourPuts;
          const from = Date.now();
          const until = from + PHASE_MS;
          try {
            if (p.pauseMs === null) await sleep(PHASE_MS);
            else await clients(until, p.pauseMs);
          } finally {
            stopHogs();
          }
          const to = Date.now();
          await sleep(300); // let the last inotify events arrive
          const ours = ourCommits.filter((t) => t >= from && t < to).length;
          const rustAttempts = watcher.attempts(from, to);
          const rustMade = watcher.manifestsCreated(from, to, ourIds);
          const flush = quantiles(flushes.filter((f) => f.start >= from && f.start < to).map((f) => f.ms));
          const maxL0 = Math.max(0, ...l0Samples.filter((x) => x.t >= from && x.t < to).map((x) => x.l0));
          const load = os.loadavg()[0];
          table.push({ label: p.label, ours, rustAttempts, rustMade, flush, load, maxL0 });
          const secs = (to - from) / 1000;
          rows.push(
            `      ${p.label.padEnd(24)} ours ${String(ours).padStart(3)} manifests (${(ours / secs).toFixed(1).padStart(4)}/s, ${String(ourPuts - putsBefore).padStart(3)} PUTs) | ` +
              `SlateDB ${String(rustMade).padStart(3)} manifests from ~${String(rustAttempts).padStart(3)} PUTs (${rustMade ? (rustAttempts / rustMade).toFixed(1) : '-'}/manifest) | ` +
              `flushes ${String(flush.n).padStart(3)} p50 ${flush.p50} ms p95 ${flush.p95} ms max ${flush.max} ms | max L0 ${maxL0} | load ${load.toFixed(1)}`,
          );
        }
      } finally {
        stopHogs();
        sampling = false;
        await sampler;
        stopWriter = true;
        await writerLoop.catch((e) => writerErrors.push(String(e)));
        watcher.close();
        await withTimeout(db.shutdown(), 60_000, 'shutdown').catch((e) => writerErrors.push(String(e)));
        db.dispose();
        engineStore.dispose();
      }
      console.log(`      flush latency by phase (${os.cpus().length} CPUs; flush = db.flush_with_options(MemTable) after each 50-row batch):`);
      for (const r of rows) console.log(r);
      console.log(`      our operations that gave up (COMMIT_CONFLICT after 500 attempts): ${conflicts}; writer errors: ${JSON.stringify(writerErrors)}`);
      assert.deepEqual(writerErrors, []);
      // Every phase must keep flushing, and no flush may come near the 30 s step timeout of the fixtures:
      // a starved writer would make no progress at all.
      for (const t of table) {
        assert.ok(t.flush.n > 0, `${t.label}: no flush completed in ${PHASE_MS} ms`);
        assert.ok(t.flush.max < 10_000, `${t.label}: a flush took ${t.flush.max} ms`);
      }
    });
  });

  describe('S3 (Ceph RGW)', () => {
    const s3 = useTestBucket('race');

    it('8 clients racing create/delete on one S3 database while the real writer (compaction, GC) runs on s3://: every successful create present, no duplicate, no lost delete, writer error-free, GC keeps what is pinned', async function () {
      const { server, bucket } = s3();
      const env = {
        AWS_ENDPOINT: server.endpoint,
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        AWS_REGION: server.region,
        AWS_ALLOW_HTTP: 'true',
      };
      const spec: StoreLike = { storeUrl: `s3://${bucket}`, env };
      const { S3ObjectStore } = await import('../../src/engine/store/s3/s3Store');
      const newStore = () =>
        new S3ObjectStore({ bucket, endpoint: server.endpoint, region: server.region, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
      const writer = startLiveWriter(spec, DB, { ...TUNING, keyPrefix: 's3live-', batchSize: 50, flushEvery: 1, pauseMs: 20, stepTimeoutMs: 60_000 });
      assert.equal(await withTimeout(writer.ready, 120_000, 'S3 live writer open'), true);
      await sleep(1000);
      const stores = Array.from({ length: 8 }, newStore);
      const before = writer.stats();
      const res = await race({ clients: 8, opsPerClient: 12, storeFor: (c) => stores[c], kinds: ['create', 'delete'], pauseMs: (r) => Math.floor(r() * 30), seed: 500 });
      const after = writer.stats();
      const check = newStore();
      const latest1 = await latestCheckpoints(check);
      const pinned1 = await pinnedViolations(check, latest1);
      await sleep(Math.max(3 * GC_INTERVAL_MS, GC_MIN_AGE_MS + 2 * GC_INTERVAL_MS) + 500);
      const latest2 = await latestCheckpoints(check);
      const pinned2 = await pinnedViolations(check, latest2);
      // SlateDB's reader on one surviving checkpoint of ours.
      const survivor = latest2.find((c) => c.name?.startsWith('race-'));
      let readerOutcome = 'no surviving checkpoint';
      if (survivor) {
        try {
          const reader = await openReaderAtCheckpoint(spec, DB, survivor.id, { stepTimeoutMs: 60_000 });
          try {
            readerOutcome = (await reader.get(keyFor(0, 's3live-'))) === valueFor(0, 100) ? 'ok' : 'wrong value';
          } finally {
            await reader.close();
          }
        } catch (e) {
          readerOutcome = (e as Error).message.split('\n')[0];
        }
      }
      const result = await writer.stop();
      for (const s of [...stores, check]) await s.close();
      const seconds = res.durationMs / 1000;
      console.log(
        `      S3 race: ${[...res.ops.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')} in ${seconds.toFixed(1)} s; our manifests ${res.commits.length} (${(res.commits.length / seconds).toFixed(1)}/s) from ${res.puts} PUTs; ` +
          `writer flushes during the race ${after.flushes - before.flushes}; pinned: ${pinned2.manifests} manifests, ${pinned2.ssts} SSTs; reader at ${survivor?.name}: ${readerOutcome}; writer errors ${JSON.stringify(result.errors)}`,
      );
      assert.deepEqual(result.errors, []);
      assert.deepEqual([...res.violations, ...ledgerViolations(res.entries, latest1), ...ledgerViolations(res.entries, latest2)], []);
      assert.deepEqual([...pinned1.violations, ...pinned2.violations], []);
      assert.equal(readerOutcome, 'ok');
      assert.ok((res.ops.get('create ok') ?? 0) > 20 && (res.ops.get('delete ok') ?? 0) > 5);
    });
  });
});
