/**
 * One function per CLI command: engine call in, one JSON document out. Each
 * is the `run` of its spec in args.ts. Validation of option values happens
 * here, before any request is made.
 */

import { createCheckpoint, deleteCheckpoint, listCheckpoints, OperationContext, refreshCheckpoint } from '../engine/checkpoints';
import { discoverDatabases } from '../engine/discovery';
import { parseDuration } from '../engine/duration';
import { EngineError, messageOf } from '../engine/errors';
import { normalizeUuid } from '../engine/ids';
import { checkpointJson, Json, manifestJson } from '../engine/json';
import { checkpointsOf } from '../engine/manifest/model';
import { ManifestStore } from '../engine/manifest/manifestStore';
import { pinnedSsts } from '../engine/pinned';
import type { ObjectStore } from '../engine/store/objectStore';
import type { CommandOutcome } from './outcome';

export type Options = Record<string, string | boolean | undefined>;

/** A string option's value, or undefined (absent, or a boolean flag). */
export function str(options: Options, name: string): string | undefined {
  const v = options[name];
  return typeof v === 'string' ? v : undefined;
}

/** An option the spec lists as `required` (the parser has checked it; this keeps the type honest). */
function required(options: Options, name: string): string {
  const v = str(options, name);
  if (v === undefined || v === '') throw new EngineError('INVALID_ARGUMENT', `--${name} is required`);
  return v;
}

function manifestIdOption(options: Options, name: string): number | undefined {
  const v = str(options, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) {
    throw new EngineError('INVALID_ARGUMENT', `--${name} "${v}" is not a manifest id: expected a whole number such as 7`);
  }
  return Number(v);
}

function lifetimeOption(options: Options): number | undefined {
  const v = str(options, 'lifetime');
  return v === undefined ? undefined : parseDuration(v);
}

export interface CommandContext extends OperationContext {
  store: ObjectStore;
  dbPath?: string;
  /** `--path-glob` given before the command (policyCommands.ts). */
  pathGlob?: string;
}

export type CommandRun = (options: Options, ctx: CommandContext) => Promise<Json | CommandOutcome>;

function manifests(ctx: CommandContext): ManifestStore {
  return new ManifestStore(ctx.store, ctx.dbPath ?? '');
}

export const listCheckpointsCommand: CommandRun = async (options, ctx) => {
  const { checkpoints } = await listCheckpoints(manifests(ctx), { name: str(options, 'name') });
  return checkpoints.map(checkpointJson);
};

export const createCheckpointCommand: CommandRun = async (options, ctx) => {
  const lifetimeMs = lifetimeOption(options);
  const source = str(options, 'source');
  if (source !== undefined) normalizeUuid(source); // validate before any I/O
  const created = await createCheckpoint(manifests(ctx), { lifetimeMs, sourceId: source, name: str(options, 'name') }, ctx);
  return { id: created.id, manifest_id: created.manifestId };
};

export const refreshCheckpointCommand: CommandRun = async (options, ctx) => {
  const id = normalizeUuid(required(options, 'id'));
  return checkpointJson(await refreshCheckpoint(manifests(ctx), { id, lifetimeMs: lifetimeOption(options) }, ctx));
};

export const deleteCheckpointCommand: CommandRun = async (options, ctx) => {
  const id = normalizeUuid(required(options, 'id'));
  const { deleted } = await deleteCheckpoint(manifests(ctx), { id }, ctx);
  return { id, deleted };
};

export const readManifestCommand: CommandRun = async (options, ctx) => {
  const id = manifestIdOption(options, 'id');
  const ms = manifests(ctx);
  const loaded = id === undefined ? await ms.readLatest() : await ms.read(id);
  return { id: loaded.id, format_version: loaded.manifest.formatVersion, read_only_reason: loaded.manifest.readOnlyReason ?? null, manifest: manifestJson(loaded.manifest) };
};

export const listManifestsCommand: CommandRun = async (options, ctx) => {
  const start = manifestIdOption(options, 'start');
  const end = manifestIdOption(options, 'end');
  const list = await manifests(ctx).listManifests({ start, end });
  return list.map((m) => ({ id: m.id, location: m.key, size: m.size, last_modified: m.lastModified.toISOString() }));
};

export const pinnedSstsCommand: CommandRun = async (options, ctx) => {
  const id = normalizeUuid(required(options, 'id'));
  const report = await pinnedSsts(manifests(ctx), id);
  return {
    checkpoint: checkpointJson(report.checkpoint),
    manifest_id: report.manifestId,
    ssts: report.ssts.map((s) => ({
      id: s.id,
      level: s.level,
      sorted_run: s.sortedRun,
      size_bytes: s.sizeBytes,
      exclusive: s.exclusive,
      first_key: s.firstKey ? Buffer.from(s.firstKey).toString('base64') : null,
      external_db: s.externalDbPath,
    })),
    total_bytes: report.totalBytes,
    reclaimable_bytes: report.reclaimableBytes,
  };
};

export const listDbsCommand: CommandRun = async (options, ctx) => {
  const found = await discoverDatabases(ctx.store, str(options, 'prefix') ?? '');
  const out: Json[] = [];
  for (const db of found) {
    let checkpoints: Json = null;
    let error: string | null = null;
    try {
      const latest = await new ManifestStore(ctx.store, db.path).read(db.latestManifestId);
      checkpoints = checkpointsOf(latest.manifest).map(checkpointJson);
    } catch (e) {
      error = messageOf(e);
    }
    out.push({ path: db.path, latest_manifest_id: db.latestManifestId, checkpoints, error });
  }
  return out;
};
