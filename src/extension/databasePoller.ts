/**
 * Follows the store while the SlateDB view is visible: every
 * `slatedb.pollIntervalSeconds`, `registry.poll()` (one warm LIST per loaded
 * database; the registry reloads the ones that changed and fires for them).
 * After each poll `onDidPoll` fires with how many changed, so views whose
 * text depends on the clock (relative times, "expiring") can redraw.
 * Stops while the view is hidden.
 */

import * as vscode from 'vscode';
import { messageOf } from '../engine/errors';
import { Disposable, interval, MutableDisposable } from './common/disposable';
import type { DatabaseRegistry } from './databaseRegistry';
import { createLogger } from './log';

const log = createLogger('poll');

export class DatabasePoller extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private readonly polled = this._register(new vscode.EventEmitter<number>());
  /** After every poll, with the number of databases that changed. */
  readonly onDidPoll = this.polled.event;
  private running = false;

  constructor(
    private readonly databases: DatabaseRegistry,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    super();
    this._register(view.onDidChangeVisibility(() => this.reschedule()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('slatedb.pollIntervalSeconds')) this.reschedule();
      }),
    );
    this.reschedule();
  }

  private intervalMs(): number {
    const s = vscode.workspace.getConfiguration('slatedb').get<number>('pollIntervalSeconds') ?? 10;
    return s > 0 ? Math.max(1, s) * 1000 : 0;
  }

  private reschedule(): void {
    const ms = this.intervalMs();
    this.timer.value = ms && this.view.visible ? interval(() => void this.tick(), ms) : undefined;
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow store must not pile up polls
    this.running = true;
    try {
      this.polled.fire(await this.databases.poll());
    } catch (e) {
      log.debug(`poll failed: ${messageOf(e)}`);
    } finally {
      this.running = false;
    }
  }
}
