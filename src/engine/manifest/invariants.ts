/**
 * Checked before every write. Each rule guards against a way of corrupting a
 * database that a bug of ours could cause; a violation is a bug, so it throws
 * instead of writing.
 */

import { EngineError } from '../errors';
import type { DecodedManifest } from './codec';
import { checkpointInfo } from './model';
import type { LoadedManifest } from './manifestStore';

function violated(rule: string): never {
  throw new EngineError('MANIFEST_CORRUPT', `refusing to write the new manifest: ${rule} (this is a bug in SlateDB Checkpoint Explorer; nothing was written)`);
}

export function checkManifestUpdate(base: LoadedManifest, next: DecodedManifest, nextId: number): void {
  // Older SlateDB cannot read V2, and V2 → V1 would drop views: keep the version.
  if (next.formatVersion !== base.manifest.formatVersion) violated('the format version changed');

  // We only ever change checkpoints. Every other field must be the very
  // value we read, so nothing we do not understand can be altered.
  for (const field of Object.keys(base.manifest.root)) {
    if (field !== 'checkpoints' && next.root[field] !== base.manifest.root[field]) violated(`field ${field} changed`);
  }
  if (Object.keys(next.root).length !== Object.keys(base.manifest.root).length) violated('the set of fields changed');

  const before = new Set<unknown>((base.manifest.root.checkpoints as unknown[] | null) ?? []);
  const seen = new Set<string>();
  for (const raw of (next.root.checkpoints as never[]) ?? []) {
    const cp = checkpointInfo(raw);
    // Checkpoint ids must be unique: readers and GC look them up by id.
    if (seen.has(cp.id)) violated(`checkpoint ${cp.id} appears twice`);
    seen.add(cp.id);
    // A checkpoint we add or change can only pin a manifest that exists: the one we
    // write or an older one. (Entries we did not touch are SlateDB's business.)
    if (!before.has(raw) && (cp.manifestId > nextId || cp.manifestId < 1)) {
      violated(`checkpoint ${cp.id} pins manifest ${cp.manifestId}, outside 1..${nextId}`);
    }
  }
}
