/**
 * An in-memory object store with the same semantics as the local and S3
 * backends (key validation, UTF-8 byte order, S3 ListObjectsV2 paging and
 * delimiters, create-if-absent), for tests and benchmarks. putIfAbsent is
 * atomic within the process: the check and the insert happen in one
 * synchronous step. Bytes are copied in and out, so callers cannot mutate a
 * stored object through an array they passed or received.
 *
 * Unlike a directory, and like S3, it can hold both `a` and `a/b`.
 */

import { EngineError } from '../errors';
import { STREAM_CHUNK_BYTES, checkBody, checkRange, clampRange, collectBody } from './body';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';
import { compareUtf8, validateKey } from './keys';
import { PageCollector, keyPassesBounds, planList, toListPage } from './listing';

interface StoredObject {
  bytes: Uint8Array;
  lastModified: Date;
  etag: string;
}

export class MemoryObjectStore implements ObjectStore {
  readonly description: string;
  private readonly objects = new Map<string, StoredObject>();
  /** Keys in ascending UTF-8 byte order. */
  private sorted: string[] = [];
  private version = 0;

  constructor(name = 'memory') {
    this.description = `memory://${name}`;
  }

  /** Number of objects held (for tests). */
  get size(): number {
    return this.objects.size;
  }

  private meta(key: string, o: StoredObject): ObjectMeta {
    return { key, size: o.bytes.byteLength, lastModified: new Date(o.lastModified.getTime()), etag: o.etag };
  }

  /** Index of the first key >= `key` (or > `key` when `strict`). */
  private lowerBound(key: string, strict: boolean): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareUtf8(this.sorted[mid], key);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key after every key that starts with `prefix`. */
  private endOfPrefix(prefix: string, from: number): number {
    let lo = from;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.sorted[mid];
      if (k.startsWith(prefix) || compareUtf8(k, prefix) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async listPage(options: ListOptions): Promise<ListPage> {
    const plan = planList(options);
    await Promise.resolve();
    const collector = new PageCollector<ObjectMeta>(plan);
    let i = this.lowerBound(plan.prefix, false);
    if (plan.after !== undefined) i = Math.max(i, this.lowerBound(plan.after, true));
    while (i < this.sorted.length && !collector.full) {
      const key = this.sorted[i];
      if (!key.startsWith(plan.prefix)) break;
      if (plan.skipPrefix !== undefined && key.startsWith(plan.skipPrefix)) {
        i = this.endOfPrefix(plan.skipPrefix, i);
        continue;
      }
      if (!keyPassesBounds(plan, key)) {
        i++;
        continue;
      }
      const cp = collector.offerKey(key, this.meta(key, this.objects.get(key) as StoredObject));
      i = cp === undefined ? i + 1 : this.endOfPrefix(cp, i);
    }
    return toListPage(collector.finish(), (_key, meta) => meta);
  }

  async get(key: string): Promise<GetResult | undefined> {
    validateKey(key);
    await Promise.resolve();
    const o = this.objects.get(key);
    if (o === undefined) return undefined;
    return { bytes: o.bytes.slice(), meta: this.meta(key, o) };
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    validateKey(key);
    checkRange(key, start, end);
    await Promise.resolve();
    const o = this.objects.get(key);
    if (o === undefined) return undefined;
    const r = clampRange(o.bytes.byteLength, start, end);
    return o.bytes.slice(r.start, r.end);
  }

  async getStream(key: string): Promise<GetStreamResult | undefined> {
    validateKey(key);
    await Promise.resolve();
    const o = this.objects.get(key);
    if (o === undefined) return undefined;
    const bytes = o.bytes; // stored arrays are never mutated, so the stream may read it lazily
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.byteLength; at += STREAM_CHUNK_BYTES) yield bytes.slice(at, at + STREAM_CHUNK_BYTES);
    }
    return { meta: this.meta(key, o), chunks: chunks() };
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    validateKey(key);
    await Promise.resolve();
    const o = this.objects.get(key);
    return o === undefined ? undefined : this.meta(key, o);
  }

  async putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    validateKey(key);
    if (!(body instanceof Uint8Array)) {
      checkBody(key, body);
      return this.insert(key, await collectBody(key, body)); // collected into a fresh array: no copy needed
    }
    return this.insert(key, new Uint8Array(body)); // copied before yielding, as a real upload reads the bytes it was given
  }

  /** Another MemoryObjectStore's object is copied without a stream ("server-side"); any other source: 'unsupported'. */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    validateKey(targetKey);
    if (!(source instanceof MemoryObjectStore)) return 'unsupported';
    validateKey(sourceKey);
    const o = source.objects.get(sourceKey);
    if (o === undefined) {
      throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
    }
    return this.insert(targetKey, o.bytes.slice());
  }

  private async insert(key: string, copy: Uint8Array): Promise<PutIfAbsentResult> {
    await Promise.resolve();
    // From here to the insert nothing awaits: the check and the insert are one atomic step.
    if (this.objects.has(key)) return { created: false };
    const o: StoredObject = { bytes: copy, lastModified: new Date(), etag: `"m${++this.version}"` };
    this.objects.set(key, o);
    this.sorted.splice(this.lowerBound(key, false), 0, key);
    return { created: true, meta: this.meta(key, o) };
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    await Promise.resolve();
    if (!this.objects.delete(key)) return;
    const i = this.lowerBound(key, false);
    if (this.sorted[i] === key) this.sorted.splice(i, 1);
  }

  async close(): Promise<void> {}
}
