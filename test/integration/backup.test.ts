// Backups from the SlateDB view, inside a real VS Code extension host, on real SlateDB databases
// (test/fixtures/buildHostFixtures.ts: `rich` has L0s, sorted runs and reader checkpoints). The
// commands run their interactive flows with scripted answers (support/promptStubs.ts): pick the
// target connection, type the path, watch the progress, read the result message. What they wrote
// is checked through independent paths: the CLI (its own process), directory listings, and the
// engine's point-in-time scan of the source, the repository and the restored database.
//
//   node scripts/run-host-tests.mjs --grep=Backups        (S3 part: source /tmp/rgw-env.sh first)
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackupResult } from '../../src/engine/backup/backup';
import { parseBackupName } from '../../src/engine/backup/naming';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { resolveState, scanState } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { Command, ContextValue } from '../../src/extension/commandIds';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import { escapeMd, type SlateNode } from '../../src/extension/tree/nodes';
import { formatBytes, plural } from '../../src/shared/checkpointStatus';
import { scriptPrompts, type PromptLog } from './support/promptStubs';
import { addLocal, checkpointNodes, cli, cliCheckpoints, copyFixtures, databaseNode, extensionApi, fixtureRoot, removeAllConnections, removeScratchDirs, snapshotFiles, themeIcon } from './support/explorerHost';

type CheckpointNodeT = Extract<SlateNode, { kind: 'checkpoint' }>;
const asCheckpoints = (nodes: SlateNode[]) => nodes.filter((n): n is CheckpointNodeT => n.kind === 'checkpoint');
const config = () => vscode.workspace.getConfiguration('slatedb');

/** Every live key and value of `dbPath` (at `checkpointId`, or its latest state), hex, in key order. */
async function scanOf(store: ObjectStore, dbPath: string, checkpointId?: string): Promise<string[]> {
  const state = await resolveState(new ManifestStore(store, dbPath), checkpointId);
  const rows: string[] = [];
  for await (const r of scanState(store, state)) rows.push(`${Buffer.from(r.key).toString('hex')}=${Buffer.from(r.value).toString('hex')}`);
  return rows;
}

function emptyFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-backup-it-'));
}

