/**
 * What the data page holds (pure: no DOM, unit-tested): the init it got, the
 * current query and its rows (appended page by page), the count, and the
 * UI state it keeps across restarts. Pages of an older query are dropped.
 */

import type {
  DataCountMessage,
  DataDiffRowsMessage,
  DataInitMessage,
  DataPersistedState,
  DataRowsMessage,
  DiffKind,
  DiffRowData,
  RowData,
  SearchSpec,
} from '../../shared/dataMessages';

export const ALL_KINDS: DiffKind[] = ['added', 'removed', 'changed'];

export function defaultState(): DataPersistedState {
  return { target: null, mode: 'browse', checkpointId: null, compareToCheckpointId: null, search: { kind: 'all' }, kinds: [...ALL_KINDS], display: 'auto', selectedKeyHex: null };
}

export function sameSearch(a: SearchSpec, b: SearchSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class DataModel {
  init: DataInitMessage | null = null;
  /** The query whose rows are shown; the next one gets a larger id. */
  queryId = 0;
  loading = false;
  more = false;
  error: string | null = null;
  rows: RowData[] = [];
  diffRows: DiffRowData[] = [];
  count: DataCountMessage | null = null;
  lastPageMs: number | null = null;

  /** A new query starts: nothing shown until its first page. */
  startQuery(): number {
    this.queryId++;
    this.loading = true;
    this.more = false;
    this.error = null;
    this.count = null;
    return this.queryId;
  }

  /** Takes over the query the extension is running (a restarted page): its pages follow. */
  adoptQuery(id: number): void {
    this.queryId = id;
    this.loading = true;
    this.more = false;
    this.error = null;
    this.count = null;
    this.rows = [];
    this.diffRows = [];
  }

  requestMore(): boolean {
    if (this.loading || !this.more) return false;
    this.loading = true;
    return true;
  }

  /** Applies a page; false when it belongs to another query. Returns how many rows it added. */
  applyRows(m: DataRowsMessage): number | false {
    if (m.queryId !== this.queryId) return false;
    if (m.first) this.rows = [];
    // Keyset paging never repeats a key; drop one that would (a replay after a restart).
    const last = this.rows.at(-1)?.keyHex;
    const fresh = last === undefined ? m.rows : m.rows.filter((r) => r.keyHex > last);
    this.rows.push(...fresh);
    this.finishPage(m);
    return fresh.length;
  }

  applyDiffRows(m: DataDiffRowsMessage): number | false {
    if (m.queryId !== this.queryId) return false;
    if (m.first) this.diffRows = [];
    const last = this.diffRows.at(-1)?.keyHex;
    const fresh = last === undefined ? m.rows : m.rows.filter((r) => r.keyHex > last);
    this.diffRows.push(...fresh);
    this.finishPage(m);
    return fresh.length;
  }

  applyError(queryId: number, message: string): boolean {
    if (queryId !== this.queryId) return false;
    this.loading = false;
    this.error = message;
    return true;
  }

  applyCount(m: DataCountMessage): boolean {
    if (m.queryId !== this.queryId) return false;
    this.count = m;
    return true;
  }

  shown(): number {
    return this.init?.mode === 'compare' ? this.diffRows.length : this.rows.length;
  }

  private finishPage(m: { more: boolean; durationMs: number }): void {
    this.loading = false;
    this.more = m.more;
    this.error = null;
    this.lastPageMs = m.durationMs;
  }
}

/** The status line: what is shown, whether more follow, and the count. */
export function statusText(model: DataModel): string {
  const compare = model.init?.mode === 'compare';
  const noun = compare ? ['difference', 'differences'] : ['key', 'keys'];
  const n = model.shown();
  const parts: string[] = [];
  if (model.error) return `Failed: ${model.error}`;
  if (model.loading && n === 0) parts.push('Loading…');
  else if (n === 0) parts.push(compare ? 'No differences' : 'No keys');
  else parts.push(`${n.toLocaleString('en-US')} ${n === 1 ? noun[0] : noun[1]} shown${model.more ? ', more follow' : model.loading ? '' : ' (all)'}`);
  if (model.loading && n > 0) parts.push('loading more…');
  const c = model.count;
  if (c) {
    const total = c.counted.toLocaleString('en-US');
    if (c.state === 'running') parts.push(`counting… ${total} so far`);
    else if (c.state === 'done') parts.push(compare ? `${total} in total (${c.added.toLocaleString('en-US')} added, ${c.removed.toLocaleString('en-US')} removed, ${c.changed.toLocaleString('en-US')} changed)` : `${total} in total`);
    else if (c.state === 'cancelled') parts.push(`count cancelled at ${total}`);
    else parts.push(`count failed: ${c.error ?? 'unknown error'}`);
  }
  return parts.join(' · ');
}
