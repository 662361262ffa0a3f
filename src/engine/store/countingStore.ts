/**
 * Wraps a store and counts the requests made through it, per operation, for
 * request-count tests and benchmarks. A request is counted when it is issued,
 * whether it then succeeds or fails. A range read and a streamed read are
 * GETs and a server-side copy is a PUT (as S3 bills them); `reads` tells the
 * three kinds of GET apart.
 */

import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';

export interface RequestCounts {
  list: number;
  get: number;
  head: number;
  put: number;
  delete: number;
}

/** The GETs of `counts.get` by kind, and the PUTs that were server-side copies. */
export interface ReadCounts {
  whole: number;
  range: number;
  stream: number;
  /** Server-side copies attempted (also counted in `counts.put`). */
  copy: number;
}

export class CountingObjectStore implements ObjectStore {
  readonly counts: RequestCounts = { list: 0, get: 0, head: 0, put: 0, delete: 0 };
  readonly reads: ReadCounts = { whole: 0, range: 0, stream: 0, copy: 0 };

  constructor(readonly inner: ObjectStore) {}

  get description(): string {
    return this.inner.description;
  }

  /** Requests of every kind since the last reset. */
  get total(): number {
    const c = this.counts;
    return c.list + c.get + c.head + c.put + c.delete;
  }

  /** Zero every counter. */
  reset(): void {
    this.counts.list = 0;
    this.counts.get = 0;
    this.counts.head = 0;
    this.counts.put = 0;
    this.counts.delete = 0;
    this.reads.whole = 0;
    this.reads.range = 0;
    this.reads.stream = 0;
    this.reads.copy = 0;
  }

  listPage(options: ListOptions): Promise<ListPage> {
    this.counts.list++;
    return this.inner.listPage(options);
  }

  get(key: string): Promise<GetResult | undefined> {
    this.counts.get++;
    this.reads.whole++;
    return this.inner.get(key);
  }

  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    this.counts.get++;
    this.reads.range++;
    return this.inner.getRange(key, start, end);
  }

  getStream(key: string): Promise<GetStreamResult | undefined> {
    this.counts.get++;
    this.reads.stream++;
    return this.inner.getStream(key);
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    this.counts.head++;
    return this.inner.head(key);
  }

  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    this.counts.put++;
    return this.inner.putIfAbsent(key, body);
  }

  /** Counted only when the inner store can copy at all (a store without copyObjectFrom makes no request). */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    if (!this.inner.copyObjectFrom) return 'unsupported';
    this.counts.put++;
    this.reads.copy++;
    return this.inner.copyObjectFrom(source, sourceKey, targetKey);
  }

  delete(key: string): Promise<void> {
    this.counts.delete++;
    return this.inner.delete(key);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
