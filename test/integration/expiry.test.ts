// Expiry monitoring and many-databases-at-once, inside a real VS Code extension host on real SlateDB
// databases (copies of the `tiny` fixture the real engine built). Checkpoints that expire in minutes
// are made with the engine's createCheckpoint; what the commands wrote is read back from disk with
// the engine (a fresh ManifestStore, not the extension's registry).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createCheckpoint, listCheckpoints } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import type { CheckpointInfo } from '../../src/engine/manifest/model';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { Command } from '../../src/extension/commandIds';
import type { AcrossResult } from '../../src/extension/commands/multiDbCommands';
import { EXTEND_LIFETIME, ExpiryNotifier, NOTIFIED_STATE_KEY } from '../../src/extension/expiry/expiryNotifier';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import type { SlateNode } from '../../src/extension/tree/nodes';
import { addLocal, checkpointNodes, copyFixtures, databaseNodes, extensionApi, fixtureRoot, removeAllConnections, removeScratchDirs, sleep, themeIcon, waitFor } from './support/explorerHost';

type CheckpointNodeT = Extract<SlateNode, { kind: 'checkpoint' }>;
const config = () => vscode.workspace.getConfiguration('slatedb');
const nowS = () => Math.floor(Date.now() / 1000);
const onDisk = async (folder: string, db: string): Promise<CheckpointInfo[]> => (await listCheckpoints(new ManifestStore(new LocalObjectStore(folder), db))).checkpoints;
const make = (folder: string, db: string, name: string | undefined, lifetimeMs?: number) => createCheckpoint(new ManifestStore(new LocalObjectStore(folder), db), { name, lifetimeMs });
/** A copy of `tiny` under each of the given paths, in one folder. */
function databasesAt(...paths: string[]): string {
  const folder = copyFixtures('tiny');
  for (const p of paths) fs.cpSync(path.join(folder, 'tiny'), path.join(folder, p), { recursive: true });
  fs.rmSync(path.join(folder, 'tiny'), { recursive: true });
  return folder;
}

