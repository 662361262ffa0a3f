/**
 * Read-only JSON documents of manifests: `slatedb-manifest:/<db>/manifest-<id>.json?conn=<id>&db=<path>&id=<n>`.
 * Content providers are read-only by construction, so a manifest can be
 * inspected (and searched, folded) but never edited from here. A code lens
 * on each document opens the database's history.
 */

import * as vscode from 'vscode';
import { messageOf } from '../engine/errors';
import { manifestJson } from '../engine/json';
import { Command } from './commandIds';
import type { DatabaseRegistry } from './databaseRegistry';
import type { DatabaseTarget } from './targets';

export const MANIFEST_SCHEME = 'slatedb-manifest';

export function manifestUri(target: DatabaseTarget, id: number): vscode.Uri {
  const query = new URLSearchParams({ conn: target.connectionId, db: target.dbPath, id: String(id) }).toString();
  const name = (target.dbPath || 'root').replace(/[^\w.-]+/g, '_');
  return vscode.Uri.from({ scheme: MANIFEST_SCHEME, path: `/${name}/manifest-${id}.json`, query });
}

/** The database of a `slatedb-manifest:` document URI, or undefined for any other argument. */
export function targetOfManifestUri(arg: unknown): DatabaseTarget | undefined {
  if (!(arg instanceof vscode.Uri) || arg.scheme !== MANIFEST_SCHEME) return undefined;
  const q = new URLSearchParams(arg.query);
  const connectionId = q.get('conn');
  const dbPath = q.get('db');
  return connectionId !== null && dbPath !== null ? { connectionId, dbPath } : undefined;
}

export class ManifestDocumentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly databases: DatabaseRegistry) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const target = targetOfManifestUri(uri) ?? { connectionId: '', dbPath: '' };
    const id = Number(new URLSearchParams(uri.query).get('id'));
    try {
      const ms = await this.databases.manifestStore(target);
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
      return JSON.stringify({ id, error: messageOf(e) }, null, 2) + '\n';
    }
  }
}

/** "Show History" above every manifest document. */
export class ShowHistoryCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const target = targetOfManifestUri(document.uri);
    if (!target) return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { command: Command.showHistory, title: '$(graph-line) Show History', tooltip: `Manifest history of ${target.dbPath || 'the store root'}`, arguments: [document.uri] })];
  }
}
