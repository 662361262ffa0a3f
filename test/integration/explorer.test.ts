// The SlateDB view, its commands and its connections, exercised inside a real VS Code extension host
// on real SlateDB databases (built by the real engine: test/fixtures/buildHostFixtures.ts). What the
// tree shows is checked against the disk through an independent path: the CLI (dist/cli.js, its own
// process) and plain directory listings.
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryPanelApi } from '../../src/extension/webview/historyPanel';
import { decodeManifest, encodeManifest } from '../../src/engine/manifest/codec';
import { newCheckpointTable, rawCheckpoints, withCheckpoints } from '../../src/engine/manifest/model';
import { newCheckpointId } from '../../src/engine/ids';
import { Command, ContextValue } from '../../src/extension/commandIds';
import { latestIdOf } from '../../src/extension/databaseRegistry';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import type { SlateNode } from '../../src/extension/tree/nodes';
import { withSchemaCopy } from '../support/manifestKit';
import {
  addLocal,
  checkpointNodes,
  cli,
  cliCheckpoints,
  connectionNode,
  copyFixtures,
  databaseNode,
  databaseNodes,
  extensionApi,
  EXTENSION_ID,
  findFiles,
  fixtureRoot,
  latestIdOnDisk,
  measure,
  removeAllConnections,
  removeScratchDirs,
  sleep,
  snapshotFiles,
  themeIcon,
  waitFor,
} from './support/explorerHost';

type CheckpointNodeT = Extract<SlateNode, { kind: 'checkpoint' }>;
type DatabaseNodeT = Extract<SlateNode, { kind: 'database' }>;

const config = () => vscode.workspace.getConfiguration('slatedb');
const nowS = () => Math.floor(Date.now() / 1000);
const asCheckpoints = (nodes: SlateNode[]) => nodes.filter((n): n is CheckpointNodeT => n.kind === 'checkpoint');
const manifestFile = (folder: string, db: string, id: number) => path.join(folder, db, 'manifest', `${String(id).padStart(20, '0')}.manifest`);

/** The SlateDB log on disk (a LogOutputChannel writes <logs>/.../SlateDB.log). */
function slateDbLogFiles(): string[] {
  const userData = process.env.SLATEDB_TEST_USER_DATA_DIR;
  return userData ? findFiles(path.join(userData, 'logs'), /SlateDB\.log$/) : [];
}

const readAll = (files: string[]) => files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');

