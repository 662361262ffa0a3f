/**
 * A store wrapper that records every request (operation, key, range) for the
 * reader's request-count and read-only tests. Writes and deletes are recorded
 * too, so a test can assert that a scan made none.
 */
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from '../../../src/engine/store/objectStore';

export interface Call {
  op: 'list' | 'get' | 'getRange' | 'getStream' | 'head' | 'put' | 'delete' | 'copy';
  key: string;
  start?: number;
  end?: number;
}

export class RecordingStore implements ObjectStore {
  readonly calls: Call[] = [];
  constructor(readonly inner: ObjectStore) {}
  get description(): string {
    return this.inner.description;
  }
  listPage(o: ListOptions): Promise<ListPage> {
    this.calls.push({ op: 'list', key: o.prefix ?? '' });
    return this.inner.listPage(o);
  }
  get(key: string): Promise<GetResult | undefined> {
    this.calls.push({ op: 'get', key });
    return this.inner.get(key);
  }
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    this.calls.push({ op: 'getRange', key, start, end });
    return this.inner.getRange(key, start, end);
  }
  getStream(key: string): Promise<GetStreamResult | undefined> {
    this.calls.push({ op: 'getStream', key });
    return this.inner.getStream(key);
  }
  head(key: string): Promise<ObjectMeta | undefined> {
    this.calls.push({ op: 'head', key });
    return this.inner.head(key);
  }
  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    this.calls.push({ op: 'put', key });
    return this.inner.putIfAbsent(key, body);
  }
  delete(key: string): Promise<void> {
    this.calls.push({ op: 'delete', key });
    return this.inner.delete(key);
  }
  /** Requests per operation. */
  count(op: Call['op'], keyPart = ''): number {
    return this.calls.filter((c) => c.op === op && c.key.includes(keyPart)).length;
  }
  /** Keys read (get, getRange, head, getStream). */
  keysRead(): Set<string> {
    return new Set(this.calls.filter((c) => c.op === 'get' || c.op === 'getRange' || c.op === 'head' || c.op === 'getStream').map((c) => c.key));
  }
  writes(): Call[] {
    return this.calls.filter((c) => c.op === 'put' || c.op === 'delete' || c.op === 'copy');
  }
  reset(): void {
    this.calls.length = 0;
  }
}
