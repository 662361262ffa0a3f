/**
 * SlateDB: Restore Backup… on a checkpoint of a backup repository: asks for
 * a connection and a path, refuses a path that already holds a database
 * (before anything is written), confirms, copies the backup's state there
 * under a cancellable progress notification, and offers to show the new
 * database, which opens with SlateDB as an ordinary database.
 *
 * Called from code with `{ destination, confirmed: true }` it asks nothing
 * and throws errors to the caller.
 */

import * as vscode from 'vscode';
import { parseBackupName } from '../../engine/backup/naming';
import { restoreBackup, BackupResult } from '../../engine/backup/backup';
import { EngineError, isEngineError, messageOf } from '../../engine/errors';
import { ManifestStore } from '../../engine/manifest/manifestStore';
import { normalizeDbPath } from '../../engine/paths';
import { checkpointLabel, shortId } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { BackupDestinations } from '../backupDestinations';
import { Command } from '../commandIds';
import { createLogger, engineLog, showLog } from '../log';
import { CheckpointTarget, DatabaseTarget, isDatabaseTarget } from '../targets';
import { endpointOf, whereText } from './backupCommands';
import { copiedVsReused } from '../../shared/backupText';
import { withCopyProgress } from './copyProgress';
import type { CommandDeps } from './deps';
import { overlaps, pickDestination } from './destinationPicker';
import { pickCheckpoint } from './pickers';
import { revealDatabase, showWritten } from './revealDatabase';

const log = createLogger('restore');

export interface RestoreArgs {
  destination: DatabaseTarget;
  /** Skip the confirmation (callers that asked already). */
  confirmed?: boolean;
}

/** Throws TARGET_NOT_EMPTY when `t` already holds a manifest: restore writes only into an empty root. */
export async function checkEmpty(deps: CommandDeps, t: DatabaseTarget): Promise<void> {
  const ms = new ManifestStore(await deps.connections.store(t.connectionId), t.dbPath);
  const latest = await ms.latestId();
  if (latest !== undefined) {
    throw new EngineError(
      'TARGET_NOT_EMPTY',
      `${whereText(deps, t)} already holds a SlateDB database (latest manifest #${latest}); restore writes only into an empty path. Choose another path. Nothing was written.`,
    );
  }
}

function argsOf(options: unknown): RestoreArgs | undefined {
  const o = options as Partial<RestoreArgs> | undefined;
  // From a multi-selection VS Code passes the selected nodes here: not options, so ask.
  if (!o || Array.isArray(o) || !isDatabaseTarget(o.destination)) return undefined;
  return { destination: { connectionId: o.destination.connectionId, dbPath: normalizeDbPath(o.destination.dbPath) }, confirmed: o.confirmed };
}

export function registerRestoreCommand(deps: CommandDeps): vscode.Disposable {
  const destinations = new BackupDestinations(deps.context.globalState);

  async function ask(backup: CheckpointTarget, repository: DatabaseTarget, what: string, sourcePath: string | undefined): Promise<RestoreArgs | undefined> {
    const exists = (id: string) => deps.connections.list().some((c) => c.id === id);
    for (;;) {
      const destination = await pickDestination(deps.connections, {
        title: `Restore ${what}`,
        pathMeaning: 'new database',
        remembered: destinations.get('restore', repository, exists),
        defaultPath: () => `${sourcePath || 'restored'}-restored`,
        problem: (d) => (overlaps(d, repository) ? `${databaseLabel(d.dbPath)} is the backup repository or overlaps it: choose a path outside it` : undefined),
      });
      if (!destination) return undefined;
      try {
        await checkEmpty(deps, destination);
      } catch (e) {
        // Ask again: the user meant a new database and typed an existing one.
        const choice = await vscode.window.showErrorMessage(messageOf(e), 'Choose Another Path');
        if (choice === 'Choose Another Path') continue;
        return undefined;
      }
      await destinations.remember('restore', repository, destination);
      const answer = await vscode.window.showWarningMessage(
        `Restore ${what} into ${whereText(deps, destination)}?`,
        { modal: true, detail: `Copies the SSTs and WAL files the backup pins (${shortId(backup.checkpointId)}) and writes a new database there. The repository is not changed.` },
        'Restore',
      );
      if (answer !== 'Restore') return undefined;
      return { destination, confirmed: true };
    }
  }

  return vscode.commands.registerCommand(Command.restoreBackup, async (arg?: unknown, options?: RestoreArgs) => {
    const backup = await pickCheckpoint(deps.connections, deps.databases, arg);
    if (!backup) return undefined;
    const repository: DatabaseTarget = { connectionId: backup.connectionId, dbPath: backup.dbPath };
    const known = deps.databases.snapshot(repository);
    const cp = known?.kind === 'ok' ? known.checkpoints.find((c) => c.id === backup.checkpointId) : undefined;
    const parsed = parseBackupName(cp?.name ?? null);
    const what = parsed ? `backup of ${databaseLabel(parsed.sourcePath)} (${shortId(backup.checkpointId)})` : `checkpoint ${cp ? checkpointLabel(cp) : shortId(backup.checkpointId)} of ${databaseLabel(repository.dbPath)}`;
    const given = argsOf(options);
    const args = given ?? (await ask(backup, repository, what, parsed?.sourcePath));
    if (!args) return undefined;
    const dest = args.destination;
    if (overlaps(dest, repository)) throw new EngineError('INVALID_ARGUMENT', `${whereText(deps, dest)} overlaps the backup repository: restore into a path outside it. Nothing was written.`);
    const title = `Restoring ${what} into ${whereText(deps, dest)}`;
    for (;;) {
      try {
        await checkEmpty(deps, dest);
        const result: BackupResult = await withCopyProgress(title, async (signal, onProgress) =>
          restoreBackup({ repository: await endpointOf(deps, repository), backupId: backup.checkpointId, target: await endpointOf(deps, dest), signal, onProgress, log: engineLog }),
        );
        log.info(`${title}: manifest ${result.target.manifest_id}; ${copiedVsReused(result)}`);
        await showWritten(deps, dest);
        if (!given) {
          void vscode.window
            .showInformationMessage(`Restored ${what} into ${whereText(deps, dest)} (${copiedVsReused(result)}). It opens with SlateDB as an ordinary database.`, 'Reveal', 'Show History')
            .then(async (choice) => {
              if (choice === 'Reveal') await revealDatabase(deps, dest);
              if (choice === 'Show History') await vscode.commands.executeCommand(Command.showHistory, dest);
            });
        }
        return result;
      } catch (e) {
        if (given) throw e;
        if (isEngineError(e, 'CANCELLED')) {
          log.info(`${title}: cancelled`);
          void vscode.window.showInformationMessage(`Restore of ${what} cancelled. No manifest was written at ${whereText(deps, dest)}; running it again reuses the objects already copied.`);
          return undefined;
        }
        log.error(`${title} failed${isEngineError(e) ? ` [${e.code}]` : ''}: ${messageOf(e)}`);
        const choice = await vscode.window.showErrorMessage(`Restore of ${what} failed: ${messageOf(e)}`, 'Retry', 'Show Log');
        if (choice === 'Show Log') showLog(true);
        if (choice !== 'Retry') return undefined;
      }
    }
  });
}
