/**
 * Is this checkpoint restorable? (CLI `verify-checkpoint`, the extension's Verify Checkpoint.)
 *
 * - Shallow: the pinned manifest exists and decodes; every SST its state
 *   references (clones: under the parent's path) exists and is large enough
 *   for the SsTableInfo the manifest records (its sections fit before the
 *   footer); every WAL file of the replay range exists.
 * - Deep: also opens each object from its own footer (the footer's SsTableInfo
 *   must agree with the manifest's), reads the index and every block, checks
 *   each CRC and decodes each block.
 *
 * Damage is a problem in the result (object key + what is wrong), never an
 * exception: only an unknown checkpoint, a store failure (network, permission)
 * or cancellation throw. Read-only: nothing here writes.
 */
import { mapLimit } from './concurrency';
import { EngineError, isEngineError, messageOf, throwIfAborted } from './errors';
import { normalizeUuid } from './ids';
import { checkpointsOf } from './manifest/model';
import type { ManifestStore } from './manifest/manifestStore';
import { objectsOf, resolveState, StateObject, StateSource } from './read/pointInTime';
import { SstReader } from './sst/sstReader';
import type { SstInfo } from './sst/types';

export interface VerifyProblem {
  /** The object the problem is about (manifest, SST or WAL key). */
  key: string;
  problem: string;
}

export interface VerifyChecked {
  manifests: number;
  ssts: number;
  walFiles: number;
  bytes: number;
  blocks: number;
}

export interface VerifyProgress {
  phase: string;
  done: number;
  total: number;
  key?: string;
}

export interface VerifyResult {
  checkpoint: string;
  manifestId: number | null;
  ok: boolean;
  checked: VerifyChecked;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  deep: boolean;
  signal?: AbortSignal;
  onProgress?(p: VerifyProgress): void;
  /** Objects checked at once (default 8). */
  concurrency?: number;
}

/** Errors that describe the data (reported as problems); anything else ends the verification. */
const DAMAGE = ['DATA_CORRUPT', 'DATA_MISSING', 'MANIFEST_NOT_FOUND', 'MANIFEST_CORRUPT', 'MANIFEST_UNSUPPORTED_VERSION'] as const;

function isDamage(e: unknown): e is EngineError {
  return DAMAGE.some((code) => isEngineError(e, code));
}

export async function verifyCheckpoint(ms: ManifestStore, checkpointId: string, opts: VerifyOptions): Promise<VerifyResult> {
  const id = normalizeUuid(checkpointId);
  const signal = opts.signal;
  const checked: VerifyChecked = { manifests: 0, ssts: 0, walFiles: 0, bytes: 0, blocks: 0 };
  const problems: VerifyProblem[] = [];
  const result = (manifestId: number | null): VerifyResult => ({ checkpoint: id, manifestId, ok: problems.length === 0, checked, problems });

  opts.onProgress?.({ phase: 'manifest', done: 0, total: 0 });
  const latest = await ms.readLatest();
  let state: StateSource;
  try {
    state = await resolveState(ms, id, latest); // CHECKPOINT_NOT_FOUND for an unknown id
  } catch (e) {
    if (!isDamage(e)) throw e;
    // The checkpoint is in `latest` (resolveState found it): the manifest it pins is what failed.
    const pinned = checkpointsOf(latest.manifest).find((c) => c.id === id)!.manifestId;
    problems.push({ key: e.key ?? ms.keyOf(pinned), problem: `the pinned manifest ${pinned} cannot be read: ${messageOf(e)}` });
    return result(pinned);
  }
  checked.manifests = 1;

  const objects = objectsOf(state);
  const total = objects.length;
  let done = 0;
  const phase = opts.deep ? 'reading every block' : 'checking objects';
  opts.onProgress?.({ phase, done, total });
  await mapLimit(objects, Math.max(1, opts.concurrency ?? 8), async (o) => {
    throwIfAborted(signal, `verifying checkpoint ${id}`);
    try {
      const found = await checkObject(ms, o, opts.deep, signal);
      if (o.kind === 'sst') checked.ssts++;
      else checked.walFiles++;
      checked.bytes += found.bytes;
      checked.blocks += found.blocks;
      problems.push(...found.problems);
    } catch (e) {
      if (!isDamage(e)) throw e;
      problems.push({ key: e.key ?? o.key, problem: messageOf(e) });
    }
    opts.onProgress?.({ phase, done: ++done, total, key: o.key });
  });
  throwIfAborted(signal, `verifying checkpoint ${id}`);
  problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return result(state.manifestId);
}

interface ObjectCheck {
  bytes: number;
  blocks: number;
  problems: VerifyProblem[];
}

async function checkObject(ms: ManifestStore, o: StateObject, deep: boolean, signal?: AbortSignal): Promise<ObjectCheck> {
  const what = o.kind === 'sst' ? 'SST' : 'WAL file';
  const meta = await ms.store.head(o.key);
  if (!meta) {
    const why = o.kind === 'sst' ? 'the checkpoint\'s manifest references it' : 'it is in the checkpoint\'s WAL replay range';
    return { bytes: 0, blocks: 0, problems: [{ key: o.key, problem: `${what} does not exist on the store (${why}); restore it from a backup` }] };
  }
  const size = meta.size;
  if (o.size !== undefined && o.size !== size) {
    return { bytes: size, blocks: 0, problems: [{ key: o.key, problem: `${what} has ${size} bytes, the listing said ${o.size}` }] };
  }
  if (o.kind === 'sst' && o.info) {
    // Throws DATA_CORRUPT when the manifest's sections do not fit into the object (a truncated SST).
    SstReader.fromInfo(ms.store, o.key, o.info, o.formatVersion ?? 1, { size });
  }
  if (!deep) return { bytes: size, blocks: 0, problems: [] };

  const reader = await SstReader.open(ms.store, o.key, { size });
  const problems: VerifyProblem[] = [];
  if (o.kind === 'sst' && o.info && reader.info) {
    const mismatch = infoMismatch(o.info, reader.info);
    if (mismatch) problems.push({ key: o.key, problem: `the SST's own footer disagrees with the manifest: ${mismatch}` });
  }
  let blocks = 0;
  for await (const _rows of reader.blocks({ signal })) blocks++;
  return { bytes: size, blocks, problems };
}

/** The first section the two SsTableInfos place differently, or null when they agree. */
function infoMismatch(manifest: SstInfo, footer: SstInfo): string | null {
  const fields = ['indexOffset', 'indexLen', 'filterOffset', 'filterLen', 'compression'] as const;
  for (const f of fields) {
    if (manifest[f] !== footer[f]) return `${f} is ${String(manifest[f])} in the manifest, ${String(footer[f])} in the file`;
  }
  return null;
}
