/**
 * The engine under injected object-store faults (src/engine/store/faultInjectingStore.ts), on the in-memory
 * store and on a real directory (LocalObjectStore):
 *
 *   base store ─ throttle (FaultInjectingStore: maxConcurrent 3, latency 1–4 ms; shared by all
 *   clients) ─ per client: FaultInjectingStore (10 % of requests fail before reaching the store,
 *   10 % of creates land and then time out, 10 % of listing pages omit their newest object; own
 *   seed) ─ tally (counts requests and injected faults by kind) ─ ManifestStore.
 *
 * Five clients run 100 operations each concurrently (500 in all): create (named, with or without a
 * lifetime), refresh, delete, list. Every operation must succeed or fail with an EngineError that
 * has a known code and a message — never a TypeError / RangeError or a bare Error.
 *
 * A per-checkpoint ledger follows what each client was told, keeping what a failure leaves open:
 * a create that failed may have landed (found by its unique name), a delete that failed may have
 * happened, a refresh that failed may have set its expiry. Clients only change their own
 * checkpoints, so every checkpoint's operations are sequential and the ledger is exact. Checked:
 *   - during the run, every list a client makes shows its own completed operations (read-your-writes);
 *   - afterwards (faults off): every manifest decodes and is writable; the latest holds no id twice;
 *     every checkpoint reported created is present exactly once unless later reported deleted;
 *     none reported deleted is present; a refresh reported ok shows its expiry (unless changed
 *     later); no checkpoint appears that no client created;
 *   - the whole manifest history (no GC here, so every version is kept): each version differs from
 *     the previous one only in its checkpoints, by exactly one change that some client asked for
 *     (add a checkpoint pinning that very version, remove one a client deleted, or set the expiry a
 *     client's refresh asked for) — a lost update would show up as a version dropping or reverting
 *     someone else's change.
 *
 * Separate deterministic tests put a client behind a listing that always omits its newest object
 * (an eventually consistent listing) while the checkpoint it works on was created in that newest
 * manifest: a delete must never report success while the checkpoint stays, a refresh must never
 * say CHECKPOINT_NOT_FOUND, and (liveness) both should still complete — the engine's own HEAD of
 * N+1, and a create-if-absent that found N+1 taken, prove that N+1 exists whatever the listing says.
 *
 * A second pair of runs ("every fault kind") adds the faults the first lacks, all at a combined
 * ~10 % of requests: S3-style throttling errors (503 SlowDown, refused before the store), requests
 * that hang for 25 ms and then time out without reaching the store, deletes that land and then time
 * out, and GETs of an existing manifest that answer "absent" (a lagging read). The engine never
 * issues DELETE (a checkpoint delete writes a new manifest), so to exercise ambiguous deletes each
 * client also writes and deletes scratch objects outside the database (`scratch/...`) directly on
 * its faulty store, with their own ledger: a delete reported ok must leave nothing behind, a put
 * reported ok must have stored exactly its bytes.
 *
 * Faults FaultInjectingStore still cannot inject (so not covered here): 429s distinct from 503s,
 * torn GETs, stale HEADs, GETs that lag on keys other than manifest files, and listings that lag by
 * more than their single newest object or across pages.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../../src/engine/checkpoints';
import { EngineError, ErrorCode } from '../../src/engine/errors';
import { decodeManifest, DecodedManifest } from '../../src/engine/manifest/codec';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointInfo, CheckpointInfo, checkpointsOf, rawCheckpoints } from '../../src/engine/manifest/model';
import { dbKeys, manifestIdOfKey } from '../../src/engine/paths';
import { FaultInjectingStore, type FaultOptions, InjectedCounts } from '../../src/engine/store/faultInjectingStore';
import { mulberry32 } from '../../src/engine/store/seededRandom';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import { listAll, type GetResult, type ListOptions, type ListPage, type ObjectMeta, type ObjectStore, type PutBody, type PutIfAbsentResult } from '../../src/engine/store/objectStore';
import { manifestV1, putManifest } from '../support/manifestKit';

const DB = 'db';
const CLIENTS = 5;
const OPS_PER_CLIENT = 100;
const FAULT_RATE = 0.1;
const KNOWN_CODES: readonly ErrorCode[] = [
  'INVALID_ARGUMENT',
  'CHECKPOINT_NOT_FOUND',
  'DATABASE_NOT_FOUND',
  'DATABASE_NOT_INITIALIZED',
  'MANIFEST_NOT_FOUND',
  'MANIFEST_CORRUPT',
  'MANIFEST_UNSUPPORTED_VERSION',
  'MANIFEST_READ_ONLY',
  'COMMIT_CONFLICT',
  'BEHIND_GC_BOUNDARY',
  'STORE_ERROR',
  'STORE_UNSUPPORTED',
  'PATH_OUTSIDE_ROOT',
];
/** Fixed "now" of every operation, so the expiry a failed refresh would have written is known exactly. */
const NOW_MS = Date.UTC(2026, 10, 27, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

type Op = 'list' | 'get' | 'head' | 'put' | 'delete';

/** Counts requests and the injected faults that come back through it, per request kind. */
class Tally implements ObjectStore {
  readonly requests: Record<Op, number> = { list: 0, get: 0, head: 0, put: 0, delete: 0 };
  readonly failedBeforeStore: Record<Op, number> = { list: 0, get: 0, head: 0, put: 0, delete: 0 };
  landedThenTimedOut = 0;
  deleteLandedThenTimedOut = 0;
  throttled = 0;
  hung = 0;
  constructor(readonly inner: ObjectStore) {}
  get description() {
    return this.inner.description;
  }
  private async run<T>(op: Op, call: () => Promise<T>): Promise<T> {
    this.requests[op]++;
    try {
      return await call();
    } catch (e) {
      const msg = e instanceof Error ? e.message : '';
      if (/request timed out \(injected fault\)/.test(msg)) {
        if (op === 'delete') this.deleteLandedThenTimedOut++;
        else this.landedThenTimedOut++;
      } else if (/injected fault/.test(msg)) {
        this.failedBeforeStore[op]++;
        if (/503 SlowDown: reduce request rate/.test(msg)) this.throttled++;
        else if (/no response, request timed out after/.test(msg)) this.hung++;
      }
      throw e;
    }
  }
  listPage(o: ListOptions): Promise<ListPage> {
    return this.run('list', () => this.inner.listPage(o));
  }
  get(key: string): Promise<GetResult | undefined> {
    return this.run('get', () => this.inner.get(key));
  }
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    return this.run('get', () => this.inner.getRange(key, start, end));
  }
  getStream(key: string) {
    return this.run('get', () => this.inner.getStream(key));
  }
  head(key: string): Promise<ObjectMeta | undefined> {
    return this.run('head', () => this.inner.head(key));
  }
  putIfAbsent(key: string, bytes: PutBody): Promise<PutIfAbsentResult> {
    return this.run('put', () => this.inner.putIfAbsent(key, bytes));
  }
  delete(key: string): Promise<void> {
    return this.run('delete', () => this.inner.delete(key));
  }
}

