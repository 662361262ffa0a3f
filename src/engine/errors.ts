/**
 * Typed errors of the engine. Each names the object or checkpoint involved and
 * says what to do. `code` is stable (CLI exit codes and the extension's
 * messages key on it); `retryable` says whether repeating the same operation
 * may succeed without user action.
 *
 * ## Error semantics
 * Only `retryable: true` means "repeat the same call later": transient store
 * failures (`STORE_ERROR` from a timeout, throttling or a 5xx) and
 * `COMMIT_CONFLICT` (lost the create-if-absent race more often than the retry
 * budget allows: refresh and try again). Everything else needs a change of
 * input or a human: `INVALID_ARGUMENT` (nothing was read or written),
 * `*_NOT_FOUND`, `MANIFEST_*` and `DATA_CORRUPT` (the bytes on the store are
 * wrong: retrying reads the same bytes), `STORE_UNSUPPORTED`, `INTERNAL` (a
 * bug: an invariant or encode check failed, or an unknown exception) and
 * `CANCELLED` (the caller aborted; not a failure of the store).
 */

export type ErrorCode =
  | 'INVALID_ARGUMENT' // bad user input: nothing was read or written
  | 'CHECKPOINT_NOT_FOUND'
  | 'DATABASE_NOT_FOUND' // no manifest under the path
  | 'DATABASE_NOT_INITIALIZED'
  | 'MANIFEST_NOT_FOUND'
  | 'MANIFEST_CORRUPT' // bytes that are not a valid manifest
  | 'MANIFEST_UNSUPPORTED_VERSION' // format version other than 1 or 2: not decoded, never rewritten
  | 'MANIFEST_READ_ONLY' // valid, but holds things we do not understand: never rewritten
  | 'COMMIT_CONFLICT' // lost the create-if-absent race more times than the retry budget
  | 'BEHIND_GC_BOUNDARY' // our new manifest id is at or below gc/manifest.boundary
  | 'STORE_ERROR' // the object store failed (network, permission, ...)
  | 'STORE_UNSUPPORTED' // the store lacks a feature we need (conditional PUT)
  | 'PATH_OUTSIDE_ROOT'
  | 'DATA_CORRUPT' // an SST / WAL object that fails its CRC or does not decode; `key` names the object
  | 'DATA_MISSING' // an SST / WAL object a manifest references is not on the store; `key` names it
  | 'MERGE_OPERATOR_MISSING' // a key's newest entry is a merge operand: reading it needs the user's merge operator
  | 'TARGET_NOT_EMPTY' // restore / backup target already holds a database it must not touch
  | 'CANCELLED' // the caller aborted the operation (AbortSignal)
  | 'INTERNAL'; // a bug: invariant or encode-check failure, or an exception we did not expect

export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The object key the error is about, when there is one. */
  readonly key?: string;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; key?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'EngineError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.key = options.key;
  }
}

export function isEngineError(e: unknown, code?: ErrorCode): e is EngineError {
  return e instanceof EngineError && (code === undefined || e.code === code);
}

/**
 * Wrap anything a backend threw into a STORE_ERROR that names the request.
 * `retryable` has no default: each backend decides which of its failures are transient.
 */
export function storeError(operation: string, key: string, cause: unknown, retryable: boolean): EngineError {
  if (cause instanceof EngineError) return cause;
  return new EngineError('STORE_ERROR', `${operation} ${key} failed: ${messageOf(cause)}`, { retryable, key, cause });
}

/** The human message of anything thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Throws CANCELLED when `signal` has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new EngineError('CANCELLED', `${what} was cancelled`);
}
