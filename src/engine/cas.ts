/**
 * Compare-and-swap over a sequence of immutable versions (ids 1, 2, 3, …):
 * read the latest version N, compute the change, create N+1 if absent. The
 * create is the commit point; losing it means someone else committed first,
 * so read again and retry with bounded, jittered exponential backoff.
 *
 * This loop knows nothing about what a version holds: the protocol object
 * reads, creates (resolving ambiguous writes), confirms that a landed write
 * counts (e.g. a GC boundary) and says what to throw when the attempts run
 * out. The manifest commit (manifest/manifestCommit.ts) is its one user.
 *
 * ## Error semantics
 * - A read failure with `retryable: true` costs an attempt, not the
 *   operation (reads are idempotent).
 * - A step that decided "nothing to do" (`noop`), or threw an error marked
 *   with `decidedOn`, is a decision about version N: it stands only if no
 *   N+1 exists (a listing may lag behind a write that already landed).
 *   Otherwise the loop re-reads and decides again.
 * - Anything else a step or the protocol throws ends the loop at once.
 */

import { isEngineError } from './errors';
import { EngineLog, silentLog } from './log';

/** What creating version `id` came to: ours landed, someone else's is there, or we cannot tell yet. */
export type CreateOutcome = 'created' | 'exists' | 'unknown';

export interface CasProtocol<V extends { id: number }> {
  /** Latest version (the protocol may present it differently, e.g. skip a write that did not count). */
  readLatest(): Promise<V>;
  /** Whether version `id + 1` exists; asked before a decision about `id` is final. */
  newerExists(id: number): Promise<boolean>;
  /** Create version `id` if absent. "unknown" means nothing is there yet after a failed request. */
  create(id: number, bytes: Uint8Array): Promise<CreateOutcome>;
  /** Our create of `write.id` landed: undefined if it counts, else why not (the loop retries). */
  confirm(write: { id: number; bytes: Uint8Array; base: V }): Promise<string | undefined>;
  /** Version `id` is known to exist, even if a listing does not show it yet. */
  noteExists(id: number): void;
  /** Name of version `id` for messages, e.g. "manifest 7". */
  label(id: number): string;
  /** The error to throw when every attempt failed; `unconfirmedOnly`: each one landed but did not count. */
  gaveUp(summary: { attempts: number; lastReason: string; unconfirmedOnly: boolean }): Error;
}

/** A step computes the change from the latest version: new bytes to create, or nothing to do. */
export type Step<T> = { bytes: Uint8Array; result: T } | { noop: true; result: T };

export interface RetryOptions {
  /** Attempts before giving up. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: EngineLog;
  /** For tests: deterministic randomness and time. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface UpdateOutcome<T> {
  result: T;
  /** The version we created, or undefined when the step was a no-op. */
  committedId?: number;
  /** The version the final step was applied to. */
  baseId: number;
  attempts: number;
}

const decisions = new WeakSet<object>();

/**
 * Marks an error a step raised about the version it saw ("not found", "not
 * initialized"): the loop throws it only if no newer version exists.
 */
export function decidedOn<E extends Error>(error: E): E {
  decisions.add(error);
  return error;
}

function isDecision(e: unknown): boolean {
  return typeof e === 'object' && e !== null && decisions.has(e);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Full-jitter exponential backoff: a random delay below min(cap, base·2^(attempt-1)). */
export function backoff(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {}): number {
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 1000;
  const random = options.random ?? Math.random;
  return Math.floor(random() * Math.min(cap, base * 2 ** Math.min(attempt - 1, 16)));
}

export async function applyUpdate<V extends { id: number }, T>(protocol: CasProtocol<V>, step: (current: V) => Step<T>, options: RetryOptions = {}): Promise<UpdateOutcome<T>> {
  const maxAttempts = options.maxAttempts ?? 20;
  const log = options.log ?? silentLog;
  const sleep = options.sleep ?? defaultSleep;
  const pause = (attempt: number) => sleep(backoff(attempt, options));
  /** A decision about `id` stands unless `id + 1` exists; then the next lookup starts from it. */
  const outdated = async (id: number) => {
    if (!(await protocol.newerExists(id))) return false;
    protocol.noteExists(id + 1);
    return true;
  };
  let lastReason = '';
  let unconfirmed = 0;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let current: V;
    try {
      current = await protocol.readLatest();
    } catch (e) {
      if (isEngineError(e) && e.retryable && attempt < maxAttempts) {
        lastReason = e.message;
        log('debug', `reading the latest version failed (attempt ${attempt}/${maxAttempts}): ${e.message}`);
        await pause(attempt);
        continue;
      }
      throw e;
    }
    let change: Step<T>;
    try {
      change = step(current);
    } catch (e) {
      if (isDecision(e) && (await outdated(current.id))) continue;
      throw e;
    }
    if ('noop' in change) {
      if (await outdated(current.id)) continue;
      return { result: change.result, baseId: current.id, attempts: attempt };
    }

    const id = current.id + 1;
    const outcome = await protocol.create(id, change.bytes);
    if (outcome === 'created') {
      const refused = await protocol.confirm({ id, bytes: change.bytes, base: current });
      if (refused === undefined) {
        protocol.noteExists(id);
        log('debug', `committed ${protocol.label(id)} (attempt ${attempt})`);
        return { result: change.result, committedId: id, baseId: current.id, attempts: attempt };
      }
      unconfirmed++;
      lastReason = refused;
    } else {
      if (outcome === 'exists') protocol.noteExists(id);
      lastReason = outcome === 'exists' ? `${protocol.label(id)} was created by another writer first` : `the write of ${protocol.label(id)} did not land`;
      log('debug', `${lastReason} (attempt ${attempt}/${maxAttempts})`);
    }
    if (attempt < maxAttempts) await pause(attempt);
  }
  throw protocol.gaveUp({ attempts: maxAttempts, lastReason, unconfirmedOnly: unconfirmed === maxAttempts });
}

/** For protocols: byte equality of two buffers (our write vs what is stored). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
