/**
 * SlateDB: Back Up Checkpoint… (a checkpoint, or one picked from a database)
 * and Back Up Now… (the database's latest state, pinned for the copy by a
 * short-lived checkpoint). Both ask where to (destinationPicker.ts; the
 * answer is remembered per source database), copy under a cancellable
 * progress notification and say what was copied and what was reused.
 *
 * Called from code with `{ destination }` (tests, other commands) they ask
 * nothing, still show the progress, and throw errors to the caller.
 */

import * as vscode from 'vscode';
import { backupCheckpoint, BackupEndpoint, BackupResult } from '../../engine/backup/backup';
import { EngineError, isEngineError, messageOf } from '../../engine/errors';
import { normalizeDbPath } from '../../engine/paths';
import { checkpointLabel, shortId } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { BackupDestinations } from '../backupDestinations';
import { Command } from '../commandIds';
import { createLogger, engineLog, showLog } from '../log';
import { DatabaseTarget, isDatabaseTarget } from '../targets';
import { copiedVsReused } from '../../shared/backupText';
import { withCopyProgress } from './copyProgress';
import type { CommandDeps } from './deps';
import { overlaps, pickDestination } from './destinationPicker';
import { pickCheckpoint, pickDatabase } from './pickers';
import { revealDatabase, showWritten } from './revealDatabase';

const log = createLogger('backup');

export interface BackupArgs {
  /** Where the repository is: a connection and a database path in it. */
  destination: DatabaseTarget;
  /** Optional label that heads the backup's checkpoint name. */
  name?: string;
}

/** What the store of a connection is to the engine: store, path, and the label it prints. */
export async function endpointOf(deps: CommandDeps, t: DatabaseTarget): Promise<BackupEndpoint> {
  const store = await deps.connections.store(t.connectionId);
  return { store, path: t.dbPath, storeLabel: store.description };
}

/** "rich" / "backups on S3: rich": where a database is, for messages. */
export function whereText(deps: CommandDeps, t: DatabaseTarget): string {
  return `${deps.connections.get(t.connectionId).name}: ${databaseLabel(t.dbPath)}`;
}

function destinationProblem(source: DatabaseTarget) {
  return (d: DatabaseTarget) =>
    overlaps(d, source) ? `${databaseLabel(d.dbPath)} is ${d.dbPath === source.dbPath ? '' : 'inside or around '}the database being backed up: choose a path outside it` : undefined;
}

function argsOf(options: unknown): BackupArgs | undefined {
  const o = options as Partial<BackupArgs> | undefined;
  // From a multi-selection VS Code passes the selected nodes here: not options, so ask.
  if (!o || Array.isArray(o) || !isDatabaseTarget(o.destination)) return undefined;
  return { destination: { connectionId: o.destination.connectionId, dbPath: normalizeDbPath(o.destination.dbPath) }, name: o.name };
}

export function registerBackupCommands(deps: CommandDeps): vscode.Disposable[] {
  const destinations = new BackupDestinations(deps.context.globalState);

  /** Asks (or takes) the destination, then runs the backup; `checkpointId` undefined = latest. */
  async function run(source: DatabaseTarget, checkpointId: string | undefined, what: string, options: unknown): Promise<BackupResult | undefined> {
    const given = argsOf(options);
    let args = given;
    if (!args) {
      const exists = (id: string) => deps.connections.list().some((c) => c.id === id);
      const destination = await pickDestination(deps.connections, {
        title: `Back Up ${what}`,
        pathMeaning: 'backup repository',
        remembered: destinations.get('backup', source, exists),
        defaultPath: (connectionId) => (connectionId === source.connectionId ? `backups/${source.dbPath || 'root'}` : source.dbPath || 'backup'),
        problem: destinationProblem(source),
      });
      if (!destination) return undefined;
      await destinations.remember('backup', source, destination);
      args = { destination };
    }
    const problem = destinationProblem(source)(args.destination);
    if (problem) throw new EngineError('INVALID_ARGUMENT', `${problem}. Nothing was copied.`);
    const dest = args.destination;
    const title = `Backing up ${what} to ${whereText(deps, dest)}`;
    for (;;) {
      try {
        const result = await withCopyProgress(title, async (signal, onProgress) =>
          backupCheckpoint({
            source: await endpointOf(deps, source),
            ...(checkpointId ? { checkpointId } : { latest: true }),
            target: await endpointOf(deps, dest),
            name: args!.name,
            signal,
            onProgress,
            log: engineLog,
          }),
        );
        log.info(`${title}: backup ${result.target.checkpoint_id} (manifest ${result.target.manifest_id}); ${copiedVsReused(result)}`);
        await showWritten(deps, dest);
        if (!checkpointId) await deps.databases.afterWrite(source); // the short-lived pin came and went
        if (!given) {
          void vscode.window
            .showInformationMessage(`Backed up ${what} to ${whereText(deps, dest)} as checkpoint ${shortId(result.target.checkpoint_id)}: ${copiedVsReused(result)}.`, 'Reveal')
            .then((choice) => choice === 'Reveal' && revealDatabase(deps, dest, result.target.checkpoint_id));
        }
        return result;
      } catch (e) {
        if (given) throw e;
        if (isEngineError(e, 'CANCELLED')) {
          log.info(`${title}: cancelled`);
          void vscode.window.showInformationMessage(`Backup of ${what} cancelled. No backup checkpoint was written; objects already copied are reused by the next backup.`);
          return undefined;
        }
        log.error(`${title} failed${isEngineError(e) ? ` [${e.code}]` : ''}: ${messageOf(e)}`);
        const choice = await vscode.window.showErrorMessage(`Backup of ${what} failed: ${messageOf(e)}`, 'Retry', 'Show Log');
        if (choice === 'Show Log') showLog(true);
        if (choice !== 'Retry') return undefined;
      }
    }
  }

  return [
    vscode.commands.registerCommand(Command.backupCheckpoint, async (arg?: unknown, options?: BackupArgs) => {
      const target = await pickCheckpoint(deps.connections, deps.databases, arg);
      if (!target) return undefined;
      const source: DatabaseTarget = { connectionId: target.connectionId, dbPath: target.dbPath };
      const known = deps.databases.snapshot(source);
      const cp = known?.kind === 'ok' ? known.checkpoints.find((c) => c.id === target.checkpointId) : undefined;
      return run(source, target.checkpointId, `${databaseLabel(source.dbPath)} checkpoint ${cp ? checkpointLabel(cp) : shortId(target.checkpointId)}`, options);
    }),
    vscode.commands.registerCommand(Command.backupNow, async (arg?: unknown, options?: BackupArgs) => {
      const source = await pickDatabase(deps.connections, arg);
      if (!source) return undefined;
      return run(source, undefined, databaseLabel(source.dbPath), options);
    }),
  ];
}
