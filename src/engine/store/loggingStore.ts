/**
 * Logs every object-store request as one line: operation, key, outcome and
 * milliseconds. Keys and store descriptions never carry credentials, so the
 * log is safe to share.
 */

import type { EngineLog } from '../log';
import type { GetResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutIfAbsentResult } from './objectStore';

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
      const level = op.startsWith('PUT') || op === 'DELETE' ? 'info' : 'debug';
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

  head(key: string): Promise<ObjectMeta | undefined> {
    return this.timed('HEAD', key, () => this.inner.head(key), (r) => (r ? `${r.size} bytes` : 'absent'));
  }

  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutIfAbsentResult> {
    return this.timed(`PUT-IF-ABSENT (${bytes.length} bytes)`, key, () => this.inner.putIfAbsent(key, bytes), (r) => (r.created ? 'created' : 'already exists'));
  }

  delete(key: string): Promise<void> {
    return this.timed('DELETE', key, () => this.inner.delete(key), () => 'ok');
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
