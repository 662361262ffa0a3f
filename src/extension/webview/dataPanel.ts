/**
 * The data webview: Browse Data (keys and values of one state) or Compare
 * (keys added, removed or changed between two). One panel per database and
 * state(s); `createOrShow` opens or focuses, `revive` restores one VS Code
 * kept across a restart (the serializer in commands/dataCommands.ts).
 *
 * The states are resolved once per (re)load; every scan runs here, in the
 * extension host, through DataQueryRunner (dataLoader.ts) with one bounded
 * block cache per panel. The page gets rendered previews, never the store,
 * a connection or a secret; what it sends is validated
 * (parseDataWebviewMessage) and keys it names are re-read at the panel's
 * own state before anything is copied or opened.
 */

import * as vscode from 'vscode';
import { messageOf } from '../../engine/errors';
import { diffStates } from '../../engine/read/diff';
import { scanState } from '../../engine/read/pointInTime';
import { renderKey } from '../../engine/read/render';
import { BlockCache } from '../../engine/sst/blockCache';
import { DATA_PAGE_SIZE, DataExtensionToWebview, DataMessageType, DataPersistedState, DataWebviewToExtension, hexToBytes, parseDataWebviewMessage } from '../../shared/dataMessages';
import { DataPageDump, DataProbeAction, DataProbeDumpMessage, DataProbeType } from '../../shared/dataProbeMessages';
import { Command } from '../commandIds';
import type { CommandDeps } from '../commands/deps';
import { Disposable, toDisposable } from '../common/disposable';
import { latestIdOf } from '../databaseRegistry';
import { createLogger } from '../log';
import { isDatabaseTarget, targetKey, type DatabaseTarget } from '../targets';
import type { CompareValueArgs, ValueRef } from '../valueDocument';
import { clipboardText } from './dataRender';
import { DataQueryRunner, DataSource } from './dataLoader';
import { DATA_PAGE, pageHtml, webviewOptions } from './pageHtml';
import { DATA_PROBE, PageProbe } from './pageProbe';
import { lookupValue, OpenedState, openState } from './dataStates';

const log = createLogger('data');

export const DATA_VIEW_TYPE = 'slatedb.data';

/** Decoded blocks kept per panel (a page of 100 keys touches a few blocks per overlapping SST). */
export const DATA_CACHE_BYTES = 16 * 1024 * 1024;

/** What a panel shows: one state, or two to compare (`compareTo` set; checkpoint ids, null = latest). */
export interface DataPanelSpec {
  target: DatabaseTarget;
  checkpointId: string | null;
  compareTo?: string | null;
}

/** What other code in this extension host (and the integration tests) may use. */
export interface DataPanelApi {
  readonly spec: DataPanelSpec;
  readonly disposed: boolean;
  /** Resolves once the states are resolved (rejects with the reason when they cannot be). */
  whenOpened(): Promise<{ state: OpenedState; compareTo: OpenedState | null }>;
  /** Asks the page what it holds and shows (test probe). */
  pageState(timeoutMs?: number): Promise<DataPageDump>;
  /** Makes the page act as a user would (test probe); resolves once the page got it. */
  pageAct(action: DataProbeAction): Promise<void>;
  /** Handles a message as if the page had sent it. */
  receive(message: unknown): Promise<void>;
  dispose(): void;
}

function specKey(s: DataPanelSpec): string {
  return [targetKey(s.target), s.checkpointId ?? 'latest', s.compareTo === undefined ? '' : (s.compareTo ?? 'latest')].join('\u0000');
}

export class DataPanel extends Disposable implements DataPanelApi {
  private static readonly panels = new Map<string, DataPanel>();

  static createOrShow(deps: CommandDeps, spec: DataPanelSpec): DataPanel {
    const existing = DataPanel.panels.get(specKey(spec));
    if (existing) {
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DATA_VIEW_TYPE, 'SlateDB data', vscode.ViewColumn.Active, webviewOptions(deps.context.extensionUri));
    return new DataPanel(panel, deps, spec);
  }

  /** Restores a panel VS Code kept across a restart; `state` is what the page last saved. */
  static revive(panel: vscode.WebviewPanel, deps: CommandDeps, state: unknown): DataPanel | undefined {
    const s = state as Partial<DataPersistedState> | undefined;
    if (!s || !isDatabaseTarget(s.target) || (s.checkpointId !== null && typeof s.checkpointId !== 'string')) {
      log.warn('data panel: nothing to restore (no saved database); closing it');
      panel.dispose();
      return undefined;
    }
    const spec: DataPanelSpec = { target: { connectionId: s.target.connectionId, dbPath: s.target.dbPath }, checkpointId: s.checkpointId ?? null };
    if (s.mode === 'compare') spec.compareTo = typeof s.compareToCheckpointId === 'string' ? s.compareToCheckpointId : null;
    const existing = DataPanel.panels.get(specKey(spec));
    if (existing) {
      panel.dispose();
      return existing;
    }
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    return new DataPanel(panel, deps, spec);
  }

