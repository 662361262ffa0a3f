/**
 * Wraps a store and injects the failures real object stores produce, for
 * tests and benchmarks:
 *
 * - latency (`latencyMs` plus up to `jitterMs`) before each request;
 * - `errorRate`: the request fails before reaching the store, with a
 *   retryable STORE_ERROR whose message contains "injected fault";
 * - `landedThenTimeoutRate`: a putIfAbsent that really creates the object and
 *   then fails with a retryable timeout, the ambiguous write a caller must
 *   resolve by reading the object back and comparing bytes;
 * - `staleListRate`: a listing page that omits its newest object (latest
 *   lastModified, ties broken by the greatest key), as an eventually
 *   consistent listing may;
 * - `maxConcurrent`: throttled mode; at most that many requests are in flight
 *   (latency included), the rest queue in arrival order.
 * - `throttleErrorRate`: the request fails before reaching the store, with a
 *   retryable STORE_ERROR saying the store is throttling (S3's 503 SlowDown:
 *   "reduce request rate"); unlike `maxConcurrent` it does not queue, it refuses;
 * - `hangRate` / `hangMs`: the request gets no answer for `hangMs` (default
 *   1000) and then fails with a retryable timeout STORE_ERROR without having
 *   reached the store (a server that accepts and never answers, bounded by a
 *   client timeout); a hanging request keeps its `maxConcurrent` slot;
 * - `deleteLandedThenTimeoutRate`: a delete that the store really carried out
 *   then reports a retryable timeout (the ambiguous delete);
 * - `staleGetRate`: a GET of a manifest file (`.../manifest/<20 digits>.manifest`)
 *   that exists answers "absent", as a lagging read may; GETs of absent keys
 *   and of other keys are never affected.
 *
 * Every injected failure is a retryable STORE_ERROR whose message contains
 * "injected fault", and each is counted in `injected` by kind.
 *
 * Every random choice comes from a seeded PRNG (`seed`, default 1) and is
 * drawn when the request is issued, three draws per request whatever the
 * options, so a sequence of calls replays identically. Throttling, hangs,
 * ambiguous deletes and stale GETs draw from a second PRNG derived from the
 * same seed (four draws per request), so they never shift the choices of
 * errors, landed-then-timeout and stale listings for a seed.
 */

import { EngineError } from '../errors';
import { mulberry32 } from './seededRandom';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';

export interface FaultOptions {
  latencyMs?: number;
  jitterMs?: number;
  /** 0..1: probability that a request fails before reaching the store. */
  errorRate?: number;
  /** 0..1: probability that a putIfAbsent that created its object then reports a timeout. */
  landedThenTimeoutRate?: number;
  /** 0..1: probability that a non-empty listing page omits its newest object. */
  staleListRate?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Throttled mode: at most this many requests in flight. */
  maxConcurrent?: number;
  /** 0..1: probability that a request is refused before reaching the store with an S3-style 503 SlowDown. */
  throttleErrorRate?: number;
  /** 0..1: probability that a request gets no answer for `hangMs`, then times out without reaching the store. */
  hangRate?: number;
  /** How long a hanging request waits before it times out (default 1000 ms). */
  hangMs?: number;
  /** 0..1: probability that a delete the store carried out then reports a timeout. */
  deleteLandedThenTimeoutRate?: number;
  /** 0..1: probability that a GET of an existing manifest file answers "absent". */
  staleGetRate?: number;
}

export interface InjectedCounts {
  errors: number;
  landedThenTimeout: number;
  staleLists: number;
  /** Requests refused with 503 SlowDown (`throttleErrorRate`). */
  throttled: number;
  /** Requests that hung and then timed out (`hangRate`). */
  hangs: number;
  /** Deletes that landed and then reported a timeout (`deleteLandedThenTimeoutRate`). */
  deleteLandedThenTimeout: number;
  /** GETs of an existing manifest that answered "absent" (`staleGetRate`). */
  staleGets: number;
}

type Operation = 'list' | 'get' | 'head' | 'put' | 'delete';

