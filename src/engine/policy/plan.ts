/**
 * What a policy asks of one database at one instant: for each rule, whether
 * it is due (time window without a checkpoint of the rule; or write volume
 * since the manifest its newest checkpoint pins), which of its checkpoints
 * the keep clauses drop, and what to back up. Pure reading: a plan writes
 * nothing. Only checkpoints named `<rule>-…` are ever considered.
 */

import { formatDuration } from '../duration';
import { isEngineError } from '../errors';
import { rfc3339 } from '../json';
import { checkpointsOf, CheckpointInfo } from '../manifest/model';
import type { LoadedManifest } from '../manifest/manifestStore';
import { applyKeep, KeepCandidate, newestFirst } from './keep';
import type { PlannedAction, PolicyRule } from './types';
import { checkpointName, isRuleCheckpoint, windowStartMs } from './windows';

export interface PlannedCreate {
  rule: PolicyRule;
  name: string;
}

export interface DatabasePlan {
  actions: PlannedAction[];
  creates: PlannedCreate[];
  deletes: Array<{ rule: PolicyRule; checkpoint: CheckpointInfo }>;
  /** Per rule with a backup: the checkpoint to back up (sourceId null: the one this run creates). */
  backups: Array<{ rule: PolicyRule; name: string; sourceId: string | null }>;
}

/** Reads a manifest by id (undefined when it no longer exists). */
export type ManifestReader = (id: number) => Promise<LoadedManifest | undefined>;

const iso = (ms: number) => rfc3339(Math.floor(ms / 1000));

function lastL0Seq(m: LoadedManifest): bigint {
  const v = m.manifest.root.last_l0_seq;
  return typeof v === 'bigint' ? v : BigInt((v as number | null) ?? 0);
}

interface Due {
  name: string;
  reason: string;
}

function timeTrigger(rule: PolicyRule, own: CheckpointInfo[], nowMs: number): Due | undefined {
  if (rule.everyMs === undefined) return undefined;
  const start = windowStartMs(nowMs, rule.everyMs);
  const end = start + rule.everyMs;
  const name = checkpointName(rule.name, start);
  const covering = own.find((c) => c.name === name || (c.createTimeS * 1000 >= start && c.createTimeS * 1000 < end));
  if (covering) return undefined;
  return { name, reason: `every ${formatDuration(rule.everyMs)}: no ${rule.name} checkpoint in the window ${iso(start)} – ${iso(end)}` };
}

async function writeTrigger(rule: PolicyRule, own: CheckpointInfo[], latest: LoadedManifest, nowMs: number, read: ManifestReader): Promise<Due | undefined> {
  if (rule.everyWrites === undefined) return undefined;
  const name = checkpointName(rule.name, nowMs);
  const newest = newestFirst(own)[0];
  if (!newest) return { name, reason: `everyWrites ${rule.everyWrites}: the rule has no checkpoint yet` };
  const pinned = newest.manifestId === latest.id ? latest : await read(newest.manifestId);
  if (!pinned) return { name, reason: `everyWrites ${rule.everyWrites}: manifest ${newest.manifestId}, which its newest checkpoint ${newest.name} pins, no longer exists` };
  const from = lastL0Seq(pinned);
  const to = lastL0Seq(latest);
  const growth = to - from;
  if (growth < BigInt(rule.everyWrites)) return undefined;
  return {
    name,
    reason: `everyWrites ${rule.everyWrites}: last_l0_seq grew by ${growth} (${from} in manifest ${pinned.id}, pinned by ${newest.name}, → ${to} in manifest ${latest.id})`,
  };
}

/** The plan for one database, given its latest manifest. */
export async function planDatabase(latest: LoadedManifest, rules: readonly PolicyRule[], nowMs: number, read: ManifestReader): Promise<DatabasePlan> {
  const plan: DatabasePlan = { actions: [], creates: [], deletes: [], backups: [] };
  const all = checkpointsOf(latest.manifest);
  const nowS = Math.floor(nowMs / 1000);

  for (const rule of rules) {
    const own = all.filter((c) => isRuleCheckpoint(rule.name, c.name));
    const time = timeTrigger(rule, own, nowMs);
    const writes = await writeTrigger(rule, own, latest, nowMs, read);
    const due = time ?? writes;
    if (due) {
      const reason = time && writes ? `${time.reason}; ${writes.reason}` : due.reason;
      plan.creates.push({ rule, name: due.name });
      const lifetime = rule.lifetimeMs === undefined ? 'never expires' : `expires ${iso(nowS * 1000 + rule.lifetimeMs)}`;
      plan.actions.push({ action: 'create', rule: rule.name, checkpoint: null, name: due.name, reason: `${reason} (${lifetime})` });
    }

    if (rule.keep) {
      const live = own.filter((c) => c.expireTimeS === 0 || c.expireTimeS > nowS);
      for (const c of own) {
        if (live.includes(c)) continue;
        plan.deletes.push({ rule, checkpoint: c });
        plan.actions.push({
          action: 'delete',
          rule: rule.name,
          checkpoint: c.id,
          name: c.name!,
          reason: `expired at ${rfc3339(c.expireTimeS)}: it protects nothing, and the keep clauses count live checkpoints only`,
        });
      }
      const candidates: Array<KeepCandidate & { info?: CheckpointInfo }> = live.map((c) => ({ id: c.id, name: c.name, createTimeS: c.createTimeS, info: c }));
      if (due) candidates.push({ id: '', name: due.name, createTimeS: nowS });
      const decision = applyKeep(candidates, rule.keep, nowMs);
      for (const c of decision.removed) {
        if (!c.info) continue; // the checkpoint about to be created: a keep that drops it at once is the user's choice, but we never create-then-delete
        plan.deletes.push({ rule, checkpoint: c.info });
        plan.actions.push({
          action: 'delete',
          rule: rule.name,
          checkpoint: c.id,
          name: c.name!,
          reason: `created ${rfc3339(c.createTimeS)}; not selected by ${rule.keep.text}`,
        });
      }
    }

    if (rule.backup) {
      // The checkpoint of this run, or this window's existing one: a run that stopped before its backup is completed later.
      const windowName = rule.everyMs !== undefined ? checkpointName(rule.name, windowStartMs(nowMs, rule.everyMs)) : undefined;
      const existing = due ? undefined : own.find((c) => c.name === windowName) ?? newestFirst(own)[0];
      if (due) plan.backups.push({ rule, name: due.name, sourceId: null });
      else if (existing) plan.backups.push({ rule, name: existing.name!, sourceId: existing.id });
    }
  }
  return plan;
}

/** A manifest reader over a store, treating "no longer exists" as undefined. */
export function manifestReader(read: (id: number) => Promise<LoadedManifest>): ManifestReader {
  return async (id) => {
    try {
      return await read(id);
    } catch (e) {
      if (isEngineError(e, 'MANIFEST_NOT_FOUND')) return undefined;
      throw e;
    }
  };
}

