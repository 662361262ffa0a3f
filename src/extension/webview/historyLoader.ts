/**
 * Loads a database's history for one panel and turns it into page messages.
 * Every load has a generation (the page ignores messages of older ones) and
 * an AbortController (a new load cancels the running one). Every message of
 * the current load is kept: a page that was hidden (its DOM is destroyed) or
 * revived says `ready` and gets `replay()` without any request to the store.
 * Manifests never change once written, so reloads reuse one HistoryCache and
 * read only new ids.
 */

import { isEngineError, messageOf } from '../../engine/errors';
import { HistoryCache } from '../../engine/history/cache';
import { DEFAULT_HISTORY_CONCURRENCY, loadHistory } from '../../engine/history/load';
import type { History } from '../../engine/history/types';
import { ExtensionToWebview, MessageType } from '../../shared/messages';
import type { IDisposable } from '../common/disposable';
import { DatabaseRegistry, readOnlyReasonOf } from '../databaseRegistry';
import { createLogger } from '../log';
import type { DatabaseTarget } from '../targets';
import { batchMessage, startMessage } from './historyMessages';

const log = createLogger('history');

export class HistoryLoader implements IDisposable {
  /** The last complete load, if any. */
  history: History | undefined;
  private generation = 0;
  private loading: Promise<History> | undefined;
  private abort: AbortController | undefined;
  private readonly cache = new HistoryCache();
  private sent: ExtensionToWebview[] = [];

  constructor(
    private readonly target: DatabaseTarget,
    private readonly databases: DatabaseRegistry,
    /** Delivers a message to the page (if it is up; replay() covers the rest). */
    private readonly send: (message: ExtensionToWebview) => void,
  ) {}

  /** The current load, or a new one if none ran yet. */
  whenLoaded(): Promise<History> {
    return this.loading ?? this.load();
  }

  /** Every message of the current load, in order. */
  replay(): readonly ExtensionToWebview[] {
    return this.sent;
  }

  /** Starts a load (cancelling the running one); rejects with its error, which the page is also sent. */
  load(): Promise<History> {
    this.abort?.abort();
    const controller = new AbortController();
    this.abort = controller;
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const where = this.target.dbPath || '/';
    const run = (async () => {
      const ms = await this.databases.manifestStore(this.target);
      const history = await loadHistory(ms, {
        cache: this.cache,
        concurrency: DEFAULT_HISTORY_CONCURRENCY,
        signal: controller.signal,
        onStart: (s) => {
          if (!current()) return;
          this.sent = [];
          const snapshot = this.databases.snapshot(this.target);
          const readOnlyReason = snapshot ? readOnlyReasonOf(snapshot) : null;
          this.post(startMessage(generation, this.target, s, { location: ms.store.description, readOnlyReason, nowS: Math.floor(Date.now() / 1000) }));
        },
        onBatch: (b) => {
          if (current()) this.post(batchMessage(generation, b));
        },
      });
      if (current()) {
        this.history = history;
        const { durationMs, firstBatchMs, read, fromCache } = history.stats;
        this.post({ type: MessageType.historyDone, generation, durationMs, firstBatchMs, read, fromCache });
        log.info(`${where}: ${history.manifests.length} manifests (${read} read, ${fromCache} cached) in ${durationMs.toFixed(0)} ms, first batch after ${firstBatchMs.toFixed(0)} ms`);
      }
      return history;
    })();
    const tracked = run.catch((e: unknown) => {
      if (current() && !controller.signal.aborted && !isEngineError(e, 'CANCELLED')) {
        const message = messageOf(e);
        log.error(`${where}: ${message}`);
        this.sent = [];
        this.post({ type: MessageType.historyError, generation, message });
      }
      throw e;
    });
    tracked.catch(() => undefined); // reported above; callers that await get the rejection
    this.loading = tracked;
    return tracked;
  }

  dispose(): void {
    this.abort?.abort();
  }

  private post(message: ExtensionToWebview): void {
    this.sent.push(message);
    this.send(message);
  }
}
