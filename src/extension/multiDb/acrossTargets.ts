/**
 * One named checkpoint across several databases of the tree (a
 * multi-selection, or every database a glob matches under a connection):
 * create, refresh or delete it in each, in parallel (bounded), one failure
 * never stopping the others, each database reloaded in the registry after
 * its write. Inputs are validated once, before the first request. No UI
 * here: commands/multiDbCommands.ts asks and reports.
 */

import { createCheckpoint, deleteCheckpoint, validateCheckpointName } from '../../engine/checkpoints';
import { mapLimit } from '../../engine/concurrency';
import { parseDuration } from '../../engine/duration';
import { EngineError, messageOf } from '../../engine/errors';
import { compileGlob } from '../../engine/glob';
import type { ManifestStore } from '../../engine/manifest/manifestStore';
import { DEFAULT_DB_CONCURRENCY, findDatabases } from '../../engine/multiDb';
import { applyCheckpointBatch, expireTimeFor } from '../../engine/policy/batch';
import type { ObjectStore } from '../../engine/store/objectStore';
import { engineLog } from '../log';
import type { DatabaseTarget } from '../targets';

export type AcrossKind = 'create' | 'refresh' | 'delete';

export interface AcrossInput {
  kind: AcrossKind;
  name: string;
  /** humantime text (create, refresh); null/absent = never expires. */
  lifetime?: string | null;
}

export interface AcrossRow {
  target: DatabaseTarget;
  /** create: the new checkpoint's id; refresh / delete: the ids of that name touched. */
  ids?: string[];
  error?: EngineError;
  /** After a roll back (create only): whether this one's checkpoint was deleted again. */
  rolledBack?: boolean;
  rollbackError?: EngineError;
}

/** What the database side needs (the registry, in the extension). */
export interface AcrossHost {
  manifestStore(t: DatabaseTarget): Promise<ManifestStore>;
  afterWrite(t: DatabaseTarget): Promise<unknown>;
}

const asEngineError = (e: unknown) => (e instanceof EngineError ? e : new EngineError('INTERNAL', messageOf(e), { cause: e }));

/** Validated input: the lifetime in ms (undefined = never expires). Throws INVALID_ARGUMENT. */
export function validateAcross(input: AcrossInput): { lifetimeMs: number | undefined } {
  validateCheckpointName(input.name);
  const lifetimeMs = input.kind !== 'delete' && input.lifetime ? parseDuration(input.lifetime) : undefined;
  expireTimeFor(Math.floor(Date.now() / 1000), lifetimeMs, `${input.kind} checkpoint "${input.name}"`);
  return { lifetimeMs };
}

/** The databases under a connection's store whose paths the glob matches (engine multiDb.ts). */
export async function databasesMatching(store: ObjectStore, connectionId: string, glob: string): Promise<DatabaseTarget[]> {
  const found = await findDatabases(store, compileGlob(glob));
  return found.map((db) => ({ connectionId, dbPath: db.path }));
}

export async function runAcross(host: AcrossHost, targets: readonly DatabaseTarget[], input: AcrossInput): Promise<AcrossRow[]> {
  const { lifetimeMs } = validateAcross(input);
  const ctx = { log: engineLog };
  return mapLimit(targets, DEFAULT_DB_CONCURRENCY, async (target): Promise<AcrossRow> => {
    let row: AcrossRow;
    try {
      const ms = await host.manifestStore(target);
      if (input.kind === 'create') {
        const created = await createCheckpoint(ms, { name: input.name, lifetimeMs }, ctx);
        row = { target, ids: [created.id] };
      } else if (input.kind === 'refresh') {
        const out = await applyCheckpointBatch(ms, { refreshNamed: { name: input.name, lifetimeMs } }, ctx);
        row = { target, ids: out.refreshed.map((c) => c.id) };
      } else {
        const out = await applyCheckpointBatch(ms, { deleteNamed: input.name }, ctx);
        row = { target, ids: out.deleted };
      }
    } catch (e) {
      row = { target, error: asEngineError(e) };
    }
    await host.afterWrite(target);
    return row;
  });
}

/** Deletes the checkpoints a create made (the "Roll Back" after a partial failure); marks each row. */
export async function rollBackCreated(host: AcrossHost, rows: AcrossRow[]): Promise<void> {
  await mapLimit(rows, DEFAULT_DB_CONCURRENCY, async (row) => {
    if (!row.ids?.length) return;
    try {
      await deleteCheckpoint(await host.manifestStore(row.target), { id: row.ids[0] }, { log: engineLog });
      row.rolledBack = true;
    } catch (e) {
      row.rolledBack = false;
      row.rollbackError = asEngineError(e);
    }
    await host.afterWrite(row.target);
  });
}
