/**
 * CLI commands of the checkpoint-care features: `apply-policy` (opens the
 * stores its policy file names) and the `--path-glob` forms of
 * create / refresh / delete-checkpoint, which run on every database the glob
 * matches and print `{"databases": [{path, result | error}]}` (exit 1 when any
 * failed). See CLI-CONTRACT.md, "Many databases at once" and "apply-policy".
 * Also `health` (an addition to the contract): the health report as JSON.
 */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDuration } from '../engine/duration';
import { EngineError, messageOf } from '../engine/errors';
import { compileGlob } from '../engine/glob';
import { checkpointJson, Json } from '../engine/json';
import type { EngineLog } from '../engine/log';
import { healthReport, HealthOptions, HealthReport } from '../engine/health';
import { ManifestStore } from '../engine/manifest/manifestStore';
import { acrossDatabases, createAcross, deleteNamedAcross, PerDatabase, refreshNamedAcross } from '../engine/multiDb';
import { applyPolicy, DatabaseReport, PolicyBackupRunner } from '../engine/policy/apply';
import { parsePolicy } from '../engine/policy/parse';
import { openStore } from '../engine/store/openStore';
import { type CommandContext, type CommandRun, type Options, str } from './commands';
import { CommandOutcome } from './outcome';
import { loadEnvFile } from './storeFromEnv';

export interface StorelessContext {
  log: EngineLog;
  env: NodeJS.ProcessEnv;
  /** The backup engine, when this build has one. */
  backups?: PolicyBackupRunner;
}

/** A command that opens its own stores (they are named in its input, not by --store). */
export type StorelessRun = (options: Options, ctx: StorelessContext) => Promise<Json | CommandOutcome>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `--now RFC3339` → ms; absent → the real clock. */
export function nowOption(options: Options): number {
  const text = str(options, 'now');
  if (text === undefined) return Date.now();
  const ms = Date.parse(text);
  if (!RFC3339.test(text.trim()) || Number.isNaN(ms)) {
    throw new EngineError('INVALID_ARGUMENT', `--now "${text}" is not an RFC 3339 time: use e.g. 2026-12-02T13:00:00Z`);
  }
  return ms;
}

function readPolicyFile(file: string) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EngineError('INVALID_ARGUMENT', `cannot read --policy ${file}: ${messageOf(e)}`);
  }
  return parsePolicy(text, path.basename(file));
}

function reportJson(r: DatabaseReport): Json {
  return {
    store: r.store,
    path: r.path,
    planned: r.planned.map((a) => {
      const out: { [k: string]: Json } = { action: a.action, rule: a.rule, checkpoint: a.checkpoint, name: a.name, reason: a.reason };
      if (a.repository) out.repository = a.repository;
      if (a.result) out.result = { ...a.result };
      return out;
    }),
    applied: r.applied,
    error: r.error,
  };
}

export const applyPolicyCommand: StorelessRun = async (options, ctx) => {
  // Everything is validated before the first request: a bad file is exit 2 with nothing read or written.
  const file = str(options, 'policy')!;
  const nowMs = nowOption(options);
  if (str(options, 'env-file') !== undefined) loadEnvFile(str(options, 'env-file')!, ctx.env);
  const policy = readPolicyFile(file);
  const reports = await applyPolicy(policy, {
    nowMs,
    dryRun: options['dry-run'] === true,
    openStore: (s) => openStore(s.url, { endpoint: s.endpointUrl, region: s.region, profile: s.profile }),
    backups: ctx.backups,
    log: ctx.log,
  });
  const document: Json = { databases: reports.map(reportJson) };
  return reports.some((r) => r.error) ? new CommandOutcome(document, 1) : document;
};

function errorJson(e: EngineError): Json {
  return { code: e.code, message: e.message, ...(e.key ? { key: e.key } : {}) };
}

function databasesOutcome<R>(results: PerDatabase<R>[], render: (r: R) => Json): CommandOutcome | Json {
  const document: Json = { databases: results.map((r): Json => (r.error ? { path: r.path, error: errorJson(r.error) } : { path: r.path, result: render(r.result as R) })) };
  return results.some((r) => r.error) ? new CommandOutcome(document, 1) : document;
}

function lifetimeOption(options: Options): number | undefined {
  const v = str(options, 'lifetime');
  return v === undefined ? undefined : parseDuration(v);
}

/** The glob of `--path-glob`, given before the command or after it (not both, not with --path). */
function pathGlobOf(options: Options, ctx: CommandContext): string | undefined {
  const before = ctx.pathGlob;
  const after = str(options, 'path-glob');
  if (before !== undefined && after !== undefined) throw new EngineError('INVALID_ARGUMENT', '--path-glob is given twice (before and after the command); give it once');
  const glob = before ?? after;
  if (glob !== undefined) {
    if (ctx.dbPath !== undefined) throw new EngineError('INVALID_ARGUMENT', 'give either --path (one database) or --path-glob (every database it matches), not both');
    compileGlob(glob); // validated before any request
  }
  return glob;
}

type Kind = 'create' | 'refresh' | 'delete';

/**
 * The command `single` on one database (--path), or its many-database form
 * with --path-glob: create as usual; refresh and delete by --name.
 */
