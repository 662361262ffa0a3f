/**
 * Checkpoint operations with the semantics of SlateDB's admin API and CLI
 * (RFC-0004), on top of the manifest CAS loop.
 *
 * - create: pins the manifest being written (N+1), or with `sourceId` the
 *   manifest the source checkpoint pins; needs an initialized database. With
 *   `skipIfNameExists`, a checkpoint of that name already in the manifest is
 *   returned instead (decided inside the commit, so concurrent callers create
 *   exactly one).
 * - refresh: new expiry = now + lifetime (no lifetime: never expires);
 *   an absent id is an error.
 * - delete: an absent id succeeds and writes nothing.
 * - list: the latest manifest's checkpoints, optionally filtered by exact name.
 *
 * Every input is validated before anything is read or written.
 */

import { decidedOn } from './cas';
import { EngineError } from './errors';
import { newCheckpointId, normalizeUuid, uuidToString } from './ids';
import { epochsOf, checkpointInfo, CheckpointInfo, newCheckpointTable, rawCheckpoints, withCheckpoints } from './manifest/model';
import { commitManifestUpdate, CommitOptions } from './manifest/manifestCommit';
import type { ManifestStore } from './manifest/manifestStore';

const U32_MAX = 0xffffffff;

export interface OperationContext extends CommitOptions {
  /** Clock, for tests. */
  now?: () => Date;
}

export interface CreateCheckpointOptions {
  /** Lifetime in milliseconds; undefined = never expires. */
  lifetimeMs?: number;
  /** Create the checkpoint on the manifest another checkpoint pins. */
  sourceId?: string;
  name?: string;
  /** Create nothing when a checkpoint with exactly this `name` exists; return that one (needs `name`). */
  skipIfNameExists?: boolean;
}

export interface CreatedCheckpoint {
  id: string;
  manifestId: number;
  /** The manifest we wrote (undefined if an earlier attempt of this call had already landed, or `skipped`). */
  committedManifestId?: number;
  /** The checkpoint as the manifest holds it. */
  checkpoint: CheckpointInfo;
  /** True when `skipIfNameExists` found a checkpoint of that name: it is the one returned, nothing was written. */
  skipped: boolean;
}

export interface RefreshCheckpointOptions {
  id: string;
  /** New lifetime from now, in milliseconds; undefined = never expires. */
  lifetimeMs?: number;
}

export interface DeleteCheckpointOptions {
  id: string;
}

function nowSeconds(ctx: OperationContext): number {
  return Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000);
}

function expiryFor(ctx: OperationContext, lifetimeMs: number | undefined, label: string): number {
  if (lifetimeMs === undefined) return 0;
  if (!Number.isFinite(lifetimeMs) || lifetimeMs < 1000) {
    throw new EngineError('INVALID_ARGUMENT', `${label}: the lifetime must be at least 1 second`);
  }
  const expire = nowSeconds(ctx) + Math.floor(lifetimeMs / 1000);
  if (expire > U32_MAX) {
    throw new EngineError('INVALID_ARGUMENT', `${label}: the lifetime ends after 2106, beyond what a SlateDB manifest can store; omit it for a checkpoint that never expires`);
  }
  return expire;
}

