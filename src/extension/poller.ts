/**
 * Follows the store while the view is visible: every `slatedb.pollIntervalSeconds`
 * one warm LIST per shown database (only manifests after the last id seen);
 * databases that changed are reloaded, the rest only re-render their
 * relative times. Stops while the view is hidden.
 */

import * as vscode from 'vscode';
import type { SlateTreeProvider } from './tree/treeProvider';
import type { SlateNode } from './tree/nodes';
import { log } from './log';

export class TreePoller implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly tree: SlateTreeProvider,
    private readonly view: vscode.TreeView<SlateNode>,
  ) {
    this.subscriptions.push(
      view.onDidChangeVisibility(() => this.reschedule()),
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
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const ms = this.intervalMs();
    if (ms && this.view.visible) this.timer = setInterval(() => void this.tick(), ms);
  }

  async tick(): Promise<void> {
    if (this.running) return; // a slow store must not pile up polls
    this.running = true;
    try {
      const changed = await this.tree.poll();
      if (changed === 0) this.tree.rerender();
    } catch (e) {
      log().debug(`poll failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.running = false;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
  }
}