describe('Backups from the SlateDB view (extension host, real databases)', function () {
  this.timeout(180_000);
  let api: SlateDbExtensionApi;
  let prompts: PromptLog | undefined;
  const extraDirs: string[] = [];

  before(async () => {
    fixtureRoot();
    api = await extensionApi();
    await removeAllConnections(api);
    await config().update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
  });
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
    prompts?.restore();
    prompts = undefined;
    await removeAllConnections(api);
  });
  after(async () => {
    await config().update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    removeScratchDirs();
    for (const d of extraDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  /** `rich` in a source folder, an empty second folder, both connected; and rich's oldest reader checkpoint node. */
  async function setUp() {
    const sourceFolder = copyFixtures('rich');
    const repoFolder = emptyFolder();
    extraDirs.push(repoFolder);
    const sourceId = await addLocal(sourceFolder);
    const repoId = await addLocal(repoFolder);
    const readers = asCheckpoints(await checkpointNodes(api, sourceId, 'rich')).filter((c) => c.checkpoint.expireTimeS - c.checkpoint.createTimeS === 7200);
    assert.ok(readers.length > 0, 'rich has reader checkpoints');
    return { sourceFolder, repoFolder, sourceId, repoId, node: readers[readers.length - 1] };
  }

  it('Back Up Checkpoint… from the tree to a second connection: progress, copied vs reused, the repository in the tree with the backup marked, remembered next time', async () => {
    const { sourceFolder, repoFolder, sourceId, repoId, node } = await setUp();
    const sourceCp = node.checkpoint;
    prompts = scriptPrompts({
      quickPicks: [(i) => i.label.endsWith(path.basename(repoFolder)) && !i.label.startsWith('$(history)')],
      inputBoxes: [
        (shown) => {
          assert.equal(shown.value, 'rich', 'another connection: the source path is suggested');
          return 'repo/rich';
        },
      ],
    });
    const result = await vscode.commands.executeCommand<BackupResult>(Command.backupCheckpoint, node);
    assert.ok(result, 'the command returned the backup');
    assert.equal(result.source.checkpoint, sourceCp.id);
    assert.ok(result.copied.ssts > 0 && result.copied.bytes > 0, `copied ${JSON.stringify(result.copied)}`);
    assert.deepEqual(result.reused, { ssts: 0, wal_files: 0, bytes: 0 }, 'a new repository reuses nothing');

    // The picker offered every connection and the two "add" entries; the path prompt refused the source itself.
    const offered = prompts.quickPicks[0].items.map((i) => i.label);
    assert.ok(offered.some((l) => l.includes('Add Local Folder')) && offered.some((l) => l.includes('Add S3')), offered.join(' | '));
    const validate = prompts.inputBoxes[0].validateInput!;
    assert.match(String(await validate('../x')), /not valid/);
    assert.match(String(await validate('a//b')), /not valid/);
    assert.equal(await validate('repo/rich'), undefined);

    // Progress: a cancellable notification that reported bytes.
    const progress = prompts.progress.find((p) => /^Backing up rich checkpoint/.test(p.title ?? ''));
    assert.ok(progress, `progress titles: ${prompts.progress.map((p) => p.title).join(' | ')}`);
    assert.equal(progress.cancellable, true);
    assert.ok(progress.reports.some((r) => /^copying .* of .* · \d+ of \d+ objects?$/.test(r.message ?? '')), `reports: ${JSON.stringify(progress.reports)}`);
    // Success message: copied vs reused, and Reveal.
    const done = prompts.messages.find((m) => m.kind === 'info' && m.message.startsWith('Backed up rich checkpoint'));
    assert.ok(done, JSON.stringify(prompts.messages));
    assert.match(done.message, new RegExp(`copied ${result.copied.ssts} SSTs? \\+ ${result.copied.wal_files} WAL files? .*reused 0 SSTs \\+ 0 WAL files`));
    assert.deepEqual(done.buttons, ['Reveal']);

    // On disk (the CLI, its own process): one never-expiring checkpoint named after the source checkpoint.
    const onDisk = cliCheckpoints(repoFolder, 'repo/rich');
    assert.equal(onDisk.length, 1);
    assert.equal(onDisk[0].id, result.target.checkpoint_id);
    assert.equal(onDisk[0].expire_time, null, 'a backup never expires');
    const parsed = parseBackupName(onDisk[0].name);
    assert.ok(parsed, `name ${onDisk[0].name} parses as a backup`);
    assert.equal(parsed.sourcePath, 'rich');
    assert.equal(parsed.sourceCheckpoint, sourceCp.id);
    assert.ok(!fs.existsSync(path.join(sourceFolder, 'repo')), 'nothing was written next to the source');

    // The repository is an ordinary database in the tree; its checkpoint is marked as a backup.
    const repoNode = await databaseNode(api, repoId, 'repo/rich');
    assert.equal(repoNode.snapshot?.kind, 'ok');
    const [backupNode] = asCheckpoints(await api.tree.getChildren(repoNode));
    assert.ok(backupNode);
    assert.equal(backupNode.checkpoint.id, result.target.checkpoint_id);
    assert.equal(backupNode.label, 'backup of rich');
    assert.match(String(backupNode.description), new RegExp(`^@ ${sourceCp.id.slice(0, 8)} · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(.*\\) · → #${result.target.manifest_id}$`));
    assert.deepEqual(themeIcon(backupNode), { id: 'archive', color: 'charts.green' });
    assert.equal(backupNode.contextValue, ContextValue.backupCheckpoint);
    // Tooltip (resolved on hover): source, time and size from the repository's listing.
    await api.tree.resolveTreeItem(backupNode, backupNode);
    const tip = (backupNode.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /\| Backup of \| `rich` \|/);
    assert.match(tip, new RegExp(`\\| Source checkpoint \\| \`${sourceCp.id}\` \\|`));
    // The repository holds only this backup: its size is every SST and WAL file in it.
    const filesIn = (dir: string) => fs.readdirSync(path.join(repoFolder, 'repo/rich', dir)).map((f) => fs.statSync(path.join(repoFolder, 'repo/rich', dir, f)).size);
    const [ssts, wals] = [filesIn('compacted'), filesIn('wal')];
    const bytes = [...ssts, ...wals].reduce((a, b) => a + b, 0);
    assert.equal(ssts.length, result.copied.ssts);
    assert.equal(bytes, result.copied.bytes);
    const size = `${formatBytes(bytes)} in ${plural(ssts.length, 'SST')} + ${plural(wals.length, 'WAL file')}`;
    assert.ok(tip.includes(`| Size | ${escapeMd(size)} |`), `the tooltip says "${size}": ${tip}`);
    // The source checkpoints are not backups.
    assert.ok(asCheckpoints(await checkpointNodes(api, sourceId, 'rich')).every((c) => c.backup === null && c.contextValue === ContextValue.checkpoint));

    // The repository at the backup reads exactly what the source reads at its checkpoint.
    const source = new LocalObjectStore(sourceFolder);
    const repo = new LocalObjectStore(repoFolder);
    const expected = await scanOf(source, 'rich', sourceCp.id);
    assert.ok(expected.length > 0);
    assert.deepEqual(await scanOf(repo, 'repo/rich', result.target.checkpoint_id), expected);

    // A repository inside (or around) the source database is refused before anything is read or written.
    const sourceFiles = snapshotFiles(sourceFolder);
    for (const dbPath of ['rich', 'rich/backups', '']) {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand(Command.backupCheckpoint, node.target, { destination: { connectionId: sourceId, dbPath } })),
        /the database being backed up: choose a path outside it/,
        `destination "${dbPath}"`,
      );
    }
    assert.deepEqual(snapshotFiles(sourceFolder), sourceFiles);

    // Again: the destination is remembered (offered first, path prefilled); the same checkpoint writes nothing new.
    prompts.restore();
    const before = snapshotFiles(repoFolder);
    prompts = scriptPrompts({
      quickPicks: [(i, all) => i === all[0]],
      inputBoxes: [(shown) => shown.value],
      answer: (kind, _m, buttons) => (kind === 'info' && buttons.includes('Reveal') ? 'Reveal' : undefined),
    });
    const again = await vscode.commands.executeCommand<BackupResult>(Command.backupCheckpoint, node.target);
    assert.match(prompts.quickPicks[0].items[0].label, new RegExp(`^\\$\\(history\\) ${path.basename(repoFolder)}: repo/rich$`));
    assert.equal(prompts.inputBoxes[0].value, 'repo/rich');
    assert.equal(again.target.checkpoint_id, result.target.checkpoint_id, 'the existing backup is returned');
    assert.equal(again.copied.ssts + again.copied.wal_files, 0);
    assert.deepEqual(snapshotFiles(repoFolder), before, 'nothing was written');
    // Reveal selected the backup in the view.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(api.tree.findDatabaseNode({ connectionId: repoId, dbPath: 'repo/rich' })?.snapshot?.kind, 'ok');
  });

  it('Back Up Now… (latest) pins the source only while it copies; Cancel writes no backup checkpoint', async () => {
    const { sourceFolder, repoFolder, sourceId, repoId } = await setUp();
    const sourceBefore = cliCheckpoints(sourceFolder, 'rich').map((c) => c.id).sort();

    prompts = scriptPrompts({ cancelProgress: true });
    const cancelled = await vscode.commands.executeCommand(Command.backupNow, { connectionId: sourceId, dbPath: 'rich' }, { destination: { connectionId: repoId, dbPath: 'now/rich' } }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(cancelled instanceof Error && /cancel/i.test(cancelled.message), `cancelled: ${String(cancelled)}`);
    const repoManifests = path.join(repoFolder, 'now/rich/manifest');
    const cps = fs.existsSync(repoManifests) ? cliCheckpoints(repoFolder, 'now/rich') : [];
    assert.deepEqual(cps, [], 'no backup checkpoint after Cancel');
    assert.deepEqual(cliCheckpoints(sourceFolder, 'rich').map((c) => c.id).sort(), sourceBefore, 'the short-lived pin is gone after Cancel too');
    prompts.restore();

    prompts = scriptPrompts({ quickPicks: [(i) => i.label.endsWith(path.basename(repoFolder))], inputBoxes: ['now/rich'] });
    const result = await vscode.commands.executeCommand<BackupResult>(Command.backupNow, { connectionId: sourceId, dbPath: 'rich' });
    assert.ok(result && result.copied.ssts > 0);
    assert.deepEqual(cliCheckpoints(sourceFolder, 'rich').map((c) => c.id).sort(), sourceBefore, 'the short-lived pin was removed');
    const [backup] = cliCheckpoints(repoFolder, 'now/rich');
    assert.equal(backup.id, result.target.checkpoint_id);
    assert.ok(parseBackupName(backup.name), backup.name ?? 'unnamed');
    // Nobody writes `rich` meanwhile, so the backup reads what the source reads now.
    assert.deepEqual(await scanOf(new LocalObjectStore(repoFolder), 'now/rich', backup.id), await scanOf(new LocalObjectStore(sourceFolder), 'rich'));
  });

  it('Restore Backup… into an empty folder: the restored database shows in the tree and reads as the source did; a non-empty target is refused with nothing written', async () => {
    const { sourceFolder, repoFolder, sourceId, repoId, node } = await setUp();
    const backup = await vscode.commands.executeCommand<BackupResult>(Command.backupCheckpoint, node.target, { destination: { connectionId: repoId, dbPath: 'repo/rich' } });
    const restoreFolder = emptyFolder();
    extraDirs.push(restoreFolder);
    const restoreId = await addLocal(restoreFolder);
    const [backupNode] = asCheckpoints(await checkpointNodes(api, repoId, 'repo/rich'));
    assert.equal(backupNode.checkpoint.id, backup.target.checkpoint_id);

    // A target that holds a database: refused before anything is written, then the user gives up.
    const sourceFiles = snapshotFiles(sourceFolder);
    prompts = scriptPrompts({
      quickPicks: [(i) => i.label.endsWith(path.basename(sourceFolder))],
      inputBoxes: ['rich'],
      answer: () => undefined,
    });
    assert.equal(await vscode.commands.executeCommand(Command.restoreBackup, backupNode), undefined);
    const refusal = prompts.messages.find((m) => m.kind === 'error');
    assert.ok(refusal, JSON.stringify(prompts.messages));
    assert.match(refusal.message, /already holds a SlateDB database \(latest manifest #\d+\); restore writes only into an empty path/);
    assert.deepEqual(refusal.buttons, ['Choose Another Path']);
    assert.equal(prompts.messages.filter((m) => m.kind === 'warning').length, 0, 'no confirmation was asked');
    assert.deepEqual(snapshotFiles(sourceFolder), sourceFiles, 'nothing was written to the non-empty target');
    // Called from code: the same refusal is thrown.
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand(Command.restoreBackup, backupNode.target, { destination: { connectionId: sourceId, dbPath: 'rich' }, confirmed: true })),
      /already holds a SlateDB database/,
    );
    assert.deepEqual(snapshotFiles(sourceFolder), sourceFiles);
    prompts.restore();

    // The empty folder: confirm, restore with progress, then Reveal.
    prompts = scriptPrompts({
      quickPicks: [(i) => i.label.endsWith(path.basename(restoreFolder))],
      inputBoxes: [
        (shown) => {
          assert.equal(shown.value, 'rich-restored');
          return 'restored/rich';
        },
      ],
      answer: (kind, _m, buttons) => (kind === 'warning' ? 'Restore' : kind === 'info' && buttons.includes('Reveal') ? 'Reveal' : undefined),
    });
    const restored = await vscode.commands.executeCommand<BackupResult>(Command.restoreBackup, backupNode);
    assert.ok(restored, 'restore returned its result');
    const confirm = prompts.messages.find((m) => m.kind === 'warning');
    assert.ok(confirm && /^Restore backup of rich \([0-9a-f]{8}\) into /.test(confirm.message), JSON.stringify(prompts.messages));
    assert.ok(prompts.progress.some((p) => p.cancellable && /^Restoring backup of rich/.test(p.title ?? '') && p.reports.length > 0));
    const doneMsg = prompts.messages.find((m) => m.kind === 'info' && m.message.startsWith('Restored'));
    assert.ok(doneMsg, JSON.stringify(prompts.messages));
    assert.deepEqual(doneMsg.buttons, ['Reveal', 'Show History']);

    const restoredNode = await databaseNode(api, restoreId, 'restored/rich');
    assert.equal(restoredNode.snapshot?.kind, 'ok', 'the restored database opens');
    const expected = await scanOf(new LocalObjectStore(sourceFolder), 'rich', node.checkpoint.id);
    assert.deepEqual(await scanOf(new LocalObjectStore(restoreFolder), 'restored/rich'), expected, 'the restored database reads what the source read at the checkpoint');
    assert.ok(cli<{ id: number }>(restoreFolder, 'restored/rich', 'read-manifest').id > 0, 'the CLI reads the restored manifest');
    // The repository was not changed by the restore.
    assert.deepEqual(cliCheckpoints(repoFolder, 'repo/rich').map((c) => c.id), [backup.target.checkpoint_id]);
  });

  it('local → S3 (Ceph RGW) backup and S3 → local restore between two connections', async function () {
    const endpoint = process.env.SLATEDB_TEST_S3_ENDPOINT;
    assert.ok(endpoint, 'needs SLATEDB_TEST_S3_* (npm test starts RGW; by hand: source /tmp/rgw-env.sh before run-host-tests)');
    const accessKeyId = process.env.SLATEDB_TEST_S3_ACCESS_KEY!;
    const secretAccessKey = process.env.SLATEDB_TEST_S3_SECRET_KEY!;
    const region = process.env.SLATEDB_TEST_S3_REGION ?? 'us-east-1';
    const bucket = `slatedb-it-bk-${randomUUID().slice(0, 8)}`;
    const { S3Client, CreateBucketCommand, ListObjectsV2Command, DeleteObjectCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The test server is small and shared: leave nothing behind.
    cleanups.push(async () => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      for (const o of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      s3.destroy();
    });

    const { sourceFolder, sourceId, node } = await setUp();
    const s3Id = await vscode.commands.executeCommand<string>(Command.addS3Connection, { name: 'backups on RGW', bucket, prefix: 'vault', region, endpoint, forcePathStyle: true, auth: 'access-keys', secret: { accessKeyId, secretAccessKey } });
    const backup = await vscode.commands.executeCommand<BackupResult>(Command.backupCheckpoint, node.target, { destination: { connectionId: s3Id, dbPath: 'rich' } });
    assert.ok(backup.copied.ssts > 0);
    assert.match(backup.target.store, new RegExp(`^s3://${bucket}`));
    const [backupNode] = asCheckpoints(await checkpointNodes(api, s3Id, 'rich'));
    assert.equal(backupNode?.backup?.sourceCheckpoint, node.checkpoint.id, 'the S3 repository shows the backup');

    const restoreFolder = emptyFolder();
    extraDirs.push(restoreFolder);
    const restoreId = await addLocal(restoreFolder);
    await vscode.commands.executeCommand<BackupResult>(Command.restoreBackup, backupNode, { destination: { connectionId: restoreId, dbPath: 'from-s3' }, confirmed: true });
    assert.equal((await databaseNode(api, restoreId, 'from-s3')).snapshot?.kind, 'ok');
    assert.deepEqual(await scanOf(new LocalObjectStore(restoreFolder), 'from-s3'), await scanOf(new LocalObjectStore(sourceFolder), 'rich', node.checkpoint.id));
    void sourceId;
  });
});
