/**
 * Engine history → page messages. The data shapes are the engine's own
 * (shared/messages.ts aliases them); only what is not plain JSON is mapped:
 * listing dates become ms, and SST keys become text (`keyText`).
 */

import type { HistoryBatch, HistoryStart } from '../../engine/history/types';
import type { PinnedSst } from '../../engine/pinned';
import { HistoryBatchMessage, HistoryStartMessage, keyText, MessageType, PinnedSstData } from '../../shared/messages';
import type { DatabaseTarget } from '../targets';

function sstData(s: PinnedSst): PinnedSstData {
  return { id: s.id, level: s.level, sortedRun: s.sortedRun, firstKey: keyText(s.firstKey), sizeBytes: s.sizeBytes, exclusive: s.exclusive, externalDbPath: s.externalDbPath };
}

export function startMessage(generation: number, target: DatabaseTarget, s: HistoryStart, extra: { location: string; readOnlyReason: string | null; nowS: number }): HistoryStartMessage {
  return {
    type: MessageType.historyStart,
    generation,
    target: { connectionId: target.connectionId, dbPath: target.dbPath },
    dbPath: s.dbPath,
    location: extra.location,
    latestId: s.latestId,
    listing: s.listing.map((l) => ({ id: l.id, lastModified: l.lastModified.getTime(), size: l.size })),
    gaps: s.gaps,
    checkpoints: s.checkpoints,
    readOnlyReason: extra.readOnlyReason,
    nowS: extra.nowS,
  };
}

export function batchMessage(generation: number, b: HistoryBatch): HistoryBatchMessage {
  return {
    type: MessageType.historyBatch,
    generation,
    manifests: b.manifests,
    diffs: b.diffs,
    ...(b.pins ? { pins: b.pins.map((p) => ({ ...p, ssts: p.ssts.map(sstData) })) } : {}),
    ...(b.bytes ? { bytes: b.bytes } : {}),
    loaded: b.loaded,
    total: b.total,
  };
}
