// Policies and the health report inside a real VS Code extension host, on real SlateDB databases
// (copies of the `tiny` and `rich` fixtures the real engine built):
//   - Apply Policy Now: the preview (a quick pick, answered here by replacing showQuickPick, as a
//     user would choose) lists each planned action with its reason; Apply writes them (read back
//     from disk with a fresh engine ManifestStore, not the extension's registry); Cancel writes nothing;
//   - Edit Policies creates the workspace file from a template naming the shown databases;
//   - the contributed JSON schema: VS Code's JSON language service flags a wrong key (and the
//     other mistakes the parser rejects) in .slatedb/policies.json and accepts the valid files;
//   - Show Health Report on purpose-built databases: an old never-expiring checkpoint, the real
//     compactor's unnamed pins over a threshold from settings, an orphan SST (reported, not deleted).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseBackupName } from '../../src/engine/backup/naming';
import { createCheckpoint, listCheckpoints } from '../../src/engine/checkpoints';
import type { HealthReport } from '../../src/engine/health';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import type { CheckpointInfo } from '../../src/engine/manifest/model';
import { parsePolicy } from '../../src/engine/policy/parse';
import { checkpointName, windowStartMs } from '../../src/engine/policy/windows';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { Command } from '../../src/extension/commandIds';
import type { ApplyPolicyResult } from '../../src/extension/commands/policyCommands';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import type { PreviewItem } from '../../src/extension/policy/policyPreview';
import { addLocal, copyFixtures, extensionRoot, databaseNodes, extensionApi, fixtureRoot, removeAllConnections, removeScratchDirs, sleep, snapshotFiles, waitFor } from './support/explorerHost';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const config = () => vscode.workspace.getConfiguration('slatedb');
const storeOf = (folder: string) => new LocalObjectStore(folder);
const onDisk = async (folder: string, db: string): Promise<CheckpointInfo[]> => (await listCheckpoints(new ManifestStore(storeOf(folder), db))).checkpoints;

/** Answers each quick pick with the first item `choose` accepts, recording what was shown. */
function answerQuickPicks(...choose: Array<(item: PreviewItem) => boolean>): { shown: Array<{ title?: string; items: PreviewItem[] }>; restore(): void } {
  const w = vscode.window as unknown as { showQuickPick: unknown };
  const original = w.showQuickPick;
  const shown: Array<{ title?: string; items: PreviewItem[] }> = [];
  w.showQuickPick = async (items: PreviewItem[] | Thenable<PreviewItem[]>, options?: vscode.QuickPickOptions) => {
    const list = await items;
    shown.push({ title: options?.title, items: list });
    const next = choose.shift();
    if (!next) throw new Error(`unexpected quick pick "${options?.title}"`);
    return list.find((i) => i.kind !== vscode.QuickPickItemKind.Separator && next(i));
  };
  if (w.showQuickPick === original) throw new Error('showQuickPick cannot be replaced in this host');
  return { shown, restore: () => void (w.showQuickPick = original) };
}

