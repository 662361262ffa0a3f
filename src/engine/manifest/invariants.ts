/**
 * Rules every manifest we write must satisfy, checked before the write (like
 * SlateDB's `manifest_invariants()`). Each guards against a way a bug of ours
 * could corrupt a database; a violation is that bug, so it throws INTERNAL
 * and nothing is written.
 */

import { EngineError } from '../errors';
import type { DecodedManifest } from './codec';
import { checkpointInfo } from './model';
import type { LoadedManifest } from './manifestStore';

/** The manifest we read, the one we are about to write, and the id it will get. */
export interface ManifestUpdate {
  base: LoadedManifest;
  next: DecodedManifest;
  nextId: number;
}

/** A rule: undefined when the update satisfies it, else what is wrong. */
export type Invariant = (update: ManifestUpdate) => string | undefined;

const checkpointsOf = (m: DecodedManifest): unknown[] => (m.root.checkpoints as unknown[] | null) ?? [];

/** Older SlateDB cannot read V2, and V2 → V1 would drop views: the version we read is the version we write. */
export const formatVersionUnchanged: Invariant = ({ base, next }) =>
  next.formatVersion !== base.manifest.formatVersion ? 'the format version changed' : undefined;

/**
 * We only ever change checkpoints. Every other field must be the very value
 * we read (same object, not an equal copy), so nothing we do not understand
 * can be altered, and no field may appear or vanish.
 */
export const onlyCheckpointsChange: Invariant = ({ base, next }) => {
  for (const field of Object.keys(base.manifest.root)) {
    if (field !== 'checkpoints' && next.root[field] !== base.manifest.root[field]) return `field ${field} changed`;
  }
  return Object.keys(next.root).length !== Object.keys(base.manifest.root).length ? 'the set of fields changed' : undefined;
};

/** Readers and GC look checkpoints up by id: two entries with one id would make one of them unreachable. */
export const uniqueIds: Invariant = ({ next }) => {
  const seen = new Set<string>();
  for (const raw of checkpointsOf(next)) {
    const { id } = checkpointInfo(raw as never);
    if (seen.has(id)) return `checkpoint ${id} appears twice`;
    seen.add(id);
  }
  return undefined;
};

/**
 * A checkpoint we add or change can only pin a manifest that exists: the one
 * we write or an older one. Entries we did not touch are SlateDB's business
 * (a clone's checkpoints may pin ids of its parent).
 */
export const pinsExistingManifest: Invariant = ({ base, next, nextId }) => {
  const before = new Set(checkpointsOf(base.manifest));
  for (const raw of checkpointsOf(next)) {
    if (before.has(raw)) continue;
    const cp = checkpointInfo(raw as never);
    if (cp.manifestId > nextId || cp.manifestId < 1) return `checkpoint ${cp.id} pins manifest ${cp.manifestId}, outside 1..${nextId}`;
  }
  return undefined;
};

/** Every rule, in the order they are checked. */
export const MANIFEST_INVARIANTS: ReadonlyArray<{ name: string; rule: Invariant }> = [
  { name: 'formatVersionUnchanged', rule: formatVersionUnchanged },
  { name: 'onlyCheckpointsChange', rule: onlyCheckpointsChange },
  { name: 'uniqueIds', rule: uniqueIds },
  { name: 'pinsExistingManifest', rule: pinsExistingManifest },
];

/** Throws INTERNAL naming the first rule the update breaks. */
export function checkManifestUpdate(update: ManifestUpdate): void {
  for (const { name, rule } of MANIFEST_INVARIANTS) {
    const problem = rule(update);
    if (problem !== undefined) {
      throw new EngineError(
        'INTERNAL',
        `refusing to write manifest ${update.nextId}: ${problem} (invariant ${name}; this is a bug in SlateDB Checkpoint Explorer; nothing was written)`,
      );
    }
  }
}