  static all(): DataPanel[] {
    return [...DataPanel.panels.values()];
  }

  static disposeAll(): void {
    for (const p of DataPanel.all()) p.dispose();
  }

  disposed = false;
  private readonly cache = new BlockCache(DATA_CACHE_BYTES);
  private opening: Promise<{ state: OpenedState; compareTo: OpenedState | null }>;
  private opened: { state: OpenedState; compareTo: OpenedState | null } | undefined;
  private runner: DataQueryRunner | undefined;
  private pageReady = false;
  private readonly probe: PageProbe<DataProbeDumpMessage, DataPageDump>;

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly deps: CommandDeps,
    readonly spec: DataPanelSpec,
  ) {
    super();
    DataPanel.panels.set(specKey(spec), this);
    panel.iconPath = vscode.Uri.joinPath(deps.context.extensionUri, 'media', 'slatedb.svg');
    panel.title = this.title(null);
    panel.webview.html = pageHtml(panel.webview, deps.context.extensionUri, DATA_PAGE);
    this.probe = this._register(new PageProbe(DATA_PROBE, (m) => void panel.webview.postMessage(m), () => this.pageReady));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
    // A hidden page is destroyed: wait for its `ready` before posting again.
    this._register(
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.pageReady = false;
      }),
    );
    // A latest state does not follow the database (paging would jump): the page offers Reload instead.
    this._register(deps.databases.onDidChange((t) => (t && targetKey(t) === targetKey(spec.target) ? this.checkNewer() : undefined)));
    this._register(toDisposable(() => this.runner?.dispose()));
    this.opening = this.open();
  }

  whenOpened(): Promise<{ state: OpenedState; compareTo: OpenedState | null }> {
    return this.opening;
  }

  pageState(timeoutMs = 10_000): Promise<DataPageDump> {
    return this.probe.state(timeoutMs);
  }

  async pageAct(action: DataProbeAction): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.pageReady) {
      if (this.disposed || Date.now() > deadline) throw new Error('the data page is not up');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await this.panel.webview.postMessage({ type: DataProbeType.act, action });
  }

  async receive(raw: unknown): Promise<void> {
    if (this.probe.accept(raw)) return;
    const message = parseDataWebviewMessage(raw);
    if (!message) {
      log.warn(`data panel: ignoring a malformed message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (e) {
      log.error(`data panel: ${message.type} failed: ${messageOf(e)}`);
      void vscode.window.showErrorMessage(`SlateDB: ${messageOf(e)}`);
    }
  }

  private async handle(message: DataWebviewToExtension): Promise<void> {
    switch (message.type) {
      case DataMessageType.ready:
        this.pageReady = true;
        await this.sendInit();
        return;
      case DataMessageType.query:
        await this.opening;
        await this.runner?.query(message);
        return;
      case DataMessageType.more:
        await this.runner?.more(message.queryId);
        return;
      case DataMessageType.countAll:
        await this.runner?.countAll(message.queryId);
        return;
      case DataMessageType.cancelCount:
        this.runner?.cancelCount();
        return;
      case DataMessageType.copy:
        await this.copy(message.what, message.keyHex);
        return;
      case DataMessageType.openValue: {
        const { state, compareTo } = await this.opening;
        const side = compareTo && message.side !== 'from' ? compareTo : state;
        await vscode.commands.executeCommand(Command.openValue, this.valueRef(side, message.keyHex));
        return;
      }
      case DataMessageType.compareValue: {
        const { state, compareTo } = await this.opening;
        if (!compareTo) return;
        const args: CompareValueArgs = { from: this.valueRef(state, message.keyHex), to: this.valueRef(compareTo, message.keyHex) };
        await vscode.commands.executeCommand(Command.compareValue, args);
        return;
      }
      case DataMessageType.compareWith:
        await vscode.commands.executeCommand(Command.compareWith, { ...this.spec.target, checkpointId: this.spec.checkpointId });
        return;
      case DataMessageType.browse: {
        const id = message.side === 'from' ? this.spec.checkpointId : (this.spec.compareTo ?? null);
        await vscode.commands.executeCommand(Command.browseData, id === null ? { ...this.spec.target } : { ...this.spec.target, checkpointId: id });
        return;
      }
      case DataMessageType.reload:
        this.runner?.dispose();
        this.runner = undefined;
        this.opening = this.open();
        await this.opening.catch(() => undefined);
        await this.sendInit();
        return;
    }
  }

  private checkNewer(): void {
    const latest = latestIdOf(this.deps.databases.snapshot(this.spec.target));
    const o = this.opened;
    if (!o || latest === undefined) return;
    const sides = [o.state, o.compareTo].filter((x): x is OpenedState => x !== null && x.ref.checkpointId === null);
    if (sides.some((side) => side.ref.manifestId < latest)) this.post({ type: DataMessageType.newer, manifestId: latest });
  }

  private valueRef(side: OpenedState, keyHex: string): ValueRef {
    return { ...this.spec.target, checkpointId: side.ref.checkpointId, manifestId: side.ref.manifestId, label: side.ref.label, keyHex };
  }

  private async copy(what: 'key' | 'value' | 'oldValue', keyHex: string): Promise<void> {
    const { state, compareTo } = await this.opening;
    const key = hexToBytes(keyHex);
    if (what === 'key') {
      // As SlateDB's CLI prints it (text, or 0x… hex), whole even when the page shows it cut.
      await vscode.env.clipboard.writeText(renderKey(key, 'auto'));
      this.post({ type: DataMessageType.notice, text: 'Copied the key' });
      return;
    }
    const side = what === 'oldValue' || !compareTo ? state : compareTo;
    const found = await lookupValue(side, key, this.cache);
    if (!found) {
      this.post({ type: DataMessageType.notice, text: `The key is not in ${side.ref.label} (nothing copied)` });
      return;
    }
    await vscode.env.clipboard.writeText(clipboardText(found.value));
    this.post({ type: DataMessageType.notice, text: `Copied the value (${found.value.length} bytes)` });
  }

  private async open(): Promise<{ state: OpenedState; compareTo: OpenedState | null }> {
    const run = (async () => {
      const first = await openState(this.deps, this.spec.target, this.spec.checkpointId);
      const second = this.spec.compareTo === undefined ? null : await openState(this.deps, this.spec.target, this.spec.compareTo);
      const source: DataSource = second
        ? { mode: 'compare', diff: (range, signal) => diffStates(first.store, first.source, second.source, { range, signal, cache: this.cache }) }
        : { mode: 'browse', scan: (range, signal) => scanState(first.store, first.source, { range, signal, cache: this.cache }) };
      this.runner?.dispose();
      this.runner = new DataQueryRunner(source, (m) => this.post(m), DATA_PAGE_SIZE, (line) => log.debug(line));
      this.opened = { state: first, compareTo: second };
      this.panel.title = this.title(this.opened);
      log.info(`data panel: ${this.panel.title} (${first.store.description})`);
      return this.opened;
    })();
    run.catch((e: unknown) => log.error(`data panel: ${this.title(null)}: ${messageOf(e)}`));
    return run;
  }

  private async sendInit(): Promise<void> {
    let opened: { state: OpenedState; compareTo: OpenedState | null };
    try {
      opened = await this.opening;
    } catch (e) {
      // The page shows why (a deleted checkpoint, an unreadable manifest) and offers Reload.
      this.post({
        type: DataMessageType.init,
        mode: this.spec.compareTo === undefined ? 'browse' : 'compare',
        target: { ...this.spec.target },
        dbPath: this.spec.target.dbPath,
        location: '',
        state: { checkpointId: this.spec.checkpointId, label: this.spec.checkpointId ?? 'latest', manifestId: 0 },
        compareTo: this.spec.compareTo === undefined ? null : { checkpointId: this.spec.compareTo, label: this.spec.compareTo ?? 'latest', manifestId: 0 },
        pageSize: DATA_PAGE_SIZE,
        active: { queryId: 0, search: { kind: 'all' }, kinds: [] },
      });
      this.post({ type: DataMessageType.queryError, queryId: 0, message: messageOf(e) });
      return;
    }
    const runner = this.runner!;
    this.post({
      type: DataMessageType.init,
      mode: opened.compareTo ? 'compare' : 'browse',
      target: { ...this.spec.target },
      dbPath: this.spec.target.dbPath,
      location: opened.state.store.description,
      state: opened.state.ref,
      compareTo: opened.compareTo?.ref ?? null,
      pageSize: DATA_PAGE_SIZE,
      active: runner.active(),
    });
    for (const m of runner.replay()) this.post(m);
  }

  private post(message: DataExtensionToWebview): void {
    if (this.disposed || !this.pageReady) return;
    void this.panel.webview.postMessage(message);
  }

  private title(opened: { state: OpenedState; compareTo: OpenedState | null } | null): string {
    const db = this.spec.target.dbPath || '(store root)';
    const label = (id: string | null | undefined) => (id === null || id === undefined ? 'latest' : id.slice(0, 8));
    if (this.spec.compareTo !== undefined) return `Compare ${db}: ${opened ? opened.state.ref.label : label(this.spec.checkpointId)} → ${opened?.compareTo ? opened.compareTo.ref.label : label(this.spec.compareTo)}`;
    return `Data: ${db} @ ${opened ? opened.state.ref.label : label(this.spec.checkpointId)}`;
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    DataPanel.panels.delete(specKey(this.spec));
    super.dispose();
    this.panel.dispose();
  }
}
