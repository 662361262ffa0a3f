/**
 * Refresh Checkpoint Lifetime, Delete Checkpoint, Copy Checkpoint Id.
 * Delete asks first, naming the checkpoint and the bytes it would stop
 * pinning, with a stronger warning for a writer's own checkpoint.
 */

import * as vscode from 'vscode';
import { deleteCheckpoint, refreshCheckpoint } from '../../engine/checkpoints';
import { parseDuration } from '../../engine/duration';
import { EngineError } from '../../engine/errors';
import { checkpointJson } from '../../engine/json';
import { pinnedSsts } from '../../engine/pinned';
import { formatBytes, likelyOrigin } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import { engineLog, log } from '../log';
import type { CheckpointTarget } from '../targets';
import { validateLifetime } from './createCheckpoint';
import type { CommandDeps } from './deps';
import { runOperation, runQuietly } from './operation';
import { pickCheckpoint } from './pickers';

export interface RefreshCheckpointArgs {
  /** humantime; null = never expires. */
  lifetime: string | null;
}

export interface DeleteCheckpointArgs {
  /** Only for callers that already asked the user (the webview asks through this command, so it never sets it). */
  confirmed?: boolean;
}

async function describe(deps: CommandDeps, t: CheckpointTarget): Promise<string> {
  const snap = deps.databases.snapshot(t) ?? (await deps.databases.load(t));
  const c = snap.checkpoints.find((x) => x.id === t.checkpointId);
  return c?.name ? `“${c.name}” (${c.id.slice(0, 8)})` : t.checkpointId;
}

export function registerCheckpointCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.refreshCheckpoint, async (arg?: unknown, options?: RefreshCheckpointArgs) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      const run = async (lifetime: string | null) => {
        const lifetimeMs = lifetime ? parseDuration(lifetime) : undefined;
        const ms = await deps.databases.manifests(target);
        const refreshed = await refreshCheckpoint(ms, { id: target.checkpointId, lifetimeMs }, { log: engineLog });
        await deps.tree.refresh(target);
        return checkpointJson(refreshed);
      };
      if (options) return runQuietly('Refresh checkpoint', () => run(options.lifetime));
      const label = await describe(deps, target);
      const picked = await vscode.window.showQuickPick(
        [
          { label: '1 hour', lifetime: '1h' as string | null },
          { label: '1 day', lifetime: '1day' },
          { label: '7 days', lifetime: '7days' },
          { label: 'Never expires', lifetime: null },
          { label: 'Custom…', lifetime: 'custom' },
        ],
        { title: `Refresh lifetime of checkpoint ${label}`, placeHolder: 'New lifetime, counted from now' },
      );
      if (!picked) return undefined;
      let lifetime = picked.lifetime;
      if (lifetime === 'custom') {
        const text = await vscode.window.showInputBox({ title: `Refresh lifetime of checkpoint ${label}`, prompt: 'humantime, e.g. "2h" or "7days 12h"', validateInput: (v) => (v.trim() === '' ? 'Enter a duration' : validateLifetime(v)) });
        if (text === undefined) return undefined;
        lifetime = text.trim();
      }
      const result = await runOperation(`Refreshing checkpoint ${label}`, () => run(lifetime));
      if (result) void vscode.window.showInformationMessage(`Checkpoint ${label} now ${result.expire_time ? `expires at ${result.expire_time}` : 'never expires'}.`);
      return result;
    }),

    vscode.commands.registerCommand(Command.deleteCheckpoint, async (arg?: unknown, options?: DeleteCheckpointArgs) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      const run = async () => {
        const ms = await deps.databases.manifests(target);
        const result = await deleteCheckpoint(ms, { id: target.checkpointId }, { log: engineLog });
        await deps.tree.refresh(target);
        return result;
      };
      if (options?.confirmed) return runQuietly('Delete checkpoint', run);

      const label = await describe(deps, target);
      const snap = deps.databases.snapshot(target);
      const checkpoint = snap?.checkpoints.find((c) => c.id === target.checkpointId);
      let cost = '';
      try {
        const report = await pinnedSsts(await deps.databases.manifests(target), target.checkpointId);
        const exclusive = report.ssts.filter((s) => s.exclusive).length;
        cost =
          exclusive > 0
            ? `It pins manifest #${report.manifestId}; ${exclusive} SST${exclusive === 1 ? '' : 's'} (${formatBytes(report.reclaimableBytes)}) are held by nothing else and GC may delete them afterwards.`
            : `It pins manifest #${report.manifestId}; every SST it pins is also held by the latest manifest or another checkpoint, so no data becomes collectable.`;
      } catch (e) {
        if (e instanceof EngineError && e.code === 'CHECKPOINT_NOT_FOUND') {
          void vscode.window.showInformationMessage(`Checkpoint ${label} no longer exists.`);
          await deps.tree.refresh(target);
          return { id: target.checkpointId, deleted: false };
        }
        cost = 'Its pinned size could not be computed (see the log).';
        log().warn(`pinned size of ${target.checkpointId}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const writer = checkpoint && likelyOrigin(checkpoint) === 'writer';
      const message = writer
        ? `Delete the WRITER's checkpoint ${label} (epoch ${checkpoint!.writerEpoch})?`
        : `Delete checkpoint ${label} from ${target.dbPath}?`;
      const detail = writer
        ? `A running SlateDB writer created this checkpoint for itself. Deleting it can make that writer fail or lose its recovery point. ${cost}`
        : `${cost} This cannot be undone.`;
      const button = writer ? 'Delete Writer Checkpoint' : 'Delete';
      const answer = await vscode.window.showWarningMessage(message, { modal: true, detail }, button);
      if (answer !== button) return undefined;
      const result = await runOperation(`Deleting checkpoint ${label}`, run);
      if (result) void vscode.window.showInformationMessage(result.deleted ? `Deleted checkpoint ${label}.` : `Checkpoint ${label} was already gone; nothing was written.`);
      return result;
    }),

    vscode.commands.registerCommand(Command.copyCheckpointId, async (arg?: unknown) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      await vscode.env.clipboard.writeText(target.checkpointId);
      vscode.window.setStatusBarMessage(`Copied checkpoint id ${target.checkpointId}`, 3000);
      return target.checkpointId;
    }),
  ];
}
