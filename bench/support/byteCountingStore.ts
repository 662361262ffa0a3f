/**
 * Counts requests AND the bytes that pass through this process (read from the store, written to
 * it), for the backup bench: a server-side copy moves no bytes through the client. Unlike
 * CountingObjectStore it unwraps a source of its own kind in copyObjectFrom, so the inner store
 * still recognises a same-endpoint S3 source (or a local one) and copies server-side; the HEADs
 * such a copy makes inside the store are not seen here (one copy is counted as one PUT).
 */

import type { BodySource, GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from '../../src/engine/store/objectStore';

export interface ByteCounts {
  list: number;
  get: number;
  head: number;
  put: number;
  delete: number;
  /** Server-side copies made (also counted in put). */
  copies: number;
  bytesRead: number;
  bytesWritten: number;
}

export class ByteCountingStore implements ObjectStore {
  readonly counts: ByteCounts = { list: 0, get: 0, head: 0, put: 0, delete: 0, copies: 0, bytesRead: 0, bytesWritten: 0 };

  constructor(readonly inner: ObjectStore) {}

  get description(): string {
    return this.inner.description;
  }

  get requests(): number {
    const c = this.counts;
    return c.list + c.get + c.head + c.put + c.delete;
  }

  listPage(options: ListOptions): Promise<ListPage> {
    this.counts.list++;
    return this.inner.listPage(options);
  }

  async get(key: string): Promise<GetResult | undefined> {
    this.counts.get++;
    const r = await this.inner.get(key);
    if (r) this.counts.bytesRead += r.bytes.length;
    return r;
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    this.counts.get++;
    const r = await this.inner.getRange(key, start, end);
    if (r) this.counts.bytesRead += r.length;
    return r;
  }

  async getStream(key: string): Promise<GetStreamResult | undefined> {
    this.counts.get++;
    const r = await this.inner.getStream(key);
    if (!r) return r;
    const counts = this.counts;
    const chunks = r.chunks;
    return {
      meta: r.meta,
      chunks: {
        async *[Symbol.asyncIterator]() {
          for await (const c of chunks) {
            counts.bytesRead += c.length;
            yield c;
          }
        },
      },
    };
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    this.counts.head++;
    return this.inner.head(key);
  }

  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    this.counts.put++;
    if (body instanceof Uint8Array) {
      this.counts.bytesWritten += body.length;
      return this.inner.putIfAbsent(key, body);
    }
    const counts = this.counts;
    const counted: BodySource = {
      size: body.size,
      chunks: () => ({
        async *[Symbol.asyncIterator]() {
          for await (const c of body.chunks()) {
            counts.bytesWritten += c.length;
            yield c;
          }
        },
      }),
    };
    return this.inner.putIfAbsent(key, counted);
  }

  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    if (!this.inner.copyObjectFrom) return 'unsupported';
    const from = source instanceof ByteCountingStore ? source.inner : source;
    const r = await this.inner.copyObjectFrom(from, sourceKey, targetKey);
    if (r !== 'unsupported') {
      this.counts.put++;
      this.counts.copies++;
    }
    return r;
  }

  delete(key: string): Promise<void> {
    this.counts.delete++;
    return this.inner.delete(key);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
