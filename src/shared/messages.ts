/**
 * Messages between the extension and the history webview. One interface per
 * message, one union per direction, and `MessageType`, the const map of every
 * `type` string: both sides switch on it, and the extension rejects anything
 * else the webview sends. (A test-only probe of what the page shows has its
 * own messages, in testProbeMessages.ts.)
 *
 * Data shapes are the engine's own types (type imports only: nothing of the
 * engine reaches the webview bundle). Everything is plain JSON (no bigint, no
 * Uint8Array, no Date): times are ms or s since the epoch as the field says,
 * keys are pre-rendered as text. Every string may come from storage: the
 * webview renders it as text only.
 */

import type { CheckpointPin, HistoryBytes, IdGap, ManifestDiff, ManifestSummary } from '../engine/history/types';
import type { CheckpointInfo } from '../engine/manifest/model';
import type { PinnedSst } from '../engine/pinned';

/** `type` of every message the extension posts to the page. */
export const ToWebviewType = {
  historyStart: 'history/start',
  historyBatch: 'history/batch',
  historyDone: 'history/done',
  historyError: 'history/error',
  selectCheckpoint: 'history/selectCheckpoint',
  actionState: 'action/state',
} as const;

/** `type` of every message the page may send; anything else is dropped. */
export const FromWebviewType = {
  ready: 'ready',
  reload: 'action/reload',
  createCheckpoint: 'action/createCheckpoint',
  refreshCheckpoint: 'action/refreshCheckpoint',
  deleteCheckpoint: 'action/deleteCheckpoint',
  openManifest: 'action/openManifest',
  revealCheckpoint: 'action/revealCheckpoint',
  browseData: 'action/browseData',
  selectionChanged: 'selection/changed',
} as const;

export const MessageType = { ...ToWebviewType, ...FromWebviewType } as const;

// ───────────────────────────────────────────────────────── data shapes ──

/** A database (the extension calls it DatabaseTarget). */
export interface DatabaseRef {
  connectionId: string;
  /** Database root inside the connection's store ('' = the store root). */
  dbPath: string;
}

export type CheckpointData = CheckpointInfo;
export type ManifestData = ManifestSummary;
export type DiffData = ManifestDiff;
export type GapData = IdGap;
export type BytesData = HistoryBytes;

export interface ListingEntry {
  id: number;
  /** ms since the epoch. */
  lastModified: number;
  size: number;
}

/** A key as shown: the text when it is printable UTF-8, else lowercase hex. */
export interface KeyText {
  text: string;
  printable: boolean;
}

/** An SST as the page shows it: the first key rendered, the other key bytes left out. */
export type PinnedSstData = Omit<PinnedSst, 'segment' | 'firstKey' | 'lastKey'> & { firstKey: KeyText | null };

export type PinData = Omit<CheckpointPin, 'ssts'> & { ssts: PinnedSstData[] };

// ─────────────────────────────────────────────── extension → webview ──

export interface HistoryStartMessage {
  type: typeof MessageType.historyStart;
  /** Increments with every load; messages of an older load are ignored. */
  generation: number;
  target: DatabaseRef;
  /** Database path ('' = store root) and store, for the title. */
  dbPath: string;
  location: string;
  latestId: number;
  /** Newest first. */
  listing: ListingEntry[];
  gaps: GapData[];
  checkpoints: CheckpointData[];
  /** Why checkpoints cannot be written here (read-only database), or null when they can. */
  readOnlyReason: string | null;
  /** Server clock, s since the epoch, for expiry states. */
  nowS: number;
}

export interface HistoryBatchMessage {
  type: typeof MessageType.historyBatch;
  generation: number;
  manifests: ManifestData[];
  diffs: DiffData[];
  pins?: PinData[];
  bytes?: BytesData;
  loaded: number;
  total: number;
}

export interface HistoryDoneMessage {
  type: typeof MessageType.historyDone;
  generation: number;
  durationMs: number;
  firstBatchMs: number;
  read: number;
  fromCache: number;
}

export interface HistoryErrorMessage {
  type: typeof MessageType.historyError;
  generation: number;
  message: string;
}

export interface SelectCheckpointMessage {
  type: typeof MessageType.selectCheckpoint;
  checkpointId: string;
}

