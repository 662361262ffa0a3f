/**
 * The only way the engine changes a database: SlateDB's manifest commit
 * protocol, on the generic compare-and-swap loop of ../cas.ts.
 *
 *   1. read the latest manifest N (never below an id we know exists:
 *      read-your-writes);
 *   2. apply the mutation (pure: it sees N and returns the new manifest),
 *      check the invariants, encode, and decode the bytes back;
 *   3. create manifest N+1 with create-if-absent: the commit point;
 *   4. read gc/manifest.boundary: if N+1 is at or below it, GC may delete
 *      our file, so the write does not count (RFC-0026) and the change is
 *      applied again, to the manifest that write was based on;
 *   on "already exists" (someone else committed N+1) go back to 1.
 *
 * An attempt whose request failed may still have landed: ManifestStore.create
 * reads N+1 back, and our exact bytes there mean success. Mutations are
 * idempotent by checkpoint id, so a write that lands even later is noticed by
 * the next attempt's read instead of being applied twice.
 */

import { applyUpdate, CasProtocol, RetryOptions, sameBytes, Step } from '../cas';
import { EngineError, isEngineError, messageOf } from '../errors';
import { silentLog } from '../log';
import { DecodedManifest, decodeManifest, encodeManifest } from './codec';
import { checkManifestUpdate } from './invariants';
import { LoadedManifest, ManifestStore } from './manifestStore';

export type MutationResult<T> = { manifest: DecodedManifest; result: T } | { noop: true; result: T };
/**
 * Sees the latest manifest, returns the next one (or a no-op). An error it
 * throws about what it saw ("checkpoint not found") should be marked with
 * `decidedOn` from ../cas, so that it is re-checked against a newer manifest.
 */
export type Mutation<T> = (current: LoadedManifest) => MutationResult<T>;

export type CommitOptions = RetryOptions;

export interface CommitOutcome<T> {
  result: T;
  /** The manifest id we created, or undefined when the mutation was a no-op. */
  committedId?: number;
  /** The manifest the final mutation was applied to. */
  baseId: number;
  attempts: number;
}

/**
 * What a commit writes on top of: the latest manifest, or (only for a
 * {@link commitManifestWrite} with `allowEmptyRoot`) a root without any
 * manifest yet, whose first manifest gets id 1.
 */
export type CommitBase = LoadedManifest | EmptyRoot;
export interface EmptyRoot {
  id: 0;
  empty: true;
}

/** The rules a write must pass before it is encoded (throws INTERNAL naming the rule); the default is the update invariants. */
export type WriteCheck = (write: { base: CommitBase; next: DecodedManifest; nextId: number; key: string }) => void;

const updateInvariants: WriteCheck = ({ base, next, nextId }) => {
  if ('empty' in base) throw new EngineError('INTERNAL', `refusing to write manifest ${nextId}: an update needs an existing manifest (this is a bug; nothing was written)`);
  checkManifestUpdate({ base, next, nextId });
};

/** Encode `next` and make sure it is what we mean to write: invariants hold and the bytes decode back cleanly. */
function encodeChecked(base: CommitBase, next: DecodedManifest, nextId: number, key: string, check: WriteCheck): Uint8Array {
  check({ base, next, nextId, key });
  const bytes = encodeManifest(next);
  // Never write what we could not read back.
  let reason: string | undefined;
  try {
    reason = decodeManifest(bytes, `new manifest ${key}`).readOnlyReason;
  } catch (e) {
    reason = messageOf(e);
  }
  if (reason !== undefined) {
    throw new EngineError('INTERNAL', `refusing to write ${key}: our own encoding does not read back (${reason}); this is a bug, nothing was written`, { key });
  }
  return bytes;
}

