/**
 * Read-only JSON documents of manifests: `slatedb-manifest:/<db>/manifest-<id>.json?conn=<id>&db=<path>&id=<n>`.
 * Content providers are read-only by construction, so a manifest can be
 * inspected (and searched, folded) but never edited from here.
 */

import * as vscode from 'vscode';
import { Command } from './commandIds';
import { manifestJson } from '../engine/json';
import type { DatabaseRegistry, DatabaseSnapshot } from './databases';
import type { ConnectionManager } from './connections/connectionManager';
import { runOperation } from './commands/operation';
import { pickDatabase } from './commands/pickers';
import { isCheckpointTarget, type DatabaseTarget } from './targets';

export const MANIFEST_SCHEME = 'slatedb-manifest';

export function manifestUri(target: DatabaseTarget, id: number): vscode.Uri {
  const query = new URLSearchParams({ conn: target.connectionId, db: target.dbPath, id: String(id) }).toString();
  const name = (target.dbPath || 'root').replace(/[^\w.-]+/g, '_');
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${name}/manifest-${id}.json`, query });
}

export class ManifestDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly databases: DatabaseRegistry) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const target = { connectionId: q.get('conn') ?? '', dbPath: q.get('db') ?? '' };
    const id = Number(q.get('id'));
    const ms = await this.databases.manifests(target);
    try {
      const loaded = await ms.read(id);
      const doc = {
        id: loaded.id,
        location: `${ms.store.description}/${loaded.key}`,
        format_version: loaded.manifest.formatVersion,
        read_only_reason: loaded.manifest.readOnlyReason ?? null,
        manifest: manifestJson(loaded.manifest),
      };
      return JSON.stringify(doc, null, 2) + '\n';
    } catch (e) {
      return JSON.stringify({ id, error: e instanceof Error ? e.message : String(e) }, null, 2) + '\n';
    }
  }
}

export function registerOpenManifest(connections: ConnectionManager, databases: DatabaseRegistry): vscode.Disposable {
  return vscode.commands.registerCommand(Command.openManifest, async (arg?: unknown, manifestId?: number) => {
    const target = await pickDatabase(connections, arg);
    if (!target) return undefined;
    // A checkpoint (tree node, or a plain {connectionId, dbPath, checkpointId} target) opens the manifest it pins.
    let pinned = (arg as { checkpoint?: { manifestId?: number } } | undefined)?.checkpoint?.manifestId;
    const checkpointId = isCheckpointTarget(arg) ? arg.checkpointId : undefined;
    if (manifestId === undefined && pinned === undefined && checkpointId !== undefined) {
      const find = (snap?: DatabaseSnapshot) => snap?.checkpoints.find((c) => c.id === checkpointId)?.manifestId;
      pinned = find(databases.snapshot(target)) ?? (await runOperation(`Reading ${target.dbPath}`, async () => find(await databases.load(target))));
      if (pinned === undefined) {
        void vscode.window.showWarningMessage(`Checkpoint ${checkpointId} is not in the latest manifest of ${target.dbPath}.`);
        return undefined;
      }
    }
    const id =
      manifestId ??
      pinned ??
      (await runOperation(`Reading ${target.dbPath}`, async () => (await databases.load(target)).latestId));
    if (id === undefined) return undefined;
    const doc = await vscode.workspace.openTextDocument(manifestUri(target, id));
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc.uri.toString();
  });
}
