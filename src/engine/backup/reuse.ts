/**
 * What the target already holds, decided before anything is written: each
 * object of the state is either copied, or reused because the target holds
 * the same object.
 *
 * - A compacted SST is named by a ULID (random, never reused), so the same
 *   name and size means the same object: reused without reading it.
 * - WAL files are named by sequential ids, so two databases (or a database
 *   and the one it was restored into) have different `wal/…0005.sst` files.
 *   A WAL file of the same name and size is therefore compared byte for byte
 *   (they are small) and reused only when equal.
 * - The same name with a different size or content is refused: the target
 *   holds another database's files, and overwriting is never an option.
 */

import { EngineError, throwIfAborted } from '../errors';
import { dbKeys } from '../paths';
import type { ObjectStore } from '../store/objectStore';
import { keyUnder, listSizes, PlannedObject } from './plan';

export interface ReuseDecision {
  copy: PlannedObject[];
  reuse: PlannedObject[];
}

/** Sizes of the target's `compacted/` and `wal/` objects, keyed by name relative to the root (`compacted/X.sst`). */
export async function targetInventory(store: ObjectStore, rootPath: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const dir of [dbKeys.compactedDir(rootPath), dbKeys.walDir(rootPath)]) {
    const base = rootPath === '' ? 0 : rootPath.length + 1;
    for (const [key, size] of await listSizes(store, dir, undefined, signal)) out.set(key.slice(base), size);
  }
  return out;
}

async function* bytesOf(store: ObjectStore, key: string): AsyncGenerator<Uint8Array> {
  const stream = await store.getStream(key);
  if (!stream) throw new EngineError('DATA_MISSING', `${store.description}/${key} disappeared while being compared`, { key });
  yield* stream.chunks;
}

/** Byte equality of two objects, streamed (chunk boundaries may differ), stopping at the first difference. */
export async function sameContent(a: ObjectStore, aKey: string, b: ObjectStore, bKey: string, signal?: AbortSignal): Promise<boolean> {
  const left = bytesOf(a, aKey)[Symbol.asyncIterator]();
  const right = bytesOf(b, bKey)[Symbol.asyncIterator]();
  let l: Uint8Array = new Uint8Array(0);
  let r: Uint8Array = new Uint8Array(0);
  let lDone = false;
  let rDone = false;
  try {
    for (;;) {
      throwIfAborted(signal, `comparing ${bKey}`);
      while (l.length === 0 && !lDone) {
        const n = await left.next();
        if (n.done) lDone = true;
        else l = n.value;
      }
      while (r.length === 0 && !rDone) {
        const n = await right.next();
        if (n.done) rDone = true;
        else r = n.value;
      }
      // An empty buffer now means that side has ended: equal only if both have.
      if (l.length === 0 || r.length === 0) return l.length === 0 && r.length === 0;
      const n = Math.min(l.length, r.length);
      if (Buffer.compare(Buffer.from(l.buffer, l.byteOffset, n), Buffer.from(r.buffer, r.byteOffset, n)) !== 0) return false;
      l = l.subarray(n);
      r = r.subarray(n);
    }
  } finally {
    await left.return?.(undefined);
    await right.return?.(undefined);
  }
}

function conflict(target: ObjectStore, key: string, why: string): EngineError {
  return new EngineError(
    'TARGET_NOT_EMPTY',
    `${target.description}/${key} already exists ${why}: the target holds files of another database (or of a copy that has since been written to). ` +
      'Nothing was written; use an empty --to-path, or the repository of this database.',
    { key },
  );
}

/**
 * Splits the objects into those to copy and those the target already holds.
 * Throws TARGET_NOT_EMPTY (nothing written) on a same-name object that differs.
 */
export async function decideReuse(
  objects: readonly PlannedObject[],
  source: ObjectStore,
  target: ObjectStore,
  targetRoot: string,
  inventory: ReadonlyMap<string, number>,
  signal?: AbortSignal,
): Promise<ReuseDecision> {
  const copy: PlannedObject[] = [];
  const reuse: PlannedObject[] = [];
  for (const o of objects) {
    const held = inventory.get(o.name);
    if (held === undefined) {
      copy.push(o);
      continue;
    }
    const key = keyUnder(targetRoot, o.name);
    if (held !== o.size) throw conflict(target, key, `with ${held} bytes where the source's ${o.key} has ${o.size}`);
    if (o.kind === 'wal' && !(await sameContent(source, o.key, target, key, signal))) {
      throw conflict(target, key, `with the same size as the source's ${o.key} but different bytes`);
    }
    reuse.push(o);
  }
  return { copy, reuse };
}
