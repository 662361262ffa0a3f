/**
 * The data a checkpoint holds: Browse Data (a checkpoint's or the latest
 * state's keys and values), Compare with… (keys added / removed / changed
 * between two states), Compare Value (VS Code's diff editor on one key's two
 * values), Open Value (a read-only editor), and Verify Checkpoint (shallow or
 * deep, under a cancellable progress notification). Everything here reads;
 * nothing writes to the store.
 *
 * Each command takes a tree node or a plain target, or asks (palette);
 * Browse Data and Compare with… return the panel (`DataPanelApi`), Verify
 * returns the engine's result, for callers in this host (tests, the panels).
 */

import * as vscode from 'vscode';
import { isEngineError, messageOf } from '../../engine/errors';
import { verifyCheckpoint, VerifyResult } from '../../engine/verify';
import { checkpointLabel, expiryPhrase } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { formatBytes } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import { createLogger, showLog } from '../log';
import { CheckpointTarget, DatabaseTarget, isCheckpointTarget, isDatabaseTarget } from '../targets';
import { compareValueDocuments, isValueRef, openValueDocument, VALUE_SCHEME, ValueDocumentProvider } from '../valueDocument';
import { verificationState } from '../verificationState';
import { DATA_VIEW_TYPE, DataPanel, DataPanelApi } from '../webview/dataPanel';
import type { CommandDeps } from './deps';
import { runOperation } from './operation';
import { pickCheckpoint, pickDatabase } from './pickers';

const log = createLogger('data');

/** A checkpoint id, null for "latest", or undefined when the argument names no state. */
function stateOf(arg: unknown): string | null | undefined {
  const direct = arg as { checkpointId?: unknown } | undefined;
  if (isCheckpointTarget(arg)) return arg.checkpointId;
  if (isDatabaseTarget(arg) && direct?.checkpointId === null) return null;
  const inner = (arg as { target?: unknown } | undefined)?.target;
  if (isCheckpointTarget(inner)) return inner.checkpointId;
  return undefined;
}

interface StateItem extends vscode.QuickPickItem {
  checkpointId: string | null;
  manifestId: number;
}

/** "Latest state" and the database's checkpoints (newest first), minus `except`. */
async function pickState(deps: CommandDeps, db: DatabaseTarget, title: string, except?: string | null): Promise<StateItem | undefined> {
  const snap = await runOperation(`Reading ${databaseLabel(db.dbPath)}`, () => deps.databases.current(db, { fresh: true }));
  if (!snap) return undefined;
  const now = Math.floor(Date.now() / 1000);
  const items: StateItem[] = [];
  if (except !== null) items.push({ label: '$(arrow-up) Latest state', description: `manifest #${snap.latestId}`, detail: 'The database as it is now (latest manifest and its WAL)', checkpointId: null, manifestId: snap.latestId });
  for (const c of [...snap.checkpoints].sort((a, b) => b.manifestId - a.manifestId || b.createTimeS - a.createTimeS)) {
    if (c.id === except) continue;
    items.push({ label: `$(bookmark) ${checkpointLabel(c)}`, description: `→ #${c.manifestId} · ${expiryPhrase(c, now)}`, detail: c.id, checkpointId: c.id, manifestId: c.manifestId });
  }
  // ignoreFocusOut: a webview that takes the focus back as the previous pick closes must not dismiss this one.
  return vscode.window.showQuickPick(items, { title, placeHolder: items.length ? 'State' : 'Nothing to choose: the database has no other state', matchOnDetail: true, ignoreFocusOut: true });
}

/** The manifest a state reads (for ordering compare sides older → newer); latest = +∞. */
async function manifestOf(deps: CommandDeps, db: DatabaseTarget, checkpointId: string | null): Promise<number> {
  if (checkpointId === null) return Number.POSITIVE_INFINITY;
  const snap = await deps.databases.current(db);
  return snap.checkpoints.find((c) => c.id === checkpointId)?.manifestId ?? Number.POSITIVE_INFINITY;
}