/** Records the highest number of requests in flight at once (to show the throttle holds). */
class InFlight implements ObjectStore {
  now = 0;
  max = 0;
  /** @param serviceMs time the "server" spends on each request, so that admitted requests overlap */
  constructor(
    readonly inner: ObjectStore,
    private readonly serviceMs = 2,
  ) {}
  get description() {
    return this.inner.description;
  }
  private async run<T>(call: () => Promise<T>): Promise<T> {
    this.now++;
    this.max = Math.max(this.max, this.now);
    try {
      await new Promise((r) => setTimeout(r, this.serviceMs));
      return await call();
    } finally {
      this.now--;
    }
  }
  listPage(o: ListOptions) {
    return this.run(() => this.inner.listPage(o));
  }
  get(key: string) {
    return this.run(() => this.inner.get(key));
  }
  getRange(key: string, start: number, end: number) {
    return this.run(() => this.inner.getRange(key, start, end));
  }
  getStream(key: string) {
    return this.run(() => this.inner.getStream(key));
  }
  head(key: string) {
    return this.run(() => this.inner.head(key));
  }
  putIfAbsent(key: string, bytes: PutBody) {
    return this.run(() => this.inner.putIfAbsent(key, bytes));
  }
  delete(key: string) {
    return this.run(() => this.inner.delete(key));
  }
}

// ──────────────────────────────────────────────────────────────── ledger ──

type State = 'present' | 'absent' | 'maybe';

interface Entry {
  /** Unique per create operation: finds a create that failed but landed. */
  name: string;
  client: number;
  id?: string;
  state: State;
  /** Expiries the checkpoint may have if it is present. */
  expiries: Set<number>;
  /** Every expiry a refresh asked for (for the history check). */
  requestedExpiries: Set<number>;
  deleteRequested: boolean;
  createdOk: boolean;
  deletedOk: boolean;
  refreshedOk: number;
  /** The expiry its create wrote (0 = never expires). */
  createExpiry: number;
  /** What happened to it, for messages. */
  log: string[];
}

/** A scratch object written and deleted directly on a client's faulty store (exercises ambiguous deletes). */
interface ScratchEntry {
  key: string;
  bytes: Uint8Array;
  putOk: boolean;
  deleteOk: boolean;
  log: string[];
}

