/**
 * The history webview: one panel per database, showing its manifest
 * timeline, a chart of referenced / pinned bytes, and the SSTs a selected
 * checkpoint pins. The class owns the panel and everything it subscribes to
 * (`disposables`); `createOrShow` opens or focuses, `revive` restores a panel
 * VS Code kept across a restart (through the serializer in registerHistory.ts).
 *
 * Data flow: `load()` runs the engine's `loadHistory` (bounded parallel reads)
 * and posts each batch as it arrives, so the first screen shows before a long
 * history is in. Every message of the current load is kept in `replay`: a
 * webview that was hidden (its page is destroyed) or revived says `ready`
 * and gets them again without any request to the store. Manifests never
 * change once written, so reloads reuse a `HistoryCache` and read only new
 * ids.
 *
 * Security: strict CSP (`default-src 'none'`, scripts only with a fresh
 * random nonce, styles and fonts only from the extension), scripts limited to
 * dist/ and media/ through localResourceRoots, and the page renders every
 * string as text. Messages from the page are validated before use; actions go
 * through the same commands as the tree, so they ask and confirm the same way.
 */

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { DEFAULT_HISTORY_CONCURRENCY, History, HistoryBatch, HistoryCache, HistoryStart, loadHistory } from '../../engine/history';
import type { CheckpointInfo } from '../../engine/manifest/model';
import type { PinnedSst } from '../../engine/pinned';
import {
  ActionName,
  CheckpointData,
  ExtensionToWebview,
  HistoryBatchMessage,
  HistoryStartMessage,
  keyText,
  MessageType,
  parseWebviewMessage,
  PersistedState,
  PinnedSstData,
  WebviewStateDump,
  WebviewToExtension,
} from '../../shared/messages';
import { Command } from '../commandIds';
import type { CommandDeps } from '../commands/deps';
import { targetKey } from '../databases';
import { log } from '../log';
import { DatabaseTarget, isDatabaseTarget } from '../targets';

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
  /** Asks the page what it holds and shows. */
  webviewState(timeoutMs?: number): Promise<WebviewStateDump>;
  /** Handles a message as if the page had sent it. */
  receive(message: unknown): Promise<void>;
  dispose(): void;
}

export const HISTORY_VIEW_TYPE = 'slatedb.history';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function nonce(): string {
  return randomBytes(18).toString('base64');
}

function checkpointData(c: CheckpointInfo): CheckpointData {
  return { id: c.id, manifestId: c.manifestId, expireTimeS: c.expireTimeS, createTimeS: c.createTimeS, name: c.name, writerEpoch: c.writerEpoch };
}

function sstData(s: PinnedSst): PinnedSstData {
  return { id: s.id, level: s.level, sortedRun: s.sortedRun, firstKey: keyText(s.firstKey), sizeBytes: s.sizeBytes, exclusive: s.exclusive, externalDbPath: s.externalDbPath };
}

function batchMessage(generation: number, b: HistoryBatch): HistoryBatchMessage {
  return {
    type: MessageType.historyBatch,
    generation,
    manifests: b.manifests.map((m) => ({
      id: m.id,
      lastModified: m.lastModified,
      size: m.size,
      formatVersion: m.formatVersion,
      writerEpoch: m.writerEpoch,
      compactorEpoch: m.compactorEpoch,
      l0Count: m.l0Count,
      sortedRuns: m.sortedRuns,
      sstIds: m.sstIds,
      bytesReferenced: m.bytesReferenced,
      missingSsts: m.missingSsts,
      checkpoints: m.checkpoints.map(checkpointData),
      readOnlyReason: m.readOnlyReason,
      error: m.error,
      vanished: m.vanished,
    })),
    diffs: b.diffs,
    ...(b.pins
      ? {
          pins: b.pins.map((p) => ({
            checkpoint: checkpointData(p.checkpoint),
            manifestId: p.manifestId,
            manifestExists: p.manifestExists,
            manifestError: p.manifestError,
            ssts: p.ssts.map(sstData),
            totalBytes: p.totalBytes,
            reclaimableBytes: p.reclaimableBytes,
            bytesNotInLatest: p.bytesNotInLatest,
          })),
        }
      : {}),
    ...(b.bytes ? { bytes: b.bytes } : {}),
    loaded: b.loaded,
    total: b.total,
  };
}

