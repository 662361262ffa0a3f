/**
 * Open Manifest: the latest manifest of a database, a given one, or the one
 * a checkpoint pins, as a read-only JSON document (see manifestDocument.ts).
 */

import * as vscode from 'vscode';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { manifestUri } from '../manifestDocument';
import type { DatabaseRegistry } from '../databaseRegistry';
import { DatabaseTarget, isCheckpointTarget } from '../targets';
import type { CommandDeps } from './deps';
import { runOperation } from './operation';
import { pickDatabase } from './pickers';

/** The latest manifest id, also of a database whose manifest cannot be decoded (its document says why). */
async function latestOf(databases: DatabaseRegistry, target: DatabaseTarget): Promise<number> {
  const s = await databases.load(target);
  if (s.kind === 'error') throw s.error;
  return s.latestId;
}

export function registerManifestCommands(deps: CommandDeps): vscode.Disposable[] {
  const { connections, databases } = deps;
  return [
    vscode.commands.registerCommand(Command.openManifest, async (arg?: unknown, manifestId?: number) => {
      const target = await pickDatabase(connections, arg);
      if (!target) return undefined;
      const where = databaseLabel(target.dbPath);
      // A checkpoint (tree node, or a plain {connectionId, dbPath, checkpointId} target) opens the manifest it pins.
      let pinned = (arg as { checkpoint?: { manifestId?: number } } | undefined)?.checkpoint?.manifestId;
      const checkpointId = isCheckpointTarget(arg) ? arg.checkpointId : undefined;
      if (manifestId === undefined && pinned === undefined && checkpointId !== undefined) {
        const snap = await runOperation(`Reading ${where}`, () => databases.current(target));
        if (!snap) return undefined;
        pinned = snap.checkpoints.find((c) => c.id === checkpointId)?.manifestId;
        if (pinned === undefined) {
          void vscode.window.showWarningMessage(`Checkpoint ${checkpointId} is not in the latest manifest of ${where}.`);
          return undefined;
        }
      }
      const id = manifestId ?? pinned ?? (await runOperation(`Reading ${where}`, () => latestOf(databases, target)));
      if (id === undefined) return undefined;
      const doc = await vscode.workspace.openTextDocument(manifestUri(target, id));
      await vscode.languages.setTextDocumentLanguage(doc, 'json');
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.uri.toString();
    }),
  ];
}