interface RunStats {
  ops: Map<string, number>;
  /** Set when the run's clients also write and delete scratch objects. */
  scratch?: ScratchEntry[];
  violations: string[];
  entries: Entry[];
  durationMs: number;
}

function expectEngineError(e: unknown, what: string): EngineError {
  if (!(e instanceof EngineError)) {
    throw new Error(`${what} failed with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not an EngineError`, { cause: e });
  }
  assert.ok(KNOWN_CODES.includes(e.code), `${what}: unknown error code ${e.code}`);
  assert.ok(typeof e.message === 'string' && e.message.trim().length > 0, `${what}: empty message`);
  assert.equal(typeof e.retryable, 'boolean', `${what}: retryable flag`);
  return e;
}

async function scratchOp(client: number, i: number, store: ObjectStore, stats: RunStats, count: (k: string) => void): Promise<void> {
  const what = `client ${client} op ${i} (scratch)`;
  const s: ScratchEntry = { key: `scratch/c${client}-op${i}`, bytes: new TextEncoder().encode(`scratch ${client} ${i}`), putOk: false, deleteOk: false, log: [] };
  stats.scratch!.push(s);
  try {
    const res = await store.putIfAbsent(s.key, s.bytes);
    s.putOk = res.created;
    s.log.push(`put created=${res.created}`);
    count(`scratch put ${res.created ? 'ok' : 'exists'}`);
  } catch (err) {
    const code = expectEngineError(err, `${what} put`).code;
    s.log.push(`put ${code}`);
    count(`scratch put ${code}`);
  }
  try {
    await store.delete(s.key);
    s.deleteOk = true;
    s.log.push('delete ok');
    count('scratch delete ok');
  } catch (err) {
    const code = expectEngineError(err, `${what} delete`).code;
    s.log.push(`delete ${code}`);
    count(`scratch delete ${code}`);
  }
}