function writePolicy(dir: string, policy: unknown): string {
  const file = path.join(dir, '.slatedb', 'policies.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(policy, null, 2));
  return file;
}

describe('policies and health (in the extension host, real databases)', function () {
  this.timeout(120_000);
  let api: SlateDbExtensionApi;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-policy-it-'));

  before(async () => {
    fixtureRoot();
    api = await extensionApi();
    await removeAllConnections(api);
    await config().update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
  });

  afterEach(async () => {
    await removeAllConnections(api);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await config().update('pollIntervalSeconds', undefined, vscode.ConfigurationTarget.Global);
    await config().update('health.unnamedPinPercent', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(tmp, { recursive: true, force: true });
    removeScratchDirs();
  });

  /** A copy of `tiny` with an old checkpoint of rule "hourly" and one no rule made. */
  async function policyFixture(): Promise<{ folder: string; oldHourly: string; manual: string; policyFile: string }> {
    const folder = copyFixtures('tiny');
    const ms = new ManifestStore(storeOf(folder), 'tiny');
    const old = await createCheckpoint(ms, { name: 'hourly-20261101T000000Z', lifetimeMs: 60 * DAY }, { now: () => new Date(Date.now() - 3 * DAY) });
    const manual = await createCheckpoint(ms, { name: 'manual' }, { now: () => new Date(Date.now() - 3 * DAY) });
    const policyFile = writePolicy(fs.mkdtempSync(path.join(tmp, 'p-')), {
      targets: [
        {
          store: `file://${folder}`,
          path: 'tiny',
          rules: [
            { name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 1 } },
            { name: 'nightly', every: '1day' },
          ],
        },
      ],
    });
    return { folder, oldHourly: old.id, manual: manual.id, policyFile };
  }

  it('Apply Policy Now previews each planned action with its reason, per database, and applies them after Apply', async () => {
    const { folder, oldHourly, manual, policyFile } = await policyFixture();
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    const picks = answerQuickPicks((i) => i.choice === 'apply');
    let result: ApplyPolicyResult | undefined;
    const started = Date.now();
    try {
      result = await vscode.commands.executeCommand<ApplyPolicyResult>(Command.applyPolicyNow, { policyFile });
    } finally {
      picks.restore();
    }
    assert.ok(result, 'the command returns its plan and results');
    const hourlyName = checkpointName('hourly', windowStartMs(started, HOUR));
    const nightlyName = checkpointName('nightly', windowStartMs(started, DAY));

    // The preview: one quick pick, Apply on top, a separator for the database, each action with its reason.
    assert.equal(picks.shown.length, 1);
    const items = picks.shown[0].items;
    assert.match(items[0].label, /^\$\(check\) Apply 3 actions on 1 database$/);
    const separator = items.find((i) => i.kind === vscode.QuickPickItemKind.Separator);
    assert.equal(separator?.label, 'tiny');
    const actions = items.filter((i) => i.action).map((i) => [i.label, i.detail]);
    assert.deepEqual(
      actions.map(([label]) => label),
      [`$(add) create ${hourlyName}`, '$(trash) delete hourly-20261101T000000Z', `$(add) create ${nightlyName}`],
    );
    assert.match(actions[0][1]!, /^every 1h: no hourly checkpoint in the window /);
    assert.match(actions[1][1]!, /keep \{last: 1\}/);
    assert.match(actions[2][1]!, /^every 1day: no nightly checkpoint in the window /);

    // Applied: read back from disk with the engine.
    assert.equal(result.cancelled, false);
    assert.equal(result.applied?.[0].error, null);
    const after = await onDisk(folder, 'tiny');
    const names = after.map((c) => c.name).sort();
    assert.deepEqual(names, [hourlyName, 'manual', nightlyName].sort());
    assert.ok(!after.some((c) => c.id === oldHourly), 'the old hourly checkpoint is deleted');
    assert.ok(after.some((c) => c.id === manual), 'a checkpoint no rule made is never deleted');
    const hourly = after.find((c) => c.name === hourlyName)!;
    assert.equal(hourly.expireTimeS - hourly.createTimeS, 2 * 86_400, 'lifetime 2days');
    assert.equal(after.find((c) => c.name === nightlyName)!.expireTimeS, 0, 'no lifetime: never expires');
    // The registry reloaded (the tree shows what is on disk).
    const snap = api.databases.snapshot({ connectionId: id, dbPath: 'tiny' });
    assert.equal(snap?.kind, 'ok');
    assert.deepEqual(snap!.kind === 'ok' ? snap!.checkpoints.map((c) => c.name).sort() : [], names);

    // Idempotent: a second run in the same windows has nothing to do (no preview is shown).
    const again = answerQuickPicks();
    try {
      const second = await vscode.commands.executeCommand<ApplyPolicyResult>(Command.applyPolicyNow, { policyFile });
      assert.equal(second?.planned[0].planned.length, 0);
      assert.equal(second?.applied, null);
      assert.equal(again.shown.length, 0);
    } finally {
      again.restore();
    }
  });

  it('a rule with backup: the preview lists the backup, Apply copies the new checkpoint into the repository (labelled with its name)', async () => {
    const folder = copyFixtures('tiny');
    const id = await addLocal(folder);
    await databaseNodes(api, id);
    const policyFile = writePolicy(fs.mkdtempSync(path.join(tmp, 'b-')), {
      targets: [{ store: `file://${folder}`, path: 'tiny', rules: [{ name: 'nightly', every: '1day', keep: { daily: 7 }, backup: { store: `file://${folder}`, path: 'backups/tiny' } }] }],
    });
    const picks = answerQuickPicks((i) => i.choice === 'apply');
    let result: ApplyPolicyResult | undefined;
    const started = Date.now();
    try {
      result = await vscode.commands.executeCommand<ApplyPolicyResult>(Command.applyPolicyNow, { policyFile });
    } finally {
      picks.restore();
    }
    const nightlyName = checkpointName('nightly', windowStartMs(started, DAY));
    const labels = picks.shown[0].items.filter((i) => i.action).map((i) => i.label);
    assert.deepEqual(labels, [`$(add) create ${nightlyName}`, `$(cloud-upload) back up ${nightlyName}`]);
    assert.equal(result?.applied?.[0].error, null, JSON.stringify(result?.applied?.[0].error));
    const created = (await onDisk(folder, 'tiny')).find((c) => c.name === nightlyName);
    assert.ok(created, 'the nightly checkpoint is on disk');
    const backups = (await onDisk(folder, 'backups/tiny')).map((c) => parseBackupName(c.name)).filter((b) => b !== null);
    assert.equal(backups.length, 1, 'one backup in the repository');
    assert.equal(backups[0]!.label, nightlyName);
    assert.equal(backups[0]!.sourceCheckpoint, created.id);
    assert.equal(backups[0]!.sourcePath, 'tiny');
  });

  it('Cancel in the preview applies nothing', async () => {
    const { folder, policyFile } = await policyFixture();
    const before = snapshotFiles(folder);
    const picks = answerQuickPicks((i) => i.label.startsWith('$(trash)'), (i) => i.choice === 'cancel');
    let result: ApplyPolicyResult | undefined;
    try {
      result = await vscode.commands.executeCommand<ApplyPolicyResult>(Command.applyPolicyNow, { policyFile });
    } finally {
      picks.restore();
    }
    assert.equal(picks.shown.length, 2, 'choosing an action shows the preview again');
    assert.equal(result?.cancelled, true);
    assert.equal(result?.applied, null);
    assert.equal(result?.planned[0].planned.length, 3);
    assert.deepEqual(snapshotFiles(folder), before, 'nothing written');
  });

  it('Cancel on the progress notification of the apply stops before anything is written, and says so per database', async () => {
    const { folder, policyFile } = await policyFixture();
    const before = snapshotFiles(folder);
    const picks = answerQuickPicks((i) => i.choice === 'apply');
    const w = vscode.window as unknown as { withProgress: typeof vscode.window.withProgress };
    const original = w.withProgress;
    const cancellable: string[] = [];
    // The user presses Cancel on the (cancellable) apply notification as soon as it shows.
    w.withProgress = ((options: vscode.ProgressOptions, task: Parameters<typeof vscode.window.withProgress>[1]) =>
      original(options, (progress, token) => {
        if (!options.cancellable) return task(progress, token);
        cancellable.push(options.title ?? '');
        const cancelled: vscode.CancellationToken = { isCancellationRequested: true, onCancellationRequested: (listener: (e: unknown) => unknown) => (listener(undefined), { dispose: () => undefined }) };
        return task(progress, cancelled);
      })) as typeof vscode.window.withProgress;
    let result: ApplyPolicyResult | undefined;
    try {
      result = await vscode.commands.executeCommand<ApplyPolicyResult>(Command.applyPolicyNow, { policyFile });
    } finally {
      w.withProgress = original;
      picks.restore();
    }
    assert.deepEqual(cancellable, ['Applying the SlateDB policy (3 actions)'], 'only the apply is cancellable; planning is not');
    assert.equal(result?.cancelled, true);
    assert.equal(result?.applied?.[0].error?.code, 'CANCELLED');
    assert.ok(result?.applied?.[0].planned.every((a) => a.result === undefined), 'no action has a result');
    assert.deepEqual(snapshotFiles(folder), before, 'nothing written');
  });

  it('Edit Policies creates .slatedb/policies.json from a template naming the shown databases, valid for apply-policy', async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0];
    assert.ok(workspace, 'the host runs with a workspace folder');
    const file = path.join(workspace.uri.fsPath, '.slatedb', 'policies.json');
    assert.ok(!fs.existsSync(file), `${file} must not exist before this test`);
    const folder = copyFixtures('tiny', 'rich');
    await addLocal(folder);
    try {
      const uri = await vscode.commands.executeCommand<string>(Command.editPolicies);
      assert.equal(vscode.Uri.parse(uri).fsPath, file);
      const text = fs.readFileSync(file, 'utf8');
      const policy = parsePolicy(text, 'policies.json');
      assert.deepEqual(policy.targets.map((t) => [t.store.url, t.path]).sort(), [
        [`file://${folder}`, 'rich'],
        [`file://${folder}`, 'tiny'],
      ]);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file, 'the file is opened');
      // Opening it again keeps what is there.
      fs.writeFileSync(file, text.replace('"hourly"', '"hourly2"'));
      await vscode.commands.executeCommand(Command.editPolicies);
      assert.match(fs.readFileSync(file, 'utf8'), /"hourly2"/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('the schema: VS Code flags a wrong key (and what else the parser rejects) in .slatedb/policies.json, accepts valid files', async () => {
    const base = { store: 'file:///d', path: 'db', rules: [{ name: 'a', every: '1h' }] };
    const withRule = (rule: Record<string, unknown>) => ({ targets: [{ ...base, rules: [rule] }] });
    const valid: Record<string, unknown> = {
      contract: {
        targets: [
          {
            store: 'file:///abs/dir',
            path: 'orders',
            rules: [
              { name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } },
              { name: 'nightly', every: '1day', keep: { daily: 7, weekly: 4, monthly: 6 }, backup: { store: 's3://backups/slatedb', path: 'orders' } },
              { name: 'bulk', everyWrites: 100000, lifetime: '7days', keep: { last: 5 } },
            ],
          },
          { store: 's3://prod-bucket', endpoint_url: 'http://127.0.0.1:9000', region: 'us-east-1', profile: 'minio', path_glob: 'tenants/*', rules: [{ name: 'daily', every: '1day', keep: { within: '7days' } }] },
        ],
      },
      schemaKey: { $schema: vscode.Uri.file(path.join(extensionRoot(), 'media', 'policy.schema.json')).toString(), targets: [base] },
      rootPath: { targets: [{ ...base, path: '/', rules: [{ name: 'x.y_1', every: '7days 30min 10s', everyWrites: 5, keep: { hourly: 1, within: '90s' } }] }] },
      deepGlob: { targets: [{ store: 'S3://b/p', path_glob: 'a/**/db-*', rules: [{ name: 'a', every: '1h' }] }] },
    };
    const invalid: Record<string, unknown> = {
      wrongRootKey: { targets: [base], target: [] },
      wrongTargetKey: { targets: [{ ...base, paths: 'x' }] },
      wrongRuleKey: withRule({ name: 'a', every: '1h', lifetme: '1h' }),
      wrongKeepKey: withRule({ name: 'a', every: '1h', keep: { yearly: 1 } }),
      wrongBackupKey: withRule({ name: 'a', every: '1h', backup: { store: 's3://b', path: 'x', connection: 'c' } }),
      noTargets: {},
      emptyTargets: { targets: [] },
      bothPaths: { targets: [{ ...base, path_glob: '*' }] },
      noPath: { targets: [{ store: 'file:///d', rules: base.rules }] },
      relativeFileStore: { targets: [{ ...base, store: 'file://rel/dir' }] },
      unknownScheme: { targets: [{ ...base, store: 'gs://b' }] },
      s3OptionsOnFile: { targets: [{ ...base, region: 'x' }] },
      badPath: { targets: [{ ...base, path: 'a/../b' }] },
      badGlob: { targets: [{ store: 'file:///d', path_glob: 'a/x**', rules: base.rules }] },
      emptyRules: { targets: [{ ...base, rules: [] }] },
      noTrigger: withRule({ name: 'a', keep: { last: 1 } }),
      noName: withRule({ every: '1h' }),
      dashName: withRule({ name: 'my-rule', every: '1h' }),
      badDuration: withRule({ name: 'a', every: '1 fortnight' }),
      numberDuration: withRule({ name: 'a', every: 3600 }),
      unitlessWithin: withRule({ name: 'a', every: '1h', keep: { within: '7' } }),
      zeroWrites: withRule({ name: 'a', everyWrites: 0 }),
      fractionalWrites: withRule({ name: 'a', everyWrites: 1.5 }),
      emptyKeep: withRule({ name: 'a', every: '1h', keep: {} }),
      zeroKeep: withRule({ name: 'a', every: '1h', keep: { daily: 0 } }),
      backupWithoutPath: withRule({ name: 'a', every: '1h', backup: { store: 's3://b' } }),
    };
    // The parser agrees: every valid one parses, every invalid one is rejected.
    for (const [name, v] of Object.entries(valid)) assert.doesNotThrow(() => parsePolicy(JSON.stringify(v)), name);
    for (const [name, v] of Object.entries(invalid)) assert.throws(() => parsePolicy(JSON.stringify(v)), /INVALID|:/, name);

    const open = async (name: string, v: unknown) => {
      const file = writePolicy(path.join(tmp, 'schema', name), v);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: true });
      return doc.uri;
    };
    const validUris = [];
    for (const [name, v] of Object.entries(valid)) validUris.push([name, await open(`valid-${name}`, v)] as const);
    const flagged: Record<string, string[]> = {};
    for (const [name, v] of Object.entries(invalid)) {
      const uri = await open(`invalid-${name}`, v);
      const diags = await waitFor(`a diagnostic on ${name}`, () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length > 0 ? d : undefined;
      }, 30_000, 100);
      flagged[name] = diags.map((d) => d.message);
    }
    // The wrong key is named as such by the JSON language service.
    assert.ok(flagged.wrongRuleKey.some((m) => /lifetme/.test(m) && /not allowed/i.test(m)), flagged.wrongRuleKey.join(' | '));
    assert.ok(flagged.dashName.some((m) => /no "-"/.test(m)), flagged.dashName.join(' | '));
    await sleep(1500); // the valid files were validated before the last invalid one: nothing may be pending for them
    for (const [name, uri] of validUris) assert.deepEqual(vscode.languages.getDiagnostics(uri).map((d) => d.message), [], `valid file ${name}`);
  });

  it('Show Health Report: an old never-expiring checkpoint, the compactor’s unnamed pins over the set threshold, an orphan SST (not deleted)', async () => {
    const folder = copyFixtures('rich');
    const ms = new ManifestStore(storeOf(folder), 'rich');
    const forgotten = await createCheckpoint(ms, { name: 'forgotten' }, { now: () => new Date(Date.now() - 40 * DAY) });
    const dir = path.join(folder, 'rich', 'compacted');
    const sst = fs.readdirSync(dir).find((f) => f.endsWith('.sst'))!;
    const orphan = path.join(dir, '01JDZZZZZZZZZZZZZZZZZZZZZZ.sst');
    fs.copyFileSync(path.join(dir, sst), orphan);
    fs.utimesSync(orphan, new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));
    const id = await addLocal(folder);
    const target = { connectionId: id, dbPath: 'rich' };

    await config().update('health.unnamedPinPercent', 99, vscode.ConfigurationTarget.Global);
    const strict = await vscode.commands.executeCommand<HealthReport>(Command.showHealthReport, target);
    assert.ok(strict);
    const kinds = (r: HealthReport) => r.findings.map((f) => f.kind);
    assert.ok(kinds(strict).includes('no_expiry_old'));
    assert.equal(strict.findings.find((f) => f.kind === 'no_expiry_old')!.checkpoint, forgotten.id);
    assert.ok(!kinds(strict).includes('unnamed_big_pin'), 'no pin is above 99%');
    const orphanFinding = strict.findings.find((f) => f.kind === 'orphan_ssts');
    assert.ok(orphanFinding, kinds(strict).join(', '));
    assert.deepEqual(strict.orphans.ssts.map((s) => s.key), ['rich/compacted/01JDZZZZZZZZZZZZZZZZZZZZZZ.sst']);
    assert.equal(orphanFinding.bytes, fs.statSync(orphan).size);
    assert.ok(fs.existsSync(orphan), 'reported, never deleted');

    // The real compactor's unnamed 15-minute checkpoints pin ~24% of rich's SST bytes: over a 20% threshold.
    await config().update('health.unnamedPinPercent', 20, vscode.ConfigurationTarget.Global);
    const report = await vscode.commands.executeCommand<HealthReport>(Command.showHealthReport, target);
    const pins = report.findings.filter((f) => f.kind === 'unnamed_big_pin');
    const compactorPins = report.checkpoints.filter((c) => c.origin === 'compactor' && c.sharePercent > 20);
    assert.ok(compactorPins.length > 0, `the fixture's compactor pins: ${JSON.stringify(report.checkpoints.map((c) => [c.origin, c.sharePercent]))}`);
    for (const c of compactorPins) {
      const f = pins.find((p) => p.checkpoint === c.checkpoint.id);
      assert.ok(f, `pin ${c.checkpoint.id} (${c.sharePercent}%) is a finding`);
      assert.match(f.message, /probably the compactor/);
      assert.match(f.message, /threshold 20%/);
    }
    assert.equal(report.bytes.pinnedByCheckpoints > 0, true);
    assert.equal(report.manifests.count > 0, true);
  });
});
