/**
 * Wraps a store and counts the requests made through it, per operation, for
 * request-count tests and benchmarks. A request is counted when it is issued,
 * whether it then succeeds or fails.
 */

import type { GetResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutIfAbsentResult } from './objectStore';

export interface RequestCounts {
  list: number;
  get: number;
  head: number;
  put: number;
  delete: number;
}

export class CountingObjectStore implements ObjectStore {
  readonly counts: RequestCounts = { list: 0, get: 0, head: 0, put: 0, delete: 0 };

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
  }

  listPage(options: ListOptions): Promise<ListPage> {
    this.counts.list++;
    return this.inner.listPage(options);
  }

  get(key: string): Promise<GetResult | undefined> {
    this.counts.get++;
    return this.inner.get(key);
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    this.counts.head++;
    return this.inner.head(key);
  }

  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutIfAbsentResult> {
    this.counts.put++;
    return this.inner.putIfAbsent(key, bytes);
  }

  delete(key: string): Promise<void> {
    this.counts.delete++;
    return this.inner.delete(key);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
