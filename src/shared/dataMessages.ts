/**
 * Messages between the extension and the data webview (Browse Data and
 * Compare). Same shape as messages.ts: a const map of every `type`, one
 * interface per message, one union per direction, and a runtime check of
 * everything the page sends (`parseDataWebviewMessage`).
 *
 * Plain JSON only: key and value bytes arrive pre-rendered (text and hex
 * previews, sizes), sequence numbers as decimal strings. A row is named by
 * its key in lowercase hex (`keyHex`): the page sends that back to copy or
 * open a value, and the extension reads the value again at the same state.
 * Every string may come from storage: the page renders it as text only.
 */

import type { DatabaseRef } from './messages';

export const DataMessageType = {
  // extension → page
  init: 'data/init',
  rows: 'data/rows',
  diffRows: 'data/diffRows',
  queryError: 'data/queryError',
  count: 'data/count',
  notice: 'data/notice',
  newer: 'data/newer',
  // page → extension
  ready: 'data/ready',
  query: 'data/query',
  more: 'data/more',
  countAll: 'data/countAll',
  cancelCount: 'data/cancelCount',
  copy: 'data/copy',
  openValue: 'data/openValue',
  compareValue: 'data/compareValue',
  compareWith: 'data/compareWith',
  browse: 'data/browse',
  reload: 'data/reload',
} as const;

/** Rows per page: the extension reads at most this many (plus one, to know whether more follow). */
export const DATA_PAGE_SIZE = 100;

// ───────────────────────────────────────────────────────── data shapes ──

export type DataMode = 'browse' | 'compare';

/** A point in time of a database: a checkpoint, or the latest manifest. */
export interface StateRef {
  /** null = the latest state. */
  checkpointId: string | null;
  /** "nightly (3f2a9c01)" or "latest". */
  label: string;
  manifestId: number;
}

/** How a key or value is drawn. `text` is null for bytes that are not clean text. */
export interface BytesPreview {
  size: number;
  /** The text (valid UTF-8, no control characters except tab/newline in values), possibly cut. */
  text: string | null;
  /** Lowercase hex of the first bytes (up to the preview limit). */
  hex: string;
  /** Pretty-printed JSON when the whole value parses as an object or array (capped). */
  json: string | null;
  /** Text or hex stops before the end of the bytes. */
  truncated: boolean;
}

export interface RowData {
  /** The whole key, lowercase hex: the row's identity in messages back. */
  keyHex: string;
  /** The key as SlateDB's CLI prints it (`auto`: text, or 0x… hex). */
  key: string;
  keyIsText: boolean;
  keySize: number;
  value: BytesPreview;
  /** Decimal string (u64). */
  seq: string;
  /** ms since the epoch, or null (no TTL). */
  expireTs: number | null;
}

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffRowData {
  kind: DiffKind;
  keyHex: string;
  key: string;
  keyIsText: boolean;
  keySize: number;
  /** At the `from` state (removed, changed). */
  oldValue: BytesPreview | null;
  /** At the `to` state (added, changed). */
  newValue: BytesPreview | null;
}

/** What the user searches for; bounds are parsed like SlateDB's CLI (`0x…` = hex, else UTF-8 text). */
export type SearchSpec = { kind: 'all' } | { kind: 'prefix'; prefix: string } | { kind: 'range'; from: string; to: string };

// ─────────────────────────────────────────────── extension → page ──

export interface DataInitMessage {
  type: typeof DataMessageType.init;
  mode: DataMode;
  target: DatabaseRef;
  dbPath: string;
  /** Store description (never a secret). */
  location: string;
  /** Browse: the state shown. Compare: the `from` state. */
  state: StateRef;
  /** Compare only: the `to` state. */
  compareTo: StateRef | null;
  pageSize: number;
  /** The query the extension is running or ran last (its pages follow this message), or null: the page starts one. */
  active: { queryId: number; search: SearchSpec; kinds: DiffKind[] } | null;
}

export interface DataRowsMessage {
  type: typeof DataMessageType.rows;
  queryId: number;
  rows: RowData[];
  /** First page of the query (replaces), else appended. */
  first: boolean;
  /** More rows follow the last one. */
  more: boolean;
  durationMs: number;
}

export interface DataDiffRowsMessage {
  type: typeof DataMessageType.diffRows;
  queryId: number;
  rows: DiffRowData[];
  first: boolean;
  more: boolean;
  durationMs: number;
}

export interface DataQueryErrorMessage {
  type: typeof DataMessageType.queryError;
  queryId: number;
  message: string;
}

export interface DataCountMessage {
  type: typeof DataMessageType.count;
  queryId: number;
  /** Keys (browse) or differences (compare) counted so far. */
  counted: number;
  /** Σ key + value bytes (browse). */
  bytes: number;
  /** Compare: per kind. */
  added: number;
  removed: number;
  changed: number;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error: string | null;
}

/** A short message for the status line ("Copied the key"). */
export interface DataNoticeMessage {
  type: typeof DataMessageType.notice;
  text: string;
}

/** The database has a newer manifest than the latest state shown (Reload reads it). */
export interface DataNewerMessage {
  type: typeof DataMessageType.newer;
  manifestId: number;
}

export type DataExtensionToWebview = DataInitMessage | DataRowsMessage | DataDiffRowsMessage | DataQueryErrorMessage | DataCountMessage | DataNoticeMessage | DataNewerMessage;

// ─────────────────────────────────────────────── page → extension ──

export interface DataReadyMessage {
  type: typeof DataMessageType.ready;
}

export interface DataQueryMessage {
  type: typeof DataMessageType.query;
  /** Chosen by the page, increasing: pages of an older query are dropped. */
  queryId: number;
  search: SearchSpec;
  /** Compare: which kinds to list (all when absent). */
  kinds?: DiffKind[];
}