async function runClient(client: number, ms: ManifestStore, entries: Entry[], stats: RunStats): Promise<void> {
  const random = mulberry32(1000 + client);
  const mine: Entry[] = [];
  const count = (key: string) => stats.ops.set(key, (stats.ops.get(key) ?? 0) + 1);
  const ctx = { now: () => new Date(NOW_MS), maxAttempts: 30, baseDelayMs: 5, maxDelayMs: 200, random };
  const known = () => mine.filter((e) => e.id !== undefined && e.state !== 'absent');

  for (let i = 0; i < OPS_PER_CLIENT; i++) {
    const r = random();
    let kind: 'create' | 'refresh' | 'delete' | 'list' | 'scratch' = r < 0.35 ? 'create' : r < 0.6 ? 'refresh' : r < 0.8 ? 'delete' : 'list';
    if ((kind === 'refresh' || kind === 'delete') && known().length === 0) kind = 'create';
    // With scratch objects on, the top 8 % of the list share write and delete one (same draws as without).
    if (stats.scratch && r >= 0.92) kind = 'scratch';
    // Lifetimes unique per operation: every expiry in this run is distinct.
    const lifetimeS = 100_000 + client * 1000 + i;
    const what = `client ${client} op ${i} (${kind})`;

    if (kind === 'scratch') {
      await scratchOp(client, i, ms.store, stats, count);
    } else if (kind === 'create') {
      const e: Entry = {
        name: `c${client}-op${i}`,
        client,
        state: 'maybe',
        expiries: new Set([random() < 0.3 ? 0 : NOW_S + lifetimeS]),
        requestedExpiries: new Set(),
        deleteRequested: false,
        createdOk: false,
        deletedOk: false,
        refreshedOk: 0,
        createExpiry: 0,
        log: [],
      };
      const expire = [...e.expiries][0];
      e.createExpiry = expire;
      mine.push(e);
      entries.push(e);
      try {
        const c = await createCheckpoint(ms, { name: e.name, lifetimeMs: expire === 0 ? undefined : lifetimeS * 1000 }, ctx);
        e.id = c.id;
        e.state = 'present';
        e.createdOk = true;
        e.log.push(`op ${i} create ok expire ${expire}`);
        count('create ok');
      } catch (err) {
        const code = expectEngineError(err, what).code;
        e.log.push(`op ${i} create ${code} expire ${expire}`);
        count(`create ${code}`);
      }
    } else if (kind === 'refresh' || kind === 'delete') {
      const candidates = known();
      const e = candidates[Math.floor(random() * candidates.length)];
      if (kind === 'refresh') {
        const expire = NOW_S + lifetimeS;
        e.requestedExpiries.add(expire);
        try {
          const info = await refreshCheckpoint(ms, { id: e.id!, lifetimeMs: lifetimeS * 1000 }, ctx);
          assert.equal(info.expireTimeS, expire, `${what}: refresh result`);
          e.state = 'present';
          e.expiries = new Set([expire]);
          e.refreshedOk++;
          e.log.push(`op ${i} refresh ok ${expire}`);
          count('refresh ok');
        } catch (err) {
          const ee = expectEngineError(err, what);
          e.log.push(`op ${i} refresh ${ee.code} ${expire} (${ee.message.slice(0, 160)})`);
          count(`refresh ${ee.code}`);
          if (ee.code === 'CHECKPOINT_NOT_FOUND') {
            if (e.state === 'present') stats.violations.push(`${what}: refresh of ${e.id} (${e.name}) said CHECKPOINT_NOT_FOUND, but this client created it and never deleted it`);
            e.state = 'absent';
          } else {
            e.expiries.add(expire);
          }
        }
      } else {
        e.deleteRequested = true;
        try {
          const res = await deleteCheckpoint(ms, { id: e.id! }, ctx);
          if (!res.deleted && e.state === 'present') stats.violations.push(`${what}: delete of ${e.id} (${e.name}) found nothing, but this client created it and never deleted it`);
          e.state = 'absent';
          e.deletedOk = true;
          e.log.push(`op ${i} delete ok deleted=${res.deleted}`);
          count('delete ok');
        } catch (err) {
          const code = expectEngineError(err, what).code;
          e.log.push(`op ${i} delete ${code}`);
          count(`delete ${code}`);
          e.state = 'maybe';
        }
      }
    } else {
      try {
        const listed = await listCheckpoints(ms);
        count('list ok');
        const byName = new Map<string, CheckpointInfo[]>();
        for (const c of listed.checkpoints) byName.set(c.name ?? '', [...(byName.get(c.name ?? '') ?? []), c]);
        // Read-your-writes. The listed manifest is at least the newest one this client has seen
        // (ManifestStore never lists below it), so it shows every operation of this client that
        // reported success. What a FAILED operation left open is only settled where that is sound
        // under a lagging listing: a failed create seen present has landed (nothing but this client
        // removes it); a failed delete or refresh may land in a manifest newer than the one listed,
        // so seeing the old state proves nothing.
        for (const e of mine) {
          const seen = byName.get(e.name) ?? [];
          if (seen.length > 1) stats.violations.push(`${what}: list shows ${e.name} ${seen.length} times`);
          const c = seen[0];
          const history = () => `; history: ${e.log.join('; ')}`;
          if (e.state === 'present' && !c) stats.violations.push(`${what}: list (manifest ${listed.manifestId}) lacks ${e.name} (${e.id}), which this client created and did not delete${history()}`);
          if (e.state === 'absent' && c) stats.violations.push(`${what}: list (manifest ${listed.manifestId}) shows ${e.name} (${c.id}), which this client deleted${history()}`);
          if (c && !e.expiries.has(c.expireTimeS)) stats.violations.push(`${what}: ${e.name} has expiry ${c.expireTimeS}, expected one of ${[...e.expiries].join(', ')}${history()}`);
          e.log.push(`op ${i} list (manifest ${listed.manifestId}): ${c ? `present, expire ${c.expireTimeS}` : 'absent'}`);
          if (e.id === undefined && c) {
            count('adopted a failed create that had landed');
            e.id = c.id;
            e.state = 'present';
          } else if (e.id !== undefined && e.state === 'maybe' && !c) {
            // Its id is known, so this client has seen a manifest holding it, and lists never go below
            // that: absent now means deleted for good (ids are never reused).
            e.state = 'absent';
          }
        }
      } catch (err) {
        count(`list ${expectEngineError(err, what).code}`);
      }
    }
  }
}

/** Every manifest of the database, read straight from the base store (no faults). */
async function allManifests(base: ObjectStore): Promise<Array<{ id: number; manifest: DecodedManifest }>> {
  const { objects } = await listAll(base, { prefix: dbKeys.manifestDir(DB) });
  const out: Array<{ id: number; manifest: DecodedManifest }> = [];
  for (const o of objects) {
    const id = manifestIdOfKey(o.key);
    if (id === undefined) continue;
    const got = await base.get(o.key);
    out.push({ id, manifest: decodeManifest(got!.bytes, o.key) });
  }
  return out.sort((a, b) => a.id - b.id);
}

function withoutCheckpoints(m: DecodedManifest): unknown {
  const { checkpoints: _c, ...rest } = m.root;
  return { formatVersion: m.formatVersion, rest };
}

