/**
 * Logs every object-store request as one line: operation, key, outcome and
 * milliseconds. Keys and store descriptions never carry credentials, so the
 * log is safe to share.
 */

import type { EngineLog } from '../log';
import { isBodySource } from './body';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';

export class LoggingObjectStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    private readonly log: EngineLog,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  /** Writes log at info (they change the store), reads at debug (polling would flood info), failures at warn. */
  private async timed<T>(op: string, key: string, run: () => Promise<T>, outcome: (r: T) => string): Promise<T> {
    const started = performance.now();
    try {
      const r = await run();
      const level = op.startsWith('PUT') || op.startsWith('COPY') || op === 'DELETE' ? 'info' : 'debug';
      this.log(level, `${op} ${key} → ${outcome(r)} (${Math.round(performance.now() - started)} ms)`);
      return r;
    } catch (e) {
      this.log('warn', `${op} ${key} → failed: ${e instanceof Error ? e.message : String(e)} (${Math.round(performance.now() - started)} ms)`);
      throw e;
    }
  }

  listPage(options: ListOptions): Promise<ListPage> {
    const what = `${options.prefix ?? ''}${options.startAfter ? ` after ${options.startAfter}` : ''}${options.delimiter ? ` delimiter ${options.delimiter}` : ''}`;
    return this.timed('LIST', what, () => this.inner.listPage(options), (r) => `${r.objects.length} objects, ${r.commonPrefixes.length} prefixes${r.nextContinuationToken ? ', more' : ''}`);
  }

  get(key: string): Promise<GetResult | undefined> {
    return this.timed('GET', key, () => this.inner.get(key), (r) => (r ? `${r.bytes.length} bytes` : 'absent'));
  }

  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    return this.timed(`GET [${start}, ${end})`, key, () => this.inner.getRange(key, start, end), (r) => (r ? `${r.length} bytes` : 'absent'));
  }

  /** Logs when the stream opens (its size), not when it has been read. */
  getStream(key: string): Promise<GetStreamResult | undefined> {
    return this.timed('GET (stream)', key, () => this.inner.getStream(key), (r) => (r ? `${r.meta.size} bytes` : 'absent'));
  }

  head(key: string): Promise<ObjectMeta | undefined> {
    return this.timed('HEAD', key, () => this.inner.head(key), (r) => (r ? `${r.size} bytes` : 'absent'));
  }

  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    const size = isBodySource(body) ? `${body.size} bytes, streamed` : `${body.length} bytes`;
    return this.timed(`PUT-IF-ABSENT (${size})`, key, () => this.inner.putIfAbsent(key, body), (r) => (r.created ? 'created' : 'already exists'));
  }

  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    if (!this.inner.copyObjectFrom) return 'unsupported';
    const copy = this.inner.copyObjectFrom.bind(this.inner);
    // Logging is transparent: a logged source is still the store it wraps, so a server-side copy stays possible.
    const from = source instanceof LoggingObjectStore ? source.inner : source;
    return this.timed(`COPY-IF-ABSENT from ${source.description}/${sourceKey} to`, targetKey, () => copy(from, sourceKey, targetKey), (r) =>
      r === 'unsupported' ? 'not server-side' : r.created ? 'created' : 'already exists',
    );
  }

  delete(key: string): Promise<void> {
    return this.timed('DELETE', key, () => this.inner.delete(key), () => 'ok');
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
