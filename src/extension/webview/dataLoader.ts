/**
 * Runs the data page's queries in the extension host (no vscode import, so
 * unit tests drive it with any source). One query at a time: a new query
 * aborts the one before (its page load and its count) and the page drops
 * messages of older query ids (the generation counter).
 *
 * Keyset paging: a page is the first DATA_PAGE_SIZE rows of the query's
 * range; "more" reads the same range from `keyAfter(last key shown)`, so it
 * never repeats or skips a key and never holds more than one page (plus one
 * row, to know whether more follow). "Count all" reads the whole range
 * without keeping rows and reports progress; it yields to the event loop
 * every few thousand rows so a cancel from the page gets through even when
 * every block is cached.
 */

import { messageOf } from '../../engine/errors';
import { intersectRanges, isEmptyRange, keyAfter, KeyRange, prefixRange } from '../../engine/read/keyRange';
import { parseBound } from '../../engine/read/render';
import {
  DATA_PAGE_SIZE,
  DataCountMessage,
  DataExtensionToWebview,
  DataMessageType,
  DataQueryMessage,
  DiffKind,
  SearchSpec,
} from '../../shared/dataMessages';
import { diffRowData, rowData } from './dataRender';

export interface ScannedRow {
  key: Uint8Array;
  value: Uint8Array;
  seq: bigint;
  expireTs: bigint | null;
}

export interface DiffedRow {
  kind: DiffKind;
  key: Uint8Array;
  oldValue?: Uint8Array;
  newValue?: Uint8Array;
}

/** What a panel reads: one state (browse) or the difference of two (compare). */
export type DataSource =
  | { mode: 'browse'; scan(range: KeyRange, signal: AbortSignal): AsyncIterable<ScannedRow> }
  | { mode: 'compare'; diff(range: KeyRange, signal: AbortSignal): AsyncIterable<DiffedRow> };

export type Post = (message: DataExtensionToWebview) => void;

/** A search as a key range; bounds parsed like SlateDB's CLI (`0x…` hex, else UTF-8). Throws a message for the user. */
export function searchRange(spec: SearchSpec): KeyRange {
  switch (spec.kind) {
    case 'all':
      return {};
    case 'prefix':
      return prefixRange(parseBound(spec.prefix, 'auto'));
    case 'range': {
      const range: KeyRange = {};
      if (spec.from !== '') range.start = parseBound(spec.from, 'auto');
      if (spec.to !== '') range.end = parseBound(spec.to, 'auto');
      if (isEmptyRange(range)) throw new Error(`the range is empty: “${spec.from}” is not below “${spec.to}” (from is inclusive, to exclusive)`);
      return range;
    }
  }
}

/** The first `n` items and whether another follows (reads at most n + 1). */
export async function takePage<T>(items: AsyncIterable<T>, n: number): Promise<{ items: T[]; more: boolean }> {
  const out: T[] = [];
  for await (const item of items) {
    if (out.length === n) return { items: out, more: true };
    out.push(item);
  }
  return { items: out, more: false };
}

interface Query {
  id: number;
  search: SearchSpec;
  kinds: DiffKind[];
  range: KeyRange;
  /** Last key sent; the next page starts right after it. */
  lastKey: Uint8Array | undefined;
  more: boolean;
  loading: boolean;
  abort: AbortController;
  count: AbortController | undefined;
  /** Every message of this query, for a page that restarts. */
  sent: DataExtensionToWebview[];
}

