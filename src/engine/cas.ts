/**
 * The only way the engine changes a database: compare-and-swap on the
 * manifest sequence (SlateDB's commit protocol).
 *
 *   1. read the latest manifest N;
 *   2. apply the mutation (pure: it sees N and returns the new manifest);
 *   3. create manifest N+1 with create-if-absent — the commit point;
 *   4. read gc/manifest.boundary: if N+1 is at or below it, GC may delete
 *      our file, so the write counts as lost (RFC-0026);
 *   on "already exists" (someone else committed N+1) go back to 1, with
 *   bounded, jittered exponential backoff.
 *
 * An attempt whose request failed may still have landed. Before calling it a
 * conflict we read N+1 back: our exact bytes there mean success. Mutations are
 * idempotent by checkpoint id, so a write that lands even later is noticed by
 * the next attempt's read instead of being applied twice.
 */

import { EngineError, isEngineError } from './errors';
import { EngineLog, silentLog } from './log';
import { DecodedManifest, decodeManifest, encodeManifest } from './manifest/codec';
import { checkManifestUpdate } from './manifest/invariants';
import { LoadedManifest, ManifestStore } from './manifest/manifestStore';

export type MutationResult<T> = { manifest: DecodedManifest; result: T } | { noop: true; result: T };
export type Mutation<T> = (current: LoadedManifest) => MutationResult<T>;

