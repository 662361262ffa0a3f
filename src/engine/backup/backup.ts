/**
 * Backup and restore: independent point-in-time copies of a checkpoint's
 * state (CLI-CONTRACT "backup / restore").
 *
 * The repository is an ordinary SlateDB database root. A backup copies every
 * object the source checkpoint's state needs into it (transfer.ts: objects
 * already there are reused, the rest copied in bounded parallel and checked)
 * and then, last, commits one manifest through the manifest commit: the
 * source's state (repoManifest.ts) plus the repository's checkpoints plus a
 * new never-expiring checkpoint named after the source (naming.ts) that pins
 * that manifest. So an interrupted backup leaves at most objects that no
 * manifest names, and running it again reuses them.
 *
 * `latest` pins the source's latest state with a short-lived checkpoint
 * first and deletes it afterwards, also when the copy fails. Restore is the
 * same copy from a backup into an empty root, committing manifest 1 without
 * checkpoints (restore.ts).
 */

import { createCheckpoint, deleteCheckpoint } from '../checkpoints';
import { EngineError, messageOf, throwIfAborted } from '../errors';
import { newCheckpointId, normalizeUuid, uuidToString } from '../ids';
import { EngineLog, silentLog } from '../log';
import { checkpointInfo, newCheckpointTable, rawCheckpoints } from '../manifest/model';
import { commitManifestWrite } from '../manifest/manifestCommit';
import { ManifestStore } from '../manifest/manifestStore';
import { normalizeDbPath } from '../paths';
import type { ObjectStore } from '../store/objectStore';
import { emptyTotals, addTo, ObjectTotals } from './copy';
import { formatBackupName, PIN_CHECKPOINT_NAME, validateLabel } from './naming';
import { CheckpointState, readCheckpointState } from './plan';
import { stateManifest, stateWriteCheck } from './repoManifest';
import { checkRepositoryState, findBackup, readRepository } from './repository';
import { Transfer, transferObjects } from './transfer';
import { checkConcurrency, checkSeparate, progressReporter, totalsJson } from './copyInput';

export interface BackupEndpoint {
  store: ObjectStore;
  path: string;
  /** e.g. file:///x or s3://b/p, for output */
  storeLabel: string;
}

export interface BackupProgress {
  phase: 'pin' | 'plan' | 'copy' | 'commit' | 'unpin';
  objectsDone: number;
  objectsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  key?: string;
}

/** Exactly the CLI contract's JSON (snake_case). */
export interface BackupResult {
  source: { store: string; path: string; checkpoint: string; manifest_id: number };
  /** For a restore, `checkpoint_id` is the backup restored (the restored root holds no checkpoint of its own). */
  target: { store: string; path: string; checkpoint_id: string; manifest_id: number };
  copied: { ssts: number; wal_files: number; bytes: number };
  reused: { ssts: number; wal_files: number; bytes: number };
  server_side_copies: number;
}

export interface BackupOptions {
  source: BackupEndpoint;
  checkpointId?: string;
  latest?: boolean;
  target: BackupEndpoint;
  name?: string;
  signal?: AbortSignal;
  onProgress?(p: BackupProgress): void;
  concurrency?: number;
  log?: EngineLog;
  now?: () => Date;
}

export interface RestoreOptions {
  repository: BackupEndpoint;
  backupId: string;
  target: BackupEndpoint;
  signal?: AbortSignal;
  onProgress?(p: BackupProgress): void;
  concurrency?: number;
  log?: EngineLog;
}

/** How long `latest`'s pin lives if we cannot delete it (a crash): long enough for a big copy, short enough not to pin storage for days. */
export const PIN_LIFETIME_MS = 6 * 3600 * 1000;

/** The objects of `state` counted as reused (a backup that was already there copies nothing). */
function allReused(state: CheckpointState): ObjectTotals {
  const t = emptyTotals();
  for (const o of state.objects) addTo(t, o);
  return t;
}

interface Validated {
  sourcePath: string;
  targetPath: string;
  checkpointId: string | undefined;
  label: string | null;
  concurrency: number;
  log: EngineLog;
  now: () => Date;
}

function validate(opts: BackupOptions): Validated {
  if (opts.latest === true && opts.checkpointId !== undefined) throw new EngineError('INVALID_ARGUMENT', 'back up either a checkpoint (--id) or the latest state (--latest), not both. Nothing was read or written.');
  if (opts.latest !== true && opts.checkpointId === undefined) throw new EngineError('INVALID_ARGUMENT', 'say what to back up: a checkpoint (--id UUID) or the latest state (--latest). Nothing was read or written.');
  const checkpointId = opts.checkpointId === undefined ? undefined : normalizeUuid(opts.checkpointId);
  if (opts.name !== undefined) validateLabel(opts.name);
  const sourcePath = normalizeDbPath(opts.source.path);
  const targetPath = normalizeDbPath(opts.target.path);
  checkSeparate(opts.source, sourcePath, opts.target, targetPath, 'the backup repository must not overlap the source database');
  return { sourcePath, targetPath, checkpointId, label: opts.name ?? null, concurrency: checkConcurrency(opts.concurrency), log: opts.log ?? silentLog, now: opts.now ?? (() => new Date()) };
}

