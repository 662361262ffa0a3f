/**
 * The backup engine (src/engine/backup/backup.ts) as apply-policy's
 * PolicyBackupRunner: a rule with `backup` copies each checkpoint it creates
 * into its repository, labelled with the checkpoint's name (the repository's
 * pruning finds the rule's backups by that label).
 */

import { backupCheckpoint } from '../../engine/backup/backup';
import type { EngineLog } from '../../engine/log';
import type { PolicyBackupRunner } from '../../engine/policy/apply';

export function policyBackupRunner(log: EngineLog): PolicyBackupRunner {
  return {
    async backup(r) {
      const result = await backupCheckpoint({
        source: { store: r.source, path: r.sourcePath, storeLabel: r.sourcePath },
        checkpointId: r.checkpointId,
        target: { store: r.repository, path: r.repositoryPath, storeLabel: r.repositoryPath },
        name: r.label,
        signal: r.signal,
        now: () => r.now,
        log,
      });
      return { backupId: result.target.checkpoint_id };
    },
  };
}