export type ActionName = 'create' | 'refresh' | 'delete' | 'reload';

export interface ActionStateMessage {
  type: typeof MessageType.actionState;
  action: ActionName;
  running: boolean;
}

export type ExtensionToWebview =
  | HistoryStartMessage
  | HistoryBatchMessage
  | HistoryDoneMessage
  | HistoryErrorMessage
  | SelectCheckpointMessage
  | ActionStateMessage;

// ─────────────────────────────────────────────── webview → extension ──

export interface ReadyMessage {
  type: typeof MessageType.ready;
}

export interface ReloadMessage {
  type: typeof MessageType.reload;
}

export interface CreateCheckpointMessage {
  type: typeof MessageType.createCheckpoint;
}

export interface RefreshCheckpointMessage {
  type: typeof MessageType.refreshCheckpoint;
  checkpointId: string;
}

export interface DeleteCheckpointMessage {
  type: typeof MessageType.deleteCheckpoint;
  checkpointId: string;
}

export interface OpenManifestMessage {
  type: typeof MessageType.openManifest;
  manifestId: number;
}

export interface RevealCheckpointMessage {
  type: typeof MessageType.revealCheckpoint;
  checkpointId: string;
}

/** Browse Data at a checkpoint (the data panel). */
export interface BrowseDataMessage {
  type: typeof MessageType.browseData;
  checkpointId: string;
}

export interface SelectionChangedMessage {
  type: typeof MessageType.selectionChanged;
  checkpointId: string | null;
}

export type WebviewToExtension =
  | ReadyMessage
  | ReloadMessage
  | CreateCheckpointMessage
  | RefreshCheckpointMessage
  | DeleteCheckpointMessage
  | OpenManifestMessage
  | RevealCheckpointMessage
  | BrowseDataMessage
  | SelectionChangedMessage;

/** UI state the webview keeps across hide/show and restarts (vscode.setState; the serializer gets it back). */
export interface PersistedState {
  target: DatabaseRef;
  selectedCheckpointId: string | null;
  sstFilter: string;
  sstSort: { column: SstColumn; descending: boolean };
  timelineShown: number;
  timelineFilter: TimelineFilter;
  /** Page scroll and the timeline's own scroll. */
  scrollTop: number;
  timelineScrollTop: number;
}

export type SstColumn = 'id' | 'level' | 'firstKey' | 'size' | 'exclusive';
export type TimelineFilter = 'all' | 'checkpoints' | 'epochs';

// ──────────────────────────────────────────────────────────── helpers ──

const WEBVIEW_TYPES = new Set<string>(Object.values(FromWebviewType));

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The message if it is a well-formed WebviewToExtension, else undefined.
 * The webview renders data from storage: treat what it sends as untrusted.
 */
export function parseWebviewMessage(raw: unknown): WebviewToExtension | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as { type?: unknown; [k: string]: unknown };
  if (typeof m.type !== 'string' || !WEBVIEW_TYPES.has(m.type)) return undefined;
  switch (m.type) {
    case MessageType.refreshCheckpoint:
    case MessageType.deleteCheckpoint:
    case MessageType.revealCheckpoint:
    case MessageType.browseData:
      return typeof m.checkpointId === 'string' && UUID_RE.test(m.checkpointId) ? (m as unknown as WebviewToExtension) : undefined;
    case MessageType.selectionChanged:
      return m.checkpointId === null || (typeof m.checkpointId === 'string' && UUID_RE.test(m.checkpointId)) ? (m as unknown as WebviewToExtension) : undefined;
    case MessageType.openManifest:
      return Number.isSafeInteger(m.manifestId) && (m.manifestId as number) > 0 ? (m as unknown as WebviewToExtension) : undefined;
    default:
      return { type: m.type } as WebviewToExtension;
  }
}

/** Render key bytes for display: printable UTF-8 as text, anything else as hex. */
export function keyText(bytes: Uint8Array | null): KeyText | null {
  if (bytes === null) return null;
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  // Control characters (and lone replacement chars) would be invisible or misleading: show hex.
  if (text !== undefined && !/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text)) return { text, printable: true };
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return { text: hex, printable: false };
}
