/**
 * Open Demo Database: connects a local folder holding real SlateDB databases
 * (made by the real engine) so people can try the extension with no setup.
 * `npm start` points `slatedb.demoFolder` at the demo it builds; otherwise the
 * small seed shipped in media/demo-db/ is copied to the extension's storage
 * (never modified in place) and given fresh named checkpoints.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createCheckpoint } from '../../engine/checkpoints';
import { discoverDatabases } from '../../engine/discovery';
import { ManifestStore } from '../../engine/manifest/manifestStore';
import { LocalObjectStore } from '../../engine/store/local/localStore';
import { Command } from '../commandIds';
import type { CommandDeps } from './deps';
import { runOperation } from './operation';

async function seedDemo(context: vscode.ExtensionContext): Promise<string> {
  const seed = path.join(context.extensionPath, 'media', 'demo-db');
  const target = path.join(context.globalStorageUri.fsPath, 'demo');
  if (!fs.existsSync(target)) {
    if (!fs.existsSync(seed)) throw new Error(`the demo seed ${seed} is missing from this installation`);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.cp(seed, target, { recursive: true });
    const store = new LocalObjectStore(target);
    const hour = 3600_000;
    for (const db of await discoverDatabases(store, '')) {
      const ms = new ManifestStore(store, db.path);
      await createCheckpoint(ms, { name: 'before-migration', lifetimeMs: 7 * 24 * hour });
      await createCheckpoint(ms, { name: 'expiring-soon', lifetimeMs: hour / 3 });
    }
  }
  return target;
}

export function registerDemo(deps: CommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand(Command.openDemo, async () => {
    const configured = vscode.workspace.getConfiguration('slatedb').get<string>('demoFolder');
    const folder = configured && fs.existsSync(configured) ? configured : await runOperation('Preparing the demo database', () => seedDemo(deps.context));
    if (!folder) return undefined;
    const existing = deps.connections.list().find((c) => c.kind === 'local' && c.folder === folder);
    if (existing) {
      deps.databases.reset();
      return existing.id;
    }
    const id = deps.connections.newId();
    await deps.connections.save({ id, kind: 'local', name: 'SlateDB demo', folder });
    await vscode.commands.executeCommand('slatedb.explorer.focus');
    return id;
  });
}
