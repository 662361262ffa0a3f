/**
 * Names of backup checkpoints. A backup is a never-expiring checkpoint in the
 * repository, and its name is the only free-form field a checkpoint has, so
 * it carries what the backup is of:
 *
 *   backup:<source path>@<source checkpoint UUID>:<taken at, YYYYMMDDTHHMMSSZ>
 *   <label> backup:<source path>@<source checkpoint UUID>:<taken at>
 *
 * e.g. `backup:orders@0193c0de-5d5c-7a8e-9f00-1c2d3e4f5a6b:20261202T081500Z`.
 * The optional label (`backup --name N`) comes first, so a policy can find
 * its own backups by name prefix. The full UUID (not a short form) is what
 * makes "this checkpoint is already backed up" exact. Parsing reads the
 * fixed-format tail, so a source path may contain '@', ':' or spaces.
 */

import { EngineError } from '../errors';

export interface BackupName {
  /** The `--name` label, or null. */
  label: string | null;
  /** Database path of the source inside its store ('' = the store root). */
  sourcePath: string;
  /** Lowercase hyphenated UUID of the source checkpoint the backup copies. */
  sourceCheckpoint: string;
  /** When the backup was taken (whole seconds, UTC). */
  takenAt: Date;
}

const MARK = 'backup:';
const TAIL = /@([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** 2026-12-02T08:15:00.123Z → "20261202T081500Z" (the same compact form the policy names use). */
export function compactUtc(when: Date): string {
  return when.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** Throws INVALID_ARGUMENT unless `label` can head a backup name and be parsed back. */
export function validateLabel(label: string): void {
  if (label.trim() === '') throw new EngineError('INVALID_ARGUMENT', 'the backup name is empty: omit --name or give a name');
  if (label.includes(MARK)) throw new EngineError('INVALID_ARGUMENT', `the backup name "${label}" must not contain "${MARK}" (it marks where the source description starts)`);
  if (/[\u0000-\u001f\u007f]/.test(label)) throw new EngineError('INVALID_ARGUMENT', 'the backup name contains control characters');
  if (label.length > 200) throw new EngineError('INVALID_ARGUMENT', `the backup name is ${label.length} characters long; the limit is 200`);
}

export function formatBackupName(name: BackupName): string {
  if (name.label !== null) validateLabel(name.label);
  const body = `${MARK}${name.sourcePath}@${name.sourceCheckpoint}:${compactUtc(name.takenAt)}`;
  return name.label === null ? body : `${name.label} ${body}`;
}

/** The parts of a backup checkpoint's name, or null when the name is not one. */
export function parseBackupName(name: string | null): BackupName | null {
  if (name === null) return null;
  const tail = TAIL.exec(name);
  if (!tail) return null;
  let label: string | null = null;
  let rest: string;
  if (name.startsWith(MARK)) {
    rest = name.slice(MARK.length, tail.index);
  } else {
    const at = name.indexOf(` ${MARK}`);
    if (at <= 0) return null;
    label = name.slice(0, at);
    rest = name.slice(at + 1 + MARK.length, tail.index);
  }
  const [, id, y, mo, d, h, mi, s] = tail;
  const takenAt = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (Number.isNaN(takenAt.getTime()) || compactUtc(takenAt) !== `${y}${mo}${d}T${h}${mi}${s}Z`) return null;
  return { label, sourcePath: rest, sourceCheckpoint: id, takenAt };
}

/** Name of the short-lived checkpoint `backup --latest` pins the source with while it copies. */
export const PIN_CHECKPOINT_NAME = 'backup-in-progress';
