// The data browser inside a real VS Code extension host, on databases the REAL SlateDB engine wrote
// (test/fixtures/dataHostFixtures.ts, prepared in its own Node process: a copy of the shared
// `codec-zstd` fixture, and `hostile` with markup keys and values). What the PAGE holds (asked
// through the page itself) must equal the engine's own scans (`DbReader`, at a checkpoint and at
// latest); the page is driven through its own buttons and search (the probe clicks them).
//
//   node scripts/run-host-tests.mjs --grep="Data browser"
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { pinnedSsts } from '../../src/engine/pinned';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import type { VerifyResult } from '../../src/engine/verify';
import type { SlateDbExtensionApi } from '../../src/extension/extension';
import type { SlateNode } from '../../src/extension/tree/nodes';
import type { DataPanelApi } from '../../src/extension/webview/dataPanel';
import type { HistoryPanelApi } from '../../src/extension/webview/historyPanel';
import type { DataPageDump } from '../../src/shared/dataProbeMessages';
import type { DataHostFixtures, TruthRow } from '../fixtures/dataHostFixtures';
import { addLocal, checkpointNodes, databaseNode, extensionApi, extensionRoot, removeAllConnections, snapshotFiles, waitFor } from './support/explorerHost';

const XSS = '<img src=x onerror=alert(1)>';
const DB = 'codec-zstd';
const hexOf = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const textOf = (hex: string) => Buffer.from(hex, 'hex').toString('utf8');

type CheckpointNodeT = Extract<SlateNode, { kind: 'checkpoint' }>;

