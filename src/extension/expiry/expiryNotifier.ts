/**
 * One notification per checkpoint as it enters the expiry window, with
 * *Extend Lifetime* (the Refresh Checkpoint Lifetime command: lifetime
 * picker, engine refresh, registry reload) and *Reveal*. Who was told is
 * kept in the extension's global state, so a reload (or a second window)
 * does not repeat it. A checkpoint seen outside the window again (its
 * lifetime was extended past it) is forgotten, so it is told again when it
 * comes back in; one extended to a time still inside the window is not.
 * Many at once (first load of a big store) are one summary notification.
 */

import * as vscode from 'vscode';
import { checkpointLabel } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import { Disposable } from '../common/disposable';
import { createLogger } from '../log';
import type { CheckpointTarget } from '../targets';
import { checkpointKey, ExpiringCheckpoint, ExpiryScan, outsideWindow } from './expiringCheckpoints';
import { timeLeft, whereLabel } from './expiryStatusBar';
import type { ExpiryWatch } from './expiryWatch';

const log = createLogger('expiry');
export const NOTIFIED_STATE_KEY = 'slatedb.expiry.notified';
/** More than this many entering at once: one summary instead. */
const MAX_SEPARATE = 3;
/** Remembered entries are dropped this long after the checkpoint's expiry. */
const FORGET_AFTER_S = 7 * 86400;

export const EXTEND_LIFETIME = 'Extend Lifetime';
export const REVEAL = 'Reveal';
export const SHOW_ALL = 'Show All';

/** key → the checkpoint's expire time when we told. */
type Notified = Record<string, number>;

/** Shows a notification and resolves with the button pressed (replaceable in tests). */
export type Prompt = (message: string, ...buttons: string[]) => Thenable<string | undefined>;

export class ExpiryNotifier extends Disposable {
  prompt: Prompt = (message, ...buttons) => vscode.window.showWarningMessage(message, ...buttons);
  /** The last button actions started (tests await them). */
  lastAction: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly watch: ExpiryWatch,
    readonly memento: vscode.Memento,
  ) {
    super();
    this._register(watch.onDidChange((scan) => this.consider(scan)));
  }

  notified(): Notified {
    return { ...(this.memento.get<Notified>(NOTIFIED_STATE_KEY) ?? {}) };
  }

  /** Tells about those that entered the window since last time; returns them. */
  consider(scan: ExpiryScan): ExpiringCheckpoint[] {
    const nowS = this.watch.nowS();
    const before = this.notified();
    const next: Notified = {};
    const outside = outsideWindow(scan);
    for (const [key, expireS] of Object.entries(before)) {
      // Dropped: long expired, or seen outside the window again (extended past it: tell again when it is back).
      if (expireS + FORGET_AFTER_S < nowS || outside.has(key)) continue;
      next[key] = expireS;
    }
    const fresh = scan.expiring.filter((e) => !(checkpointKey(e.database.target, e.checkpoint.id) in next));
    for (const e of fresh) next[checkpointKey(e.database.target, e.checkpoint.id)] = e.checkpoint.expireTimeS;
    if (JSON.stringify(next) !== JSON.stringify(before)) void this.memento.update(NOTIFIED_STATE_KEY, next);
    if (fresh.length > 0) this.tell(fresh, nowS);
    return fresh;
  }

  private tell(fresh: ExpiringCheckpoint[], nowS: number): void {
    const many = new Set(fresh.map((e) => e.database.target.connectionId)).size > 1;
    if (fresh.length > MAX_SEPARATE) {
      const names = fresh.slice(0, 3).map((e) => checkpointLabel(e.checkpoint)).join(', ');
      log.info(`${fresh.length} checkpoints entered the ${this.watch.window.text} window`);
      void this.prompt(`${fresh.length} SlateDB checkpoints expire within ${this.watch.window.text}: ${names}, …`, SHOW_ALL).then((b) => {
        if (b === SHOW_ALL) this.lastAction = Promise.resolve(vscode.commands.executeCommand(Command.showExpiring));
      });
      return;
    }
    for (const e of fresh) {
      const target: CheckpointTarget = { ...e.database.target, checkpointId: e.checkpoint.id };
      const label = checkpointLabel(e.checkpoint);
      const at = new Date(e.checkpoint.expireTimeS * 1000).toISOString().replace(/\.000Z$/, 'Z');
      log.info(`checkpoint ${e.checkpoint.id} of ${whereLabel(e, true)} entered the ${this.watch.window.text} window (expires ${at})`);
      const message = `SlateDB checkpoint “${label}” in ${whereLabel(e, many)} expires in ${timeLeft(e, nowS)} (${at}).`;
      void this.prompt(message, EXTEND_LIFETIME, REVEAL).then((b) => {
        if (b === EXTEND_LIFETIME) this.lastAction = Promise.resolve(vscode.commands.executeCommand(Command.refreshCheckpoint, target));
        else if (b === REVEAL) this.lastAction = Promise.resolve(vscode.commands.executeCommand(Command.revealInTree, target));
      });
    }
  }
}