interface Draw {
  delayMs: number;
  fail: boolean;
  /** Decides landed-then-timeout (put) or stale listing (list). */
  extra: number;
  /** From the second PRNG: decide throttling, hang, ambiguous delete, stale GET. */
  throttle: boolean;
  hang: boolean;
  deleteLanded: number;
  staleGet: number;
}

/** The second PRNG's seed, derived from `seed` so the first stream stays as it was. */
function secondSeed(seed: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
}

/** A manifest file, `<db>/manifest/<20 digits>.manifest` (the keys `staleGetRate` applies to). */
const MANIFEST_KEY_RE = /(^|\/)manifest\/\d{20}\.manifest$/;

function checkRate(name: string, v: number | undefined): void {
  if (v !== undefined && !(v >= 0 && v <= 1)) throw new EngineError('INVALID_ARGUMENT', `${name} must be between 0 and 1, got ${v}`);
}

function checkNonNegative(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new EngineError('INVALID_ARGUMENT', `${name} must be a non-negative number, got ${v}`);
}

export class FaultInjectingStore implements ObjectStore {
  readonly injected: InjectedCounts = { errors: 0, landedThenTimeout: 0, staleLists: 0, throttled: 0, hangs: 0, deleteLandedThenTimeout: 0, staleGets: 0 };
  private options: FaultOptions = {};
  private random: () => number;
  private random2: () => number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly inner: ObjectStore,
    options: FaultOptions = {},
  ) {
    this.configure(options);
    this.random = mulberry32(options.seed ?? 1);
    this.random2 = mulberry32(secondSeed(options.seed ?? 1));
  }

  get description(): string {
    return this.inner.description;
  }

  /** Change fault options from now on (e.g. turn faults off after a test's setup). A new `seed` restarts the PRNG. */
  configure(options: FaultOptions): void {
    checkNonNegative('latencyMs', options.latencyMs);
    checkNonNegative('jitterMs', options.jitterMs);
    checkRate('errorRate', options.errorRate);
    checkRate('landedThenTimeoutRate', options.landedThenTimeoutRate);
    checkRate('staleListRate', options.staleListRate);
    checkRate('throttleErrorRate', options.throttleErrorRate);
    checkRate('hangRate', options.hangRate);
    checkNonNegative('hangMs', options.hangMs);
    checkRate('deleteLandedThenTimeoutRate', options.deleteLandedThenTimeoutRate);
    checkRate('staleGetRate', options.staleGetRate);
    if (options.maxConcurrent !== undefined && !(Number.isInteger(options.maxConcurrent) && options.maxConcurrent >= 1)) {
      throw new EngineError('INVALID_ARGUMENT', `maxConcurrent must be a positive integer, got ${options.maxConcurrent}`);
    }
    this.options = { ...this.options, ...options };
    if (options.seed !== undefined) {
      this.random = mulberry32(options.seed);
      this.random2 = mulberry32(secondSeed(options.seed));
    }
    this.release(0); // a higher limit may admit queued requests
  }

  private draw(): Draw {
    const o = this.options;
    const jitter = this.random();
    const fail = this.random();
    const extra = this.random();
    const throttle = this.random2();
    const hang = this.random2();
    const deleteLanded = this.random2();
    const staleGet = this.random2();
    return {
      delayMs: (o.latencyMs ?? 0) + (o.jitterMs ?? 0) * jitter,
      fail: fail < (o.errorRate ?? 0),
      extra,
      throttle: throttle < (o.throttleErrorRate ?? 0),
      hang: hang < (o.hangRate ?? 0),
      deleteLanded,
      staleGet,
    };
  }

  private async acquire(): Promise<void> {
    const limit = this.options.maxConcurrent;
    if (limit === undefined || this.inFlight < limit) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Give back `n` slots and hand free slots to queued requests. */
  private release(n: number): void {
    this.inFlight -= n;
    const limit = this.options.maxConcurrent ?? Infinity;
    while (this.waiting.length > 0 && this.inFlight < limit) {
      this.inFlight++;
      (this.waiting.shift() as () => void)();
    }
  }

  private async request<T>(op: Operation, key: string, call: () => Promise<T>, after?: (result: T, d: Draw) => T): Promise<T> {
    const d = this.draw();
    await this.acquire();
    try {
      if (d.delayMs > 0) await new Promise((r) => setTimeout(r, d.delayMs));
      if (d.fail) {
        this.injected.errors++;
        throw new EngineError('STORE_ERROR', `${op} ${key} failed: injected fault`, { retryable: true, key });
      }
      if (d.throttle) {
        this.injected.throttled++;
        throw new EngineError('STORE_ERROR', `${op} ${key} failed: the store is throttling requests (503 SlowDown: reduce request rate; injected fault)`, {
          retryable: true,
          key,
        });
      }
      if (d.hang) {
        const hangMs = this.options.hangMs ?? 1000;
        await new Promise((r) => setTimeout(r, hangMs));
        this.injected.hangs++;
        throw new EngineError('STORE_ERROR', `${op} ${key} failed: no response, request timed out after ${hangMs} ms (injected fault)`, { retryable: true, key });
      }
      const result = await call();
      return after ? after(result, d) : result;
    } finally {
      this.release(1);
    }
  }

  listPage(options: ListOptions): Promise<ListPage> {
    return this.request('list', options.prefix ?? '', () => this.inner.listPage(options), (page, d) => {
      if (page.objects.length === 0 || !(d.extra < (this.options.staleListRate ?? 0))) return page;
      let newest = 0;
      page.objects.forEach((o, i) => {
        if (o.lastModified.getTime() >= page.objects[newest].lastModified.getTime()) newest = i;
      });
      this.injected.staleLists++;
      return { ...page, objects: page.objects.filter((_, i) => i !== newest) };
    });
  }

  get(key: string): Promise<GetResult | undefined> {
    return this.request('get', key, () => this.inner.get(key), (got, d) => {
      if (got === undefined || !(d.staleGet < (this.options.staleGetRate ?? 0)) || !MANIFEST_KEY_RE.test(key)) return got;
      this.injected.staleGets++;
      return undefined;
    });
  }

  /** A range read is a GET: latency, errors, throttling and hangs apply (stale GETs do not: they model manifest reads). */
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    return this.request('get', key, () => this.inner.getRange(key, start, end));
  }

  /** The faults apply to opening the stream; its chunks come from the inner store as they are. */
  getStream(key: string): Promise<GetStreamResult | undefined> {
    return this.request('get', key, () => this.inner.getStream(key));
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    return this.request('head', key, () => this.inner.head(key));
  }

  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    return this.request('put', key, () => this.inner.putIfAbsent(key, body), (result, d) => this.landedThenTimeout(key, result, d));
  }

  /** A server-side copy is a PUT: the same faults, including the copy that lands and then times out. */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    const inner = this.inner;
    if (!inner.copyObjectFrom) return 'unsupported';
    return this.request<PutIfAbsentResult | 'unsupported'>('put', targetKey, () => inner.copyObjectFrom!(source, sourceKey, targetKey), (result, d) =>
      result === 'unsupported' ? result : this.landedThenTimeout(targetKey, result, d),
    );
  }

  private landedThenTimeout(key: string, result: PutIfAbsentResult, d: Draw): PutIfAbsentResult {
    if (result.created && d.extra < (this.options.landedThenTimeoutRate ?? 0)) {
      this.injected.landedThenTimeout++;
      throw new EngineError('STORE_ERROR', `put ${key} failed: request timed out (injected fault)`, { retryable: true, key });
    }
    return result;
  }

  delete(key: string): Promise<void> {
    return this.request('delete', key, () => this.inner.delete(key), (result, d) => {
      if (d.deleteLanded < (this.options.deleteLandedThenTimeoutRate ?? 0)) {
        this.injected.deleteLandedThenTimeout++;
        throw new EngineError('STORE_ERROR', `delete ${key} failed: request timed out (injected fault)`, { retryable: true, key });
      }
      return result;
    });
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