export interface DataMoreMessage {
  type: typeof DataMessageType.more;
  queryId: number;
}

export interface DataCountAllMessage {
  type: typeof DataMessageType.countAll;
  queryId: number;
}

export interface DataCancelCountMessage {
  type: typeof DataMessageType.cancelCount;
}

export interface DataCopyMessage {
  type: typeof DataMessageType.copy;
  what: 'key' | 'value' | 'oldValue';
  keyHex: string;
}

export interface DataOpenValueMessage {
  type: typeof DataMessageType.openValue;
  keyHex: string;
  /** Compare: which side (default: the state shown / the `to` state). */
  side?: 'from' | 'to';
}

export interface DataCompareValueMessage {
  type: typeof DataMessageType.compareValue;
  keyHex: string;
}

/** Browse: open "Compare with…" from this state. */
export interface DataCompareWithMessage {
  type: typeof DataMessageType.compareWith;
}

/** Compare: browse one of the two states. */
export interface DataBrowseMessage {
  type: typeof DataMessageType.browse;
  side: 'from' | 'to';
}

export interface DataReloadMessage {
  type: typeof DataMessageType.reload;
}

export type DataWebviewToExtension =
  | DataReadyMessage
  | DataQueryMessage
  | DataMoreMessage
  | DataCountAllMessage
  | DataCancelCountMessage
  | DataCopyMessage
  | DataOpenValueMessage
  | DataCompareValueMessage
  | DataCompareWithMessage
  | DataBrowseMessage
  | DataReloadMessage;

/** UI state the page keeps across hide/show and restarts (vscode.setState; the serializer gets it back). */
export interface DataPersistedState {
  target: DatabaseRef | null;
  mode: DataMode;
  checkpointId: string | null;
  compareToCheckpointId: string | null;
  search: SearchSpec;
  kinds: DiffKind[];
  display: DisplayMode;
  selectedKeyHex: string | null;
}

export type DisplayMode = 'auto' | 'text' | 'hex';

// ──────────────────────────────────────────────────────────── checks ──

const TYPES = new Set<string>([
  DataMessageType.ready,
  DataMessageType.query,
  DataMessageType.more,
  DataMessageType.countAll,
  DataMessageType.cancelCount,
  DataMessageType.copy,
  DataMessageType.openValue,
  DataMessageType.compareValue,
  DataMessageType.compareWith,
  DataMessageType.browse,
  DataMessageType.reload,
]);
const HEX_RE = /^(?:[0-9a-f]{2})*$/;
/** Keys are at most 64 KiB in SlateDB; a longer hex string is not one of ours. */
const MAX_KEY_HEX = 2 * 65_536;
/** Search text longer than this is refused (a key is at most 64 KiB). */
const MAX_SEARCH = 2 * 65_536 + 2;
const KINDS = new Set<DiffKind>(['added', 'removed', 'changed']);

export function isKeyHex(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_KEY_HEX && HEX_RE.test(v);
}

function isSearchText(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_SEARCH;
}

export function isSearchSpec(v: unknown): v is SearchSpec {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  switch (s.kind) {
    case 'all':
      return true;
    case 'prefix':
      return isSearchText(s.prefix);
    case 'range':
      return isSearchText(s.from) && isSearchText(s.to);
    default:
      return false;
  }
}

const isQueryId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The message if it is a well-formed DataWebviewToExtension (rebuilt from
 * the checked fields only), else undefined. The page renders data from
 * storage: treat what it sends as untrusted.
 */
export function parseDataWebviewMessage(raw: unknown): DataWebviewToExtension | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return undefined;
  switch (m.type) {
    case DataMessageType.query: {
      if (!isQueryId(m.queryId) || !isSearchSpec(m.search)) return undefined;
      const search = m.search as SearchSpec;
      const spec: SearchSpec = search.kind === 'all' ? { kind: 'all' } : search.kind === 'prefix' ? { kind: 'prefix', prefix: search.prefix } : { kind: 'range', from: search.from, to: search.to };
      if (m.kinds === undefined) return { type: m.type, queryId: m.queryId, search: spec };
      if (!Array.isArray(m.kinds) || m.kinds.length > 3 || !m.kinds.every((k) => KINDS.has(k as DiffKind))) return undefined;
      return { type: m.type, queryId: m.queryId, search: spec, kinds: [...new Set(m.kinds as DiffKind[])] };
    }
    case DataMessageType.more:
    case DataMessageType.countAll:
      return isQueryId(m.queryId) ? { type: m.type, queryId: m.queryId } : undefined;
    case DataMessageType.copy:
      return (m.what === 'key' || m.what === 'value' || m.what === 'oldValue') && isKeyHex(m.keyHex) ? { type: m.type, what: m.what, keyHex: m.keyHex } : undefined;
    case DataMessageType.openValue:
      if (!isKeyHex(m.keyHex)) return undefined;
      if (m.side === undefined) return { type: m.type, keyHex: m.keyHex };
      return m.side === 'from' || m.side === 'to' ? { type: m.type, keyHex: m.keyHex, side: m.side } : undefined;
    case DataMessageType.compareValue:
      return isKeyHex(m.keyHex) ? { type: m.type, keyHex: m.keyHex } : undefined;
    case DataMessageType.browse:
      return m.side === 'from' || m.side === 'to' ? { type: m.type, side: m.side } : undefined;
    case DataMessageType.ready:
    case DataMessageType.cancelCount:
    case DataMessageType.compareWith:
    case DataMessageType.reload:
      return { type: m.type } as DataWebviewToExtension;
    default:
      return undefined;
  }
}

// ───────────────────────────────────────────────────── bytes ↔ hex ──

export function bytesToHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Bytes of a lowercase hex string already checked with isKeyHex. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
