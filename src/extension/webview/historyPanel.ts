/**
 * The history webview: one panel per database, showing its manifest
 * timeline, a chart of referenced / pinned bytes, and the SSTs a selected
 * checkpoint pins. The class owns the panel and everything it subscribes to;
 * `createOrShow` opens or focuses, `revive` restores a panel VS Code kept
 * across a restart (through the serializer `registerHistoryPanels` adds).
 *
 * What lives elsewhere: the HTML and CSP (pageHtml.ts, shared with the data panel), the engine →
 * message mapping (historyMessages.ts), loading with generations and replay
 * (historyLoader.ts), and the test probe (pageProbe.ts).
 *
 * The panel follows the registry: when a database it shows has a new latest
 * manifest (a poll, a command's write), it reloads. Messages from the page
 * are validated before use; actions go through the same commands as the
 * tree, so they ask and confirm the same way.
 */

import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import type { History } from '../../engine/history/types';
import { databaseLabel } from '../../shared/databaseLabel';
import { ActionName, ExtensionToWebview, MessageType, parseWebviewMessage, PersistedState, WebviewToExtension } from '../../shared/messages';
import type { DumpStateMessage, WebviewStateDump } from '../../shared/testProbeMessages';
import { Command } from '../commandIds';
import { Disposable, toDisposable } from '../common/disposable';
import { DatabaseRegistry, latestIdOf } from '../databaseRegistry';
import { createLogger } from '../log';
import { DatabaseTarget, isDatabaseTarget, sameTarget, targetKey } from '../targets';
import { HISTORY_PAGE, pageHtml, webviewOptions } from './pageHtml';
import { HistoryLoader } from './historyLoader';
import { HealthSection } from '../health/healthSection';
import type { HealthReport } from '../../engine/health';
import { HISTORY_PROBE, PageProbe } from './pageProbe';

const log = createLogger('history');

export const HISTORY_VIEW_TYPE = 'slatedb.history';

/** What a panel needs from the extension. */
export interface HistoryPanelHost {
  extensionUri: vscode.Uri;
  databases: DatabaseRegistry;
}

/** What other code in this extension host (and the integration tests) may use. */
export interface HistoryPanelApi {
  readonly target: DatabaseTarget;
  /** The last complete load, if any. */
  readonly history: History | undefined;
  readonly selectedCheckpointId: string | null;
  readonly disposed: boolean;
  /** Resolves with the current load (or the next one, if a reload is pending). */
  whenLoaded(): Promise<History>;
  /** Reload from the store (only manifests new since the last load are read). */
  reload(): Promise<History>;
  /** Asks the page what it holds and shows (the test probe). */
  webviewState(timeoutMs?: number): Promise<WebviewStateDump>;
  /** Handles a message as if the page had sent it. */
  receive(message: unknown): Promise<void>;
  /** Computes the health report again, shows it in the panel's health section and scrolls there. */
  showHealth(): Promise<HealthReport>;
  dispose(): void;
}

/** The serializer that revives panels after a restart, and closing every panel on deactivation. */
export function registerHistoryPanels(host: HistoryPanelHost): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(HISTORY_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        HistoryPanel.revive(panel, host, state);
      },
    }),
    toDisposable(() => HistoryPanel.disposeAll()),
  ];
}

export class HistoryPanel extends Disposable implements HistoryPanelApi {
  private static readonly panels = new Map<string, HistoryPanel>();