describe('SlateDB explorer (in the extension host, real databases)', function () {
  this.timeout(120_000);
  let api: SlateDbExtensionApi;

  before(async () => {
    fixtureRoot(); // build or find the fixtures first (fails loudly)
    api = await extensionApi();
    await removeAllConnections(api);
    await config().update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await removeAllConnections(api);
  });

  after(async () => {
    await config().update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    removeScratchDirs();
  });

  it('activates quickly (activationMs)', () => {
    assert.equal(typeof api.activationMs, 'number');
    measure('activation (ext.exports.activationMs)', api.activationMs);
    assert.ok(api.activationMs < 1000, `activation took ${api.activationMs} ms`);
  });

  describe('Open Demo Database (the welcome view button) without slatedb.demoFolder', () => {
    it('ships a seed in media/demo-db and connects a copy of it with named checkpoints', async () => {
      const seed = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'media', 'demo-db');
      // Checked first: without the seed the command shows an error notification and waits on it.
      assert.ok(fs.existsSync(seed), `${seed} is missing: "Open Demo Database" fails for everyone who has not run npm start`);
      await config().update('demoFolder', undefined, vscode.ConfigurationTarget.Global);
      const id = await vscode.commands.executeCommand<string | undefined>(Command.openDemo);
      assert.ok(id, 'openDemo returned no connection id');
      const dbs = (await databaseNodes(api, id)).filter((n): n is DatabaseNodeT => n.kind === 'database');
      assert.ok(dbs.length > 0, 'the demo has databases');
      const names = asCheckpoints(await api.tree.getChildren(dbs[0])).map((c) => c.checkpoint.name);
      assert.ok(names.includes('before-migration') && names.includes('expiring-soon'), `named checkpoints: ${names.join(', ')}`);
    });
  });

  describe('the tree equals what the manifests on disk hold', () => {
    it('connection → databases → checkpoints of both fixture databases', async () => {
      const folder = copyFixtures('rich', 'tiny');
      const id = await addLocal(folder);

      const conn = await connectionNode(api, id);
      assert.equal(conn.kind, 'connection');
      assert.equal(conn.label, path.basename(folder));
      assert.equal(conn.description, folder);
      assert.equal(conn.contextValue, ContextValue.connection);
      assert.equal(themeIcon(conn).id, 'folder-library');

      const dbs = await databaseNodes(api, id);
      assert.deepEqual(dbs.map((n) => n.label).sort(), ['rich', 'tiny']);

      for (const db of ['rich', 'tiny']) {
        const node = (await databaseNode(api, id, db)) as DatabaseNodeT;
        const latest = latestIdOnDisk(folder, db);
        const onDisk = cliCheckpoints(folder, db);
        assert.equal(latestIdOf(node.snapshot), latest, `${db}: latest manifest`);
        assert.equal(node.description, `manifest #${latest} · ${onDisk.length} checkpoint${onDisk.length === 1 ? '' : 's'}`);
        assert.equal(node.contextValue, ContextValue.database);
        assert.equal(themeIcon(node).id, 'database');
        assert.equal(node.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);

        const children = await api.tree.getChildren(node);
        if (onDisk.length === 0) {
          assert.deepEqual(children.map((c) => [c.kind, c.label]), [['message', 'No checkpoints']]);
          continue;
        }
        const cps = asCheckpoints(children);
        assert.equal(cps.length, children.length, 'only checkpoint rows');
        assert.deepEqual(cps.map((c) => c.checkpoint.id).sort(), onDisk.map((c) => c.id).sort(), `${db}: checkpoint ids`);
        for (const c of onDisk) {
          const n = cps.find((x) => x.checkpoint.id === c.id)!;
          assert.equal(n.checkpoint.manifestId, c.manifest_id);
          assert.equal(n.checkpoint.name, c.name);
          assert.equal(n.checkpoint.createTimeS, Date.parse(c.create_time) / 1000);
          assert.equal(n.checkpoint.expireTimeS, c.expire_time === null ? 0 : Date.parse(c.expire_time) / 1000);
          assert.equal(n.label, c.name ?? c.id.slice(0, 8));
          assert.ok(String(n.description).startsWith(`→ #${c.manifest_id} · `), String(n.description));
          assert.equal(n.contextValue, ContextValue.checkpoint);
          assert.deepEqual(n.target, { connectionId: id, dbPath: db, checkpointId: c.id });
        }
        // Newest first.
        const created = cps.map((c) => c.checkpoint.createTimeS);
        assert.deepEqual(created, [...created].sort((a, b) => b - a));
      }
      // The fixture's two DbReaders keep 2-hour checkpoints in `rich`.
      const rich = asCheckpoints(await checkpointNodes(api, id, 'rich'));
      assert.ok(rich.filter((c) => c.checkpoint.expireTimeS - c.checkpoint.createTimeS === 7200).length >= 2, 'reader checkpoints');
    });
  });

  describe('labels, descriptions, contextValues and icons per expiry state', () => {
    it('never / expiring soon / active / expired (made through the commands)', async () => {
      const folder = copyFixtures('tiny');
      const id = await addLocal(folder);
      const target = { connectionId: id, dbPath: 'tiny' };
      await databaseNode(api, id, 'tiny');
      const make = (name: string, lifetime: string | null) =>
        vscode.commands.executeCommand<{ id: string; manifestId: number }>(Command.createCheckpoint, target, { name, lifetime });
      const expired = await make('state-expired', '1s');
      const never = await make('state-never', null);
      const soon = await make('state-soon', '10min');
      const active = await make('state-active', '7days');
      await sleep(2100); // the 1 s one is now past its expiry

      const cps = asCheckpoints(await checkpointNodes(api, id, 'tiny'));
      const byId = (cpId: string) => {
        const n = cps.find((c) => c.checkpoint.id === cpId);
        assert.ok(n, `checkpoint ${cpId} is not in the tree`);
        return n;
      };
      const cases: Array<[string, { id: string; manifestId: number }, string, string, RegExp, string]> = [
        ['never', never, 'pinned', 'charts.blue', /never expires$/, 'never'],
        ['expiring soon', soon, 'watch', 'list.warningForeground', /expires in (9|10) min$/, 'expiring'],
        ['active', active, 'pass', 'testing.iconPassed', /expires in 7 days$/, 'active'],
        ['expired', expired, 'error', 'list.errorForeground', /expired \d+ s ago$/, 'expired'],
      ];
      for (const [what, created, icon, color, description, state] of cases) {
        const n = byId(created.id);
        assert.equal(n.label, `state-${what === 'expiring soon' ? 'soon' : what}`);
        assert.equal(n.contextValue, ContextValue.checkpoint, what);
        assert.deepEqual(themeIcon(n), { id: icon, color }, what);
        assert.match(String(n.description), new RegExp(`^→ #${created.manifestId} · `), what);
        assert.match(String(n.description), description, what);
        assert.match((n.tooltip as vscode.MarkdownString).value, new RegExp(`\\| State \\| ${state} \\|`), what);
        assert.match(n.accessibilityInformation?.label ?? '', new RegExp(`checkpoint state-`), what);
      }
    });

    it("a writer's own checkpoint (WriterCheckpoint metadata) gets the writer icon and says so", async () => {
      // @slatedb/uniffi 0.12.1 writes no WriterCheckpoint (SLATEDB-FACTS.md); newer SlateDB writers do.
      // So the test commits manifest N+1 = N plus one such checkpoint, encoded with our codec the way
      // SlateDB lays it out (metadata_type 1, metadata {epoch}).
      const folder = copyFixtures('tiny');
      const latest = latestIdOnDisk(folder, 'tiny');
      const dir = path.join(folder, 'tiny', 'manifest');
      const file = (n: number) => path.join(dir, `${String(n).padStart(20, '0')}.manifest`);
      const m = decodeManifest(new Uint8Array(fs.readFileSync(file(latest))));
      const writerId = randomUUID();
      const hex = writerId.replace(/-/g, '');
      const now = Math.floor(Date.now() / 1000);
      const cp = {
        id: { high: BigInt('0x' + hex.slice(0, 16)), low: BigInt('0x' + hex.slice(16)) },
        manifest_id: BigInt(latest + 1),
        checkpoint_expire_time_s: 0,
        checkpoint_create_time_s: now,
        metadata_type: 1,
        metadata: { epoch: 7n },
        name: null,
      };
      const next = { ...m, root: { ...m.root, checkpoints: [...((m.root.checkpoints as unknown[]) ?? []), cp] } } as typeof m;
      fs.writeFileSync(file(latest + 1), encodeManifest(next), { flag: 'wx' });
      assert.equal(cliCheckpoints(folder, 'tiny').find((c) => c.id === writerId)?.writer_epoch, 7, 'the CLI reads the writer epoch');

      const id = await addLocal(folder);
      const n = asCheckpoints(await checkpointNodes(api, id, 'tiny')).find((c) => c.checkpoint.id === writerId);
      assert.ok(n, 'the writer checkpoint is in the tree');
      assert.deepEqual(themeIcon(n), { id: 'account', color: 'charts.purple' });
      assert.match(String(n.description), new RegExp(`^→ #${latest + 1} · writer · never expires$`));
      assert.match((n.tooltip as vscode.MarkdownString).value, /\| Writer epoch \| 7 \|/);
      assert.match((n.tooltip as vscode.MarkdownString).value, /the writer's own checkpoint/);
    });
  });

  describe('create / refresh / delete through the registered commands', () => {
    it('each writes exactly one new manifest with the change, and the tree shows it when the command resolves', async () => {
      const folder = copyFixtures('tiny');
      const id = await addLocal(folder);
      const target = { connectionId: id, dbPath: 'tiny' };
      await databaseNode(api, id, 'tiny');
      const base = latestIdOnDisk(folder, 'tiny');

      // create
      const t0 = nowS();
      const created = await vscode.commands.executeCommand<{ id: string; manifestId: number }>(Command.createCheckpoint, target, { lifetime: '1h', name: 'it-create' });
      assert.equal(created.manifestId, base + 1, 'a new checkpoint pins the manifest it writes');
      assert.equal(latestIdOnDisk(folder, 'tiny'), base + 1);
      let onDisk = cliCheckpoints(folder, 'tiny').find((c) => c.id === created.id);
      assert.ok(onDisk, 'the created checkpoint is in the latest manifest on disk');
      assert.equal(onDisk.name, 'it-create');
      assert.equal(onDisk.manifest_id, base + 1);
      const expire1 = Date.parse(onDisk.expire_time!) / 1000;
      assert.ok(Math.abs(expire1 - (t0 + 3600)) <= 5, `expiry ${onDisk.expire_time} is about an hour from now`);
      let shown = asCheckpoints(await checkpointNodes(api, id, 'tiny')).find((c) => c.checkpoint.id === created.id);
      assert.ok(shown, 'the tree shows the new checkpoint');
      assert.equal(api.tree.findDatabaseNode(target)?.description, `manifest #${base + 1} · 1 checkpoint`);

      // refresh to 2 h
      const refreshed = await vscode.commands.executeCommand<{ id: string; expire_time: string | null }>(
        Command.refreshCheckpoint,
        { ...target, checkpointId: created.id },
        { lifetime: '2h' },
      );
      assert.equal(refreshed.id, created.id);
      assert.equal(latestIdOnDisk(folder, 'tiny'), base + 2);
      onDisk = cliCheckpoints(folder, 'tiny').find((c) => c.id === created.id)!;
      assert.equal(onDisk.expire_time, refreshed.expire_time);
      assert.ok(Math.abs(Date.parse(onDisk.expire_time!) / 1000 - (nowS() + 7200)) <= 5, `expiry ${onDisk.expire_time} is about 2 h from now`);
      assert.equal(onDisk.manifest_id, base + 1, 'refresh keeps the pinned manifest');
      shown = asCheckpoints(await checkpointNodes(api, id, 'tiny')).find((c) => c.checkpoint.id === created.id);
      assert.match(String(shown?.description), /expires in 2 h$/);

      // refresh to never
      const forever = await vscode.commands.executeCommand<{ expire_time: string | null }>(Command.refreshCheckpoint, { ...target, checkpointId: created.id }, { lifetime: null });
      assert.equal(forever.expire_time, null);
      assert.equal(latestIdOnDisk(folder, 'tiny'), base + 3);
      assert.equal(cliCheckpoints(folder, 'tiny').find((c) => c.id === created.id)?.expire_time, null);
      shown = asCheckpoints(await checkpointNodes(api, id, 'tiny')).find((c) => c.checkpoint.id === created.id);
      assert.match(String(shown?.description), /never expires$/);
      assert.equal(themeIcon(shown!).id, 'pinned');

      // delete
      const deleted = await vscode.commands.executeCommand<{ id: string; deleted: boolean }>(Command.deleteCheckpoint, { ...target, checkpointId: created.id }, { confirmed: true });
      assert.deepEqual({ id: deleted.id, deleted: deleted.deleted }, { id: created.id, deleted: true });
      assert.equal(latestIdOnDisk(folder, 'tiny'), base + 4);
      assert.equal(cliCheckpoints(folder, 'tiny').find((c) => c.id === created.id), undefined);
      const after = await checkpointNodes(api, id, 'tiny');
      assert.deepEqual(after.map((c) => [c.kind, c.label]), [['message', 'No checkpoints']]);

      // deleting it again succeeds and writes nothing
      const again = await vscode.commands.executeCommand<{ deleted: boolean }>(Command.deleteCheckpoint, { ...target, checkpointId: created.id }, { confirmed: true });
      assert.equal(again.deleted, false);
      assert.equal(latestIdOnDisk(folder, 'tiny'), base + 4);
    });

    it('bad input (lifetime "abc", malformed ids, control characters) rejects and writes nothing', async () => {
      const folder = copyFixtures('tiny');
      const existing = cli<{ id: string }>(folder, 'tiny', 'create-checkpoint', '--lifetime', '1h', '--name', 'keep');
      const id = await addLocal(folder);
      const target = { connectionId: id, dbPath: 'tiny' };
      await databaseNode(api, id, 'tiny');
      const before = snapshotFiles(folder);
      const run = (command: string, arg: unknown, options: unknown) => Promise.resolve(vscode.commands.executeCommand(command, arg, options));

      await assert.rejects(run(Command.createCheckpoint, target, { lifetime: 'abc' }), /abc/);
      await assert.rejects(run(Command.createCheckpoint, target, { lifetime: '0s' }), /at least 1 second|duration|0s/i);
      await assert.rejects(run(Command.createCheckpoint, target, { lifetime: '1h', name: 'bad\u0001name' }), /control characters/);
      await assert.rejects(run(Command.createCheckpoint, target, { lifetime: '1h', sourceId: 'not-a-uuid' }), /not a checkpoint id/);
      await assert.rejects(run(Command.refreshCheckpoint, { ...target, checkpointId: 'not-a-uuid' }, { lifetime: '1h' }), /not a checkpoint id/);
      await assert.rejects(run(Command.refreshCheckpoint, { ...target, checkpointId: existing.id }, { lifetime: 'abc' }), /abc/);
      await assert.rejects(run(Command.refreshCheckpoint, { ...target, checkpointId: randomUUID() }, { lifetime: '1h' }), /does not exist/);
      await assert.rejects(run(Command.deleteCheckpoint, { ...target, checkpointId: '1234' }, { confirmed: true }), /not a checkpoint id/);

      assert.deepEqual(snapshotFiles(folder), before, 'no file was created or changed');
      assert.deepEqual(cliCheckpoints(folder, 'tiny').map((c) => c.id), [existing.id]);
    });
  });

  describe('package.json contributions match the code', () => {
    const pkg = () => vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: { command: string; title: string; category?: string }[]; menus: Record<string, { command: string; when?: string }[]> };
    };

    /** Does a `when` clause's viewItem condition accept this contextValue? (only the forms we use) */
    function viewItemAccepts(when: string, contextValue: string): boolean | undefined {
      const eq = [...when.matchAll(/viewItem == ([\w.]+)/g)].map((m) => m[1]);
      const re = [...when.matchAll(/viewItem =~ \/((?:[^/\\]|\\.)+)\//g)].map((m) => new RegExp(m[1]));
      if (eq.length + re.length === 0) return undefined;
      return eq.some((v) => v === contextValue) || re.some((r) => r.test(contextValue));
    }

    it('every command in commandIds.ts is declared in package.json and registered, and vice versa', async () => {
      const declared: string[] = pkg().contributes.commands.map((c) => c.command).sort();
      assert.deepEqual(declared, Object.values(Command).sort());
      const registered = new Set(await vscode.commands.getCommands(true));
      for (const c of Object.values(Command)) assert.ok(registered.has(c), `${c} is not registered`);
      for (const c of pkg().contributes.commands) {
        assert.equal(c.category, 'SlateDB', c.command);
        assert.ok(c.title, c.command);
      }
      for (const [menu, entries] of Object.entries(pkg().contributes.menus)) {
        for (const e of entries) assert.ok(pkg().contributes.commands.some((c) => c.command === e.command), `${menu} names undeclared command ${e.command}`);
      }
    });

    it('every contextValue the nodes use has menu entries, no viewItem clause is dead, read-only nodes get no write commands', () => {
      const items = pkg().contributes.menus['view/item/context'];
      const values: string[] = Object.values(ContextValue);
      for (const cv of values) {
        const accepted = items.filter((e) => viewItemAccepts(e.when ?? '', cv));
        // Message rows ("No checkpoints", errors) have nothing to act on: no menu on purpose.
        if (cv === ContextValue.message) assert.deepEqual(accepted, [], 'message rows get no menu');
        else assert.ok(accepted.length > 0, `no view/item/context entry accepts contextValue ${cv}`);
      }
      for (const e of items) {
        assert.ok((values as string[]).some((cv) => viewItemAccepts(e.when ?? '', cv)), `dead when clause: ${e.command} ${e.when}`);
        assert.match(e.when ?? '', /view == slatedb\.explorer/, `${e.command} must be scoped to the view`);
      }
      const writes: string[] = [Command.createCheckpoint, Command.refreshCheckpoint, Command.deleteCheckpoint];
      for (const cv of [ContextValue.databaseReadOnly, ContextValue.checkpointReadOnly]) {
        const bad = items.filter((e) => writes.includes(e.command) && viewItemAccepts(e.when ?? '', cv));
        assert.deepEqual(bad.map((e) => e.command), [], `${cv} must not offer write commands`);
      }
      const accepts = (command: string, cv: string) => items.some((e) => e.command === command && viewItemAccepts(e.when ?? '', cv));
      assert.ok(accepts(Command.createCheckpoint, ContextValue.database));
      assert.ok(accepts(Command.refreshCheckpoint, ContextValue.checkpoint));
      assert.ok(accepts(Command.deleteCheckpoint, ContextValue.checkpoint));
      assert.ok(accepts(Command.openManifest, ContextValue.databaseReadOnly));
      assert.ok(accepts(Command.copyCheckpointId, ContextValue.checkpointReadOnly));
    });
  });

  describe('Open Manifest', () => {
    const docOf = async (uri: string | undefined) => {
      assert.ok(uri, 'openManifest returned no uri');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri) ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)));
      assert.equal(doc.uri.scheme, 'slatedb-manifest');
      assert.equal(doc.languageId, 'json');
      return JSON.parse(doc.getText()) as { id: number; format_version: number; read_only_reason: string | null; manifest: { checkpoints: { id: string; manifest_id: number }[] | null } };
    };

    it('opens the latest manifest of a database as JSON with its checkpoints', async () => {
      const folder = copyFixtures('rich');
      const id = await addLocal(folder);
      await databaseNode(api, id, 'rich');
      const json = await docOf(await vscode.commands.executeCommand<string>(Command.openManifest, { connectionId: id, dbPath: 'rich' }));
      assert.equal(json.id, latestIdOnDisk(folder, 'rich'));
      assert.equal(json.format_version, 1);
      assert.equal(json.read_only_reason, null);
      assert.deepEqual((json.manifest.checkpoints ?? []).map((c) => c.id).sort(), cliCheckpoints(folder, 'rich').map((c) => c.id).sort());
      assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'slatedb-manifest', 'shown in an editor');
    });

    it('from a checkpoint (tree node or plain target) opens the manifest it pins', async () => {
      const folder = copyFixtures('rich');
      const id = await addLocal(folder);
      const cps = asCheckpoints(await checkpointNodes(api, id, 'rich'));
      const latest = latestIdOnDisk(folder, 'rich');
      const old = cps.find((c) => c.checkpoint.manifestId < latest) ?? cps[0];
      const expected = cli<{ manifest: { checkpoints: { id: string }[] | null } }>(folder, 'rich', 'read-manifest', '--id', String(old.checkpoint.manifestId));

      const fromNode = await docOf(await vscode.commands.executeCommand<string>(Command.openManifest, old));
      assert.equal(fromNode.id, old.checkpoint.manifestId);
      assert.deepEqual((fromNode.manifest.checkpoints ?? []).map((c) => c.id), (expected.manifest.checkpoints ?? []).map((c) => c.id));

      const fromTarget = await docOf(await vscode.commands.executeCommand<string>(Command.openManifest, old.target));
      assert.equal(fromTarget.id, old.checkpoint.manifestId, 'a {connectionId, dbPath, checkpointId} target opens the pinned manifest too');
    });
  });

  describe('read-only databases', () => {
    it('a manifest with an unknown field slot, or format version 3: read-only in the tree, every write fails and writes nothing', async () => {
      const folder = copyFixtures();
      for (const db of ['ro-extra', 'ro-v3']) {
        fs.cpSync(path.join(fixtureRoot(), 'tiny'), path.join(folder, db), { recursive: true });
        cli(folder, db, 'create-checkpoint', '--lifetime', '1h', '--name', 'before-upgrade');
      }
      // ro-extra: the latest manifest re-encoded with one more ManifestV1 slot (as a newer SlateDB would write).
      const extraLatest = latestIdOnDisk(folder, 'ro-extra');
      const decoded = decodeManifest(fs.readFileSync(manifestFile(folder, 'ro-extra', extraLatest)));
      const withExtra = withSchemaCopy({ tables: { ManifestV1: [{ name: 'future_field', type: { kind: 'scalar', scalar: 'u64' } }] } }, () =>
        encodeManifest({ ...decoded, root: { ...decoded.root, future_field: 77n } }),
      );
      fs.writeFileSync(manifestFile(folder, 'ro-extra', extraLatest + 1), withExtra);
      // ro-v3: same body, format version 3.
      const v3Latest = latestIdOnDisk(folder, 'ro-v3');
      const body = fs.readFileSync(manifestFile(folder, 'ro-v3', v3Latest)).subarray(2);
      fs.writeFileSync(manifestFile(folder, 'ro-v3', v3Latest + 1), Buffer.concat([Buffer.from([0, 3]), body]));

      const id = await addLocal(folder);
      const before = snapshotFiles(folder);

      const extra = (await databaseNode(api, id, 'ro-extra')) as DatabaseNodeT;
      assert.equal(extra.contextValue, ContextValue.databaseReadOnly);
      assert.equal(themeIcon(extra).id, 'lock');
      assert.match(String(extra.description), /read-only/);
      assert.match((extra.tooltip as vscode.MarkdownString).value, /Read-only/);
      const extraCps = asCheckpoints(await api.tree.getChildren(extra));
      assert.deepEqual(extraCps.map((c) => [c.label, c.contextValue]), [['before-upgrade', ContextValue.checkpointReadOnly]]);

      const v3 = (await databaseNode(api, id, 'ro-v3')) as DatabaseNodeT;
      assert.equal(v3.contextValue, ContextValue.databaseReadOnly);
      assert.equal(latestIdOf(v3.snapshot), v3Latest + 1);
      assert.equal(v3.description, `manifest #${v3Latest + 1} · read-only`, 'no checkpoint count for a manifest it cannot decode');
      const v3Children = await api.tree.getChildren(v3);
      assert.equal(v3Children.length, 1);
      assert.equal(v3Children[0].kind, 'message');
      assert.match(String(v3Children[0].label), /format version 3/, 'says why the checkpoints are not shown (not "No checkpoints")');

      const run = (command: string, arg: unknown, options: unknown) => Promise.resolve(vscode.commands.executeCommand(command, arg, options));
      const cpId = extraCps[0].checkpoint.id;
      await assert.rejects(run(Command.createCheckpoint, { connectionId: id, dbPath: 'ro-extra' }, { lifetime: '1h', name: 'x' }), /does not understand|read-only/);
      await assert.rejects(run(Command.refreshCheckpoint, { connectionId: id, dbPath: 'ro-extra', checkpointId: cpId }, { lifetime: '1h' }), /does not understand|read-only/);
      await assert.rejects(run(Command.deleteCheckpoint, { connectionId: id, dbPath: 'ro-extra', checkpointId: cpId }, { confirmed: true }), /does not understand|read-only/);
      await assert.rejects(run(Command.createCheckpoint, { connectionId: id, dbPath: 'ro-v3' }, { lifetime: '1h', name: 'x' }), /format version 3/);
      assert.deepEqual(snapshotFiles(folder), before, 'nothing was written');

      // The error codes reach the SlateDB log (messages passed through executeCommand lose them).
      const logs = slateDbLogFiles();
      if (logs.length > 0) {
        await waitFor('the error codes in SlateDB.log', () => {
          const text = readAll(slateDbLogFiles());
          return /\[MANIFEST_READ_ONLY\]/.test(text) && /\[MANIFEST_UNSUPPORTED_VERSION\]/.test(text) ? true : undefined;
        });
      }
    });
  });

  describe('secrets', () => {
    it('S3 access keys live in SecretStorage only: not in settings, settings.json, or any log', async () => {
      const endpoint = process.env.SLATEDB_TEST_S3_ENDPOINT;
      const real = !!endpoint;
      const accessKeyId = real ? process.env.SLATEDB_TEST_S3_ACCESS_KEY! : `AKIT${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
      const secretAccessKey = real ? process.env.SLATEDB_TEST_S3_SECRET_KEY! : `it-secret-${randomUUID()}`;
      const region = process.env.SLATEDB_TEST_S3_REGION ?? 'us-east-1';
      const bucket = `slatedb-it-${randomUUID().slice(0, 8)}`;
      const prefix = 'host/tests';

      // Log everything while the connection is used (the engine logs each request at debug/trace).
      await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
      try {
        if (real) {
          const { S3Client, CreateBucketCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
          const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
          await s3.send(new CreateBucketCommand({ Bucket: bucket }));
          const tiny = path.join(fixtureRoot(), 'tiny');
          for (const file of findFiles(tiny, /./)) {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/tiny/${path.relative(tiny, file)}`, Body: fs.readFileSync(file) }));
          }
          s3.destroy();
        }
        const id = await vscode.commands.executeCommand<string>(Command.addS3Connection, {
          name: 'secret test',
          bucket,
          prefix,
          region,
          endpoint: endpoint ?? 'http://127.0.0.1:9',
          forcePathStyle: true,
          auth: 'access-keys',
          secret: { accessKeyId, secretAccessKey },
        });
        assert.ok(id);
        assert.deepEqual(await api.connections.secretOf(id), { accessKeyId, secretAccessKey }, 'SecretStorage holds the keys');

        const setting = JSON.stringify(config().get('connections'));
        assert.match(setting, new RegExp(bucket), 'the connection is in settings');
        assert.ok(!setting.includes(secretAccessKey) && !setting.includes(accessKeyId), `settings hold a key: ${setting}`);

        // Use the connection: list databases (and, on a real server, write a checkpoint).
        const dbs = await api.tree.getChildren(await connectionNode(api, id));
        if (real) {
          assert.deepEqual(dbs.map((d) => [d.kind, d.label]), [['database', 'tiny']], 'the keys signed real requests');
          const created = await vscode.commands.executeCommand<{ id: string }>(Command.createCheckpoint, { connectionId: id, dbPath: 'tiny' }, { lifetime: '1h', name: 's3' });
          assert.ok(asCheckpoints(await checkpointNodes(api, id, 'tiny')).some((c) => c.checkpoint.id === created.id));
          // The history webview of the S3 database: everything the page received holds no key.
          const panel = await vscode.commands.executeCommand<HistoryPanelApi>('slatedb.showHistory', { connectionId: id, dbPath: 'tiny' });
          const page = await waitFor('the S3 history in the page', async () => {
            const st = await panel.webviewState();
            return st.done && st.pins.some((p) => p.checkpoint.id === created.id) ? st : undefined;
          }, 30_000, 100);
          const pageText = JSON.stringify(page);
          assert.ok(pageText.includes(created.id), 'the page shows the checkpoint made through S3');
          assert.ok(!pageText.includes(secretAccessKey) && !pageText.includes(accessKeyId), 'the webview received a key');
          await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        } else {
          assert.equal(dbs[0]?.kind, 'message');
          assert.match(String(dbs[0]?.label), /^Cannot list/);
        }

        const userData = process.env.SLATEDB_TEST_USER_DATA_DIR;
        if (userData) {
          const settingsFile = fs.readFileSync(path.join(userData, 'User', 'settings.json'), 'utf8');
          assert.match(settingsFile, new RegExp(bucket), 'settings.json on disk has the connection');
          assert.ok(!settingsFile.includes(secretAccessKey) && !settingsFile.includes(accessKeyId), 'settings.json holds a key');
          const logs = await waitFor('SlateDB.log on disk', () => (slateDbLogFiles().length ? slateDbLogFiles() : undefined));
          // It was used: a signed conditional PUT (real server) or the failed listing (dead endpoint).
          const used = real ? /PUT-IF-ABSENT .*tiny\/manifest\/.* → created/ : /listing secret test: /;
          await waitFor(`SlateDB.log to show the connection in use (${used})`, () => (used.test(readAll(logs)) ? true : undefined));
          const slateLog = readAll(logs);
          assert.ok(!slateLog.includes(secretAccessKey), 'SlateDB.log holds the secret key');
          assert.ok(!slateLog.includes(accessKeyId), 'SlateDB.log holds the access key id');
          // Nowhere on the server's disk in plain text (VS Code's own logs included).
          const leaks = findFiles(userData, /./).filter((f) => fs.statSync(f).size < 50_000_000 && fs.readFileSync(f, 'latin1').includes(secretAccessKey));
          assert.deepEqual(leaks, [], 'files holding the secret key');
        }

        await vscode.commands.executeCommand(Command.removeConnection, { connectionId: id }, { confirmed: true });
        assert.equal(await api.connections.secretOf(id), undefined, 'removing the connection deletes its keys');
      } finally {
        await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info');
      }
    });
  });

  describe('polling and scale', () => {
    it('a checkpoint created outside the extension (CLI) appears after the next poll', async () => {
      const folder = copyFixtures('tiny');
      const id = await addLocal(folder);
      await vscode.commands.executeCommand('slatedb.explorer.focus');
      await databaseNode(api, id, 'tiny');
      await config().update('pollIntervalSeconds', 1, vscode.ConfigurationTarget.Global);
      try {
        await sleep(300);
        const target = { connectionId: id, dbPath: 'tiny' };
        const latencies: number[] = [];
        for (let round = 0; round < 3; round++) {
          const cliStart = Date.now();
          const created = cli<{ id: string; manifest_id: number }>(folder, 'tiny', 'create-checkpoint', '--lifetime', '1h', '--name', `from-cli-${round}`);
          const written = Date.now();
          await waitFor(
            'the CLI checkpoint in the tree',
            async () => (asCheckpoints(await checkpointNodes(api, id, 'tiny')).some((c) => c.checkpoint.id === created.id) ? true : undefined),
            5000,
            20,
          );
          latencies.push(Date.now() - written);
          if (round === 0) measure('CLI create-checkpoint (process start → exit)', written - cliStart);
          await sleep(137 * (round + 1)); // land at different points of the poll cycle
        }
        const sorted = [...latencies].sort((a, b) => a - b);
        measure('poll latency, CLI write → tree shows it, 1 s poll: min', sorted[0]);
        measure('poll latency, CLI write → tree shows it, 1 s poll: median', sorted[1]);
        measure('poll latency, CLI write → tree shows it, 1 s poll: max', sorted[2]);
        assert.ok(sorted[2] < 2500, `took ${sorted[2]} ms with a 1 s poll`);
        assert.equal(latestIdOf(api.tree.findDatabaseNode(target)?.snapshot), latestIdOnDisk(folder, 'tiny'));
      } finally {
        await config().update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
      }
    });

    it('1,000 checkpoints in one manifest: time for the tree to produce the items', async () => {
      const folder = copyFixtures('tiny');
      const latest = latestIdOnDisk(folder, 'tiny');
      const m = decodeManifest(fs.readFileSync(manifestFile(folder, 'tiny', latest)));
      const now = nowS();
      const tables = Array.from({ length: 1000 }, (_, i) =>
        newCheckpointTable({ id: newCheckpointId(), manifestId: latest + 1, createTimeS: now - i, expireTimeS: i % 4 === 0 ? 0 : now + 60 * (i + 1), name: i % 2 ? `bulk-${i}` : null }),
      );
      fs.writeFileSync(manifestFile(folder, 'tiny', latest + 1), encodeManifest(withCheckpoints(m, [...rawCheckpoints(m), ...tables])));
      assert.equal(cliCheckpoints(folder, 'tiny').length, 1000);

      const id = await addLocal(folder);
      const t0 = performance.now();
      const db = await databaseNode(api, id, 'tiny');
      const t1 = performance.now();
      const items = await api.tree.getChildren(db);
      const rendered = items.map((n) => api.tree.getTreeItem(n));
      const t2 = performance.now();
      assert.equal(asCheckpoints(items).length, 1000);
      assert.equal(rendered.length, 1000);
      measure('1,000 checkpoints: load database (LIST + read + decode)', t1 - t0);
      measure('1,000 checkpoints: getChildren → 1,000 tree items', t2 - t1);
      measure('1,000 checkpoints: total', t2 - t0);
      assert.ok(t2 - t0 < 2000, `1,000 items took ${t2 - t0} ms`);
    });
  });
});