/** Accepts the active item of the quick input that a command opens (a user pressing Enter). */
async function acceptQuickInput(): Promise<void> {
  await sleep(800);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

describe('expiry monitoring and many databases at once (in the extension host, real databases)', function () {
  this.timeout(120_000);
  let api: SlateDbExtensionApi;

  before(async () => {
    fixtureRoot();
    api = await extensionApi();
    await removeAllConnections(api);
    await config().update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
    await config().update('expiryWarning', '1h', vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await removeAllConnections(api);
  });

  after(async () => {
    await config().update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await config().update('expiryWarning', undefined, vscode.ConfigurationTarget.Global);
    removeScratchDirs();
  });

  it('the status bar counts and lists the expiring checkpoints; one notification each; Extend Lifetime refreshes on disk; Reveal', async () => {
    const folder = databasesAt('svc/orders');
    const soonA = await make(folder, 'svc/orders', 'soon-a', 20 * 60_000);
    const soonB = await make(folder, 'svc/orders', 'soon_*b*|x', 40 * 60_000); // markdown characters: must render as text
    await make(folder, 'svc/orders', 'later', 3 * 3600_000);
    await make(folder, 'svc/orders', 'forever');
    await make(folder, 'svc/orders', undefined, 10 * 60_000); // unnamed, 10 min: a DbReader's shape, not counted

    const told: Array<{ message: string; buttons: string[] }> = [];
    const notifier = api.expiry.notifier;
    const original = notifier.prompt;
    notifier.prompt = async (message, ...buttons) => {
      told.push({ message, buttons });
      return message.includes('“soon-a”') && told.filter((t) => t.message.includes('“soon-a”')).length === 1 ? EXTEND_LIFETIME : undefined;
    };
    try {
      const id = await addLocal(folder);
      await databaseNodes(api, id); // the tree loads the database: the registry fires, the watch scans
      const bar = api.expiry.statusBar;
      await waitFor('the status-bar item', () => (bar.shown ? true : undefined));
      assert.equal(bar.item.text, '$(watch) 2 expiring');
      assert.equal(bar.item.command, Command.showExpiring);
      const tooltip = (bar.item.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /\*\*\$\(watch\) 2 checkpoints expire within 1h\*\*/);
      const rows = tooltip.split('\n').filter((l) => l.startsWith('| svc/orders'));
      const GAP = '&nbsp;&nbsp;';
      assert.deepEqual(rows, [`| svc/orders${GAP} | soon\\-a${GAP} | 20 min |`, `| svc/orders${GAP} | soon\\_\\*b\\*\\|x${GAP} | 40 min |`], tooltip);
      assert.match(tooltip, /Not counted: 1 unnamed short-lived checkpoint of SlateDB's compactor or readers/);
      assert.doesNotMatch(tooltip, /later|forever/);

      // One notification per checkpoint that entered the window, with both buttons.
      await waitFor('two notifications', () => (told.length >= 2 ? true : undefined));
      await sleep(300);
      assert.deepEqual(told.map((t) => t.message.replace(/ \(.*\)\.$/, '')).sort(), ['SlateDB checkpoint “soon-a” in svc/orders expires in 20 min', 'SlateDB checkpoint “soon_*b*|x” in svc/orders expires in 40 min']);
      for (const t of told) assert.deepEqual(t.buttons, ['Extend Lifetime', 'Reveal']);

      // "Extend Lifetime" on soon-a ran Refresh Checkpoint Lifetime: its picker is open; Enter takes "1 hour".
      const before = (await onDisk(folder, 'svc/orders')).find((c) => c.id === soonA.id)!;
      await acceptQuickInput();
      await notifier.lastAction;
      const after = await waitFor('soon-a refreshed on disk', async () => {
        const c = (await onDisk(folder, 'svc/orders')).find((x) => x.id === soonA.id);
        return c && c.expireTimeS !== before.expireTimeS ? c : undefined;
      });
      assert.ok(Math.abs(after.expireTimeS - (nowS() + 3600)) <= 5, `expire_time moved to now + 1 h: ${after.expireTimeS - nowS()} s left`);
      assert.equal(after.manifestId, before.manifestId, 'a refresh keeps the pinned manifest');

      // The registry reloaded it (afterWrite): still inside the 1 h window, and not told twice.
      await waitFor('the status bar after the refresh', () => ((bar.item.tooltip as vscode.MarkdownString).value.includes('| svc/orders&nbsp;&nbsp; | soon\\-a&nbsp;&nbsp; | 1 h |') ? true : undefined));
      assert.equal(told.length, 2, 'no second notification for a checkpoint extended to a time still inside the window');

      // Remembered in global state: a reload (a new notifier over the same memento) tells nobody again.
      const remembered = notifier.memento.get<Record<string, number>>(NOTIFIED_STATE_KEY) ?? {};
      assert.ok(Object.keys(remembered).some((k) => k.endsWith(soonA.id)) && Object.keys(remembered).some((k) => k.endsWith(soonB.id)), JSON.stringify(remembered));
      const reloaded = new ExpiryNotifier(api.expiry.watch, notifier.memento);
      const toldAfterReload: string[] = [];
      reloaded.prompt = async (message) => {
        toldAfterReload.push(message);
        return undefined;
      };
      try {
        assert.deepEqual(reloaded.consider(api.expiry.watch.update()), []);
        assert.deepEqual(toldAfterReload, []);
      } finally {
        reloaded.dispose();
      }

      // Extended past the window, it is forgotten; back inside it (a shorter lifetime), it is told again.
      const target = { connectionId: id, dbPath: 'svc/orders', checkpointId: soonA.id };
      await vscode.commands.executeCommand(Command.refreshCheckpoint, target, { lifetime: '1day' });
      await waitFor('soon-a forgotten', () => (Object.keys(notifier.memento.get<Record<string, number>>(NOTIFIED_STATE_KEY) ?? {}).some((k) => k.endsWith(soonA.id)) ? undefined : true));
      await vscode.commands.executeCommand(Command.refreshCheckpoint, target, { lifetime: '30min' });
      await waitFor('a second notification for soon-a', () => (told.length === 3 ? true : undefined));
      assert.match(told[2].message, /^SlateDB checkpoint “soon-a” in svc\/orders expires in 30 min /);

      // A click on the item: a quick pick, soonest first (soon-a, 30 min); Enter reveals it in the tree.
      const shown = vscode.commands.executeCommand<{ checkpointId: string; revealed: boolean }>(Command.showExpiring);
      await acceptQuickInput();
      const revealed = await shown;
      assert.equal(revealed?.checkpointId, soonA.id);
      assert.equal(revealed?.revealed, true, 'revealed in the SlateDB view');
    } finally {
      notifier.prompt = original;
    }
  });

  it('hidden when nothing expires within the window; the window follows slatedb.expiryWarning', async () => {
    const folder = databasesAt('db');
    await make(folder, 'db', 'in-3h', 3 * 3600_000);
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    await waitFor('the scan of db', () => (api.expiry.watch.current.databases.some((d) => d.target.dbPath === 'db') ? true : undefined));
    assert.equal(api.expiry.statusBar.shown, false);
    await config().update('expiryWarning', '4h', vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the 4 h window', () => (api.expiry.statusBar.shown ? true : undefined));
      assert.equal(api.expiry.statusBar.item.text, '$(watch) 1 expiring');
      assert.match((api.expiry.statusBar.item.tooltip as vscode.MarkdownString).value, /expires within 4h\*\*/);
    } finally {
      await config().update('expiryWarning', '1h', vscode.ConfigurationTarget.Global);
    }
    await waitFor('hidden again', () => (api.expiry.statusBar.shown ? undefined : true));
  });

  it('expired but still listed checkpoints are marked in the tree, and one expiring while shown is redrawn as expired', async () => {
    const folder = databasesAt('db');
    const gone = await make(folder, 'db', 'gone', 1000);
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    await sleep(2100); // past its expiry by at least a second
    const nodes = (await checkpointNodes(api, id, 'db')) as CheckpointNodeT[];
    const node = nodes.find((n) => n.checkpoint.id === gone.id)!;
    assert.deepEqual(themeIcon(node), { id: 'error', color: 'list.errorForeground' });
    assert.match(String(node.description), /expired \d+ s ago$/);
    assert.match((node.tooltip as vscode.MarkdownString).value, /\| \$\(error\) Expired \| \d+ s ago, but still listed in the latest manifest\./);

    // A 3 s checkpoint made through the command: when it expires, the watch has the tree redraw its database.
    const short = await vscode.commands.executeCommand<{ id: string }>(Command.createCheckpoint, { connectionId: id, dbPath: 'db' }, { name: 'short', lifetime: '3s' });
    const expireS = (await onDisk(folder, 'db')).find((c) => c.id === short.id)!.expireTimeS;
    const redrawn = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the tree was not redrawn after the checkpoint expired')), 10_000);
      const sub = api.tree.onDidChangeTreeData(() => {
        if (nowS() < expireS) return;
        clearTimeout(t);
        sub.dispose();
        resolve(nowS());
      });
    });
    assert.ok(redrawn - expireS <= 3, `redrawn ${redrawn - expireS} s after the expiry`);
    const shortNode = ((await checkpointNodes(api, id, 'db')) as CheckpointNodeT[]).find((n) => n.checkpoint.id === short.id)!;
    assert.deepEqual(themeIcon(shortNode), { id: 'error', color: 'list.errorForeground' });
  });

  it('many databases: create one named checkpoint in every database a glob matches, refresh and delete it in selected ones', async () => {
    const folder = databasesAt('tenants/a', 'tenants/b', 'tenants/c', 'other/d');
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    const created = await vscode.commands.executeCommand<AcrossResult>(Command.createCheckpointAcross, { connectionId: id, glob: 'tenants/*', name: 'release-7', lifetime: '1day', confirmed: true });
    assert.deepEqual(created.databases.map((d) => [d.path, d.error, d.ids.length]), [
      ['tenants/a', null, 1],
      ['tenants/b', null, 1],
      ['tenants/c', null, 1],
    ]);
    for (const row of created.databases) {
      const named = (await onDisk(folder, row.path)).filter((c) => c.name === 'release-7');
      assert.deepEqual(named.map((c) => c.id), row.ids, `${row.path}: exactly the one checkpoint the command reported`);
      assert.ok(Math.abs(named[0].expireTimeS - (nowS() + 86400)) <= 5);
    }
    assert.deepEqual((await onDisk(folder, 'other/d')).filter((c) => c.name === 'release-7'), [], 'other/d is not matched');
    // The tree shows them (the registry reloaded each database).
    const inTree = ((await checkpointNodes(api, id, 'tenants/b')) as CheckpointNodeT[]).map((n) => n.checkpoint.name);
    assert.ok(inTree.includes('release-7'), inTree.join(', '));

    // Refresh in two selected databases (the multi-selection form).
    const refreshed = await vscode.commands.executeCommand<AcrossResult>(Command.refreshCheckpointAcross, { connectionId: id, dbPaths: ['tenants/a', 'tenants/c'], name: 'release-7', lifetime: '7days' });
    assert.deepEqual(refreshed.databases.map((d) => [d.path, d.error]), [['tenants/a', null], ['tenants/c', null]]);
    for (const db of ['tenants/a', 'tenants/c']) assert.ok(Math.abs((await onDisk(folder, db)).find((c) => c.name === 'release-7')!.expireTimeS - (nowS() + 7 * 86400)) <= 5, db);
    assert.ok(Math.abs((await onDisk(folder, 'tenants/b')).find((c) => c.name === 'release-7')!.expireTimeS - (nowS() + 86400)) <= 5, 'tenants/b was not selected');

    // Delete everywhere the glob matches.
    const deleted = await vscode.commands.executeCommand<AcrossResult>(Command.deleteCheckpointAcross, { connectionId: id, glob: 'tenants/*', name: 'release-7', confirmed: true });
    assert.deepEqual(deleted.databases.map((d) => [d.path, d.ids]), created.databases.map((d) => [d.path, d.ids]));
    for (const db of ['tenants/a', 'tenants/b', 'tenants/c']) assert.deepEqual((await onDisk(folder, db)).filter((c) => c.name === 'release-7'), [], db);
  });

  it('many databases: a create that fails in one is rolled back in the others', async () => {
    const folder = databasesAt('tenants/a', 'tenants/b', 'tenants/c');
    // tenants/b gets a corrupt latest manifest: reading it fails.
    fs.writeFileSync(path.join(folder, 'tenants/b/manifest/00000000000000009999.manifest'), Buffer.from([0, 1, 9, 9, 9]));
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    const r = await vscode.commands.executeCommand<AcrossResult>(Command.createCheckpointAcross, { connectionId: id, glob: 'tenants/*', name: 'atomic', confirmed: true, rollBackOnFailure: true });
    assert.equal(r.rolledBack, true);
    const byPath = Object.fromEntries(r.databases.map((d) => [d.path, d]));
    assert.equal(byPath['tenants/b'].error?.code, 'MANIFEST_CORRUPT');
    for (const db of ['tenants/a', 'tenants/c']) {
      assert.equal(byPath[db].error, null);
      assert.equal(byPath[db].rolledBack, true, db);
      assert.deepEqual((await onDisk(folder, db)).filter((c) => c.name === 'atomic'), [], `${db}: rolled back on disk`);
    }
  });

  it('bad input is refused before any database is touched', async () => {
    const folder = databasesAt('tenants/a');
    const id = await addLocal(folder);
    const before = (await onDisk(folder, 'tenants/a')).length;
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand(Command.createCheckpointAcross, { connectionId: id, glob: 'tenants/*', name: 'x', lifetime: '0s', confirmed: true })), /at least 1 second/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand(Command.createCheckpointAcross, { connectionId: id, glob: 'a/x**', name: 'x', confirmed: true })), /whole segment/);
    assert.equal((await onDisk(folder, 'tenants/a')).length, before);
  });
});
