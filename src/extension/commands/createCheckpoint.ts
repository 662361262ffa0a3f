/**
 * SlateDB: Create Checkpoint. Interactive flow (lifetime picker, optional
 * name, optional source checkpoint), or non-interactive when called with
 * options (webview, tests). After the write the registry reloads the
 * database, so the tree and any history panel show the new checkpoint.
 */

import * as vscode from 'vscode';
import { createCheckpoint, validateCheckpointName } from '../../engine/checkpoints';
import { parseDuration } from '../../engine/duration';
import { messageOf } from '../../engine/errors';
import { checkpointLabel, expiryPhrase, relativeTime } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { engineLog } from '../log';
import type { DatabaseTarget } from '../targets';
import type { CommandDeps } from './deps';
import { pickLifetime } from './lifetimePicker';
import { runOperation, runQuietly } from './operation';
import { pickDatabase } from './pickers';

export interface CreateCheckpointArgs {
  /** humantime text; null or absent = never expires. */
  lifetime?: string | null;
  name?: string;
  sourceId?: string;
}

/** The engine's checkpoint-name rule, as you type; empty is allowed here (it means "no name"). */
function nameProblem(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    validateCheckpointName(text);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

export function registerCreateCheckpoint(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(Command.createCheckpoint, async (arg?: unknown, options?: CreateCheckpointArgs) => {
    const target = await pickDatabase(deps.connections, arg);
    if (!target) return undefined;
    // With several tree rows selected VS Code passes the selection (an array) here: that is the tree, not options.
    if (options && !Array.isArray(options)) {
      // Called from code: no prompts, errors are thrown to the caller.
      return runQuietly('Create checkpoint', () => doCreate(deps, target, options));
    }
    const where = databaseLabel(target.dbPath);
    const lifetime = await pickLifetime({ title: `Create Checkpoint in ${where} (1/3): lifetime`, placeholder: 'Pick a lifetime or type one, e.g. "2h 30min"' });
    if (lifetime === undefined) return undefined;
    const name = await vscode.window.showInputBox({ title: `Create Checkpoint in ${where} (2/3): name (optional)`, prompt: 'A name to find the checkpoint by; leave empty for none', validateInput: nameProblem });
    if (name === undefined) return undefined;
    const snap = await runOperation(`Reading ${where}`, () => deps.databases.current(target));
    if (!snap) return undefined;
    const now = Math.floor(Date.now() / 1000);
    const source = await vscode.window.showQuickPick(
      [
        { label: `$(arrow-up) Latest manifest`, description: `pins manifest #${snap.latestId + 1}, the one this creates`, sourceId: undefined as string | undefined },
        ...snap.checkpoints.map((c) => ({ label: `$(history) ${checkpointLabel(c)}`, description: `same manifest as this checkpoint: #${c.manifestId} · ${expiryPhrase(c, now)}`, detail: c.id, sourceId: c.id })),
      ],
      { title: `Create Checkpoint in ${where} (3/3): what to pin`, placeHolder: 'The latest state, or the state an existing checkpoint pins' },
    );
    if (!source) return undefined;
    const created = await runOperation(`Creating checkpoint in ${where}`, () => doCreate(deps, target, { lifetime, name: name || undefined, sourceId: source.sourceId }));
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
  const ms = await deps.databases.manifestStore(target);
  const created = await createCheckpoint(ms, { lifetimeMs, name: options.name, sourceId: options.sourceId }, { log: engineLog });
  await deps.databases.afterWrite(target);
  return { id: created.id, manifestId: created.manifestId };
}
