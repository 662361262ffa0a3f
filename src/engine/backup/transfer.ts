/**
 * The copy both backup and restore make: decide what the target already
 * holds (reuse.ts), copy the rest in bounded parallel (copy.ts), and check
 * every object a manifest of the target will name. Objects that the target
 * holds but no committed manifest of it names (an interrupted earlier run
 * left them) are read back and checked as if just copied; objects that a
 * committed manifest names were checked by the run that committed it.
 */

import { EngineError, isEngineError } from '../errors';
import type { EngineLog } from '../log';
import type { ObjectStore } from '../store/objectStore';
import { addTo, copyObjects, CopyProgress, CopyReport } from './copy';
import type { PlannedObject } from './plan';
import { decideReuse, targetInventory } from './reuse';

export interface TransferOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  log?: EngineLog;
}

export interface Transfer extends CopyReport {
  /** Names (relative to the target root) of the objects now in place and checked. */
  present: Set<string>;
}

export async function transferObjects(
  objects: readonly PlannedObject[],
  from: ObjectStore,
  to: { store: ObjectStore; path: string },
  committed: ReadonlySet<string>,
  opts: TransferOptions,
): Promise<Transfer> {
  const inventory = await targetInventory(to.store, to.path, opts.signal);
  const decision = await decideReuse(objects, from, to.store, to.path, inventory, opts.signal);
  const trusted = decision.reuse.filter((o) => committed.has(o.name));
  const recheck = decision.reuse.filter((o) => !committed.has(o.name));
  let report: CopyReport;
  try {
    report = await copyObjects(from, to.store, to.path, { copy: decision.copy, recheck }, opts);
  } catch (e) {
    if (!isEngineError(e) || e.code === 'CANCELLED' || e.code === 'INTERNAL') throw e;
    throw new EngineError(
      e.code,
      `copying into database "${to.path || '/'}" of ${to.store.description} failed: ${e.message}. No manifest was written, so the target is as it was; ` +
        'objects copied so far are reused when the command runs again.',
      { key: e.key, retryable: e.retryable, cause: e },
    );
  }
  for (const o of trusted) addTo(report.reused, o);
  return { ...report, present: new Set(objects.map((o) => o.name)) };
}