export function withPathGlob(kind: Kind, single: CommandRun): CommandRun {
  return async (options, ctx) => {
    const glob = pathGlobOf(options, ctx);
    const name = str(options, 'name');
    if (glob === undefined) {
      if (options['all-or-nothing'] !== undefined) throw new EngineError('INVALID_ARGUMENT', '--all-or-nothing applies with --path-glob only');
      if (kind !== 'create' && name !== undefined) {
        throw new EngineError('INVALID_ARGUMENT', `${kind}-checkpoint --name selects checkpoints across databases together with --path-glob; on one database (--path) use --id`);
      }
      if (kind !== 'create' && str(options, 'id') === undefined) throw new EngineError('INVALID_ARGUMENT', `${kind}-checkpoint needs --id UUID (or --name N with --path-glob G)`);
      return single(options, ctx);
    }
    const across = { now: ctx.now, log: ctx.log };
    if (kind === 'create') {
      if (str(options, 'source') !== undefined) throw new EngineError('INVALID_ARGUMENT', '--source names a checkpoint of one database: it cannot be used with --path-glob');
      const lifetimeMs = lifetimeOption(options);
      const results = await createAcross(ctx.store, glob, { lifetimeMs, name, allOrNothing: options['all-or-nothing'] === true }, across);
      return databasesOutcome(results, (r) => ({
        id: r.id,
        manifest_id: r.manifestId,
        ...(r.rolledBack !== undefined ? { rolled_back: r.rolledBack } : {}),
        ...(r.rollbackError ? { rollback_error: errorJson(r.rollbackError) } : {}),
      }));
    }
    if (str(options, 'id') !== undefined) throw new EngineError('INVALID_ARGUMENT', `--id names a checkpoint of one database: with --path-glob, select by --name`);
    if (name === undefined) throw new EngineError('INVALID_ARGUMENT', `${kind}-checkpoint --path-glob needs --name N (the checkpoints of that name in each database)`);
    if (kind === 'refresh') {
      const lifetimeMs = lifetimeOption(options);
      return databasesOutcome(await refreshNamedAcross(ctx.store, glob, name, lifetimeMs, across), (cps) => cps.map(checkpointJson));
    }
    return databasesOutcome(await deleteNamedAcross(ctx.store, glob, name, across), (r) => ({ name, deleted: r.deleted.length > 0, ids: r.deleted }));
  };
}

function healthJson(r: HealthReport): Json {
  return {
    location: r.location,
    generated_at: r.generatedAt,
    latest_manifest_id: r.latestManifestId,
    manifests: { count: r.manifests.count, first_id: r.manifests.firstId, last_id: r.manifests.lastId, last_day: r.manifests.lastDay, unneeded: r.manifests.unneeded, oldest: r.manifests.oldest },
    bytes: {
      total: r.bytes.total,
      latest_referenced: r.bytes.latestReferenced,
      pinned_by_checkpoints: r.bytes.pinnedByCheckpoints,
      only_pinned_by_checkpoints: r.bytes.onlyPinnedByCheckpoints,
      orphaned: r.bytes.orphaned,
    },
    checkpoints: r.checkpoints.map((h) => ({
      ...checkpointJson(h.checkpoint),
      origin: h.origin,
      state: h.state,
      manifest_missing: h.manifestMissing,
      total_bytes: h.totalBytes,
      bytes_not_in_latest: h.bytesNotInLatest,
      reclaimable_bytes: h.reclaimableBytes,
      share_percent: h.sharePercent,
    })),
    orphans: { checked: r.orphans.checked, ...(r.orphans.why ? { why: r.orphans.why } : {}), ssts: r.orphans.ssts.map((s) => ({ key: s.key, size: s.size, last_modified: s.lastModified })) },
    findings: r.findings.map((f) => ({ kind: f.kind, severity: f.severity, message: f.message, checkpoint: f.checkpoint ?? null, bytes: f.bytes ?? null })),
  };
}

function numberOption(options: Options, name: string, min: number, max: number): number | undefined {
  const v = str(options, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new EngineError('INVALID_ARGUMENT', `--${name} "${v}" must be a number from ${min} to ${max}`);
  return n;
}

function durationOption(options: Options, name: string): number | undefined {
  const v = str(options, name);
  return v === undefined ? undefined : parseDuration(v);
}

/** `health`: the report of one database (--path) or of each one a --path-glob matches. Not in the contract: an addition. */
export const healthCommand: CommandRun = async (options, ctx) => {
  const healthOptions: HealthOptions = {
    nowMs: nowOption(options),
    noExpiryOlderThanMs: durationOption(options, 'no-expiry-age'),
    unnamedPinPercent: numberOption(options, 'pin-percent', 0, 100),
    orphanMinAgeMs: durationOption(options, 'orphan-age'),
    manifestCountWarn: numberOption(options, 'manifest-warn', 1, Number.MAX_SAFE_INTEGER),
  };
  const glob = pathGlobOf(options, ctx);
  if (glob === undefined) return healthJson(await healthReport(new ManifestStore(ctx.store, ctx.dbPath ?? ''), healthOptions));
  const results = await acrossDatabases(ctx.store, glob, (db) => healthReport(new ManifestStore(ctx.store, db.path), healthOptions), { concurrency: 4 });
  return databasesOutcome(results, healthJson);
};
