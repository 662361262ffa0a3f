/**
 * A store wrapper that lets a test act just before a create-if-absent
 * reaches the inner store (another writer commits first, GC runs...), or
 * replace the create itself (an ambiguous write, a lost answer).
 */
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutIfAbsentResult } from '../../src/engine/store/objectStore';

export class HookedStore implements ObjectStore {
  /** Runs before every create-if-absent. */
  beforePut: ((key: string, bytes: Uint8Array) => Promise<void>) | undefined;
  /** Runs before the next create-if-absent only. */
  beforeNextPut: ((key: string, bytes: Uint8Array) => Promise<void>) | undefined;
  /** Replaces the create-if-absent of the inner store. */
  put: ((key: string, bytes: Uint8Array) => Promise<PutIfAbsentResult>) | undefined;

  constructor(readonly inner: ObjectStore) {}

  get description(): string {
    return this.inner.description;
  }
  listPage(o: ListOptions): Promise<ListPage> {
    return this.inner.listPage(o);
  }
  get(key: string): Promise<GetResult | undefined> {
    return this.inner.get(key);
  }
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    return this.inner.getRange(key, start, end);
  }
  getStream(key: string): Promise<GetStreamResult | undefined> {
    return this.inner.getStream(key);
  }
  head(key: string): Promise<ObjectMeta | undefined> {
    return this.inner.head(key);
  }
  async putIfAbsent(key: string, bytes: Uint8Array): Promise<PutIfAbsentResult> {
    const once = this.beforeNextPut;
    this.beforeNextPut = undefined;
    await once?.(key, bytes);
    await this.beforePut?.(key, bytes);
    return this.put ? this.put(key, bytes) : this.inner.putIfAbsent(key, bytes);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}
