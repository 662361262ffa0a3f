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

/** Encode `next` and make sure it is what we mean to write: invariants hold and the bytes decode back cleanly. */
function encodeChecked(base: LoadedManifest, next: DecodedManifest, nextId: number, key: string): Uint8Array {
  checkManifestUpdate({ base, next, nextId });
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
function manifestProtocol(ms: ManifestStore, options: CommitOptions): CasProtocol<LoadedManifest> {
  const log = options.log ?? silentLog;
  /** Our writes the GC boundary refused: id → the manifest that write was based on, and its bytes. */
  const refused = new Map<number, { base: LoadedManifest; bytes: Uint8Array }>();
  return {
    async readLatest() {
      const latest = await ms.readLatest();
      // If the latest manifest is our own write that the boundary refused, it does not count:
      // the change is applied again to what that write was based on, at the next id.
      const own = refused.get(latest.id);
      return own && sameBytes(own.bytes, latest.bytes) ? { ...own.base, id: latest.id, key: latest.key } : latest;
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
  return applyUpdate(
    manifestProtocol(ms, options),
    (current): Step<T> => {
      // Valid, but holding things we do not understand: never rewritten.
      if (current.manifest.readOnlyReason) throw new EngineError('MANIFEST_READ_ONLY', current.manifest.readOnlyReason, { key: current.key });
      const change = mutate(current);
      if ('noop' in change) return change;
      const nextId = current.id + 1;
      return { bytes: encodeChecked(current, change.manifest, nextId, ms.keyOf(nextId)), result: change.result };
    },
    options,
  );
}