/** The checks after the run (see the header). Returns violations. */
async function verify(base: ObjectStore, entries: Entry[]): Promise<{ violations: string[]; manifests: number; survivors: number }> {
  const violations: string[] = [];
  const history = await allManifests(base);
  for (const h of history) if (h.manifest.readOnlyReason) violations.push(`manifest ${h.id} is read-only: ${h.manifest.readOnlyReason}`);
  const latest = history.at(-1)!;
  const cps = checkpointsOf(latest.manifest);
  const ids = cps.map((c) => c.id);
  if (new Set(ids).size !== ids.length) violations.push(`latest manifest ${latest.id} holds a checkpoint id twice`);
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const c of cps) if (!byName.has(c.name ?? '')) violations.push(`latest holds checkpoint ${c.id} "${c.name}" that no client created`);

  for (const e of entries) {
    const found = cps.filter((c) => c.name === e.name || (e.id !== undefined && c.id === e.id));
    if (found.length > 1) violations.push(`${e.name} present ${found.length} times`);
    const c = found[0];
    if (e.id !== undefined && c && c.id !== e.id) violations.push(`${e.name} has id ${c.id}, created as ${e.id}`);
    if (e.state === 'present' && !c) violations.push(`LOST: ${e.name} (${e.id}) was ${e.createdOk ? 'reported created' : 'seen'} and never reported deleted, but is missing; history: ${e.log.join('; ')}`);
    if (e.state === 'absent' && c) violations.push(`LOST DELETE: ${e.name} (${c.id}) was reported deleted (or seen gone) but is present; history: ${e.log.join('; ')}`);
    if (c && !e.expiries.has(c.expireTimeS)) violations.push(`${e.name}: expiry ${c.expireTimeS} is none of ${[...e.expiries].join(', ')}; history: ${e.log.join('; ')}`);
  }

  // Whole history: each version changes exactly one checkpoint, in a way some client asked for.
  const entryById = (id: string) => entries.find((e) => e.id === id);
  for (let k = 1; k < history.length; k++) {
    const prev = history[k - 1];
    const next = history[k];
    if (next.id !== prev.id + 1) violations.push(`manifest ids jump from ${prev.id} to ${next.id} (no GC ran here)`);
    if (!isDeepStrictEqual(withoutCheckpoints(prev.manifest), withoutCheckpoints(next.manifest))) violations.push(`manifest ${next.id} changed a field other than checkpoints`);
    const a = rawCheckpoints(prev.manifest).map(checkpointInfo);
    const b = rawCheckpoints(next.manifest).map(checkpointInfo);
    const aIds = new Set(a.map((c) => c.id));
    const bIds = new Set(b.map((c) => c.id));
    const added = b.filter((c) => !aIds.has(c.id));
    const removed = a.filter((c) => !bIds.has(c.id));
    const changed = b.filter((c) => aIds.has(c.id) && !isDeepStrictEqual(c, a.find((x) => x.id === c.id)));
    const label = `manifest ${prev.id} → ${next.id}`;
    if (added.length + removed.length + changed.length !== 1) {
      violations.push(`${label}: ${added.length} added, ${removed.length} removed, ${changed.length} changed (expected exactly one change)`);
      continue;
    }
    if (added.length === 1) {
      const e = byName.get(added[0].name ?? '');
      if (!e) violations.push(`${label}: added ${added[0].id} by no create`);
      else if (added[0].manifestId !== next.id) violations.push(`${label}: new checkpoint pins ${added[0].manifestId}`);
      else if (added[0].expireTimeS !== e.createExpiry) violations.push(`${label}: ${e.name} was created with expiry ${added[0].expireTimeS}, asked ${e.createExpiry}`);
    }
    if (removed.length === 1) {
      const e = entryById(removed[0].id);
      if (!e || !e.deleteRequested) violations.push(`${label}: removed ${removed[0].id} (${removed[0].name}), which no client asked to delete — a lost update`);
    }
    if (changed.length === 1) {
      const e = entryById(changed[0].id);
      const before = a.find((x) => x.id === changed[0].id)!;
      const onlyExpiry = isDeepStrictEqual({ ...before, expireTimeS: 0 }, { ...changed[0], expireTimeS: 0 });
      if (!e || !onlyExpiry || !e.requestedExpiries.has(changed[0].expireTimeS)) {
        violations.push(`${label}: ${changed[0].id} changed from ${JSON.stringify(before)} to ${JSON.stringify(changed[0])}, which no refresh asked for`);
      }
    }
  }
  return { violations, manifests: history.length, survivors: cps.length };
}

/** A run's per-client fault options and whether its clients also write and delete scratch objects. */
interface RunConfig {
  faults: Omit<FaultOptions, 'seed' | 'maxConcurrent' | 'latencyMs' | 'jitterMs'>;
  scratch: boolean;
  /** The kinds this run must have injected at least once. */
  expectKinds: (keyof InjectedCounts)[];
}

