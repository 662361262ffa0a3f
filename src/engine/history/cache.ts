/**
 * Decoding a manifest for the history, and the cache that makes a reload
 * cheap: manifests are immutable (each id is written once), so what an id
 * decoded to stays true. Sizes are never cached: GC deletes SSTs.
 */

import { messageOf } from '../errors';
import { decodeManifest } from '../manifest/codec';
import { checkpointsOf, epochsOf, shapeOf, sstsOf } from '../manifest/model';
import type { DecodedParts } from './types';

/** Parts of a manifest that could not be read (`error`), or vanished before it was. */
export function emptyParts(error: string | null, vanished = false): DecodedParts {
  return { formatVersion: null, writerEpoch: null, compactorEpoch: null, initialized: null, l0Count: 0, sortedRuns: 0, refs: [], checkpoints: [], readOnlyReason: null, error, vanished };
}

/** Decode a manifest's bytes into what the history shows; never throws for bad bytes. */
export function decodeParts(bytes: Uint8Array, context: string): DecodedParts {
  try {
    const m = decodeManifest(bytes, context);
    const epochs = epochsOf(m);
    const shape = shapeOf(m);
    return {
      formatVersion: m.formatVersion,
      writerEpoch: epochs.writerEpoch,
      compactorEpoch: epochs.compactorEpoch,
      initialized: epochs.initialized,
      l0Count: shape.l0,
      sortedRuns: shape.sortedRuns,
      refs: sstsOf(m),
      checkpoints: checkpointsOf(m),
      readOnlyReason: m.readOnlyReason ?? null,
      error: null,
      vanished: false,
    };
  } catch (e) {
    return emptyParts(messageOf(e));
  }
}

/** Decoded manifests of earlier loads, by id. Pass the same cache to every load of one database. */
export class HistoryCache {
  private readonly parts = new Map<number, DecodedParts>();
  get size(): number {
    return this.parts.size;
  }
  get(id: number): DecodedParts | undefined {
    return this.parts.get(id);
  }
  /** Only complete decodes are kept: errors and vanished manifests are read again. */
  set(id: number, p: DecodedParts): void {
    if (p.error === null) this.parts.set(id, p);
  }
  /** Drop ids no longer listed. */
  retainOnly(ids: Set<number>): void {
    for (const id of [...this.parts.keys()]) if (!ids.has(id)) this.parts.delete(id);
  }
}