export class HistoryPanel implements HistoryPanelApi {
  private static readonly panels = new Map<string, HistoryPanel>();

  /** Opens the history of `target`, or focuses it if open; optionally selects a checkpoint. */
  static createOrShow(deps: CommandDeps, target: DatabaseTarget, selectCheckpointId?: string): HistoryPanel {
    const key = targetKey(target);
    const existing = HistoryPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, false);
      if (selectCheckpointId) existing.select(selectCheckpointId);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(HISTORY_VIEW_TYPE, HistoryPanel.titleOf(target), vscode.ViewColumn.Active, {
      ...webviewOptions(deps.context.extensionUri),
    });
    const created = new HistoryPanel(panel, deps, { connectionId: target.connectionId, dbPath: target.dbPath });
    if (selectCheckpointId) created.select(selectCheckpointId);
    return created;
  }

  /** Restores a panel VS Code kept across a restart; `state` is what the page last saved. */
  static revive(panel: vscode.WebviewPanel, deps: CommandDeps, state: unknown): HistoryPanel | undefined {
    const target = (state as Partial<PersistedState> | undefined)?.target;
    log().info(`history panel: restoring ${isDatabaseTarget(target) ? target.dbPath || '/' : 'a panel without saved state'} (selected ${(state as Partial<PersistedState> | undefined)?.selectedCheckpointId ?? 'nothing'})`);
    if (!isDatabaseTarget(target)) {
      log().warn('history panel: nothing to restore (no saved database); closing it');
      panel.dispose();
      return undefined;
    }
    const key = targetKey(target);
    const existing = HistoryPanel.panels.get(key);
    if (existing) {
      panel.dispose();
      return existing;
    }
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    const revived = new HistoryPanel(panel, deps, { connectionId: target.connectionId, dbPath: target.dbPath });
    const selected = (state as Partial<PersistedState>).selectedCheckpointId;
    if (typeof selected === 'string') revived.selectedCheckpointId = selected;
    return revived;
  }

  static all(): HistoryPanel[] {
    return [...HistoryPanel.panels.values()];
  }

  static disposeAll(): void {
    for (const p of HistoryPanel.all()) p.dispose();
  }

  private static titleOf(target: DatabaseTarget): string {
    return `History: ${target.dbPath || '(store root)'}`;
  }

  readonly target: DatabaseTarget;
  history: History | undefined;
  selectedCheckpointId: string | null = null;
  disposed = false;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly cache = new HistoryCache();
  private generation = 0;
  private loading: Promise<History> | undefined;
  private abort: AbortController | undefined;
  /** Messages of the current load, replayed to a page that (re)starts. */
  private replay: ExtensionToWebview[] = [];
  private pageReady = false;
  private pendingSelect: string | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private nextRequestId = 1;
  private readonly dumpWaiters = new Map<number, (state: WebviewStateDump) => void>();
  private readonly actionsRunning = new Set<ActionName>();

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: CommandDeps,
    target: DatabaseTarget,
  ) {
    this.target = target;
    HistoryPanel.panels.set(targetKey(target), this);
    panel.iconPath = vscode.Uri.joinPath(deps.context.extensionUri, 'media', 'slatedb.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidChangeViewState((e) => {
        // A hidden page is destroyed: wait for its `ready` before posting again.
        if (!e.webviewPanel.visible) this.pageReady = false;
      }),
      // The tree and the poller notice new manifests; follow them.
      deps.tree.onDidChangeTreeData(() => this.followTree()),
      deps.connections.onDidChange(() => this.scheduleReload(0)),
    );
    void this.load();
  }

  whenLoaded(): Promise<History> {
    return this.loading ?? this.load();
  }

  reload(): Promise<History> {
    return this.load();
  }

  async webviewState(timeoutMs = 10_000): Promise<WebviewStateDump> {
    const requestId = this.nextRequestId++;
    return new Promise<WebviewStateDump>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.dumpWaiters.delete(requestId);
        reject(new Error(`the history page did not answer within ${timeoutMs} ms (ready: ${this.pageReady})`));
      }, timeoutMs);
      this.dumpWaiters.set(requestId, (state) => {
        clearTimeout(timer);
        resolve(state);
      });
      // Not part of the replay: asked again if the page restarts.
      const ask = () => void this.panel.webview.postMessage({ type: MessageType.dumpState, requestId });
      if (this.pageReady) ask();
      else {
        const poll = setInterval(() => {
          if (!this.dumpWaiters.has(requestId)) clearInterval(poll);
          else if (this.pageReady) {
            clearInterval(poll);
            ask();
          }
        }, 50);
      }
    });
  }

  select(checkpointId: string): void {
    this.selectedCheckpointId = checkpointId;
    this.pendingSelect = checkpointId;
    if (this.pageReady) this.sendSelect();
  }

  async receive(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      log().warn(`history panel: ignoring a malformed message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (e) {
      log().error(`history panel: ${message.type} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async handle(message: WebviewToExtension): Promise<void> {
    switch (message.type) {
      case MessageType.ready:
        this.pageReady = true;
        for (const m of this.replay) void this.panel.webview.postMessage(m);
        for (const action of this.actionsRunning) void this.panel.webview.postMessage({ type: MessageType.actionState, action, running: true });
        if (this.pendingSelect) this.sendSelect();
        return;
      case MessageType.reload:
        await this.runAction('reload', () => this.load());
        return;
      case MessageType.createCheckpoint: {
        // Same command as the tree, without options: the user is asked for lifetime, name and source.
        const created = await this.runAction('create', () => vscode.commands.executeCommand<{ id: string } | undefined>(Command.createCheckpoint, { ...this.target }));
        if (created?.id) this.select(created.id);
        if (created) await this.load();
        return;
      }
      case MessageType.refreshCheckpoint: {
        const done = await this.runAction('refresh', () => vscode.commands.executeCommand(Command.refreshCheckpoint, { ...this.target, checkpointId: message.checkpointId }));
        if (done) await this.load();
        return;
      }
      case MessageType.deleteCheckpoint: {
        // Without the options argument the command asks for confirmation, naming what it would free.
        const done = await this.runAction('delete', () => vscode.commands.executeCommand(Command.deleteCheckpoint, { ...this.target, checkpointId: message.checkpointId }));
        if (done) await this.load();
        return;
      }
      case MessageType.openManifest:
        await vscode.commands.executeCommand(Command.openManifest, { ...this.target }, message.manifestId);
        return;
      case MessageType.revealCheckpoint:
        await vscode.commands.executeCommand(Command.revealInTree, { ...this.target, checkpointId: message.checkpointId });
        return;
      case MessageType.selectionChanged:
        log().debug(`history panel: selected ${message.checkpointId ?? 'nothing'}`);
        this.selectedCheckpointId = message.checkpointId;
        this.pendingSelect = undefined;
        return;
      case MessageType.stateDump: {
        const waiter = this.dumpWaiters.get(message.requestId);
        this.dumpWaiters.delete(message.requestId);
        waiter?.(message.state);
        return;
      }
    }
  }

  private async runAction<T>(action: ActionName, work: () => Thenable<T> | Promise<T>): Promise<T | undefined> {
    if (this.actionsRunning.has(action)) return undefined;
    this.actionsRunning.add(action);
    this.post({ type: MessageType.actionState, action, running: true }, false);
    try {
      return await work();
    } catch (e) {
      // The commands report their own failures; a reload failure is shown in the page.
      log().warn(`history panel: ${action}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      this.actionsRunning.delete(action);
      this.post({ type: MessageType.actionState, action, running: false }, false);
    }
  }

  private sendSelect(): void {
    if (!this.pendingSelect) return;
    void this.panel.webview.postMessage({ type: MessageType.selectCheckpoint, checkpointId: this.pendingSelect });
  }

  /** Posts now if the page is up; `keep` adds it to what a restarted page is sent. */
  private post(message: ExtensionToWebview, keep = true): void {
    if (this.disposed) return;
    if (keep) this.replay.push(message);
    if (this.pageReady) void this.panel.webview.postMessage(message);
  }

  /** The tree redrew (a poll, a command): if the database has a newer manifest, load it. One warm LIST. */
  private followTree(): void {
    if (this.followTimer || this.disposed) return;
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      void (async () => {
        if (this.disposed || !this.history) return;
        const snapshot = this.deps.databases.snapshot(this.target);
        const latest = snapshot?.latestId ?? (await (await this.deps.databases.manifests(this.target)).latestId().catch(() => undefined));
        if (latest !== undefined && this.history && latest !== this.history.latestId) await this.load().catch(() => undefined);
      })();
    }, 300);
  }

  private scheduleReload(delayMs: number): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (!this.disposed) void this.load();
    }, delayMs);
  }

  private load(): Promise<History> {
    this.abort?.abort();
    const controller = new AbortController();
    this.abort = controller;
    const generation = ++this.generation;
    const run = (async () => {
      const ms = await this.deps.databases.manifests(this.target);
      const nowS = () => Math.floor(Date.now() / 1000);
      const history = await loadHistory(ms, {
        cache: this.cache,
        concurrency: DEFAULT_HISTORY_CONCURRENCY,
        signal: controller.signal,
        onStart: (s: HistoryStart) => {
          if (generation !== this.generation) return;
          this.replay = [];
          const latest = s.listing[0];
          const readOnlyReason = this.deps.databases.snapshot(this.target)?.readOnlyReason ?? null;
          const start: HistoryStartMessage = {
            type: MessageType.historyStart,
            generation,
            target: { ...this.target },
            dbPath: s.dbPath,
            location: ms.store.description,
            latestId: latest.id,
            listing: s.listing.map((l) => ({ id: l.id, lastModified: l.lastModified.getTime(), size: l.size })),
            gaps: s.gaps,
            checkpoints: s.checkpoints.map(checkpointData),
            writable: readOnlyReason === null,
            readOnlyReason,
            nowS: nowS(),
          };
          this.post(start);
        },
        onBatch: (b) => {
          if (generation !== this.generation) return;
          const message = batchMessage(generation, b);
          this.post(message);
        },
      });
      if (generation === this.generation) {
        this.history = history;
        this.post({
          type: MessageType.historyDone,
          generation,
          durationMs: history.stats.durationMs,
          firstBatchMs: history.stats.firstBatchMs,
          read: history.stats.read,
          fromCache: history.stats.fromCache,
        });
        log().info(
          `history of ${this.target.dbPath || '/'}: ${history.manifests.length} manifests (${history.stats.read} read, ${history.stats.fromCache} cached) in ${history.stats.durationMs.toFixed(0)} ms, first batch after ${history.stats.firstBatchMs.toFixed(0)} ms`,
        );
      }
      return history;
    })();
    const tracked = run.catch((e: unknown) => {
      if (generation === this.generation && !controller.signal.aborted) {
        const message = e instanceof Error ? e.message : String(e);
        log().error(`history of ${this.target.dbPath || '/'}: ${message}`);
        this.replay = [];
        this.post({ type: MessageType.historyError, generation, message });
      }
      throw e;
    });
    tracked.catch(() => undefined); // reported above; callers that await get the rejection
    this.loading = tracked;
    return tracked;
  }

  private html(): string {
    const webview = this.panel.webview;
    const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.deps.context.extensionUri, ...parts)).toString();
    const n = nonce();
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${n}'`,
    ].join('; ');
    // Only fixed text and URIs of our own files go into this HTML; data arrives by message and is
    // rendered as text by the page.
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('media', 'history.css')}">
<title>SlateDB history</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="boot">Loading the manifest history…</p></main>
<script nonce="${n}" src="${uri('dist', 'webview.js')}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort?.abort();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    if (this.followTimer) clearTimeout(this.followTimer);
    HistoryPanel.panels.delete(targetKey(this.target));
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
