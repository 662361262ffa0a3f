// The registry is the one source of database state (src/extension/databaseRegistry.ts): checked inside
// the extension host on real SlateDB databases, against the disk read through the CLI.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Command } from '../../src/extension/commandIds';
import type { DatabaseSnapshot } from '../../src/extension/databaseRegistry';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import type { DatabaseTarget } from '../../src/extension/targets';
import { addLocal, cliCheckpoints, copyFixtures, databaseNode, extensionApi, latestIdOnDisk, removeAllConnections, removeScratchDirs } from './support/explorerHost';

const manifestFile = (folder: string, db: string, id: number) => path.join(folder, db, 'manifest', `${String(id).padStart(20, '0')}.manifest`);

/** Every onDidChange the registry fires while `work` runs. */
async function changesDuring(api: SlateDbExtensionApi, work: () => Promise<unknown>): Promise<Array<DatabaseTarget | undefined>> {
  const seen: Array<DatabaseTarget | undefined> = [];
  const subscription = api.databases.onDidChange((t) => seen.push(t));
  try {
    await work();
  } finally {
    subscription.dispose();
  }
  return seen;
}

describe('database registry (in the extension host, real databases)', function () {
  this.timeout(120_000);
  let api: SlateDbExtensionApi;

  before(async () => {
    api = await extensionApi();
    await removeAllConnections(api);
    await vscode.workspace.getConfiguration('slatedb').update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await removeAllConnections(api);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('slatedb').update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    removeScratchDirs();
  });

  it('a command that writes reloads its database exactly once, and the snapshot then equals the disk', async () => {
    const folder = copyFixtures('tiny');
    const connectionId = await addLocal(folder);
    const target = { connectionId, dbPath: 'tiny' };
    await databaseNode(api, connectionId, 'tiny');
    let created: { id: string } | undefined;
    const seen = await changesDuring(api, async () => {
      created = await vscode.commands.executeCommand<{ id: string }>(Command.createCheckpoint, target, { lifetime: '1h', name: 'registry-once' });
    });
    assert.deepEqual(seen, [target], 'one change, for the database written to');
    const snapshot = api.databases.snapshot(target);
    assert.equal(snapshot?.kind, 'ok');
    if (snapshot?.kind !== 'ok') return;
    assert.equal(snapshot.latestId, latestIdOnDisk(folder, 'tiny'));
    assert.deepEqual(snapshot.checkpoints.map((c) => c.id).sort(), cliCheckpoints(folder, 'tiny').map((c) => c.id).sort());
    assert.ok(snapshot.checkpoints.some((c) => c.id === created?.id && c.name === 'registry-once'));
    assert.equal(snapshot.readOnlyReason, null);
  });

  it('a poll reloads only the database whose latest manifest moved', async () => {
    const folder = copyFixtures('tiny', 'rich');
    const connectionId = await addLocal(folder);
    await databaseNode(api, connectionId, 'tiny');
    // Written behind the extension's back: a copy of the latest manifest as the next id.
    const latest = latestIdOnDisk(folder, 'rich');
    fs.copyFileSync(manifestFile(folder, 'rich', latest), manifestFile(folder, 'rich', latest + 1));
    let reloaded = 0;
    const seen = await changesDuring(api, async () => {
      reloaded = await api.databases.poll();
    });
    assert.equal(reloaded, 1);
    assert.deepEqual(seen, [{ connectionId, dbPath: 'rich' }]);
    const snapshot = api.databases.snapshot({ connectionId, dbPath: 'rich' });
    assert.equal(snapshot?.kind === 'ok' && snapshot.latestId, latest + 1);
  });

  it('a manifest of an unknown format version is a snapshot of its own kind, with the version read from its bytes', async () => {
    const folder = copyFixtures('tiny');
    const latest = latestIdOnDisk(folder, 'tiny');
    const body = fs.readFileSync(manifestFile(folder, 'tiny', latest)).subarray(2);
    fs.writeFileSync(manifestFile(folder, 'tiny', latest + 1), Buffer.concat([Buffer.from([0, 7]), body]));
    const connectionId = await addLocal(folder);
    const snapshot: DatabaseSnapshot = await api.databases.load({ connectionId, dbPath: 'tiny' });
    assert.equal(snapshot.kind, 'unsupportedVersion');
    if (snapshot.kind !== 'unsupportedVersion') return;
    assert.equal(snapshot.version, 7);
    assert.equal(snapshot.latestId, latest + 1);
    assert.equal(snapshot.error.code, 'MANIFEST_UNSUPPORTED_VERSION');
    await assert.rejects(api.databases.current({ connectionId, dbPath: 'tiny' }), /format version 7/);
  });

  it('a database that cannot be read is an error snapshot (load never rejects); editing connections drops every snapshot', async () => {
    const folder = copyFixtures('tiny');
    const connectionId = await addLocal(folder);
    const gone = { connectionId, dbPath: 'no-such-db' };
    const snapshot = await api.databases.load(gone);
    assert.equal(snapshot.kind, 'error');
    assert.equal(snapshot.kind === 'error' && snapshot.error.code, 'DATABASE_NOT_FOUND');
    await api.databases.load({ connectionId, dbPath: 'tiny' });
    const seen = await changesDuring(api, () => removeAllConnections(api));
    assert.ok(seen.includes(undefined), `connections changed → onDidChange(undefined); saw ${JSON.stringify(seen)}`);
    assert.equal(api.databases.snapshot({ connectionId, dbPath: 'tiny' }), undefined);
  });
});