export async function backupCheckpoint(opts: BackupOptions): Promise<BackupResult> {
  const v = validate(opts);
  const source = new ManifestStore(opts.source.store, v.sourcePath);
  const repo = new ManifestStore(opts.target.store, v.targetPath);
  const tell = progressReporter(opts.onProgress);
  if (v.checkpointId !== undefined) return backupPinned(opts, v, source, repo, v.checkpointId, tell);

  // Before pinning anything: the source exists and the target is a repository we may write to.
  await source.readLatest();
  await readRepository(repo);
  throwIfAborted(opts.signal, 'the backup');
  tell('pin');
  const pin = await createCheckpoint(source, { lifetimeMs: PIN_LIFETIME_MS, name: PIN_CHECKPOINT_NAME }, { log: v.log, now: v.now });
  try {
    return await backupPinned(opts, v, source, repo, pin.id, tell);
  } finally {
    tell('unpin');
    try {
      await deleteCheckpoint(source, { id: pin.id }, { log: v.log });
    } catch (e) {
      v.log('warn', `could not delete the temporary checkpoint ${pin.id} (${PIN_CHECKPOINT_NAME}) of ${source.location}: ${messageOf(e)}; it expires by itself within ${PIN_LIFETIME_MS / 3600000} hours`);
    }
  }
}

async function backupPinned(opts: BackupOptions, v: Validated, source: ManifestStore, repo: ManifestStore, checkpointId: string, tell: ReturnType<typeof progressReporter>): Promise<BackupResult> {
  tell('plan');
  const state = await readCheckpointState(source, checkpointId, opts.signal);
  const view = await readRepository(repo);
  const sourceJson = { store: opts.source.storeLabel, path: v.sourcePath, checkpoint: checkpointId, manifest_id: state.manifestId };
  const targetJson = (checkpoint_id: string, manifest_id: number) => ({ store: opts.target.storeLabel, path: v.targetPath, checkpoint_id, manifest_id });

  const held = view.latest && findBackup(view.latest.manifest, v.sourcePath, checkpointId);
  if (held) {
    v.log('info', `${repo.location} already holds checkpoint ${checkpointId} as backup ${held.checkpoint.id}: nothing written`);
    return { source: sourceJson, target: targetJson(held.checkpoint.id, held.checkpoint.manifestId), copied: totalsJson(emptyTotals()), reused: totalsJson(allReused(state)), server_side_copies: 0 };
  }

  throwIfAborted(opts.signal, 'the backup');
  tell('copy', { objectsDone: 0, objectsTotal: state.objects.length, bytesDone: 0, bytesTotal: state.bytes });
  const transfer: Transfer = await transferObjects(state.objects, opts.source.store, { store: opts.target.store, path: v.targetPath }, view.committed, {
    concurrency: v.concurrency,
    signal: opts.signal,
    log: v.log,
    onProgress: (p) => tell('copy', p),
  });

  throwIfAborted(opts.signal, 'the backup');
  tell('commit');
  const takenAt = v.now();
  const name = formatBackupName({ label: v.label, sourcePath: v.sourcePath, sourceCheckpoint: checkpointId, takenAt });
  const id = newCheckpointId();
  const idText = uuidToString(id);
  const outcome = await commitManifestWrite<{ id: string; manifestId: number; ours: boolean }>(
    repo,
    (current) => {
      const kept = current ? rawCheckpoints(current.manifest) : [];
      const mine = kept.map(checkpointInfo).find((c) => c.id === idText);
      // An earlier attempt of this commit landed after all.
      if (mine) return { noop: true, result: { id: mine.id, manifestId: mine.manifestId, ours: true } };
      if (current) {
        // A concurrent backup of the same checkpoint committed first: that one stands.
        const other = findBackup(current.manifest, v.sourcePath, checkpointId);
        if (other) return { noop: true, result: { id: other.checkpoint.id, manifestId: other.checkpoint.manifestId, ours: false } };
        checkRepositoryState(repo, current, view.knownState ?? view.latest?.manifest);
      }
      const manifestId = (current?.id ?? 0) + 1;
      const added = newCheckpointTable({ id, manifestId, expireTimeS: 0, createTimeS: Math.floor(takenAt.getTime() / 1000), name });
      return { manifest: stateManifest(state.manifest, [...kept, added]), result: { id: idText, manifestId, ours: true } };
    },
    { log: v.log, allowEmptyRoot: true, check: stateWriteCheck(state.manifest, transfer.present, idText) },
  );
  const r = outcome.result;
  return {
    source: sourceJson,
    target: targetJson(r.id, r.manifestId),
    copied: totalsJson(transfer.copied),
    reused: totalsJson(transfer.reused),
    server_side_copies: transfer.serverSideCopies,
  };
}

export { restoreBackup } from './restore';