/** The first runs: three kinds at 10 % each (unchanged since they were written). */
const CLASSIC: RunConfig = {
  faults: { errorRate: FAULT_RATE, landedThenTimeoutRate: FAULT_RATE, staleListRate: FAULT_RATE },
  scratch: false,
  expectKinds: ['errors', 'landedThenTimeout', 'staleLists'],
};

/**
 * Every fault kind at once. Failures before the store (generic, 503 SlowDown, hang) hit 7 % of all
 * requests; the kinds that only apply to some requests (creates that land, listing pages, deletes,
 * GETs of an existing manifest) get higher rates, so that about 10 % of all requests see a fault.
 */
const ALL_KINDS: RunConfig = {
  faults: {
    errorRate: 0.025,
    throttleErrorRate: 0.025,
    hangRate: 0.02,
    hangMs: 25,
    landedThenTimeoutRate: 0.05,
    staleListRate: 0.04,
    deleteLandedThenTimeoutRate: 0.3,
    staleGetRate: 0.03,
  },
  scratch: true,
  expectKinds: ['errors', 'landedThenTimeout', 'staleLists', 'throttled', 'hangs', 'deleteLandedThenTimeout', 'staleGets'],
};

const KIND_LABEL: Record<keyof InjectedCounts, string> = {
  errors: 'failed before reaching the store (generic)',
  throttled: '503 SlowDown',
  hangs: 'hung then timed out',
  landedThenTimeout: 'put landed then timed out',
  deleteLandedThenTimeout: 'delete landed then timed out',
  staleLists: 'listing missing its newest object',
  staleGets: 'GET of an existing manifest answered absent',
};

/** Scratch ledger: a delete reported ok leaves nothing; a put reported ok stored its bytes (until deleted). */
async function verifyScratch(base: ObjectStore, scratch: ScratchEntry[]): Promise<string[]> {
  const violations: string[] = [];
  for (const s of scratch) {
    const got = await base.get(s.key);
    if (s.deleteOk && got) violations.push(`LOST DELETE: ${s.key} was reported deleted but is present; history: ${s.log.join('; ')}`);
    if (got && Buffer.compare(Buffer.from(got.bytes), Buffer.from(s.bytes)) !== 0) violations.push(`${s.key} holds bytes its put never wrote`);
  }
  return violations;
}

