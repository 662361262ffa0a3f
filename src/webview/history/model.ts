/**
 * What the page knows: the history as it streams in (manifests and diffs by
 * id, pins once the pinned manifests are in) and the UI state that survives
 * the page being hidden (`PersistedState`, saved with vscode.setState).
 */

import {
  ActionName,
  BytesData,
  CheckpointData,
  DatabaseRef,
  DiffData,
  GapData,
  HistoryBatchMessage,
  HistoryStartMessage,
  ListingEntry,
  ManifestData,
  PersistedState,
  PinData,
} from '../../shared/messages';

export const TIMELINE_PAGE = 100;

export class HistoryModel {
  generation = -1;
  target: DatabaseRef | null = null;
  dbPath = '';
  location = '';
  latestId: number | null = null;
  /** Newest first. */
  listing: ListingEntry[] = [];
  gaps: GapData[] = [];
  checkpoints: CheckpointData[] = [];
  manifests = new Map<number, ManifestData>();
  /** By `toId`. */
  diffs = new Map<number, DiffData>();
  pins: PinData[] | null = null;
  bytes: BytesData | null = null;
  loaded = 0;
  total = 0;
  done = false;
  error: string | null = null;
  durationMs: number | null = null;
  firstBatchMs: number | null = null;
  /** What the extension said when the load started (read-only database), before the latest manifest is in. */
  readOnlyReason: string | null = null;
  /** Extension clock minus ours, in seconds (expiry states use the extension's clock). */
  clockSkewS = 0;
  readonly running = new Set<ActionName>();

  start(m: HistoryStartMessage): void {
    this.generation = m.generation;
    this.target = m.target;
    this.dbPath = m.dbPath;
    this.location = m.location;
    this.latestId = m.latestId;
    this.listing = m.listing;
    this.gaps = m.gaps;
    this.checkpoints = m.checkpoints;
    this.readOnlyReason = m.readOnlyReason;
    this.clockSkewS = m.nowS - Math.floor(Date.now() / 1000);
    // Manifests never change: keep what an earlier load of the same database sent.
    const listed = new Set(m.listing.map((l) => l.id));
    for (const id of [...this.manifests.keys()]) if (!listed.has(id)) this.manifests.delete(id);
    this.diffs.clear();
    this.pins = null;
    this.bytes = null;
    this.loaded = 0;
    this.total = m.listing.length;
    this.done = false;
    this.error = null;
  }

  batch(m: HistoryBatchMessage): void {
    for (const manifest of m.manifests) this.manifests.set(manifest.id, manifest);
    for (const d of m.diffs) this.diffs.set(d.toId, d);
    if (m.pins) this.pins = m.pins;
    if (m.bytes) this.bytes = m.bytes;
    this.loaded = m.loaded;
    this.total = m.total;
  }

  nowS(): number {
    return Math.floor(Date.now() / 1000) + this.clockSkewS;
  }

  latest(): ManifestData | undefined {
    return this.latestId === null ? undefined : this.manifests.get(this.latestId);
  }

  /** Writes are allowed only when the latest manifest is one we can rewrite. */
  writable(): boolean {
    const latest = this.latest();
    return this.readOnlyReason === null && !!latest && latest.error === null && latest.readOnlyReason === null;
  }

  readOnlyWhy(): string | null {
    const latest = this.latest();
    return latest?.readOnlyReason ?? latest?.error ?? this.readOnlyReason;
  }

  checkpoint(id: string | null): CheckpointData | undefined {
    return id === null ? undefined : this.checkpoints.find((c) => c.id === id);
  }

  pin(id: string | null): PinData | undefined {
    return id === null ? undefined : this.pins?.find((p) => p.checkpoint.id === id);
  }

  /** Checkpoints of the latest manifest pinning manifest `id`. */
  checkpointsPinning(id: number): CheckpointData[] {
    return this.checkpoints.filter((c) => c.manifestId === id);
  }

  /** Manifest ids that some checkpoint pins. */
  pinnedIds(): Set<number> {
    return new Set(this.checkpoints.map((c) => c.manifestId));
  }
}

export function defaultState(target: DatabaseRef | null): PersistedState {
  return {
    target: target ?? { connectionId: '', dbPath: '' },
    selectedCheckpointId: null,
    sstFilter: '',
    sstSort: { column: 'size', descending: true },
    timelineShown: TIMELINE_PAGE,
    timelineFilter: 'all',
    scrollTop: 0,
    timelineScrollTop: 0,
  };
}

/** Timeline rows, newest first: manifests (loaded or not yet) and GC gaps between them. */
export type TimelineRow = { kind: 'manifest'; id: number; listing: ListingEntry } | { kind: 'gap'; gap: GapData };

export function timelineRows(model: HistoryModel): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const gapsByTop = new Map(model.gaps.map((g) => [g.toId, g]));
  // Gaps above the newest listed id cannot exist: the latest is never deleted.
  for (const entry of model.listing) {
    rows.push({ kind: 'manifest', id: entry.id, listing: entry });
    const gap = gapsByTop.get(entry.id - 1);
    if (gap) rows.push({ kind: 'gap', gap });
  }
  return rows;
}

export function diffHasChanges(d: DiffData | undefined): boolean {
  if (!d) return false;
  return (
    d.sstsAdded.length + d.sstsRemoved.length + d.checkpointsAdded.length + d.checkpointsRemoved.length + d.checkpointsRefreshed.length > 0 ||
    d.writerEpoch !== null ||
    d.compactorEpoch !== null
  );
}
