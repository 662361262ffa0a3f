/**
 * The backup engine as apply-policy's PolicyBackupRunner (policy/apply.ts):
 * a rule with `backup` copies each checkpoint it creates into its
 * repository, labelled with the checkpoint's name, so the repository's
 * pruning (policy/repository.ts) finds the rule's backups by that label.
 */

import type { EngineLog } from '../log';
import type { PolicyBackupRunner } from '../policy/apply';
import { backupCheckpoint } from './backup';

export function policyBackupRunner(log?: EngineLog): PolicyBackupRunner {
  return {
    async backup(r) {
      const result = await backupCheckpoint({
        source: { store: r.source, path: r.sourcePath, storeLabel: r.source.description },
        checkpointId: r.checkpointId,
        target: { store: r.repository, path: r.repositoryPath, storeLabel: r.repository.description },
        name: r.label,
        signal: r.signal,
        now: () => r.now,
        log,
      });
      return { backupId: result.target.checkpoint_id };
    },
  };
}