/** The manifest folder as a CAS protocol; one per commit, since it remembers that commit's writes GC refused. */
function manifestProtocol(ms: ManifestStore, options: CommitOptions, allowEmptyRoot = false): CasProtocol<CommitBase> {
  const log = options.log ?? silentLog;
  /** Our writes the GC boundary refused: id → the manifest that write was based on, and its bytes. */
  const refused = new Map<number, { base: CommitBase; bytes: Uint8Array }>();
  return {
    async readLatest(): Promise<CommitBase> {
      let latest: LoadedManifest;
      try {
        latest = await ms.readLatest();
      } catch (e) {
        if (allowEmptyRoot && isEngineError(e, 'DATABASE_NOT_FOUND')) return { id: 0, empty: true };
        throw e;
      }
      // If the latest manifest is our own write that the boundary refused, it does not count:
      // the change is applied again to what that write was based on, at the next id.
      const own = refused.get(latest.id);
      if (!own || !sameBytes(own.bytes, latest.bytes)) return latest;
      return 'empty' in own.base ? own.base : { ...own.base, id: latest.id, key: latest.key };
    },
    newerExists: (id) => ms.newerExists(id),
    create: (id, bytes) => ms.create(id, bytes, log),
    async confirm({ id, bytes, base }) {
      let boundary: number;
      try {
        boundary = await ms.readBoundary();
      } catch (e) {
        throw new EngineError(
          isEngineError(e) ? e.code : 'STORE_ERROR',
          `manifest ${id} was written to ${ms.location}, but the GC boundary could not be read to confirm it counts ` +
            `(${messageOf(e)}). The change has most likely been applied: refresh before trying again.`,
          { retryable: false, key: ms.keyOf(id), cause: e },
        );
      }
      if (id > boundary) return undefined;
      refused.set(id, { base, bytes });
      const reason = `manifest ${id} is at or below the GC boundary ${boundary}`;
      log('warn', `${reason}: the write does not count; retrying on the latest manifest`);
      return reason;
    },
    noteExists: (id) => ms.noteId(id),
    label: (id) => `manifest ${id}`,
    gaveUp({ attempts, lastReason, unconfirmedOnly }) {
      if (unconfirmedOnly) {
        return new EngineError('BEHIND_GC_BOUNDARY', `gave up after ${attempts} attempts to commit to ${ms.location}: ${lastReason}. Nothing was committed.`, {
          retryable: true,
        });
      }
      return new EngineError(
        'COMMIT_CONFLICT',
        `gave up after ${attempts} attempts to commit to ${ms.location}: ${lastReason}. ` +
          'Other writers are committing manifests very often; nothing was changed by this attempt. Try again.',
        { retryable: true },
      );
    },
  };
}

export async function commitManifestUpdate<T>(ms: ManifestStore, mutate: Mutation<T>, options: CommitOptions = {}): Promise<CommitOutcome<T>> {
  return commitManifestWrite(
    ms,
    (current) => {
      if (current === undefined) throw new EngineError('INTERNAL', `an update of ${ms.location} saw no manifest (this is a bug; nothing was written)`);
      return mutate(current);
    },
    options,
  );
}

export interface WriteOptions extends CommitOptions {
  /** The rules `next` must pass (default: the update invariants, where only checkpoints may change). */
  check?: WriteCheck;
  /** A root without a manifest is a valid base: the mutation sees `undefined` and its manifest becomes id 1. */
  allowEmptyRoot?: boolean;
}

/**
 * The same commit for writes that replace a manifest's state rather than
 * its checkpoints (a backup into a repository, a restore into an empty
 * root): the caller names the rules the new manifest must pass instead of
 * the update invariants. Every other step (create-if-absent, read-back of
 * ambiguous writes, GC boundary, retries) is the one commit protocol.
 */
export async function commitManifestWrite<T>(
  ms: ManifestStore,
  mutate: (current: LoadedManifest | undefined) => MutationResult<T>,
  options: WriteOptions = {},
): Promise<CommitOutcome<T>> {
  const check = options.check ?? updateInvariants;
  return applyUpdate(
    manifestProtocol(ms, options, options.allowEmptyRoot === true),
    (base): Step<T> => {
      const current = 'empty' in base ? undefined : base;
      // Valid, but holding things we do not understand: never rewritten.
      if (current?.manifest.readOnlyReason) throw new EngineError('MANIFEST_READ_ONLY', current.manifest.readOnlyReason, { key: current.key });
      const change = mutate(current);
      if ('noop' in change) return change;
      const nextId = base.id + 1;
      return { bytes: encodeChecked(base, change.manifest, nextId, ms.keyOf(nextId), check), result: change.result };
    },
    options,
  );
}