async function browseData(deps: CommandDeps, arg: unknown): Promise<DataPanelApi | undefined> {
  const db = await pickDatabase(deps.connections, arg);
  if (!db) return undefined;
  let checkpointId = stateOf(arg);
  if (checkpointId === undefined && !isDatabaseTarget(arg) && !isDatabaseTarget((arg as { target?: unknown } | undefined)?.target)) {
    // From the palette: the database was just picked; which state of it?
    const picked = await pickState(deps, db, `SlateDB: browse the data of ${databaseLabel(db.dbPath)} at…`);
    if (!picked) return undefined;
    checkpointId = picked.checkpointId;
  }
  return DataPanel.createOrShow(deps, { target: db, checkpointId: checkpointId ?? null });
}

async function compareWith(deps: CommandDeps, arg: unknown, options?: { to?: string | null }): Promise<DataPanelApi | undefined> {
  let from = stateOf(arg);
  let db: DatabaseTarget | undefined;
  if (from === undefined) {
    const cp: CheckpointTarget | undefined = await pickCheckpoint(deps.connections, deps.databases, arg);
    if (!cp) return undefined;
    db = { connectionId: cp.connectionId, dbPath: cp.dbPath };
    from = cp.checkpointId;
  } else {
    db = await pickDatabase(deps.connections, arg);
    if (!db) return undefined;
  }
  let to = options?.to;
  if (to === undefined) {
    const picked = await pickState(deps, db, `SlateDB: compare ${from === null ? 'the latest state' : from.slice(0, 8)} of ${databaseLabel(db.dbPath)} with…`, from);
    if (!picked) return undefined;
    to = picked.checkpointId;
  }
  if (to === from) {
    void vscode.window.showWarningMessage('SlateDB: choose two different states to compare.');
    return undefined;
  }
  // Older → newer, so "added" means "written since".
  const [a, b] = await Promise.all([manifestOf(deps, db, from), manifestOf(deps, db, to)]);
  const [older, newer] = a <= b ? [from, to] : [to, from];
  return DataPanel.createOrShow(deps, { target: db, checkpointId: older, compareTo: newer });
}

function verifySummary(r: VerifyResult, deep: boolean): string {
  const c = r.checked;
  return `${c.ssts} SST${c.ssts === 1 ? '' : 's'}, ${c.walFiles} WAL file${c.walFiles === 1 ? '' : 's'}, ${formatBytes(c.bytes)}${deep ? `, ${c.blocks} blocks read` : ''}`;
}