async function raceUnderFaults(
  label: string,
  makeBase: () => Promise<{ store: ObjectStore; perClient: () => ObjectStore; cleanup: () => Promise<void> }>,
  config: RunConfig = CLASSIC,
) {
  const { store: base, perClient, cleanup } = await makeBase();
  try {
    await putManifest(base, DB, 1, manifestV1({ initialized: true }));
    const entries: Entry[] = [];
    const stats: RunStats = { ops: new Map(), violations: [], entries, durationMs: 0, scratch: config.scratch ? [] : undefined };
    const inFlight: InFlight[] = [];
    const faulty: FaultInjectingStore[] = [];
    const tallies: Tally[] = [];
    // One throttle in front of the store, shared by every client (a server that admits 3 requests at a time).
    const throttles = new Map<ObjectStore, FaultInjectingStore>();
    const clientStores = Array.from({ length: CLIENTS }, (_, client) => {
      const inner = perClient();
      const observed = new InFlight(inner);
      inFlight.push(observed);
      let throttle = throttles.get(inner);
      if (!throttle) throttles.set(inner, (throttle = new FaultInjectingStore(observed, { maxConcurrent: 3, latencyMs: 1, jitterMs: 3, seed: 77 })));
      const f = new FaultInjectingStore(throttle, { ...config.faults, seed: 31 + client });
      faulty.push(f);
      const t = new Tally(f);
      tallies.push(t);
      return new ManifestStore(t, DB);
    });

    const t0 = Date.now();
    await Promise.all(clientStores.map((ms, client) => runClient(client, ms, entries, stats)));
    stats.durationMs = Date.now() - t0;

    const result = await verify(base, entries);
    const scratchViolations = stats.scratch ? await verifyScratch(base, stats.scratch) : [];
    const injected: InjectedCounts = { errors: 0, landedThenTimeout: 0, staleLists: 0, throttled: 0, hangs: 0, deleteLandedThenTimeout: 0, staleGets: 0 };
    for (const f of faulty) for (const k of Object.keys(injected) as (keyof InjectedCounts)[]) injected[k] += f.injected[k];
    const sum = (pick: (t: Tally) => Record<Op, number>) => {
      const out: Record<Op, number> = { list: 0, get: 0, head: 0, put: 0, delete: 0 };
      for (const t of tallies) for (const k of Object.keys(out) as Op[]) out[k] += pick(t)[k];
      return out;
    };
    const requests = sum((t) => t.requests);
    const failed = sum((t) => t.failedBeforeStore);
    const totalRequests = Object.values(requests).reduce((a, b) => a + b, 0);
    const totalInjected = Object.values(injected).reduce((a, b) => a + b, 0);
    const totalOps = [...stats.ops.entries()].filter(([k]) => !k.startsWith('adopted') && !k.startsWith('scratch delete')).reduce((n, [, v]) => n + v, 0);
    const maxInFlight = Math.max(...inFlight.map((x) => x.max));
    const tallied = (pick: (t: Tally) => number) => tallies.reduce((n, t) => n + pick(t), 0);
    console.log(`      [${label}] ${totalOps} operations by ${CLIENTS} clients in ${(stats.durationMs / 1000).toFixed(1)} s; ${result.manifests} manifest versions; ${result.survivors} checkpoints at the end`);
    console.log(`      [${label}] outcomes: ${[...stats.ops.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(
      `      [${label}] requests: ${totalRequests} (${Object.entries(requests).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
        `injected faults: ${totalInjected} (${((100 * totalInjected) / totalRequests).toFixed(1)} % of requests); ` +
        `failed before reaching the store ${injected.errors + injected.throttled + injected.hangs} (${Object.entries(failed).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ')}); ` +
        `throttle: at most ${maxInFlight} requests in flight (limit 3)`,
    );
    console.log(
      `      [${label}] injected by kind: ${(Object.keys(KIND_LABEL) as (keyof InjectedCounts)[])
        .filter((k) => config.expectKinds.includes(k))
        .map((k) => `${KIND_LABEL[k]} ${injected[k]}`)
        .join(', ')}`,
    );
    assert.equal(totalOps, CLIENTS * OPS_PER_CLIENT);
    for (const k of config.expectKinds) assert.ok(injected[k] > 0, `fault kind ${k} was injected`);
    for (const k of Object.keys(injected) as (keyof InjectedCounts)[]) if (!config.expectKinds.includes(k)) assert.equal(injected[k], 0, `fault kind ${k} is off`);
    assert.equal(tallied((t) => t.landedThenTimedOut), injected.landedThenTimeout);
    assert.equal(tallied((t) => t.deleteLandedThenTimedOut), injected.deleteLandedThenTimeout);
    assert.equal(tallied((t) => t.throttled), injected.throttled);
    assert.equal(tallied((t) => t.hung), injected.hangs);
    assert.equal(Object.values(failed).reduce((a, b) => a + b, 0), injected.errors + injected.throttled + injected.hangs);
    assert.ok(maxInFlight <= 3, `throttle exceeded: ${maxInFlight} in flight`);
    assert.ok((stats.ops.get('create ok') ?? 0) > 50 && (stats.ops.get('delete ok') ?? 0) > 20 && (stats.ops.get('refresh ok') ?? 0) > 20, 'enough operations succeeded to mean something');
    assert.deepEqual([...stats.violations, ...result.violations, ...scratchViolations], []);
  } finally {
    await cleanup();
  }
}

describe('reliability: 500 concurrent operations under 10 % injected faults', function () {
  this.timeout(600_000);

  it('in-memory store: every operation succeeds or fails with a clear EngineError, and the ledger and the manifest history hold', async () => {
    await raceUnderFaults('memory', async () => {
      const store = new MemoryObjectStore('faults');
      return { store, perClient: () => store, cleanup: async () => undefined };
    });
  });

  it('local directory: the same, on a LocalObjectStore in a temporary directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-faults-'));
    await raceUnderFaults('local', async () => {
      const shared = new LocalObjectStore(dir);
      return {
        store: shared,
        perClient: () => shared,
        cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    });
  });

  describe('an eventually consistent listing (a page missing its newest object) and operations that decide there is nothing to write', () => {
    async function setup() {
      const base = new MemoryObjectStore('stale');
      await putManifest(base, DB, 1, manifestV1({ initialized: true }));
      const a = new ManifestStore(base, DB);
      const created = await createCheckpoint(a, { name: 'made-by-a' });
      assert.equal(created.committedManifestId, 2);
      // Client B lists through a store whose listings lag by one object, and has never seen manifest 2.
      const b = new ManifestStore(new FaultInjectingStore(base, { staleListRate: 1, seed: 5 }), DB);
      return { base, a, b, id: created.id };
    }

    it('delete of a checkpoint that exists must not report success while it stays present (lost delete)', async () => {
      const { base, b, id } = await setup();
      let outcome: string;
      try {
        const res = await deleteCheckpoint(b, { id });
        outcome = `ok, deleted=${res.deleted}`;
      } catch (e) {
        outcome = expectEngineError(e, 'delete').code;
      }
      const still = (await listCheckpoints(new ManifestStore(base, DB))).checkpoints.some((c) => c.id === id);
      console.log(`      delete through a lagging listing: ${outcome}; checkpoint still present: ${still}`);
      // Either it is really deleted, or the caller is told it failed: "ok" with the checkpoint still there is a lost delete.
      assert.ok(!(outcome.startsWith('ok') && still), `delete reported "${outcome}" but checkpoint ${id} is still in the latest manifest`);
    });

    it('refresh of a checkpoint that exists must not fail with CHECKPOINT_NOT_FOUND', async () => {
      const { b, id } = await setup();
      let outcome: string;
      try {
        await refreshCheckpoint(b, { id, lifetimeMs: 3_600_000 });
        outcome = 'ok';
      } catch (e) {
        outcome = expectEngineError(e, 'refresh').code;
      }
      console.log(`      refresh through a lagging listing: ${outcome}`);
      assert.notEqual(outcome, 'CHECKPOINT_NOT_FOUND', 'the checkpoint exists in the latest manifest');
    });

    it('liveness: through a listing that keeps lagging, delete and refresh still complete (a HEAD has already shown the engine that N+1 exists)', async () => {
      const { base, b, id } = await setup();
      const outcomes: string[] = [];
      for (const [name, run] of [
        ['refresh', () => refreshCheckpoint(b, { id, lifetimeMs: 3_600_000 })],
        ['delete', () => deleteCheckpoint(b, { id })],
      ] as const) {
        const t0 = Date.now();
        try {
          await run();
          outcomes.push(`${name} ok`);
        } catch (e) {
          outcomes.push(`${name} ${expectEngineError(e, name).code}`);
        }
        console.log(`      ${outcomes.at(-1)} after ${Date.now() - t0} ms`);
      }
      const still = (await listCheckpoints(new ManifestStore(base, DB))).checkpoints.some((c) => c.id === id);
      assert.deepEqual(outcomes, ['refresh ok', 'delete ok']);
      assert.equal(still, false);
    });
  });
});