  /** Opens the history of `target`, or focuses it if open; optionally selects a checkpoint. */
  static createOrShow(host: HistoryPanelHost, target: DatabaseTarget, selectCheckpointId?: string): HistoryPanel {
    const existing = HistoryPanel.panels.get(targetKey(target));
    if (existing) {
      existing.panel.reveal(undefined, false);
      if (selectCheckpointId) existing.select(selectCheckpointId);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(HISTORY_VIEW_TYPE, `History: ${databaseLabel(target.dbPath)}`, vscode.ViewColumn.Active, webviewOptions(host.extensionUri));
    const created = new HistoryPanel(panel, host, { connectionId: target.connectionId, dbPath: target.dbPath });
    if (selectCheckpointId) created.select(selectCheckpointId);
    return created;
  }

  /** Restores a panel VS Code kept across a restart; `state` is what the page last saved. */
  static revive(panel: vscode.WebviewPanel, host: HistoryPanelHost, state: unknown): HistoryPanel | undefined {
    const saved = state as Partial<PersistedState> | undefined;
    const target = saved?.target;
    log.info(`restoring ${isDatabaseTarget(target) ? target.dbPath || '/' : 'a panel without saved state'} (selected ${saved?.selectedCheckpointId ?? 'nothing'})`);
    if (!isDatabaseTarget(target)) {
      log.warn('nothing to restore (no saved database); closing it');
      panel.dispose();
      return undefined;
    }
    const existing = HistoryPanel.panels.get(targetKey(target));
    if (existing) {
      panel.dispose();
      return existing;
    }
    panel.webview.options = webviewOptions(host.extensionUri);
    const revived = new HistoryPanel(panel, host, { connectionId: target.connectionId, dbPath: target.dbPath });
    if (typeof saved?.selectedCheckpointId === 'string') revived.selectedCheckpointId = saved.selectedCheckpointId;
    return revived;
  }

  static all(): HistoryPanel[] {
    return [...HistoryPanel.panels.values()];
  }

  static disposeAll(): void {
    for (const p of HistoryPanel.all()) p.dispose();
  }

  readonly target: DatabaseTarget;
  selectedCheckpointId: string | null = null;
  private readonly loader: HistoryLoader;
  private readonly probe: PageProbe<DumpStateMessage, WebviewStateDump>;
  private pageReady = false;
  private pendingSelect: string | undefined;
  private readonly actionsRunning = new Set<ActionName>();
  private readonly health: HealthSection;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly host: HistoryPanelHost,
    target: DatabaseTarget,
  ) {
    super();
    this.target = target;
    HistoryPanel.panels.set(targetKey(target), this);
    this._register(toDisposable(() => HistoryPanel.panels.delete(targetKey(target))));
    this.health = new HealthSection(target, host.databases, (m) => {
      if (this.isDisposed || !this.pageReady) return false;
      void panel.webview.postMessage(m);
      return true;
    });
    this._register(toDisposable(() => this.health.dispose()));
    this.loader = this._register(
      new HistoryLoader(target, host.databases, (m) => {
        this.postNow(m);
        // Each completed load (a new manifest) gets a fresh health report.
        if (m.type === MessageType.historyDone) void this.health.refresh().catch(() => undefined);
      }),
    );
    this.probe = this._register(new PageProbe(HISTORY_PROBE, (m) => void panel.webview.postMessage(m), () => this.pageReady));
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'slatedb.svg');
    panel.webview.html = pageHtml(panel.webview, host.extensionUri, HISTORY_PAGE);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
    this._register(
      panel.onDidChangeViewState((e) => {
        // A hidden page is destroyed: wait for its `ready` before posting again.
        if (!e.webviewPanel.visible) this.pageReady = false;
      }),
    );
    this._register(host.databases.onDidChange((changed) => this.follow(changed)));
    void this.loader.load().catch(() => undefined);
  }

  get history(): History | undefined {
    return this.loader.history;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  whenLoaded(): Promise<History> {
    return this.loader.whenLoaded();
  }

  reload(): Promise<History> {
    return this.loader.load();
  }

  async showHealth(): Promise<HealthReport> {
    this.panel.reveal(undefined, false);
    const report = await this.health.refresh();
    this.health.reveal();
    return report;
  }

  webviewState(timeoutMs?: number): Promise<WebviewStateDump> {
    return this.probe.state(timeoutMs);
  }

  select(checkpointId: string): void {
    this.selectedCheckpointId = checkpointId;
    this.pendingSelect = checkpointId;
    if (this.pageReady) this.sendSelect();
  }

  async receive(raw: unknown): Promise<void> {
    if (this.probe.accept(raw)) return;
    const message = parseWebviewMessage(raw);
    if (!message) {
      log.warn(`ignoring a malformed message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (e) {
      log.error(`${message.type} failed: ${messageOf(e)}`);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  private async handle(message: WebviewToExtension): Promise<void> {
    const checkpoint = (checkpointId: string) => ({ ...this.target, checkpointId });
    switch (message.type) {
      case MessageType.ready:
        this.pageReady = true;
        for (const m of this.loader.replay()) void this.panel.webview.postMessage(m);
        for (const action of this.actionsRunning) void this.panel.webview.postMessage({ type: MessageType.actionState, action, running: true });
        for (const m of this.health.replay()) void this.panel.webview.postMessage(m);
        if (this.pendingSelect) this.sendSelect();
        return;
      case MessageType.reload:
        await this.runAction('reload', () => this.loader.load());
        return;
      case MessageType.createCheckpoint: {
        // Same command as the tree, without options: the user is asked for lifetime, name and source.
        // The write reaches this panel through the registry (follow), like any other.
        const created = await this.runAction('create', () => vscode.commands.executeCommand<{ id: string } | undefined>(Command.createCheckpoint, { ...this.target }));
        if (created?.id) this.select(created.id);
        return;
      }
      case MessageType.refreshCheckpoint:
        await this.runAction('refresh', () => vscode.commands.executeCommand(Command.refreshCheckpoint, checkpoint(message.checkpointId)));
        return;
      case MessageType.deleteCheckpoint:
        // Without the options argument the command asks for confirmation, naming what it would free.
        await this.runAction('delete', () => vscode.commands.executeCommand(Command.deleteCheckpoint, checkpoint(message.checkpointId)));
        return;
      case MessageType.openManifest:
        await vscode.commands.executeCommand(Command.openManifest, { ...this.target }, message.manifestId);
        return;
      case MessageType.revealCheckpoint:
        await vscode.commands.executeCommand(Command.revealInTree, checkpoint(message.checkpointId));
        return;
      case MessageType.browseData:
        await vscode.commands.executeCommand(Command.browseData, checkpoint(message.checkpointId));
        return;
      case MessageType.selectionChanged:
        log.debug(`selected ${message.checkpointId ?? 'nothing'}`);
        this.selectedCheckpointId = message.checkpointId;
        this.pendingSelect = undefined;
        return;
    }
  }

  private async runAction<T>(action: ActionName, work: () => Thenable<T> | Promise<T>): Promise<T | undefined> {
    if (this.actionsRunning.has(action)) return undefined;
    this.actionsRunning.add(action);
    this.postNow({ type: MessageType.actionState, action, running: true });
    try {
      return await work();
    } catch (e) {
      // The commands report their own failures; a reload failure is shown in the page.
      log.warn(`${action}: ${messageOf(e)}`);
      return undefined;
    } finally {
      this.actionsRunning.delete(action);
      this.postNow({ type: MessageType.actionState, action, running: false });
    }
  }

  /**
   * The registry loaded a database (or dropped everything: `undefined`). If
   * it is ours and its latest manifest is not the one shown, load again.
   */
  private follow(changed: DatabaseTarget | undefined): void {
    if (changed === undefined) {
      void this.loader.load().catch(() => undefined);
      return;
    }
    if (!sameTarget(changed, this.target)) return;
    const latest = latestIdOf(this.host.databases.snapshot(changed));
    if (latest === undefined) return; // unreadable now: keep what is shown
    // After the running load, if any: it may have listed before this manifest was written.
    void this.loader
      .whenLoaded()
      .then((shown) => (shown.latestId !== latest && !this.isDisposed ? this.loader.load() : undefined))
      .catch(() => undefined);
  }

  private sendSelect(): void {
    if (!this.pendingSelect) return;
    void this.panel.webview.postMessage({ type: MessageType.selectCheckpoint, checkpointId: this.pendingSelect });
  }

  /** Posts if the page is up; what a restarted page needs again comes from the loader's replay. */
  private postNow(message: ExtensionToWebview): void {
    if (!this.isDisposed && this.pageReady) void this.panel.webview.postMessage(message);
  }
}