async function verify(deps: CommandDeps, arg: unknown, options?: { deep?: boolean }): Promise<VerifyResult | undefined> {
  const target = await pickCheckpoint(deps.connections, deps.databases, arg);
  if (!target) return undefined;
  // Shallow unless asked (the tree and the palette offer both commands: Verify Checkpoint (Shallow) / (Deep)).
  const deep = options?.deep === true;
  const how = deep ? 'deep' : 'shallow';
  const ms = await deps.databases.manifestStore(target);
  const name = (await deps.databases.current(target).catch(() => undefined))?.checkpoints.find((c) => c.id === target.checkpointId);
  const label = name ? checkpointLabel(name) : target.checkpointId.slice(0, 8);
  let result: VerifyResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Verifying checkpoint ${label} (${how})`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        try {
          const latestBefore = await ms.latestId();
          let lastMessage = '';
          const r = await verifyCheckpoint(ms, target.checkpointId, {
            deep,
            signal: controller.signal,
            onProgress: (p) => {
              const message = progressText(p);
              if (message !== lastMessage) progress.report({ message });
              lastMessage = message;
            },
          });
          if (r.ok && latestBefore !== undefined) verificationState.recordOk(target, target.checkpointId, { at: Date.now(), deep, latestManifestId: latestBefore });
          else if (!r.ok) verificationState.recordFailed(target, target.checkpointId);
          return r;
        } finally {
          sub.dispose();
        }
      },
    );
  } catch (e) {
    if (isEngineError(e, 'CANCELLED')) {
      log.info(`verify ${target.checkpointId} (${how}): cancelled`);
      void vscode.window.showInformationMessage(`SlateDB: verifying ${label} was cancelled.`);
      return undefined;
    }
    log.error(`verify ${target.checkpointId} (${how}): ${messageOf(e)}`);
    void vscode.window.showErrorMessage(`SlateDB: could not verify checkpoint ${label}: ${messageOf(e)}`, 'Show Log').then((c) => c && showLog(true));
    return undefined;
  }
  if (result.ok) {
    log.info(`verify ${target.checkpointId} (${how}): OK, ${verifySummary(result, deep)}`);
    void vscode.window.showInformationMessage(`SlateDB: checkpoint ${label} verified OK (${how}): ${verifySummary(result, deep)}.`);
  } else {
    for (const p of result.problems) log.warn(`verify ${target.checkpointId} (${how}): ${p.key}: ${p.problem}`);
    const first = result.problems[0];
    void vscode.window
      .showErrorMessage(`SlateDB: checkpoint ${label} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} (${how}). First: ${first.key}: ${first.problem}`, 'Show Problems', 'Show Log')
      .then((choice) => {
        if (choice === 'Show Log') showLog(true);
        if (choice === 'Show Problems') void showProblems(label, how, result);
      });
  }
  return result;
}

function progressText(p: unknown): string {
  const q = p as { done?: number; total?: number; key?: string; phase?: string } | undefined;
  if (!q) return '';
  const count = q.total ? `${q.done ?? 0} of ${q.total} objects` : q.done !== undefined ? `${q.done} objects` : '';
  return [q.phase, count, q.key].filter(Boolean).join(' · ');
}

/** Every problem: what is wrong, and the object it is about. */
async function showProblems(label: string, how: string, r: VerifyResult): Promise<void> {
  await vscode.window.showQuickPick(
    r.problems.map((p) => ({ label: `$(error) ${p.problem}`, description: p.key })),
    { title: `Checkpoint ${label}: ${r.problems.length} problem(s) (${how} verify)`, placeHolder: 'Object key and what is wrong', matchOnDescription: true },
  );
}

export function registerDataCommands(deps: CommandDeps): vscode.Disposable[] {
  const values = new ValueDocumentProvider(deps.databases);
  return [
    vscode.workspace.registerTextDocumentContentProvider(VALUE_SCHEME, values),
    vscode.commands.registerCommand(Command.browseData, (arg?: unknown) => browseData(deps, arg)),
    vscode.commands.registerCommand(Command.compareWith, (arg?: unknown, options?: { to?: string | null }) => compareWith(deps, arg, options)),
    vscode.commands.registerCommand(Command.openValue, async (ref?: unknown) => {
      if (!isValueRef(ref)) throw new Error('SlateDB: Open Value needs a value from the data panel (database, state and key)');
      const editor = await openValueDocument(values, ref);
      return editor?.document.uri.toString();
    }),
    vscode.commands.registerCommand(Command.compareValue, async (args?: unknown) => {
      const a = args as { from?: unknown; to?: unknown } | undefined;
      if (!isValueRef(a?.from) || !isValueRef(a?.to)) throw new Error('SlateDB: Compare Value needs a key of the compare panel');
      await compareValueDocuments(values, { from: a.from, to: a.to });
    }),
    vscode.commands.registerCommand(Command.verifyCheckpoint, (arg?: unknown, options?: { deep?: boolean }) => verify(deps, arg, options)),
    vscode.commands.registerCommand(Command.verifyCheckpointDeep, (arg?: unknown) => verify(deps, arg, { deep: true })),
    vscode.window.registerWebviewPanelSerializer(DATA_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        DataPanel.revive(panel, deps, state);
      },
    }),
    { dispose: () => DataPanel.disposeAll() },
  ];
}
