/**
 * One operation across every database a path glob matches (`--path-glob`,
 * a policy's `path_glob`). Finding them costs, for a glob without `**`, one
 * delimiter listing per wildcard folder and one `manifest/` listing per
 * candidate (which also yields its latest manifest id, so the caller's first
 * read needs no listing); a `**` glob walks the tree with discovery.ts.
 * Databases run in parallel (bounded); one failing never stops the others.
 */

import { createCheckpoint, deleteCheckpoint, validateCheckpointName } from './checkpoints';
import { mapLimit } from './concurrency';
import { discoverDatabases, FoundDatabase } from './discovery';
import { EngineError, isEngineError, messageOf } from './errors';
import type { EngineLog } from './log';
import { compileGlob, CompiledGlob, segmentMatcher } from './glob';
import { ManifestStore } from './manifest/manifestStore';
import type { CheckpointInfo } from './manifest/model';
import { manifestIdOfKey } from './paths';
import { applyCheckpointBatch, expireTimeFor } from './policy/batch';
import type { ObjectStore } from './store/objectStore';

export const DEFAULT_DB_CONCURRENCY = 8;
const DEEP_GLOB_MAX_DEPTH = 12;

async function subfolders(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.listPage({ prefix, delimiter: '/', continuationToken: token });
    out.push(...page.commonPrefixes);
    token = page.nextContinuationToken;
  } while (token);
  return out;
}

/** The latest manifest id directly in `<folder>manifest/`, or undefined when it is not a database. */
async function latestManifestOf(store: ObjectStore, folder: string): Promise<number | undefined> {
  const dir = `${folder}manifest/`;
  let best: number | undefined;
  let token: string | undefined;
  do {
    const page = await store.listPage({ prefix: dir, continuationToken: token });
    for (const o of page.objects) {
      const id = o.key.lastIndexOf('/') === dir.length - 1 ? manifestIdOfKey(o.key) : undefined;
      if (id !== undefined && (best === undefined || id > best)) best = id;
    }
    token = page.nextContinuationToken;
  } while (token);
  return best;
}