/** Prepares the databases in a separate Node process (the engine's native module stays out of the host). */
function prepare(): DataHostFixtures {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-data-it-'));
  const r = spawnSync('node', ['--import', 'tsx', path.join('test', 'fixtures', 'dataHostFixtures.ts'), out], { cwd: extensionRoot(), encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`preparing the data fixtures failed: ${r.stderr || r.stdout || r.error?.message}`);
  return JSON.parse(fs.readFileSync(path.join(out, 'data-host.json'), 'utf8')) as DataHostFixtures;
}

/** The page's state once it is not loading (and `until` holds). */
async function settled(panel: DataPanelApi, what: string, until: (d: DataPageDump) => boolean = () => true, timeoutMs = 20_000): Promise<DataPageDump> {
  let last: DataPageDump | undefined;
  try {
    return await waitFor(what, async () => {
      last = await panel.pageState();
      return !last.loading && last.error === null && until(last) ? last : undefined;
    }, timeoutMs, 50);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last state: ${JSON.stringify({ ...last, keys: last?.keys.length, keyHexes: last?.keyHexes.length })}`);
  }
}

/** Text that a table cell shows as is (one line, short, not JSON). */
const plainText = (t: string) => /^[\x20-\x7e]{1,400}$/.test(t) && !/^[[{]/.test(t);

describe('Data browser (extension host, real-engine databases)', function () {
  this.timeout(180_000);
  let api: SlateDbExtensionApi;
  let fx: DataHostFixtures;
  let connectionId: string;
  let filesBefore: Map<string, string>;
  const truth = (db: string, state: string): TruthRow[] => fx.dbs[db].truth[state];
  const cpId = (label: string) => fx.dbs[DB].checkpoints.find((c) => c.label === label)!.id;
  const cpNode = async (label: string): Promise<CheckpointNodeT> => {
    const node = (await checkpointNodes(api, connectionId, DB)).find((n): n is CheckpointNodeT => n.kind === 'checkpoint' && n.checkpoint.id === cpId(label));
    assert.ok(node, `checkpoint ${label} is in the tree`);
    return node;
  };

  before(async () => {
    fx = prepare();
    filesBefore = snapshotFiles(fx.store);
    api = await extensionApi();
    await removeAllConnections(api);
    await vscode.workspace.getConfiguration('slatedb').update('pollIntervalSeconds', 0, vscode.ConfigurationTarget.Global);
    connectionId = await addLocal(fx.store);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeAllConnections(api);
  });

  describe('Browse Data', () => {
    let panel: DataPanelApi;

    it('on a checkpoint (tree node) shows the engine’s first page at that checkpoint', async () => {
      const result = await vscode.commands.executeCommand<DataPanelApi>('slatedb.browseData', await cpNode('deletes'));
      assert.ok(result, 'slatedb.browseData returned no panel');
      panel = result;
      const page = await settled(panel, 'the first page', (d) => d.keyHexes.length > 0);
      const engine = truth(DB, 'deletes');
      assert.ok(engine.length > 200, `the fixture has ${engine.length} keys at "deletes"`);
      assert.equal(page.mode, 'browse');
      assert.deepEqual(page.keyHexes, engine.slice(0, 100).map((r) => r.k), 'the first 100 keys, in the engine’s order');
      assert.equal(page.more, true);
      assert.equal(page.dom.rows, 100);
      // Values as text where the cell shows them whole.
      let compared = 0;
      for (let i = 0; i < 100; i++) {
        const text = textOf(engine[i].v);
        if (!plainText(text) || Buffer.from(text, 'utf8').toString('hex') !== engine[i].v) continue;
        assert.equal(page.dom.valueCells[i], text, `value of ${page.keys[i]}`);
        compared++;
      }
      assert.ok(compared >= 50, `only ${compared} values compared`);
      assert.match(page.dom.statusText, /^100 keys shown, more follow/);
      assert.equal(page.dom.injectedElements, 0, page.dom.injectedDescriptions.join(', '));
    });

    it('Load More continues right after the last key shown, to the end, without repeats or gaps; Count All counts them', async () => {
      const engine = truth(DB, 'deletes');
      await panel.pageAct({ kind: 'click', action: 'more' });
      const two = await settled(panel, 'the second page', (d) => d.keyHexes.length === 200);
      assert.deepEqual(two.keyHexes.slice(0, 100), engine.slice(0, 100).map((r) => r.k), 'the first page stays');
      assert.equal(two.keyHexes[100], engine[100].k, 'page 2 starts at the key right after the last of page 1');
      assert.ok(two.keyHexes[100] > two.keyHexes[99]);
      for (let shown = 200; shown < engine.length; shown += 100) {
        await panel.pageAct({ kind: 'click', action: 'more' });
        await settled(panel, `page after ${shown}`, (d) => d.keyHexes.length === Math.min(engine.length, shown + 100));
      }
      const all = await settled(panel, 'every page', (d) => !d.more);
      assert.deepEqual(all.keyHexes, engine.map((r) => r.k));
      assert.equal(all.dom.rows, engine.length);
      await panel.pageAct({ kind: 'click', action: 'count' });
      const counted = await settled(panel, 'the count', (d) => d.count?.state === 'done');
      assert.equal(counted.count!.counted, engine.length);
      assert.equal(counted.count!.bytes, engine.reduce((a, r) => a + (r.k.length + r.v.length) / 2, 0));
    });

    it('search: a prefix, a range and a hex prefix list exactly the engine’s matching keys', async () => {
      const engine = truth(DB, 'deletes');
      await panel.pageAct({ kind: 'search', search: { kind: 'prefix', prefix: 'user:001' } });
      const prefixed = await settled(panel, 'the prefix search', (d) => d.keyHexes.every((k) => k.startsWith(hexOf('user:001'))) && d.keyHexes.length > 0);
      assert.deepEqual(prefixed.keyHexes, engine.filter((r) => r.k.startsWith(hexOf('user:001'))).map((r) => r.k));
      assert.equal(prefixed.more, false);

      await panel.pageAct({ kind: 'search', search: { kind: 'range', from: 'user:00120', to: 'user:00240' } });
      const lo = hexOf('user:00120');
      const hi = hexOf('user:00240');
      const expected = engine.filter((r) => r.k >= lo && r.k < hi).map((r) => r.k);
      assert.ok(expected.length > 100, 'the range spans more than a page');
      const ranged = await settled(panel, 'the range search', (d) => d.keyHexes[0] === expected[0]);
      assert.deepEqual(ranged.keyHexes, expected.slice(0, 100));
      await panel.pageAct({ kind: 'click', action: 'more' });
      const rangedAll = await settled(panel, 'the rest of the range', (d) => !d.more && d.keyHexes.length > 100);
      assert.deepEqual(rangedAll.keyHexes, expected);

      await panel.pageAct({ kind: 'search', search: { kind: 'prefix', prefix: '0x00' } });
      const binary = await settled(panel, 'the hex prefix search', (d) => d.keyHexes.length > 0 && d.keyHexes.every((k) => k.startsWith('00')));
      assert.deepEqual(binary.keyHexes, engine.filter((r) => r.k.startsWith('00')).map((r) => r.k));
      assert.ok(binary.keys.every((k) => k.startsWith('0x')), 'binary keys are shown as 0x… hex');
    });

    it('on a database (tree node) shows the latest state', async () => {
      const latest = await vscode.commands.executeCommand<DataPanelApi>('slatedb.browseData', await databaseNode(api, connectionId, DB));
      assert.ok(latest && latest !== panel, 'a panel of its own');
      const page = await settled(latest, 'the latest first page', (d) => d.keyHexes.length > 0);
      assert.deepEqual(page.keyHexes, truth(DB, 'latest').slice(0, 100).map((r) => r.k));
      latest.dispose();
    });
  });

  describe('hostile keys and values', () => {
    let panel: DataPanelApi;

    it(`a key and a value ${XSS} are shown as that literal text and create no element`, async () => {
      const result = await vscode.commands.executeCommand<DataPanelApi>('slatedb.browseData', await databaseNode(api, connectionId, 'hostile'));
      assert.ok(result);
      panel = result;
      const engine = truth('hostile', 'latest');
      const page = await settled(panel, 'the hostile page', (d) => d.keyHexes.length === engine.length);
      assert.deepEqual(page.keyHexes, engine.map((r) => r.k));
      const i = page.keyHexes.indexOf(hexOf(XSS));
      assert.ok(i >= 0, 'the XSS key is listed');
      assert.equal(page.dom.keyCells[i], XSS, 'the key cell shows the literal text');
      assert.equal(page.dom.valueCells[i], XSS, 'the value cell shows the literal text');
      assert.ok(page.dom.valueCells.includes('<svg onload=alert(3)></svg>'));
      await panel.pageAct({ kind: 'select', keyHex: hexOf(XSS) });
      const selected = await settled(panel, 'the detail pane', (d) => d.dom.detailText.includes('Sequence number'));
      assert.ok(selected.dom.detailText.includes(XSS), 'the detail pane shows it as text');
      assert.equal(selected.dom.injectedElements, 0, `no <img>, <svg>, <iframe>, foreign <script> or on* attribute: ${selected.dom.injectedDescriptions.join(', ')}`);
    });

    it('Open Value (the row’s button) opens a read-only document: pretty JSON in the JSON language, markup as plain text', async () => {
      const json = truth('hostile', 'latest').find((r) => r.k === hexOf('json:order'))!;
      await panel.pageAct({ kind: 'click', action: 'open-value', keyHex: json.k });
      const editor = await waitFor('the JSON value editor', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.scheme === 'slatedb-value' && e.document.getText().includes('"customer"') ? e : undefined;
      });
      assert.equal(editor.document.languageId, 'json');
      assert.equal(editor.document.getText(), `${JSON.stringify(JSON.parse(textOf(json.v)), null, 2)}\n`);
      await panel.pageAct({ kind: 'click', action: 'open-value', keyHex: hexOf(XSS) });
      const markup = await waitFor('the XSS value editor', () => {
        const e = vscode.window.activeTextEditor;
        return e?.document.uri.scheme === 'slatedb-value' && e.document.getText() === XSS ? e : undefined;
      });
      assert.equal(markup.document.languageId, 'plaintext');
      panel.dispose();
    });
  });

  describe('Compare with…', () => {
    let panel: DataPanelApi;

    it('lists exactly the keys the engine’s two scans say were added, removed and changed', async () => {
      const result = await vscode.commands.executeCommand<DataPanelApi>('slatedb.compareWith', await cpNode('base'), { to: cpId('deletes') });
      assert.ok(result, 'slatedb.compareWith returned no panel');
      panel = result;
      const expected = fx.diffs[`${DB}:base→deletes`];
      assert.ok(expected.length > 100 && ['added', 'removed', 'changed'].every((k) => expected.some((d) => d.kind === k)), 'the fixture has every kind, more than a page');
      const page = await settled(panel, 'the first page of differences', (d) => d.keyHexes.length > 0);
      assert.equal(page.mode, 'compare');
      assert.deepEqual(page.keyHexes.map((k, i) => `${page.diffKinds[i]} ${k}`), expected.slice(0, 100).map((d) => `${d.kind} ${d.k}`));
      await panel.pageAct({ kind: 'click', action: 'count' });
      const counted = await settled(panel, 'the count of differences', (d) => d.count?.state === 'done');
      for (const kind of ['added', 'removed', 'changed'] as const) assert.equal(counted.count![kind], expected.filter((d) => d.kind === kind).length, kind);
      assert.equal(counted.dom.injectedElements, 0, counted.dom.injectedDescriptions.join(', '));
    });

    it('the older state is always "before": comparing deletes with base lists the same differences', async () => {
      const reversed = await vscode.commands.executeCommand<DataPanelApi>('slatedb.compareWith', await cpNode('deletes'), { to: cpId('base') });
      assert.equal(reversed, panel, 'the same comparison: the same panel');
    });

    it('with the latest state', async () => {
      const latest = await vscode.commands.executeCommand<DataPanelApi>('slatedb.compareWith', await cpNode('base'), { to: null });
      assert.ok(latest);
      const page = await settled(latest, 'differences to latest', (d) => d.keyHexes.length > 0);
      assert.deepEqual(page.keyHexes.map((k, i) => `${page.diffKinds[i]} ${k}`), fx.diffs[`${DB}:base→latest`].slice(0, 100).map((d) => `${d.kind} ${d.k}`));
      latest.dispose();
    });

    it('Compare Value (the row’s button) opens VS Code’s diff editor on the two values', async () => {
      const changed = fx.diffs[`${DB}:base→deletes`].find((d) => d.kind === 'changed')!;
      await panel.pageAct({ kind: 'click', action: 'compare-value', keyHex: changed.k });
      const input = await waitFor('the diff editor', () => {
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        return tab?.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === 'slatedb-value' ? tab.input : undefined;
      });
      const [left, right] = await Promise.all([vscode.workspace.openTextDocument(input.original), vscode.workspace.openTextDocument(input.modified)]);
      const before = truth(DB, 'base').find((r) => r.k === changed.k)!;
      const after = truth(DB, 'deletes').find((r) => r.k === changed.k)!;
      assert.equal(left.getText(), textOf(before.v));
      assert.equal(right.getText(), textOf(after.v));
      panel.dispose();
    });
  });

  describe('Verify Checkpoint', () => {
    it('a shallow verify of a healthy checkpoint is OK and its tooltip says so', async () => {
      const result = await vscode.commands.executeCommand<VerifyResult | undefined>('slatedb.verifyCheckpoint', await cpNode('base'));
      assert.ok(result, 'the command returned no result (see the SlateDB log)');
      assert.equal(result.ok, true, JSON.stringify(result.problems));
      assert.ok(result.checked.ssts > 0);
      const tooltip = (await cpNode('base')).tooltip;
      assert.ok(tooltip instanceof vscode.MarkdownString && /Verified \| \$\(pass\) OK .*\(shallow/.test(tooltip.value), `tooltip: ${(tooltip as vscode.MarkdownString | undefined)?.value}`);
      const other = (await cpNode('final')).tooltip as vscode.MarkdownString;
      assert.ok(!other.value.includes('Verified'), 'only the verified checkpoint says so');
    });

    it('a deep verify is OK too, and reads blocks', async () => {
      const result = await vscode.commands.executeCommand<VerifyResult | undefined>('slatedb.verifyCheckpointDeep', await cpNode('deletes'));
      assert.ok(result?.ok, JSON.stringify(result?.problems));
      assert.ok(result.checked.blocks > 0, 'deep reads blocks');
      assert.match(((await cpNode('deletes')).tooltip as vscode.MarkdownString).value, /Verified \| \$\(pass\) OK .*\(deep/);
    });

    it('the mark lapses when the manifest changes; a deleted SST is reported with its object key and leaves no mark', async () => {
      const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-data-verify-'));
      fs.cpSync(path.join(fx.store, DB), path.join(broken, DB), { recursive: true });
      const brokenConnection = await addLocal(broken);
      const finalNode = async () => (await checkpointNodes(api, brokenConnection, DB)).find((n): n is CheckpointNodeT => n.kind === 'checkpoint' && n.checkpoint.id === cpId('final'))!;
      const verified = async () => ((await finalNode()).tooltip as vscode.MarkdownString).value.includes('Verified');
      try {
        const ok = await vscode.commands.executeCommand<VerifyResult | undefined>('slatedb.verifyCheckpoint', await finalNode());
        assert.ok(ok?.ok && (await verified()), 'verified OK first');
        // A new manifest (a checkpoint created here): what the checkpoint needs may have changed.
        await vscode.commands.executeCommand('slatedb.createCheckpoint', { connectionId: brokenConnection, dbPath: DB }, { lifetime: '1h', name: 'moves-the-manifest' });
        await waitFor('the mark to lapse', async () => !(await verified()) || undefined);

        // An SST the checkpoint pins (our engine's own listing of its manifest).
        const pinned = await pinnedSsts(new ManifestStore(new LocalObjectStore(broken), DB), cpId('final'));
        const gone = `${pinned.ssts[0].id}.sst`;
        fs.rmSync(path.join(broken, DB, 'compacted', gone));
        const result = await vscode.commands.executeCommand<VerifyResult | undefined>('slatedb.verifyCheckpoint', await finalNode());
        assert.ok(result, 'the command returned no result');
        assert.equal(result.ok, false, `deleting ${gone} went unnoticed`);
        assert.ok(result.problems.some((p) => p.key.endsWith(gone)), JSON.stringify(result.problems));
        assert.equal(await verified(), false);
      } finally {
        await api.connections.remove(brokenConnection);
        fs.rmSync(broken, { recursive: true, force: true });
      }
    });
  });

  describe('from the history panel', () => {
    it('its Browse Data button opens the data panel at that checkpoint', async () => {
      const history = await vscode.commands.executeCommand<HistoryPanelApi>('slatedb.showHistory', { connectionId, dbPath: DB });
      assert.ok(history);
      const label = (t: vscode.Tab) => t.label;
      const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).map(label);
      assert.ok(!tabs().some((t) => t.startsWith(`Data: ${DB} @ fixture:final`)), 'not open before');
      await history.receive({ type: 'action/browseData', checkpointId: cpId('final') });
      await waitFor('the data panel tab', () => tabs().some((t) => t.startsWith(`Data: ${DB} @ fixture:final`)) || undefined);
      const panel = await vscode.commands.executeCommand<DataPanelApi>('slatedb.browseData', { connectionId, dbPath: DB, checkpointId: cpId('final') });
      const page = await settled(panel, 'the page at final', (d) => d.keyHexes.length > 0);
      assert.deepEqual(page.keyHexes, truth(DB, 'final').slice(0, 100).map((r) => r.k));
      panel.dispose();
      history.dispose();
    });
  });

  describe('afterwards', () => {
    it('nothing was written to the store', () => {
      assert.deepEqual(snapshotFiles(fx.store), filesBefore);
    });
  });
});
