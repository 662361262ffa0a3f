/**
 * Follows the registry's snapshots and the clock, and fires `onDidChange`
 * with a fresh ExpiryScan whenever the answer to "what expires within
 * `slatedb.expiryWarning`?" may have changed: a database loaded (poll,
 * command write), the setting changed, or time passed a boundary (a
 * checkpoint entered the window or expired). The clock needs no manifest to
 * move, so a timer wakes at the next boundary (and at least every 30 s, for
 * the "time left" texts). `onDidExpire` fires when a checkpoint crossed its
 * expiry, so the tree can redraw it as expired without any I/O.
 */

import * as vscode from 'vscode';
import { Disposable, MutableDisposable, timeout } from '../common/disposable';
import type { ConnectionManager } from '../connections/connectionManager';
import type { DatabaseRegistry } from '../databaseRegistry';
import { DatabaseTarget, targetKey } from '../targets';
import { EMPTY_SCAN, ExpiryScan, scanExpiry, WatchedDatabase } from './expiringCheckpoints';
import { EXPIRY_WARNING_SETTING, ExpiryWindow, readExpiryWindow } from './expiryWindow';

const MAX_SLEEP_MS = 30_000;

export class ExpiryWatch extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<ExpiryScan>());
  readonly onDidChange = this.changed.event;
  private readonly expiredNow = this._register(new vscode.EventEmitter<void>());
  readonly onDidExpire = this.expiredNow.event;
  private readonly timer = this._register(new MutableDisposable());
  private readonly databases = new Map<string, WatchedDatabase>();
  private expiredKeys = new Set<string>();
  private last: ExpiryScan = EMPTY_SCAN;
  window: ExpiryWindow = readExpiryWindow();

  constructor(
    private readonly registry: DatabaseRegistry,
    private readonly connections: ConnectionManager,
    /** The clock (seconds); tests may move it. */
    readonly nowS: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    super();
    this._register(registry.onDidChange((t) => (t ? this.follow(t) : this.forgetAll())));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`slatedb.${EXPIRY_WARNING_SETTING}`)) return;
        this.window = readExpiryWindow();
        this.update();
      }),
    );
  }

  /** The last scan (also what `onDidChange` last fired). */
  get current(): ExpiryScan {
    return this.last;
  }

  /** Scan again now and tell subscribers. */
  update(): ExpiryScan {
    const nowS = this.nowS();
    const scan = this.window.seconds > 0 ? scanExpiry([...this.databases.values()], nowS, this.window.seconds) : EMPTY_SCAN;
    this.last = scan;
    const expiredKeys = new Set(scan.expired.map((e) => `${targetKey(e.database.target)}\u0000${e.checkpoint.id}`));
    const newlyExpired = [...expiredKeys].some((k) => !this.expiredKeys.has(k));
    this.expiredKeys = expiredKeys;
    this.schedule(scan);
    this.changed.fire(scan);
    if (newlyExpired) this.expiredNow.fire();
    return scan;
  }

  private follow(t: DatabaseTarget): void {
    const snap = this.registry.snapshot(t);
    const key = targetKey(t);
    if (snap?.kind === 'ok') {
      const connectionName = this.connections.list().find((c) => c.id === t.connectionId)?.name ?? t.connectionId;
      this.databases.set(key, { target: { connectionId: t.connectionId, dbPath: t.dbPath }, connectionName, checkpoints: snap.checkpoints });
    } else {
      this.databases.delete(key); // unreadable now: its checkpoints are unknown, not expiring
    }
    this.update();
  }

  private forgetAll(): void {
    this.databases.clear();
    this.update();
  }

  private schedule(scan: ExpiryScan): void {
    if (this.databases.size === 0) {
      this.timer.value = undefined;
      return;
    }
    // Wake just after the next boundary (+1 s: the boundary second itself still counts as "before").
    const ms = scan.nextChangeS === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, (scan.nextChangeS + 1) * 1000);
    this.timer.value = timeout(() => this.update(), ms);
  }
}
