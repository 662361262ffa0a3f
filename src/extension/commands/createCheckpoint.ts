/**
 * SlateDB: Create Checkpoint. Interactive flow (lifetime presets or free
 * humantime text validated as you type, optional name, optional source
 * checkpoint), or non-interactive when called with options (webview, tests).
 */

import * as vscode from 'vscode';
import { createCheckpoint } from '../../engine/checkpoints';
import { parseDuration } from '../../engine/duration';
import { EngineError } from '../../engine/errors';
import { expiryPhrase, relativeTime } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import { engineLog } from '../log';
import type { DatabaseTarget } from '../targets';
import type { CommandDeps } from './deps';
import { runOperation, runQuietly } from './operation';
import { pickDatabase } from './pickers';

export interface CreateCheckpointArgs {
  /** humantime text; null or absent = never expires. */
  lifetime?: string | null;
  name?: string;
  sourceId?: string;
}

const PRESETS: { label: string; lifetime: string | null; description?: string }[] = [
  { label: '1 hour', lifetime: '1h' },
  { label: '1 day', lifetime: '1day' },
  { label: '7 days', lifetime: '7days' },
  { label: '30 days', lifetime: '30days' },
  { label: 'Never expires', lifetime: null, description: 'pins its SSTs until deleted' },
];

export function validateLifetime(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (e) {
    return e instanceof EngineError ? e.message : String(e);
  }
}

export function validateName(text: string): string | undefined {
  if (text.length > 1024) return 'At most 1024 characters.';
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'Control characters are not allowed.';
  return undefined;
}

type LifetimeItem = vscode.QuickPickItem & { lifetime?: string | null; invalid?: boolean };

/**
 * Lifetime: presets, or type any humantime duration straight into the box —
 * it is parsed as you type and offered as the first item ("2h 30min = 2 h 30 min
 * from now"); text that is not a duration shows why instead.
 */
async function askLifetime(where: string): Promise<string | null | undefined> {
  const custom: LifetimeItem = { label: 'Custom…', description: 'or just type a duration: "90min", "7days 12h"' };
  const presets: LifetimeItem[] = PRESETS.map((p) => ({ label: p.label, description: p.description, lifetime: p.lifetime }));
  const qp = vscode.window.createQuickPick<LifetimeItem>();
  qp.title = `Create Checkpoint in ${where} (1/3): lifetime`;
  qp.placeholder = 'Pick a lifetime or type one, e.g. "2h 30min"';
  qp.items = [...presets, custom];
  qp.onDidChangeValue((value) => {
    const text = value.trim();
    if (!text || PRESETS.some((p) => p.label.toLowerCase().startsWith(text.toLowerCase()))) {
      qp.items = [...presets, custom];
      return;
    }
    const problem = validateLifetime(text);
    const typed: LifetimeItem = problem
      ? { label: `$(error) "${text}" is not a duration`, detail: problem.replace(/^lifetime "[^"]*" is not valid: /, ''), alwaysShow: true, invalid: true }
      : { label: `$(clock) ${text}`, description: `expires ${relativeTime(Math.floor(parseDuration(text) / 1000), 0)}`, lifetime: text, alwaysShow: true };
    qp.items = [typed, ...presets, custom];
    qp.activeItems = [typed];
  });
  const picked = await new Promise<LifetimeItem | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item?.invalid) return; // keep the picker open until the text is a duration
      resolve(item);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) return undefined;
  if (picked !== custom) return picked.lifetime;
  const text = await vscode.window.showInputBox({
    title: `Create Checkpoint in ${where} (1/3): lifetime`,
    prompt: 'A humantime duration such as "1h", "90s" or "7days 30min 10s"',
    placeHolder: '7days 12h',
    validateInput: (v) => (v.trim() === '' ? 'Enter a duration, e.g. 2h' : validateLifetime(v)),
  });
  return text === undefined ? undefined : text.trim();
}

export function registerCreateCheckpoint(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(Command.createCheckpoint, async (arg?: unknown, options?: CreateCheckpointArgs) => {
    const target = await pickDatabase(deps.connections, arg);
    if (!target) return undefined;
    if (options) {
      // Called from code: no prompts, errors are thrown to the caller.
      return runQuietly('Create checkpoint', () => doCreate(deps, target, options));
    }
    const where = target.dbPath || '(store root)';
    const lifetime = await askLifetime(where);
    if (lifetime === undefined) return undefined;
    const name = await vscode.window.showInputBox({ title: `Create Checkpoint in ${where} (2/3): name (optional)`, prompt: 'A name to find the checkpoint by; leave empty for none', validateInput: validateName });
    if (name === undefined) return undefined;
    const snap = deps.databases.snapshot(target) ?? (await deps.databases.load(target));
    const now = Math.floor(Date.now() / 1000);
    const source = await vscode.window.showQuickPick(
      [
        { label: `$(arrow-up) Latest manifest`, description: `pins manifest #${snap.latestId + 1}, the one this creates`, sourceId: undefined as string | undefined },
        ...snap.checkpoints.map((c) => ({ label: `$(history) ${c.name ?? c.id.slice(0, 8)}`, description: `same manifest as this checkpoint: #${c.manifestId} · ${expiryPhrase(c, now)}`, detail: c.id, sourceId: c.id })),
      ],
      { title: `Create Checkpoint in ${where} (3/3): what to pin`, placeHolder: 'The latest state, or the state an existing checkpoint pins' },
    );
    if (!source) return undefined;
    const created = await runOperation(`Creating checkpoint in ${target.dbPath}`, () => doCreate(deps, target, { lifetime, name: name || undefined, sourceId: source.sourceId }));
    if (created) {
      const label = name || created.id;
      // Same wording as the tree ("expires in 24 h"), not the humantime input ("1day").
      const lifetimeText = lifetime ? `, expires ${relativeTime(now + Math.floor(parseDuration(lifetime) / 1000), now)}` : ', never expires';
      void vscode.window.showInformationMessage(`Created checkpoint ${label} pinning manifest #${created.manifestId}${lifetimeText}.`, 'Copy Id').then((c) => {
        if (c === 'Copy Id') void vscode.env.clipboard.writeText(created.id);
      });
      void vscode.commands.executeCommand(Command.revealInTree, { ...target, checkpointId: created.id });
    }
    return created;
  });
}

async function doCreate(deps: CommandDeps, target: DatabaseTarget, options: CreateCheckpointArgs): Promise<{ id: string; manifestId: number }> {
  // Validate everything before the first request.
  const lifetimeMs = options.lifetime ? parseDuration(options.lifetime) : undefined;
  const ms = await deps.databases.manifests(target);
  const created = await createCheckpoint(ms, { lifetimeMs, name: options.name, sourceId: options.sourceId }, { log: engineLog });
  await deps.tree.refresh(target);
  await deps.databases.load(target).catch(() => undefined);
  return { id: created.id, manifestId: created.manifestId };
}
