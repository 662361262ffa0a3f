/**
 * A rule's side of its backup repository: is this window's checkpoint
 * already backed up there, and which of the rule's backups of this database
 * its keep clauses drop. A backup's checkpoint in the repository is named
 * `<label> backup:<source path>@<source UUID>:<taken at>` (backup/naming.ts);
 * the policy uses the source checkpoint's name as the label, so the rule's
 * backups of one database are those whose label starts with `<rule>-` and
 * whose source path is that database. Nothing else in the repository is
 * ever touched.
 */

import { parseBackupName } from '../backup/naming';
import { rfc3339 } from '../json';
import type { CheckpointInfo } from '../manifest/model';
import { applyKeep } from './keep';
import type { PolicyRule } from './types';
import { isRuleCheckpoint } from './windows';

const STAMP = /-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The instant a rule checkpoint's name carries (its window start), or undefined. */
export function stampOf(name: string): number | undefined {
  const m = STAMP.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface RepositoryBackup {
  checkpoint: CheckpointInfo;
  label: string;
  sourceCheckpoint: string;
  /** Time used by the keep clauses: the source checkpoint's stamp (its window), else the backup's create time. */
  timeS: number;
}

/** The rule's backups of `sourcePath` among the repository's checkpoints. */
export function ruleBackups(repoCheckpoints: readonly CheckpointInfo[], rule: PolicyRule, sourcePath: string): RepositoryBackup[] {
  const out: RepositoryBackup[] = [];
  for (const c of repoCheckpoints) {
    const parsed = parseBackupName(c.name);
    if (!parsed || parsed.label === null || parsed.sourcePath !== sourcePath || !isRuleCheckpoint(rule.name, parsed.label)) continue;
    const stamp = stampOf(parsed.label);
    out.push({ checkpoint: c, label: parsed.label, sourceCheckpoint: parsed.sourceCheckpoint, timeS: stamp !== undefined ? Math.floor(stamp / 1000) : c.createTimeS });
  }
  return out;
}

export interface RepositoryPlan {
  /** True unless the repository already holds a backup of that source checkpoint. */
  backupNeeded: boolean;
  prunes: Array<{ checkpoint: CheckpointInfo; reason: string }>;
}

/**
 * `source` is the checkpoint to back up: its name, and its UUID when it
 * already exists (null for one this run creates).
 */
export function planRepository(backups: readonly RepositoryBackup[], rule: PolicyRule, source: { name: string; id: string | null }, nowMs: number): RepositoryPlan {
  const backupNeeded = source.id === null || !backups.some((b) => b.sourceCheckpoint === source.id);
  const prunes: RepositoryPlan['prunes'] = [];
  if (!rule.keep) return { backupNeeded, prunes };
  const candidates = backups.map((b) => ({ id: b.checkpoint.id, name: b.label, createTimeS: b.timeS, backup: b as RepositoryBackup | undefined }));
  if (backupNeeded) candidates.push({ id: '', name: source.name, createTimeS: stampOf(source.name) !== undefined ? Math.floor(stampOf(source.name)! / 1000) : Math.floor(nowMs / 1000), backup: undefined });
  for (const c of applyKeep(candidates, rule.keep, nowMs).removed) {
    if (!c.backup) continue;
    prunes.push({ checkpoint: c.backup.checkpoint, reason: `backup of ${c.backup.label} (${rfc3339(c.createTimeS)}); not selected by ${rule.keep.text}` });
  }
  return { backupNeeded, prunes };
}
