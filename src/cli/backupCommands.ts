/**
 * `backup` and `restore` (CLI-CONTRACT "backup / restore"): the global
 * `--store/--path` name the source database (backup) or the repository
 * (restore); the `--to-*` options name the other side. Every option is
 * checked before the first request (exit 2, nothing read or written); a
 * long copy reports progress on stderr, about once a second.
 */

import type { BackupEndpoint, BackupProgress, BackupResult } from '../engine/backup/backup';
import { backupCheckpoint, restoreBackup } from '../engine/backup/backup';
import { validateLabel } from '../engine/backup/naming';
import { EngineError } from '../engine/errors';
import { normalizeUuid } from '../engine/ids';
import type { Json } from '../engine/json';
import { normalizeDbPath } from '../engine/paths';
import { LoggingObjectStore } from '../engine/store/loggingStore';
import type { ObjectStore } from '../engine/store/objectStore';
import { openStore } from '../engine/store/openStore';
import { type CommandContext, type CommandRun, type Options, str } from './commands';

/** The options every `--to-*` side takes. */
export const TARGET_OPTIONS = {
  'to-store': { type: 'string' },
  'to-path': { type: 'string' },
  'to-endpoint-url': { type: 'string' },
  'to-region': { type: 'string' },
  'to-profile': { type: 'string' },
} as const;

interface TargetSpec {
  url: string;
  path: string;
  endpoint?: string;
  region?: string;
  profile?: string;
}

function targetSpec(options: Options, command: string): TargetSpec {
  const url = str(options, 'to-store');
  const path = str(options, 'to-path');
  if (url === undefined || url.trim() === '') throw new EngineError('INVALID_ARGUMENT', `${command} needs --to-store URL (file:///abs/dir or s3://bucket[/prefix])`);
  if (path === undefined || path.trim() === '') throw new EngineError('INVALID_ARGUMENT', `${command} needs --to-path P (the database root to copy into, inside --to-store)`);
  if (!/^(file|s3):/i.test(url.trim())) throw new EngineError('INVALID_ARGUMENT', `--to-store "${url}" is not a store URL: use file:///abs/dir or s3://bucket[/prefix]`);
  const s3Only = ['to-endpoint-url', 'to-region', 'to-profile'].filter((o) => str(options, o) !== undefined);
  if (s3Only.length > 0 && !/^s3:/i.test(url.trim())) throw new EngineError('INVALID_ARGUMENT', `--${s3Only[0]} applies to an s3:// --to-store only`);
  const endpoint = str(options, 'to-endpoint-url');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(endpoint)) throw new EngineError('INVALID_ARGUMENT', `--to-endpoint-url "${endpoint}" is not an http(s) URL`);
  return { url: url.trim(), path: normalizeDbPath(path), endpoint, region: str(options, 'to-region'), profile: str(options, 'to-profile') };
}

async function openTarget(t: TargetSpec, ctx: CommandContext): Promise<ObjectStore> {
  const store = await openStore(t.url, { endpoint: t.endpoint, region: t.region, profile: t.profile });
  return ctx.log ? new LoggingObjectStore(store, ctx.log) : store;
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** Progress lines on stderr: each phase once, copy progress at most once a second (and its end). */
export function stderrProgress(command: string, write: (line: string) => void = (l) => process.stderr.write(l)): (p: BackupProgress) => void {
  let phase = '';
  let last = 0;
  return (p) => {
    const now = Date.now();
    const changed = p.phase !== phase;
    const done = p.phase === 'copy' && p.objectsTotal > 0 && p.objectsDone === p.objectsTotal;
    if (!changed && !done && now - last < 1000) return;
    if (!changed && done && phase === 'copy-done') return;
    phase = done ? 'copy-done' : p.phase;
    last = now;
    const counts = p.phase === 'copy' ? `: ${p.objectsDone}/${p.objectsTotal} objects, ${mb(p.bytesDone)} of ${mb(p.bytesTotal)}` : '';
    write(`${command}: ${p.phase}${counts}\n`);
  };
}

function resultJson(r: BackupResult): Json {
  return { source: { ...r.source }, target: { ...r.target }, copied: { ...r.copied }, reused: { ...r.reused }, server_side_copies: r.server_side_copies };
}

function sourceEndpoint(ctx: CommandContext): BackupEndpoint {
  return { store: ctx.store, path: ctx.dbPath ?? '', storeLabel: ctx.store.description };
}

export const backupCommand: CommandRun = async (options, ctx) => {
  const id = str(options, 'id');
  const latest = options.latest === true;
  if ((id === undefined) === !latest) throw new EngineError('INVALID_ARGUMENT', 'backup needs exactly one of --id UUID and --latest');
  const checkpointId = id === undefined ? undefined : normalizeUuid(id);
  const name = str(options, 'name');
  if (name !== undefined) validateLabel(name);
  const t = targetSpec(options, 'backup');
  const store = await openTarget(t, ctx);
  try {
    const result = await backupCheckpoint({
      source: sourceEndpoint(ctx),
      checkpointId,
      latest,
      target: { store, path: t.path, storeLabel: store.description },
      name,
      log: ctx.log,
      now: ctx.now,
      onProgress: stderrProgress('backup'),
    });
    return resultJson(result);
  } finally {
    await store.close?.();
  }
};

export const restoreCommand: CommandRun = async (options, ctx) => {
  const id = str(options, 'id');
  if (id === undefined) throw new EngineError('INVALID_ARGUMENT', 'restore needs --id UUID (the backup checkpoint of the repository named by --store/--path)');
  const backupId = normalizeUuid(id);
  const t = targetSpec(options, 'restore');
  const store = await openTarget(t, ctx);
  try {
    const result = await restoreBackup({
      repository: sourceEndpoint(ctx),
      backupId,
      target: { store, path: t.path, storeLabel: store.description },
      log: ctx.log,
      onProgress: stderrProgress('restore'),
    });
    return resultJson(result);
  } finally {
    await store.close?.();
  }
};
