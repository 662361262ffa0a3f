/**
 * Restore: the backup's state copied into an empty root, which then opens
 * with SlateDB as an ordinary database. The same copy as a backup
 * (transfer.ts); the commit writes manifest 1 with the backup's state and no
 * checkpoints (the repository's checkpoints pin repository manifests). A
 * root that already holds a manifest is refused before anything is written;
 * one left by an interrupted restore (objects, no manifest) is finished.
 */

import { EngineError, throwIfAborted } from '../errors';
import { normalizeUuid } from '../ids';
import { silentLog } from '../log';
import { commitManifestWrite } from '../manifest/manifestCommit';
import { ManifestStore } from '../manifest/manifestStore';
import { normalizeDbPath } from '../paths';
import type { BackupResult, RestoreOptions } from './backup';
import { checkConcurrency, checkSeparate, progressReporter, totalsJson } from './copyInput';
import { readCheckpointState } from './plan';
import { stateManifest, stateWriteCheck } from './repoManifest';
import { transferObjects } from './transfer';

function notEmpty(ms: ManifestStore, latest: number): EngineError {
  return new EngineError(
    'TARGET_NOT_EMPTY',
    `${ms.location} already holds a SlateDB database (latest manifest ${latest}); restore writes only into an empty path. Choose another --to-path. Nothing was written.`,
    { key: ms.keyOf(latest) },
  );
}

export async function restoreBackup(opts: RestoreOptions): Promise<BackupResult> {
  const backupId = normalizeUuid(opts.backupId);
  const repoPath = normalizeDbPath(opts.repository.path);
  const targetPath = normalizeDbPath(opts.target.path);
  checkSeparate(opts.repository, repoPath, opts.target, targetPath, 'the restore target must not overlap the backup repository');
  const concurrency = checkConcurrency(opts.concurrency);
  const log = opts.log ?? silentLog;
  const tell = progressReporter(opts.onProgress);
  const repo = new ManifestStore(opts.repository.store, repoPath);
  const target = new ManifestStore(opts.target.store, targetPath);

  tell('plan');
  const state = await readCheckpointState(repo, backupId, opts.signal);
  const existing = await target.latestId({ cold: true });
  if (existing !== undefined) throw notEmpty(target, existing);

  throwIfAborted(opts.signal, 'the restore');
  tell('copy', { objectsDone: 0, objectsTotal: state.objects.length, bytesDone: 0, bytesTotal: state.bytes });
  // Nothing in an empty root is committed: whatever an interrupted restore left is checked again.
  const transfer = await transferObjects(state.objects, opts.repository.store, { store: opts.target.store, path: targetPath }, new Set(), {
    concurrency,
    signal: opts.signal,
    log,
    onProgress: (p) => tell('copy', p),
  });

  throwIfAborted(opts.signal, 'the restore');
  tell('commit');
  const outcome = await commitManifestWrite<number>(
    target,
    (current) => {
      if (current) throw notEmpty(target, current.id);
      return { manifest: stateManifest(state.manifest, []), result: 1 };
    },
    { log, allowEmptyRoot: true, check: stateWriteCheck(state.manifest, transfer.present, null) },
  );
  return {
    source: { store: opts.repository.storeLabel, path: repoPath, checkpoint: backupId, manifest_id: state.manifestId },
    target: { store: opts.target.storeLabel, path: targetPath, checkpoint_id: backupId, manifest_id: outcome.committedId ?? outcome.result },
    copied: totalsJson(transfer.copied),
    reused: totalsJson(transfer.reused),
    server_side_copies: transfer.serverSideCopies,
  };
}