export interface CommitOptions {
  /** Attempts before giving up with COMMIT_CONFLICT. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: EngineLog;
  /** For tests: deterministic randomness and time. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CommitOutcome<T> {
  result: T;
  /** The manifest id we created, or undefined when the mutation was a no-op. */
  committedId?: number;
  /** The manifest the final mutation was applied to. */
  baseId: number;
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

type CreateOutcome = 'created' | 'exists' | 'unknown';

/** Errors a mutation raises about the state it saw, which a newer manifest could change. */
const DECISION_ERRORS = new Set(['CHECKPOINT_NOT_FOUND', 'DATABASE_NOT_INITIALIZED']);

/**
 * One HEAD of N+1: a listing may lag behind a write that already landed, so
 * before we answer "nothing to do" or "not found" from manifest N we make sure
 * there is no N+1. (A write needs no such check: its create of N+1 would fail.)
 */
async function newerExists(ms: ManifestStore, id: number): Promise<boolean> {
  return (await ms.store.head(ms.keyOf(id + 1))) !== undefined;
}

async function createIfAbsent(ms: ManifestStore, key: string, bytes: Uint8Array, log: EngineLog): Promise<CreateOutcome> {
  let created: boolean;
  let failure: unknown;
  try {
    created = (await ms.store.putIfAbsent(key, bytes)).created;
  } catch (e) {
    // A definite refusal (access denied, unsupported store) wrote nothing.
    if (isEngineError(e) && !e.retryable) throw e;
    failure = e;
    created = false;
    log('warn', `create ${key} failed (${e instanceof Error ? e.message : String(e)}); checking whether it landed anyway`);
  }
  if (created) return 'created';
  // "Already exists" or a failed request: it may be our own write. Compare bytes.
  let existing;
  try {
    existing = await ms.store.get(key);
  } catch (e) {
    if (failure) {
      throw new EngineError(
        'STORE_ERROR',
        `writing ${key} failed and it could not be read back to check whether the write landed: ${e instanceof Error ? e.message : String(e)}. ` +
          'Refresh to see whether the change was applied before trying again.',
        { retryable: true, key, cause: failure },
      );
    }
    throw e;
  }
  if (existing && sameBytes(existing.bytes, bytes)) {
    if (failure) log('info', `${key} holds exactly our bytes: the failed request had landed`);
    return 'created';
  }
  if (existing) return 'exists';
  // Absent after a failed request: not written (yet). Retrying is safe because
  // mutations are idempotent by id; a late landing is seen by the next read.
  return 'unknown';
}

export async function commitManifestUpdate<T>(ms: ManifestStore, mutate: Mutation<T>, options: CommitOptions = {}): Promise<CommitOutcome<T>> {
  const maxAttempts = options.maxAttempts ?? 20;
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 1000;
  const log = options.log ?? silentLog;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  let lastReason = '';

  /** Our writes the GC boundary rejected: id → the manifest that write was based on, and its bytes. */
  const rejected = new Map<number, { base: LoadedManifest; bytes: Uint8Array }>();
  let boundaryRejections = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let latest: LoadedManifest;
    try {
      latest = await ms.readLatest();
    } catch (e) {
      // Reads are idempotent: a transient store failure costs an attempt, not the operation.
      if (isEngineError(e) && e.code === 'STORE_ERROR' && e.retryable && attempt < maxAttempts) {
        lastReason = e.message;
        log('debug', `reading the latest manifest failed (attempt ${attempt}/${maxAttempts}): ${e.message}`);
        await sleep(Math.floor(random() * Math.min(cap, base * 2 ** Math.min(attempt - 1, 16))));
        continue;
      }
      throw e;
    }
    // If the latest manifest is our own write that the boundary rejected, it does not count:
    // apply the change again to what that write was based on, at the next id.
    const own = rejected.get(latest.id);
    const current: LoadedManifest = own && sameBytes(own.bytes, latest.bytes) ? { ...own.base, id: latest.id, key: latest.key } : latest;
    if (current.manifest.readOnlyReason) {
      throw new EngineError('MANIFEST_READ_ONLY', current.manifest.readOnlyReason, { key: current.key });
    }
    let change: MutationResult<T>;
    try {
      change = mutate(current);
    } catch (e) {
      // "Not found" / "not initialized" are decisions about N: make sure N is really the latest.
      if (isEngineError(e) && DECISION_ERRORS.has(e.code) && (await newerExists(ms, current.id))) {
        ms.noteId(current.id + 1); // the listing lags: start the next lookup from what we know exists
        continue;
      }
      throw e;
    }
    if ('noop' in change) {
      // Nothing to write is also a decision about N (a listing can lag behind a write).
      if (await newerExists(ms, current.id)) {
        ms.noteId(current.id + 1);
        continue;
      }
      return { result: change.result, baseId: current.id, attempts: attempt };
    }

    const nextId = current.id + 1;
    const key = ms.keyOf(nextId);
    checkManifestUpdate(current, change.manifest, nextId);
    const bytes = encodeManifest(change.manifest);
    // Never write what we could not read back identically.
    const check = decodeManifest(bytes, `new manifest ${key}`);
    if (check.readOnlyReason) throw new EngineError('MANIFEST_CORRUPT', `refusing to write ${key}: ${check.readOnlyReason}`);

    const outcome = await createIfAbsent(ms, key, bytes, log);
    if (outcome === 'created') {
      let boundary: number;
      try {
        boundary = await ms.readBoundary();
      } catch (e) {
        throw new EngineError(
          isEngineError(e) ? e.code : 'STORE_ERROR',
          `manifest ${nextId} was written to ${ms.location}, but the GC boundary could not be read to confirm it counts ` +
            `(${e instanceof Error ? e.message : String(e)}). The change has most likely been applied: refresh before trying again.`,
          { retryable: false, key, cause: e },
        );
      }
      if (nextId > boundary) {
        ms.noteId(nextId);
        log('debug', `committed ${key} (attempt ${attempt})`);
        return { result: change.result, committedId: nextId, baseId: current.id, attempts: attempt };
      }
      rejected.set(nextId, { base: current, bytes });
      boundaryRejections++;
      lastReason = `manifest ${nextId} is at or below the GC boundary ${boundary}`;
      log('warn', `${lastReason}: the write does not count; retrying on the latest manifest`);
    } else {
      if (outcome === 'exists') ms.noteId(nextId); // known to exist, even if a listing does not show it yet
      lastReason = outcome === 'exists' ? `manifest ${nextId} was created by another writer first` : `the write of manifest ${nextId} did not land`;
      log('debug', `${lastReason} (attempt ${attempt}/${maxAttempts})`);
    }
    if (attempt < maxAttempts) {
      const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 16));
      await sleep(Math.floor(random() * ceiling));
    }
  }
  if (boundaryRejections === maxAttempts) {
    throw new EngineError('BEHIND_GC_BOUNDARY', `gave up after ${maxAttempts} attempts to commit to ${ms.location}: ${lastReason}. Nothing was committed.`, {
      retryable: true,
    });
  }
  throw new EngineError(
    'COMMIT_CONFLICT',
    `gave up after ${maxAttempts} attempts to commit to ${ms.location}: ${lastReason}. ` +
      'Other writers are committing manifests very often; nothing was changed by this attempt. Try again.',
    { retryable: true },
  );
}