/** The checkpoint-name rule of SlateDB's CLI: 1 to 1024 characters, no control characters. Throws INVALID_ARGUMENT. */
export function validateCheckpointName(name: string): string {
  if (name.length === 0) throw new EngineError('INVALID_ARGUMENT', 'the checkpoint name is empty: omit it or give a name');
  if (name.length > 1024) throw new EngineError('INVALID_ARGUMENT', `the checkpoint name is ${name.length} characters long; the limit is 1024`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new EngineError('INVALID_ARGUMENT', 'the checkpoint name contains control characters');
  return name;
}

type CreateResult = { checkpoint: CheckpointInfo; skipped: boolean };

function notFound(id: string, ms: ManifestStore, manifestId: number): EngineError {
  return decidedOn(
    new EngineError(
      'CHECKPOINT_NOT_FOUND',
      `checkpoint ${id} does not exist in ${ms.location} (latest manifest ${manifestId}); list the checkpoints to see which exist`,
    ),
  );
}

export async function listCheckpoints(ms: ManifestStore, filter: { name?: string } = {}): Promise<{ manifestId: number; checkpoints: CheckpointInfo[]; readOnlyReason?: string }> {
  const latest = await ms.readLatest();
  const all = rawCheckpoints(latest.manifest).map(checkpointInfo);
  return {
    manifestId: latest.id,
    checkpoints: filter.name === undefined ? all : all.filter((c) => c.name === filter.name),
    readOnlyReason: latest.manifest.readOnlyReason,
  };
}

export async function createCheckpoint(ms: ManifestStore, options: CreateCheckpointOptions, ctx: OperationContext = {}): Promise<CreatedCheckpoint> {
  // Validate and fix every value once, before any I/O, so that retries write identical checkpoints.
  const name = options.name === undefined ? null : validateCheckpointName(options.name);
  if (options.skipIfNameExists && name === null) {
    throw new EngineError('INVALID_ARGUMENT', 'create-checkpoint: skipIfNameExists needs a checkpoint name to look for');
  }
  const sourceId = options.sourceId === undefined ? undefined : normalizeUuid(options.sourceId);
  const expire = expiryFor(ctx, options.lifetimeMs, 'create-checkpoint');
  const created = nowSeconds(ctx);
  const id = newCheckpointId();
  const idText = uuidToString(id);

  const outcome = await commitManifestUpdate<CreateResult>(
    ms,
    (current) => {
      const existing = rawCheckpoints(current.manifest);
      const infos = existing.map(checkpointInfo);
      const mine = infos.find((c) => c.id === idText);
      // An earlier attempt of this very call landed after all: done.
      if (mine) return { noop: true, result: { checkpoint: mine, skipped: false } };
      // Decided on the manifest we are about to replace: of concurrent callers, the first commit wins and the others see it here.
      const named = options.skipIfNameExists ? infos.find((c) => c.name === name) : undefined;
      if (named) return { noop: true, result: { checkpoint: named, skipped: true } };

      let manifestId = current.id + 1;
      if (sourceId !== undefined) {
        const source = infos.find((c) => c.id === sourceId);
        if (!source) {
          throw decidedOn(new EngineError('CHECKPOINT_NOT_FOUND', `source checkpoint ${sourceId} does not exist in ${ms.location} (checkpoint missing); nothing was written`));
        }
        manifestId = source.manifestId;
      } else if (!epochsOf(current.manifest).initialized) {
        throw decidedOn(
          new EngineError(
            'DATABASE_NOT_INITIALIZED',
            `${ms.location} is not initialized yet (manifest ${current.id} says initialized=false, e.g. a clone still being set up); ` +
              'a checkpoint can only be created from an existing checkpoint (--source). Nothing was written.',
          ),
        );
      }
      const table = newCheckpointTable({ id, manifestId, expireTimeS: expire, createTimeS: created, name });
      return { manifest: withCheckpoints(current.manifest, [...existing, table]), result: { checkpoint: checkpointInfo(table), skipped: false } };
    },
    ctx,
  );
  const { checkpoint, skipped } = outcome.result;
  return { id: checkpoint.id, manifestId: checkpoint.manifestId, committedManifestId: outcome.committedId, checkpoint, skipped };
}

export async function refreshCheckpoint(ms: ManifestStore, options: RefreshCheckpointOptions, ctx: OperationContext = {}): Promise<CheckpointInfo> {
  const id = normalizeUuid(options.id);
  const expire = expiryFor(ctx, options.lifetimeMs, `refresh-checkpoint ${id}`);
  const outcome = await commitManifestUpdate<CheckpointInfo>(
    ms,
    (current) => {
      const existing = rawCheckpoints(current.manifest);
      const index = existing.findIndex((raw) => checkpointInfo(raw).id === id);
      if (index < 0) throw notFound(id, ms, current.id);
      const updated = { ...existing[index], checkpoint_expire_time_s: expire };
      if (existing[index].checkpoint_expire_time_s === expire) return { noop: true, result: checkpointInfo(existing[index]) };
      const next = existing.slice();
      next[index] = updated;
      return { manifest: withCheckpoints(current.manifest, next), result: checkpointInfo(updated) };
    },
    ctx,
  );
  return outcome.result;
}

export async function deleteCheckpoint(ms: ManifestStore, options: DeleteCheckpointOptions, ctx: OperationContext = {}): Promise<{ id: string; deleted: boolean; committedManifestId?: number }> {
  const id = normalizeUuid(options.id);
  // True once any attempt saw the checkpoint: if a later attempt finds it gone,
  // it was our earlier (ambiguous) write or a concurrent delete — deleted either way.
  let sawIt = false;
  const outcome = await commitManifestUpdate<boolean>(
    ms,
    (current) => {
      const existing = rawCheckpoints(current.manifest);
      const next = existing.filter((raw) => checkpointInfo(raw).id !== id);
      if (next.length === existing.length) return { noop: true, result: sawIt };
      sawIt = true;
      return { manifest: withCheckpoints(current.manifest, next), result: true };
    },
    ctx,
  );
  return { id, deleted: outcome.result, committedManifestId: outcome.committedId };
}
