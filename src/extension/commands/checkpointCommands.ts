/**
 * Refresh Checkpoint Lifetime, Delete Checkpoint, Copy Checkpoint Id.
 * Delete asks first, naming the checkpoint and the bytes it would stop
 * pinning, with a stronger warning for a writer's own checkpoint. After a
 * write the registry reloads the database; no view is refreshed from here.
 */

import * as vscode from 'vscode';
import { deleteCheckpoint, refreshCheckpoint } from '../../engine/checkpoints';
import { parseDuration } from '../../engine/duration';
import { isEngineError, messageOf } from '../../engine/errors';
import { checkpointJson } from '../../engine/json';
import type { CheckpointInfo } from '../../engine/manifest/model';
import { pinnedSsts } from '../../engine/pinned';
import { formatBytes, likelyOrigin, plural, shortId } from '../../shared/checkpointStatus';
import { Command } from '../commandIds';
import { createLogger, engineLog } from '../log';
import type { CheckpointTarget } from '../targets';
import type { CommandDeps } from './deps';
import { pickLifetime } from './lifetimePicker';
import { runOperation, runQuietly } from './operation';
import { pickCheckpoint } from './pickers';

const log = createLogger('commands');

export interface RefreshCheckpointArgs {
  /** humantime; null = never expires. */
  lifetime: string | null;
}

export interface DeleteCheckpointArgs {
  /** Only for callers that already asked the user (the webview asks through this command, so it never sets it). */
  confirmed?: boolean;
}

/** The checkpoint as the registry last saw it, when it is there. */
async function checkpointOf(deps: CommandDeps, t: CheckpointTarget): Promise<CheckpointInfo | undefined> {
  const snap = await deps.databases.current(t).catch(() => undefined);
  return snap?.checkpoints.find((c) => c.id === t.checkpointId);
}

/** How dialogs name a checkpoint: “name” (short id), or the whole id when it has no name. */
function describe(c: CheckpointInfo | undefined, t: CheckpointTarget): string {
  return c?.name ? `“${c.name}” (${shortId(c.id)})` : t.checkpointId;
}

/** What deleting the checkpoint would free, for the confirmation; undefined when it is already gone. */
async function deleteCost(deps: CommandDeps, t: CheckpointTarget): Promise<string | undefined> {
  try {
    const report = await pinnedSsts(await deps.databases.manifestStore(t), t.checkpointId);
    const exclusive = report.ssts.filter((s) => s.exclusive).length;
    return exclusive > 0
      ? `It pins manifest #${report.manifestId}; ${plural(exclusive, 'SST')} (${formatBytes(report.reclaimableBytes)}) are held by nothing else and GC may delete them afterwards.`
      : `It pins manifest #${report.manifestId}; every SST it pins is also held by the latest manifest or another checkpoint, so no data becomes collectable.`;
  } catch (e) {
    if (isEngineError(e, 'CHECKPOINT_NOT_FOUND')) return undefined;
    log.warn(`pinned size of ${t.checkpointId}: ${messageOf(e)}`);
    return 'Its pinned size could not be computed (see the log).';
  }
}

export function registerCheckpointCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.refreshCheckpoint, async (arg?: unknown, options?: RefreshCheckpointArgs) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      const run = async (lifetime: string | null) => {
        const lifetimeMs = lifetime ? parseDuration(lifetime) : undefined;
        const ms = await deps.databases.manifestStore(target);
        const refreshed = await refreshCheckpoint(ms, { id: target.checkpointId, lifetimeMs }, { log: engineLog });
        await deps.databases.afterWrite(target);
        return checkpointJson(refreshed);
      };
      // An array is the tree's multi-selection (VS Code passes it with several rows selected), not options.
      if (options && !Array.isArray(options)) return runQuietly('Refresh checkpoint', () => run(options.lifetime));
      const label = describe(await checkpointOf(deps, target), target);
      const lifetime = await pickLifetime({ title: `Refresh lifetime of checkpoint ${label}`, placeholder: 'New lifetime, counted from now' });
      if (lifetime === undefined) return undefined;
      const result = await runOperation(`Refreshing checkpoint ${label}`, () => run(lifetime));
      if (result) void vscode.window.showInformationMessage(`Checkpoint ${label} now ${result.expire_time ? `expires at ${result.expire_time}` : 'never expires'}.`);
      return result;
    }),

    vscode.commands.registerCommand(Command.deleteCheckpoint, async (arg?: unknown, options?: DeleteCheckpointArgs) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      const run = async () => {
        const ms = await deps.databases.manifestStore(target);
        const result = await deleteCheckpoint(ms, { id: target.checkpointId }, { log: engineLog });
        await deps.databases.afterWrite(target);
        return result;
      };
      if (options?.confirmed) return runQuietly('Delete checkpoint', run);

      const checkpoint = await checkpointOf(deps, target);
      const label = describe(checkpoint, target);
      const cost = await deleteCost(deps, target);
      if (cost === undefined) {
        void vscode.window.showInformationMessage(`Checkpoint ${label} no longer exists.`);
        await deps.databases.load(target);
        return { id: target.checkpointId, deleted: false };
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
