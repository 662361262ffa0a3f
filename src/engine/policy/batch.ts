/**
 * Several checkpoint changes to one database in ONE manifest commit: the
 * creates a policy plans (each skipped, inside the CAS mutation, when a
 * checkpoint of that name is already there, so concurrent runners create
 * it once), the deletes of its retention, and the by-name refresh / delete
 * of `--path-glob`. Every decision is re-made on each attempt against the
 * manifest that attempt read, so a retry after losing a race never applies
 * a change twice and never re-creates what another runner made.
 */

import { decidedOn } from '../cas';
import { validateCheckpointName } from '../checkpoints';
import { EngineError } from '../errors';
import { newCheckpointId, uuidToString } from '../ids';
import { checkpointInfo, CheckpointInfo, epochsOf, newCheckpointTable, rawCheckpoints, withCheckpoints } from '../manifest/model';
import { commitManifestUpdate, CommitOptions } from '../manifest/manifestCommit';
import type { ManifestStore } from '../manifest/manifestStore';

const U32_MAX = 0xffffffff;

export interface BatchCreate {
  name: string;
  /** undefined = never expires. */
  lifetimeMs?: number;
}

export interface CheckpointBatch {
  /** Each is skipped when a checkpoint with its exact name exists. */
  creates?: BatchCreate[];
  /** Removed when present; an absent one is reported, not an error. */
  deleteIds?: string[];
  /** Every checkpoint with exactly this name is removed. */
  deleteNamed?: string;
  /** Every checkpoint with exactly this name gets expiry now + lifetime (none: never); no such checkpoint is CHECKPOINT_NOT_FOUND. */
  refreshNamed?: { name: string; lifetimeMs?: number };
}

export interface BatchContext extends CommitOptions {
  now?: () => Date;
}

export interface BatchOutcome {
  /** Per create, in order: the new checkpoint, or the one of that name that was already there. */
  creates: Array<{ name: string; id: string; manifestId: number; existed: boolean }>;
  deleted: string[];
  /** Ids of deleteIds that were not (or no longer) there. */
  absent: string[];
  refreshed: CheckpointInfo[];
  /** The manifest written, undefined when nothing needed changing. */
  committedManifestId?: number;
}

export function expireTimeFor(nowS: number, lifetimeMs: number | undefined, what: string): number {
  if (lifetimeMs === undefined) return 0;
  if (!Number.isFinite(lifetimeMs) || lifetimeMs < 1000) throw new EngineError('INVALID_ARGUMENT', `${what}: the lifetime must be at least 1 second`);
  const expire = nowS + Math.floor(lifetimeMs / 1000);
  if (expire > U32_MAX) throw new EngineError('INVALID_ARGUMENT', `${what}: the lifetime ends after 2106, beyond what a SlateDB manifest can store; omit it for a checkpoint that never expires`);
  return expire;
}

export async function applyCheckpointBatch(ms: ManifestStore, batch: CheckpointBatch, ctx: BatchContext = {}): Promise<BatchOutcome> {
  // Fix every value before any I/O so each attempt writes the same checkpoints.
  const nowS = Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000);
  const createNames = (batch.creates ?? []).map((c) => c.name);
  const twice = createNames.find((n, i) => createNames.indexOf(n) !== i);
  if (twice !== undefined) throw new EngineError('INVALID_ARGUMENT', `the checkpoint name "${twice}" is to be created twice in one batch`);
  const creates = (batch.creates ?? []).map((c) => {
    validateCheckpointName(c.name);
    const id = newCheckpointId();
    return { ...c, id, idText: uuidToString(id), expire: expireTimeFor(nowS, c.lifetimeMs, `create ${c.name}`) };
  });
  const refreshExpire = batch.refreshNamed ? expireTimeFor(nowS, batch.refreshNamed.lifetimeMs, `refresh ${batch.refreshNamed.name}`) : 0;
  const deleteIds = new Set(batch.deleteIds ?? []);
  // Ids any attempt saw and removed: gone on a later attempt means our earlier write landed.
  const removedBefore = new Set<string>();

  const outcome = await commitManifestUpdate<BatchOutcome>(
    ms,
    (current) => {
      const result: BatchOutcome = { creates: [], deleted: [], absent: [], refreshed: [] };
      const existing = rawCheckpoints(current.manifest);
      const infos = existing.map(checkpointInfo);
      let changed = false;
      const next = [];

      for (let i = 0; i < existing.length; i++) {
        const info = infos[i];
        const remove = deleteIds.has(info.id) || (batch.deleteNamed !== undefined && info.name === batch.deleteNamed);
        if (remove) {
          removedBefore.add(info.id);
          result.deleted.push(info.id);
          changed = true;
          continue;
        }
        if (batch.refreshNamed && info.name === batch.refreshNamed.name) {
          const updated = { ...existing[i], checkpoint_expire_time_s: refreshExpire };
          if (info.expireTimeS !== refreshExpire) changed = true;
          next.push(info.expireTimeS !== refreshExpire ? updated : existing[i]);
          result.refreshed.push(checkpointInfo(updated));
          continue;
        }
        next.push(existing[i]);
      }
      for (const id of deleteIds) {
        if (result.deleted.includes(id)) continue;
        if (removedBefore.has(id)) result.deleted.push(id);
        else result.absent.push(id);
      }
      if (batch.refreshNamed && result.refreshed.length === 0) {
        throw decidedOn(
          new EngineError('CHECKPOINT_NOT_FOUND', `no checkpoint named "${batch.refreshNamed.name}" in ${ms.location} (latest manifest ${current.id}); nothing was written`),
        );
      }

      const names = new Map<string, CheckpointInfo>();
      for (const info of infos) if (info.name !== null && !names.has(info.name)) names.set(info.name, info);
      const pending = creates.filter((c) => {
        const mine = infos.find((i) => i.id === c.idText);
        if (mine) {
          result.creates.push({ name: c.name, id: mine.id, manifestId: mine.manifestId, existed: false }); // an earlier attempt landed
          return false;
        }
        const other = names.get(c.name);
        if (other) {
          result.creates.push({ name: c.name, id: other.id, manifestId: other.manifestId, existed: true });
          return false;
        }
        return true;
      });
      if (pending.length > 0 && !epochsOf(current.manifest).initialized) {
        throw decidedOn(
          new EngineError('DATABASE_NOT_INITIALIZED', `${ms.location} is not initialized yet (manifest ${current.id} says initialized=false); no checkpoint can be created on it. Nothing was written.`),
        );
      }
      for (const c of pending) {
        next.push(newCheckpointTable({ id: c.id, manifestId: current.id + 1, expireTimeS: c.expire, createTimeS: nowS, name: c.name }));
        result.creates.push({ name: c.name, id: c.idText, manifestId: current.id + 1, existed: false });
        changed = true;
      }
      // Report creates in the order they were asked for.
      result.creates.sort((a, b) => creates.findIndex((c) => c.name === a.name) - creates.findIndex((c) => c.name === b.name));
      if (!changed) return { noop: true, result };
      return { manifest: withCheckpoints(current.manifest, next), result };
    },
    ctx,
  );
  return { ...outcome.result, committedManifestId: outcome.committedId };
}