describe('reliability: 500 concurrent operations under every injected fault kind (~10 % of requests)', function () {
  this.timeout(600_000);

  it('in-memory store: generic errors, 503 SlowDown, hangs, ambiguous puts and deletes, lagging listings and GETs', async () => {
    await raceUnderFaults(
      'memory, every kind',
      async () => {
        const store = new MemoryObjectStore('all-faults');
        return { store, perClient: () => store, cleanup: async () => undefined };
      },
      ALL_KINDS,
    );
  });

  it('local directory: the same, on a LocalObjectStore in a temporary directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-all-faults-'));
    await raceUnderFaults(
      'local, every kind',
      async () => {
        const shared = new LocalObjectStore(dir);
        return { store: shared, perClient: () => shared, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
      ALL_KINDS,
    );
  });
});

/**
 * A lagging GET of the latest manifest makes readLatest retry with a cold listing; a lagging cold
 * listing (missing its newest object) must still not take it below the newest manifest this very
 * client has written: readLatest keeps a floor (read-your-writes / monotonic reads).
 */
describe('a lagging GET plus a lagging listing', () => {
  it('readLatest never answers below the newest manifest this client has written (read-your-writes)', async () => {
    const base = new MemoryObjectStore('stale-get');
    await putManifest(base, DB, 1, manifestV1({ initialized: true }));
    const faulty = new FaultInjectingStore(base, { seed: 3 });
    // Passes requests on to `faulty`; once armed, turns stale GETs off again after the first GET.
    let armed = false;
    const oneStaleGet: ObjectStore = {
      description: faulty.description,
      listPage: (o) => faulty.listPage(o),
      head: (k) => faulty.head(k),
      getRange: (k, s, e) => faulty.getRange(k, s, e),
      getStream: (k) => faulty.getStream(k),
      putIfAbsent: (k, b) => faulty.putIfAbsent(k, b),
      delete: (k) => faulty.delete(k),
      get: async (k) => {
        const got = await faulty.get(k);
        if (armed) {
          armed = false;
          faulty.configure({ staleGetRate: 0 });
        }
        return got;
      },
    };
    const ms = new ManifestStore(oneStaleGet, DB);
    const created = await createCheckpoint(ms, { name: 'mine' });
    assert.equal(created.committedManifestId, 2);
    // From now on listings lag by their newest object, and the next GET (of manifest 2) answers "absent".
    faulty.configure({ staleListRate: 1, staleGetRate: 1 });
    armed = true;
    const listed = await listCheckpoints(ms);
    assert.equal(faulty.injected.staleGets, 1);
    assert.ok(
      listed.checkpoints.some((c) => c.id === created.id),
      `listCheckpoints answered from manifest ${listed.manifestId}, below manifest 2 that this client wrote (its checkpoint is missing)`,
    );
  });
});
