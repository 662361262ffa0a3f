/**
 * Copies the objects of a state into a target root, a bounded number at a
 * time, and checks each one (verifyCopy.ts) before the caller may write a
 * manifest naming it.
 *
 * - Server-side when the target can copy from the source (same S3 endpoint
 *   and credentials: `copyObjectFrom`); otherwise streamed, chunk by chunk,
 *   from a streaming read into a streamed create-if-absent, so memory stays
 *   bounded by (parallel copies × chunk size) whatever the object sizes.
 * - Create-if-absent only: an object that turns out to exist already (an
 *   earlier attempt that landed, or a concurrent backup) is accepted after
 *   the same checks as a reused one; nothing is ever overwritten.
 * - A retryable store failure costs an attempt of that object (bounded,
 *   with backoff), not the whole copy. An object we created that fails its
 *   check is deleted again, so that a rerun copies it afresh instead of
 *   reusing it.
 * - `signal` is checked between chunks; progress counts streamed bytes as
 *   they pass, and a server-side copy's size when it is done.
 */

import { backoff } from '../cas';
import { mapLimit } from '../concurrency';
import { EngineError, isEngineError, messageOf, throwIfAborted } from '../errors';
import { EngineLog, silentLog } from '../log';
import type { BodySource, ObjectStore } from '../store/objectStore';
import { keyUnder, PlannedObject } from './plan';
import { sameContent } from './reuse';
import { verifyCopy } from './verifyCopy';

export interface CopyProgress {
  objectsDone: number;
  objectsTotal: number;
  /** Bytes copied so far (streamed bytes as they pass, server-side copies when done). */
  bytesDone: number;
  bytesTotal: number;
}

export interface ObjectTotals {
  ssts: number;
  walFiles: number;
  bytes: number;
}

export interface CopyReport {
  copied: ObjectTotals;
  reused: ObjectTotals;
  serverSideCopies: number;
  /** Bytes that passed through this process (streamed copies, read-back checks, WAL comparisons). */
  bytesThroughClient: number;
}

export interface CopyOptions {
  /** Objects in flight at once. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  log?: EngineLog;
  /** Attempts per object for retryable store failures. Default 5. */
  maxAttempts?: number;
  /** For tests: no real waiting between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

export function emptyTotals(): ObjectTotals {
  return { ssts: 0, walFiles: 0, bytes: 0 };
}

export function addTo(t: ObjectTotals, o: PlannedObject): void {
  if (o.kind === 'sst') t.ssts++;
  else t.walFiles++;
  t.bytes += o.size;
}

/** The source's chunks for one write attempt, counted and abortable; a second read refuses (the stream is gone). */
function countedBody(size: number, it: AsyncIterator<Uint8Array>, onBytes: (n: number) => void, signal: AbortSignal | undefined, key: string): BodySource {
  let used = false;
  return {
    size,
    chunks() {
      if (used) throw new EngineError('INTERNAL', `the stream of ${key} was already read; the copy is retried from a fresh read`, { key, retryable: true });
      used = true;
      return {
        [Symbol.asyncIterator]: () => ({
          async next() {
            throwIfAborted(signal, `copying ${key}`);
            const n = await it.next();
            if (!n.done) onBytes(n.value.byteLength);
            return n;
          },
          async return() {
            await it.return?.();
            return { done: true, value: undefined };
          },
        }),
      };
    },
  };
}

interface OneCopy {
  created: boolean;
  serverSide: boolean;
}

async function copyOne(from: ObjectStore, to: ObjectStore, o: PlannedObject, targetKey: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<OneCopy> {
  const direct = await to.copyObjectFrom?.(from, o.key, targetKey);
  if (direct !== undefined && direct !== 'unsupported') {
    if (direct.created) onBytes(o.size);
    return { created: direct.created, serverSide: true };
  }
  const stream = await from.getStream(o.key);
  if (!stream) {
    throw new EngineError('DATA_MISSING', `${from.description}/${o.key} disappeared before it could be copied (GC of an expired checkpoint?); nothing names it yet`, { key: o.key });
  }
  const it = stream.chunks[Symbol.asyncIterator]();
  try {
    if (stream.meta.size !== o.size) {
      throw new EngineError('DATA_CORRUPT', `${from.description}/${o.key} has ${stream.meta.size} bytes now but was listed with ${o.size}: immutable SlateDB files never change size`, { key: o.key });
    }
    const result = await to.putIfAbsent(targetKey, countedBody(o.size, it, onBytes, signal, o.key));
    return { created: result.created, serverSide: false };
  } finally {
    await it.return?.();
  }
}

/** One object: copy (or accept what is there), check, with bounded retries of retryable failures. */
async function copyAndCheck(from: ObjectStore, to: ObjectStore, o: PlannedObject, targetKey: string, report: CopyReport, progress: (n: number) => void, opts: CopyOptions): Promise<void> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const log = opts.log ?? silentLog;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal, 'the copy');
    let counted = 0;
    const onBytes = (n: number) => {
      counted += n;
      progress(n);
    };
    let created = false;
    try {
      const one = await copyOne(from, to, o, targetKey, onBytes, opts.signal);
      created = one.created;
      if (!one.serverSide) report.bytesThroughClient += counted;
      if (!one.created && o.kind === 'wal' && !(await sameContent(from, o.key, to, targetKey, opts.signal))) {
        throw new EngineError('TARGET_NOT_EMPTY', `${to.description}/${targetKey} was created by someone else meanwhile with different bytes than ${o.key}; nothing names it from this copy`, { key: targetKey });
      }
      const checked = await verifyCopy(to, targetKey, o, { deep: !one.serverSide, signal: opts.signal });
      report.bytesThroughClient += checked.bytesRead;
      if (one.serverSide && one.created) report.serverSideCopies++;
      if (created) addTo(report.copied, o);
      else addTo(report.reused, o);
      if (!created) progress(o.size - counted);
      return;
    } catch (e) {
      progress(-counted);
      if (created && isEngineError(e, 'DATA_CORRUPT')) {
        // Ours and bad: remove it so that a rerun copies it again rather than reusing it by name and size.
        await to.delete(targetKey).catch((d) => log('warn', `could not remove the bad copy ${targetKey}: ${messageOf(d)}`));
        throw e;
      }
      if (!isEngineError(e) || !e.retryable || attempt >= maxAttempts) throw e;
      log('debug', `copying ${o.key} failed (attempt ${attempt}/${maxAttempts}): ${e.message}`);
      await (opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(backoff(attempt, { baseDelayMs: 100, maxDelayMs: 2000 }));
    }
  }
}