/** Every database under the store whose path the glob matches, sorted by path. */
export async function findDatabases(store: ObjectStore, globInput: string | CompiledGlob, options: { concurrency?: number } = {}): Promise<FoundDatabase[]> {
  const glob = typeof globInput === 'string' ? compileGlob(globInput) : globInput;
  const concurrency = options.concurrency ?? DEFAULT_DB_CONCURRENCY;
  if (glob.deep) {
    const found = await discoverDatabases(store, glob.staticPrefix, { maxDepth: DEEP_GLOB_MAX_DEPTH, concurrency });
    return found.filter((db) => glob.matches(db.path));
  }
  // Expand segment by segment: literals append, wildcards list the folder.
  let folders = [''];
  for (const segment of glob.segments) {
    if (!segment.includes('*')) {
      folders = folders.map((f) => `${f}${segment}/`);
      continue;
    }
    const listed = await mapLimit(folders, concurrency, (f) => subfolders(store, f));
    const matches = segmentMatcher(segment);
    folders = listed.flat().filter((sub) => matches(sub.slice(sub.slice(0, -1).lastIndexOf('/') + 1, -1)));
  }
  const latest = await mapLimit(folders, concurrency, (f) => latestManifestOf(store, f));
  const found: FoundDatabase[] = [];
  folders.forEach((f, i) => {
    const id = latest[i];
    if (id !== undefined) found.push({ path: f.slice(0, -1), latestManifestId: id });
  });
  return found.filter((db) => glob.matches(db.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface PerDatabase<R> {
  path: string;
  result?: R;
  error?: EngineError;
}

function asEngineError(e: unknown): EngineError {
  if (isEngineError(e)) return e;
  return new EngineError('INTERNAL', `unexpected failure: ${messageOf(e)}`, { cause: e });
}

/** Runs `fn` on every database the glob matches; never throws for one database's failure. */
export async function acrossDatabases<R>(
  store: ObjectStore,
  glob: string | CompiledGlob,
  fn: (db: FoundDatabase) => Promise<R>,
  options: { concurrency?: number } = {},
): Promise<PerDatabase<R>[]> {
  const compiled = typeof glob === 'string' ? compileGlob(glob) : glob;
  const dbs = await findDatabases(store, compiled, options);
  if (dbs.length === 0) {
    throw new EngineError('DATABASE_NOT_FOUND', `no SlateDB database under ${store.description} matches the path glob "${compiled.source}"; list them with list-dbs`);
  }
  return mapLimit(dbs, options.concurrency ?? DEFAULT_DB_CONCURRENCY, async (db) => {
    try {
      return { path: db.path, result: await fn(db) };
    } catch (e) {
      return { path: db.path, error: asEngineError(e) };
    }
  });
}

// ─────────────────────────────────────── one named checkpoint, many databases ──

export interface AcrossOptions {
  concurrency?: number;
  now?: () => Date;
  log?: EngineLog;
}

function manifestsOf(store: ObjectStore, db: FoundDatabase): ManifestStore {
  const ms = new ManifestStore(store, db.path);
  ms.noteId(db.latestManifestId); // the listing discovery made: the commit's read starts after it
  return ms;
}

export interface CreatedAcross {
  id: string;
  manifestId: number;
  /** With allOrNothing after another database failed: whether this one was deleted again. */
  rolledBack?: boolean;
  rollbackError?: EngineError;
}

/**
 * The lifetime rule of every checkpoint write (batch.ts `expireTimeFor`), checked once before any
 * database is listed: bad input is one usage error up front, not one failure per database.
 */
function validateLifetime(lifetimeMs: number | undefined, options: AcrossOptions, label: string): void {
  expireTimeFor(Math.floor((options.now?.() ?? new Date()).getTime() / 1000), lifetimeMs, label);
}

/**
 * Creates one checkpoint in every matching database. With `allOrNothing`,
 * when any database failed, the checkpoints created are deleted again (each
 * reported as rolled back, or with the error that kept it).
 */
export async function createAcross(
  store: ObjectStore,
  glob: string,
  checkpoint: { lifetimeMs?: number; name?: string; allOrNothing?: boolean },
  options: AcrossOptions = {},
): Promise<PerDatabase<CreatedAcross>[]> {
  // Every input is checked before the first request (the glob is compiled before any listing).
  if (checkpoint.name !== undefined) validateCheckpointName(checkpoint.name);
  validateLifetime(checkpoint.lifetimeMs, options, 'create-checkpoint');
  const ctx = { now: options.now, log: options.log };
  const results = await acrossDatabases(
    store,
    glob,
    async (db) => {
      const created = await createCheckpoint(manifestsOf(store, db), { lifetimeMs: checkpoint.lifetimeMs, name: checkpoint.name }, ctx);
      return { id: created.id, manifestId: created.manifestId } as CreatedAcross;
    },
    options,
  );
  if (checkpoint.allOrNothing && results.some((r) => r.error)) {
    await rollBack(store, results, options);
  }
  return results;
}

/** Deletes the checkpoints `createAcross` made (the extension's "roll back" after a partial failure). */
export async function rollBack(store: ObjectStore, results: PerDatabase<CreatedAcross>[], options: AcrossOptions = {}): Promise<void> {
  await mapLimit(results, options.concurrency ?? DEFAULT_DB_CONCURRENCY, async (r) => {
    if (!r.result) return;
    try {
      await deleteCheckpoint(new ManifestStore(store, r.path), { id: r.result.id }, { now: options.now, log: options.log });
      r.result.rolledBack = true;
    } catch (e) {
      r.result.rolledBack = false;
      r.result.rollbackError = asEngineError(e);
    }
  });
}

/** Sets every checkpoint named `name` to expire `lifetimeMs` from now (none: never), in every matching database. */
export async function refreshNamedAcross(store: ObjectStore, glob: string, name: string, lifetimeMs: number | undefined, options: AcrossOptions = {}): Promise<PerDatabase<CheckpointInfo[]>[]> {
  validateCheckpointName(name);
  validateLifetime(lifetimeMs, options, `refresh-checkpoint --name ${name}`);
  return acrossDatabases(
    store,
    glob,
    async (db) => (await applyCheckpointBatch(manifestsOf(store, db), { refreshNamed: { name, lifetimeMs } }, { now: options.now, log: options.log })).refreshed,
    options,
  );
}

/** Deletes every checkpoint named `name` in every matching database (none there: nothing written). */
export async function deleteNamedAcross(store: ObjectStore, glob: string, name: string, options: AcrossOptions = {}): Promise<PerDatabase<{ deleted: string[] }>[]> {
  validateCheckpointName(name);
  return acrossDatabases(
    store,
    glob,
    async (db) => ({ deleted: (await applyCheckpointBatch(manifestsOf(store, db), { deleteNamed: name }, { now: options.now, log: options.log })).deleted }),
    options,
  );
}