const ALL_KINDS: DiffKind[] = ['added', 'removed', 'changed'];
/** Progress messages at most this often while counting. */
const COUNT_PROGRESS_MS = 200;
/** Let other events (a cancel) run after this many rows. */
const YIELD_EVERY = 2000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class DataQueryRunner {
  private current: Query | undefined;
  private disposed = false;

  constructor(
    private readonly source: DataSource,
    private readonly post: Post,
    private readonly pageSize = DATA_PAGE_SIZE,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The current query, for the page's init after a restart. */
  active(): { queryId: number; search: SearchSpec; kinds: DiffKind[] } | null {
    const q = this.current;
    return q ? { queryId: q.id, search: q.search, kinds: q.kinds } : null;
  }

  /** What a restarted page is sent again: the current query's pages and count. */
  replay(): DataExtensionToWebview[] {
    return this.current ? [...this.current.sent] : [];
  }

  async query(m: DataQueryMessage): Promise<void> {
    if (this.current && m.queryId <= this.current.id && this.current.loading) return; // a duplicate
    this.current?.abort.abort();
    this.current?.count?.abort();
    let range: KeyRange;
    const kinds = m.kinds && m.kinds.length ? m.kinds : ALL_KINDS;
    const q: Query = { id: m.queryId, search: m.search, kinds, range: {}, lastKey: undefined, more: false, loading: false, abort: new AbortController(), count: undefined, sent: [] };
    this.current = q;
    try {
      range = searchRange(m.search);
    } catch (e) {
      this.send(q, { type: DataMessageType.queryError, queryId: q.id, message: messageOf(e) });
      return;
    }
    q.range = range;
    await this.loadPage(q, true);
  }

  async more(queryId: number): Promise<void> {
    const q = this.current;
    if (!q || q.id !== queryId || q.loading || !q.more) return;
    await this.loadPage(q, false);
  }

  private async loadPage(q: Query, first: boolean): Promise<void> {
    q.loading = true;
    const started = performance.now();
    const range = first || q.lastKey === undefined ? q.range : intersectRanges(q.range, { start: keyAfter(q.lastKey) });
    try {
      if (this.source.mode === 'browse') {
        const page = await takePage(this.source.scan(range, q.abort.signal), this.pageSize);
        if (this.stale(q)) return;
        q.lastKey = page.items.at(-1)?.key ?? q.lastKey;
        q.more = page.more;
        this.send(q, { type: DataMessageType.rows, queryId: q.id, rows: page.items.map(rowData), first, more: page.more, durationMs: performance.now() - started });
      } else {
        const page = await takePage(this.filtered(this.source.diff(range, q.abort.signal), q.kinds), this.pageSize);
        if (this.stale(q)) return;
        q.lastKey = page.items.at(-1)?.key ?? q.lastKey;
        q.more = page.more;
        this.send(q, { type: DataMessageType.diffRows, queryId: q.id, rows: page.items.map(diffRowData), first, more: page.more, durationMs: performance.now() - started });
      }
      this.log(`data page of query ${q.id} (${first ? 'first' : 'next'}): ${q.sent.length ? '' : 'nothing, '}${(performance.now() - started).toFixed(0)} ms`);
    } catch (e) {
      if (this.stale(q)) return;
      q.more = false;
      this.send(q, { type: DataMessageType.queryError, queryId: q.id, message: messageOf(e) });
    } finally {
      q.loading = false;
    }
  }

  async countAll(queryId: number): Promise<void> {
    const q = this.current;
    if (!q || q.id !== queryId || q.count) return;
    let range: KeyRange;
    try {
      range = searchRange(q.search);
    } catch {
      return; // the query already reported it
    }
    const controller = new AbortController();
    q.count = controller;
    const abortWith = () => controller.abort();
    q.abort.signal.addEventListener('abort', abortWith, { once: true });
    const c: DataCountMessage = { type: DataMessageType.count, queryId: q.id, counted: 0, bytes: 0, added: 0, removed: 0, changed: 0, state: 'running', error: null };
    let lastPost = 0;
    const progress = () => {
      const now = performance.now();
      if (now - lastPost < COUNT_PROGRESS_MS) return;
      lastPost = now;
      this.post({ ...c });
    };
    this.post({ ...c });
    try {
      if (this.source.mode === 'browse') {
        for await (const row of this.source.scan(range, controller.signal)) {
          c.counted++;
          c.bytes += row.key.length + row.value.length;
          if (c.counted % YIELD_EVERY === 0) await yieldToEventLoop();
          if (controller.signal.aborted) break;
          progress();
        }
      } else {
        for await (const d of this.filtered(this.source.diff(range, controller.signal), q.kinds)) {
          c.counted++;
          c[d.kind]++;
          if (c.counted % YIELD_EVERY === 0) await yieldToEventLoop();
          if (controller.signal.aborted) break;
          progress();
        }
      }
      c.state = controller.signal.aborted ? 'cancelled' : 'done';
    } catch (e) {
      c.state = controller.signal.aborted ? 'cancelled' : 'failed';
      c.error = c.state === 'failed' ? messageOf(e) : null;
    } finally {
      q.abort.signal.removeEventListener('abort', abortWith);
      q.count = undefined;
    }
    if (this.disposed || this.current !== q) return;
    this.send(q, { ...c });
  }

  cancelCount(): void {
    this.current?.count?.abort();
  }

  dispose(): void {
    this.disposed = true;
    this.current?.abort.abort();
    this.current?.count?.abort();
  }

  private async *filtered(rows: AsyncIterable<DiffedRow>, kinds: DiffKind[]): AsyncIterable<DiffedRow> {
    if (kinds.length === ALL_KINDS.length) {
      yield* rows;
      return;
    }
    for await (const r of rows) if (kinds.includes(r.kind)) yield r;
  }

  private stale(q: Query): boolean {
    return this.disposed || this.current !== q || q.abort.signal.aborted;
  }

  private send(q: Query, message: DataExtensionToWebview): void {
    if (this.disposed || this.current !== q) return;
    // A final count replaces an earlier one in the replay.
    if (message.type === DataMessageType.count) q.sent = q.sent.filter((m) => m.type !== DataMessageType.count);
    q.sent.push(message);
    this.post(message);
  }
}
