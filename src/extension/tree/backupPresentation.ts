/**
 * How a backup shows in the tree. A backup repository is an ordinary
 * database; its checkpoints whose names parse as backups (engine
 * backup/naming.ts) get an archive icon, a label that says what they are a
 * backup of, and a description with the source checkpoint and the time.
 * Their size needs listings, so it is read only when the tooltip is asked
 * for (treeProvider's resolveTreeItem), once per backup: a backup's state
 * never changes.
 */

import type { BackupName } from '../../engine/backup/naming';
import { readCheckpointState } from '../../engine/backup/plan';
import { messageOf } from '../../engine/errors';
import type { ManifestStore } from '../../engine/manifest/manifestStore';
import { formatBytes, plural, relativeTime, shortId } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';

/** "2026-12-02 08:15 UTC". */
export function utcMinute(when: Date): string {
  return `${when.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function backupLabel(b: BackupName): string {
  const of = `backup of ${databaseLabel(b.sourcePath)}`;
  return b.label === null ? of : `${b.label}: ${of}`;
}

/** "@ 0193c0de · 2026-12-02 08:15 UTC (3 h ago) · → #12". */
export function backupDescription(b: BackupName, manifestId: number, nowS: number): string {
  return `@ ${shortId(b.sourceCheckpoint)} · ${utcMinute(b.takenAt)} (${relativeTime(Math.floor(b.takenAt.getTime() / 1000), nowS)}) · → #${manifestId}`;
}

/** Markdown table rows for the tooltip (the caller escapes nothing: paths go in code spans). */
export function backupRows(b: BackupName): string {
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  return [
    `| Backup of | ${code(b.sourcePath || '/')} |`,
    `| Source checkpoint | ${code(b.sourceCheckpoint)} |`,
    `| Taken at | ${b.takenAt.toISOString()} |`,
    ...(b.label !== null ? [`| Label | ${code(b.label)} |`] : []),
  ].join('\n') + '\n';
}

const sizes = new Map<string, Promise<string>>();

/** "12 MiB in 8 SSTs + 2 WAL files", or why it is unknown; cached per repository and backup. */
export function backupSizeText(ms: ManifestStore, checkpointId: string): Promise<string> {
  const key = `${ms.store.description}\u0000${ms.dbPath}\u0000${checkpointId}`;
  let text = sizes.get(key);
  if (!text) {
    text = readCheckpointState(ms, checkpointId).then(
      (s) => {
        const ssts = s.objects.filter((o) => o.kind === 'sst').length;
        return `${formatBytes(s.bytes)} in ${plural(ssts, 'SST')} + ${plural(s.objects.length - ssts, 'WAL file')}`;
      },
      (e) => {
        sizes.delete(key); // not cached: it may be readable next time
        return `unknown (${messageOf(e)})`;
      },
    );
    sizes.set(key, text);
  }
  return text;
}