/**
 * Copies `copy` into `targetRoot` and checks `recheck` (objects already there
 * that no committed manifest of the target names yet: left by an interrupted
 * run) as if copied. Resolves when every object is in place and checked.
 */
export async function copyObjects(
  from: ObjectStore,
  to: ObjectStore,
  targetRoot: string,
  work: { copy: readonly PlannedObject[]; recheck: readonly PlannedObject[] },
  opts: CopyOptions = {},
): Promise<CopyReport> {
  const report: CopyReport = { copied: emptyTotals(), reused: emptyTotals(), serverSideCopies: 0, bytesThroughClient: 0 };
  const all = [...work.copy.map((o) => ({ o, recheck: false })), ...work.recheck.map((o) => ({ o, recheck: true }))];
  const p: CopyProgress = { objectsDone: 0, objectsTotal: all.length, bytesDone: 0, bytesTotal: work.copy.reduce((n, o) => n + o.size, 0) };
  const tell = () => opts.onProgress?.({ ...p });
  tell();
  // The first failure stops the others (no copy keeps running after we return), and is what we throw.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const inner: CopyOptions = { ...opts, signal };
  let failure: { error: unknown } | undefined;
  await mapLimit(all, opts.concurrency ?? 8, async ({ o, recheck }) => {
    if (failure) return;
    const targetKey = keyUnder(targetRoot, o.name);
    try {
      if (recheck) {
        throwIfAborted(signal, 'the copy');
        const checked = await verifyCopy(to, targetKey, o, { deep: true, signal });
        report.bytesThroughClient += checked.bytesRead;
        addTo(report.reused, o);
      } else {
        await copyAndCheck(from, to, o, targetKey, report, (n) => {
          p.bytesDone += n;
          if (n > 0) tell();
        }, inner);
      }
    } catch (e) {
      failure ??= { error: opts.signal?.aborted ? new EngineError('CANCELLED', 'the copy was cancelled') : e };
      stop.abort();
      return;
    }
    p.objectsDone++;
    tell();
  });
  if (failure) throw failure.error;
  return report;
}
