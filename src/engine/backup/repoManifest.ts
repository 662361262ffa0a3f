/**
 * The manifest a copy writes: the source checkpoint's state, field for
 * field, in the format version the source used (l0, sorted runs, V2 views
 * and `ssts`, WAL replay range, last_l0_seq, epochs, sequence tracker, …),
 * with two changes:
 *
 * - `external_dbs` is dropped: a clone parent's SSTs were copied into the
 *   target's own `compacted/`, where SlateDB looks for every SST not listed
 *   there (SST-FACTS §6.4), so the copy depends on no other database;
 * - `checkpoints` are the target's, not the source's (those pin source
 *   manifest ids, which in the target are absent or another state): in a
 *   repository the checkpoints it already had plus the new backup; in a
 *   restored database none.
 *
 * The rules below are checked by the manifest commit before it encodes
 * (manifestCommit.ts commitManifestWrite); a violation is a bug of ours, so
 * it throws INTERNAL and nothing is written.
 */

import { sameBytes } from '../cas';
import { EngineError } from '../errors';
import { DecodedManifest, encodeManifest } from '../manifest/codec';
import type { DecodedTable } from '../manifest/flatDecoder';
import { checkpointInfo, rawCheckpoints } from '../manifest/model';
import type { WriteCheck } from '../manifest/manifestCommit';
import { objectNamesOf } from './plan';

/** The source's state with the target's checkpoints. */
export function stateManifest(source: DecodedManifest, checkpoints: DecodedTable[]): DecodedManifest {
  return { formatVersion: source.formatVersion, root: { ...source.root, external_dbs: null, checkpoints } };
}

/** The state without its checkpoints, encoded: two manifests with equal fingerprints describe the same data. */
export function stateFingerprint(m: DecodedManifest): Uint8Array {
  return encodeManifest({ formatVersion: m.formatVersion, root: { ...m.root, checkpoints: [] } });
}

export function sameState(a: DecodedManifest, b: DecodedManifest): boolean {
  return sameBytes(stateFingerprint(a), stateFingerprint(b));
}

export interface StateWrite {
  source: DecodedManifest;
  next: DecodedManifest;
  nextId: number;
  /** The target's checkpoints before this write (kept, in order, as the same objects). */
  kept: readonly DecodedTable[];
  /** The backup checkpoint this write adds, or null (restore). */
  added: DecodedTable | null;
  /** Objects verified in the target (names relative to its root). */
  present: ReadonlySet<string>;
}

type Rule = (w: StateWrite) => string | undefined;

const RULES: ReadonlyArray<{ name: string; rule: Rule }> = [
  // Older SlateDB cannot read V2, and V2 → V1 would drop views.
  { name: 'formatVersionOfSource', rule: ({ source, next }) => (next.formatVersion !== source.formatVersion ? 'the format version differs from the source' : undefined) },
  {
    // Only checkpoints and external_dbs may differ, and only as described above: everything else is the source's very value.
    name: 'stateIsTheSource',
    rule: ({ source, next }) => {
      for (const f of Object.keys(source.root)) if (f !== 'checkpoints' && f !== 'external_dbs' && next.root[f] !== source.root[f]) return `field ${f} is not the source's`;
      for (const f of Object.keys(next.root)) if (!(f in source.root) && f !== 'checkpoints' && f !== 'external_dbs') return `field ${f} is not in the source`;
      return undefined;
    },
  },
  { name: 'noExternalDbs', rule: ({ next }) => (next.root.external_dbs !== null ? 'external_dbs is still set' : undefined) },
  {
    // The target's checkpoints survive as they were; a backup adds exactly one.
    name: 'checkpointsKept',
    rule: ({ next, kept, added }) => {
      const cps = rawCheckpoints(next);
      const want = added ? [...kept, added] : kept;
      if (cps.length !== want.length || cps.some((c, i) => c !== want[i])) return "the checkpoints are not the target's plus the new backup";
      const ids = new Set(cps.map((c) => checkpointInfo(c).id));
      return ids.size !== cps.length ? 'two checkpoints share an id' : undefined;
    },
  },
  {
    // A backup must pin the manifest being written and never expire, or GC could take its files.
    name: 'backupPinsThisManifest',
    rule: ({ added, nextId }) => {
      if (!added) return undefined;
      const cp = checkpointInfo(added);
      if (cp.manifestId !== nextId) return `the backup checkpoint pins manifest ${cp.manifestId}, not ${nextId}`;
      return cp.expireTimeS !== 0 ? 'the backup checkpoint expires' : undefined;
    },
  },
  {
    // Objects first, manifest last: the manifest may only name objects already in place and checked.
    name: 'everyObjectPresent',
    rule: ({ next, present }) => {
      for (const n of objectNamesOf(next, 'the new manifest')) if (!present.has(n)) return `it would name ${n}, which has not been copied and checked`;
      return undefined;
    },
  },
];

/** Throws INTERNAL naming the first rule the write breaks. */
export function checkStateWrite(w: StateWrite, key: string): void {
  for (const { name, rule } of RULES) {
    const problem = rule(w);
    if (problem !== undefined) {
      throw new EngineError('INTERNAL', `refusing to write ${key}: ${problem} (rule ${name}; this is a bug in SlateDB Checkpoint Explorer; nothing was written)`, { key });
    }
  }
}

/** The commit's check for a write of `source`'s state whose mutation added `added` (null: restore) to the base's checkpoints. */
export function stateWriteCheck(source: DecodedManifest, present: ReadonlySet<string>, backupId: string | null): WriteCheck {
  return ({ base, next, nextId, key }) => {
    const kept = 'empty' in base ? [] : rawCheckpoints(base.manifest);
    const added = backupId === null ? null : (rawCheckpoints(next).find((c) => checkpointInfo(c).id === backupId) ?? null);
    checkStateWrite({ source, next, nextId, kept, added, present }, key);
  };
}
