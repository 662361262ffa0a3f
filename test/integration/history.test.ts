// The history webview inside a real VS Code extension host, on a database the REAL SlateDB engine
// wrote (test/fixtures/buildHostFixtures.ts `rich`: sorted runs, GC gaps, compactor and reader
// checkpoints). What the PAGE holds (asked through the page itself, after postMessage) must equal
// what is on disk, computed here independently: manifest files listed with fs, SST sets read from
// the raw decoded tree (not the engine's history/pinned code), sizes from fs.stat of compacted/, and
// reclaimable bytes by set arithmetic.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ulidToString, uuidToString, U128 } from '../../src/engine/ids';
import { decodeManifest } from '../../src/engine/manifest/codec';
import type { DecodedTable } from '../../src/engine/manifest/flatDecoder';
import type { HistoryPanelApi } from '../../src/extension/webview/historyPanel';
import type { WebviewStateDump } from '../../src/shared/testProbeMessages';
import * as os from 'node:os';
import { syntheticHistory } from '../../bench/history.bench';
import { addLocal, cliCheckpoints, copyFixtures, extensionApi, measure, removeAllConnections, removeScratchDirs, sleep, waitFor } from './support/explorerHost';

const DB = 'rich';
const XSS = '<img src=x onerror=alert(1)>';

// ─────────────────────────────────────────── the disk, read independently ──

interface DiskManifest {
  id: number;
  size: number;
  ssts: Set<string>;
  checkpoints: Array<{ id: string; manifestId: number; name: string | null; expireTimeS: number }>;
}

interface Disk {
  manifests: Map<number, DiskManifest>;
  sstSizes: Map<string, number>;
  latest: DiskManifest;
}

const tables = (v: unknown) => (v as DecodedTable[] | null) ?? [];
const u128 = (t: unknown): U128 => ({ high: (t as DecodedTable).high as bigint, low: (t as DecodedTable).low as bigint });

function readDisk(folder: string, db: string): Disk {
  const dir = path.join(folder, db, 'manifest');
  const manifests = new Map<number, DiskManifest>();
  for (const name of fs.readdirSync(dir)) {
    if (!/^\d{20}\.manifest$/.test(name)) continue;
    const bytes = fs.readFileSync(path.join(dir, name));
    const m = decodeManifest(new Uint8Array(bytes));
    const ssts = new Set<string>();
    if (m.formatVersion === 1) {
      for (const s of tables(m.root.l0)) ssts.add(ulidToString(u128(s.id)));
      for (const run of tables(m.root.compacted)) for (const s of tables(run.ssts)) ssts.add(ulidToString(u128(s.id)));
    } else {
      for (const s of tables(m.root.ssts)) ssts.add(ulidToString(u128(s.id)));
    }
    const checkpoints = tables(m.root.checkpoints).map((c) => ({
      id: uuidToString(u128(c.id)),
      manifestId: Number(c.manifest_id as bigint),
      name: (c.name as string | null) ?? null,
      expireTimeS: c.checkpoint_expire_time_s as number,
    }));
    const id = Number(name.slice(0, 20));
    manifests.set(id, { id, size: bytes.length, ssts, checkpoints });
  }
  const sstSizes = new Map<string, number>();
  const compacted = path.join(folder, db, 'compacted');
  for (const name of fs.readdirSync(compacted)) {
    if (name.endsWith('.sst')) sstSizes.set(name.slice(0, -4), fs.statSync(path.join(compacted, name)).size);
  }
  const latest = manifests.get(Math.max(...manifests.keys()))!;
  return { manifests, sstSizes, latest };
}

const bytesOf = (ids: Iterable<string>, sizes: Map<string, number>) => [...ids].reduce((a, id) => a + (sizes.get(id) ?? 0), 0);

/** What deleting each checkpoint of the latest manifest would let GC reclaim, by set arithmetic. */
function expectedPins(disk: Disk) {
  return disk.latest.checkpoints.map((c) => {
    const pinned = disk.manifests.get(c.manifestId)?.ssts ?? new Set<string>();
    const heldElsewhere = new Set(disk.latest.ssts);
    for (const other of disk.latest.checkpoints) {
      if (other.id === c.id) continue;
      for (const s of disk.manifests.get(other.manifestId)?.ssts ?? []) heldElsewhere.add(s);
    }
    const exclusive = [...pinned].filter((s) => !heldElsewhere.has(s));
    return { id: c.id, manifestId: c.manifestId, ssts: pinned, total: bytesOf(pinned, disk.sstSizes), reclaimable: bytesOf(exclusive, disk.sstSizes), exclusive: new Set(exclusive) };
  });
}

function assertPageMatchesDisk(state: WebviewStateDump, disk: Disk): void {
  const ids = [...disk.manifests.keys()].sort((a, b) => b - a);
  assert.deepEqual(state.manifests.map((m) => m.id), ids, 'the page holds exactly the manifests on disk');
  for (const m of state.manifests) {
    const d = disk.manifests.get(m.id)!;
    assert.equal(m.error, null, `manifest ${m.id}: ${m.error}`);
    assert.deepEqual(new Set(m.sstIds), d.ssts, `SSTs of manifest ${m.id}`);
    assert.equal(m.size, d.size, `file size of manifest ${m.id}`);
    assert.equal(m.bytesReferenced, bytesOf(d.ssts, disk.sstSizes), `bytes referenced by manifest ${m.id}`);
    assert.equal(m.missingSsts, [...d.ssts].filter((s) => !disk.sstSizes.has(s)).length, `missing SSTs of manifest ${m.id}`);
    assert.deepEqual(m.checkpoints.map((c) => c.id).sort(), d.checkpoints.map((c) => c.id).sort(), `checkpoints of manifest ${m.id}`);
  }
  // Gaps: every id from 1 to the latest that is not on disk, and nothing else.
  const missing: number[] = [];
  for (let id = 1; id <= ids[0]; id++) if (!disk.manifests.has(id)) missing.push(id);
  const inGaps = state.gaps.flatMap((g) => Array.from({ length: g.toId - g.fromId + 1 }, (_, i) => g.fromId + i)).sort((a, b) => a - b);
  assert.deepEqual(inGaps, missing, 'gaps are exactly the ids GC deleted');
  // One diff per consecutive pair, SSTs added/removed as the sets say.
  assert.equal(state.diffs.length, ids.length - 1);
  for (const d of state.diffs) {
    const from = disk.manifests.get(d.fromId)!.ssts;
    const to = disk.manifests.get(d.toId)!.ssts;
    assert.deepEqual(new Set(d.sstsAdded), new Set([...to].filter((s) => !from.has(s))), `added in ${d.toId}`);
    assert.deepEqual(new Set(d.sstsRemoved), new Set([...from].filter((s) => !to.has(s))), `removed in ${d.toId}`);
  }
  // What each checkpoint pins.
  const expected = expectedPins(disk);
  assert.equal(state.pins.length, expected.length);
  for (const e of expected) {
    const pin = state.pins.find((p) => p.checkpoint.id === e.id);
    assert.ok(pin, `pin of ${e.id}`);
    assert.equal(pin.manifestId, e.manifestId);
    assert.deepEqual(new Set(pin.ssts.map((s) => s.id)), e.ssts, `SSTs pinned by ${e.id}`);
    for (const s of pin.ssts) {
      assert.equal(s.sizeBytes, disk.sstSizes.get(s.id) ?? null, `size of ${s.id}`);
      assert.equal(s.exclusive, e.exclusive.has(s.id), `exclusive ${s.id} of ${e.id}`);
    }
    assert.equal(pin.totalBytes, e.total, `total of ${e.id}`);
    assert.equal(pin.reclaimableBytes, e.reclaimable, `reclaimable of ${e.id}`);
  }
  assert.equal(state.bytes?.compactedCount, disk.sstSizes.size);
  assert.equal(state.bytes?.compactedTotal, bytesOf(disk.sstSizes.keys(), disk.sstSizes));
}

async function settledState(panel: HistoryPanelApi, what: string, until: (s: WebviewStateDump) => boolean = () => true, timeoutMs = 20_000): Promise<WebviewStateDump> {
  let last: WebviewStateDump | undefined;
  try {
    return await waitFor(
      what,
      async () => {
        last = await panel.webviewState();
        return last.done && until(last) ? last : undefined;
      },
      timeoutMs,
      100,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last page state: done=${last?.done} loaded=${last?.loaded}/${last?.total} latest=${last?.latestId} checkpoints=${last?.pins.map((p) => p.checkpoint.name ?? p.checkpoint.id).join(',')}`);
  }
}

/** Answers the quick inputs a command opens (the first item each time), as a user pressing Enter. */
async function acceptQuickInputs(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sleep(700);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
}

describe('history webview on a real SlateDB database', function () {
  this.timeout(120_000);
  let folder: string;
  let connectionId: string;
  let panel: HistoryPanelApi;
  const target = () => ({ connectionId, dbPath: DB });

  before(async () => {
    const api = await extensionApi();
    await removeAllConnections(api);
    folder = copyFixtures(DB);
    connectionId = await addLocal(folder);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const api = await extensionApi();
    await removeAllConnections(api);
    removeScratchDirs();
  });

  it('Show History opens a panel whose page holds exactly the manifests, SSTs, sizes, gaps and pins on disk', async () => {
    const started = performance.now();
    const result = await vscode.commands.executeCommand<HistoryPanelApi>('slatedb.showHistory', target());
    assert.ok(result, 'slatedb.showHistory returned no panel');
    panel = result;
    const first = await waitFor('the first batch in the page', async () => {
      const s = await panel.webviewState();
      return s.manifests.length > 0 ? s : undefined;
    }, 20_000, 20);
    measure('history panel: command → first manifests in the page (real db)', performance.now() - started);
    assert.ok(first.manifests.some((m) => m.id === first.latestId), 'the first batch has the latest manifest');
    const state = await settledState(panel, 'the whole history in the page');
    measure('history panel: command → whole history in the page (real db)', performance.now() - started);
    // Inside the page, from its navigation start: script running, then the first manifests drawn.
    measure('history page: navigation → script running', state.timing.scriptStartMs);
    measure('history page: script running → first manifests drawn', (state.timing.firstManifestsDrawnMs ?? NaN) - state.timing.scriptStartMs);
    const disk = readDisk(folder, DB);
    assert.ok(disk.manifests.size >= 3, `the fixture has only ${disk.manifests.size} manifests`);
    assert.ok(state.gaps.length > 0, 'the fixture (GC on) has gaps');
    assert.ok(state.pins.length >= 2, `the fixture has ${state.pins.length} checkpoints`);
    assertPageMatchesDisk(state, disk);
    // The CLI, in its own process, agrees on the checkpoints.
    assert.deepEqual(state.pins.map((p) => p.checkpoint.id).sort(), cliCheckpoints(folder, DB).map((c) => c.id).sort());
    // What the page draws.
    assert.equal(state.dom.timelineRows, Math.min(100, disk.manifests.size));
    assert.ok(state.dom.gapRows > 0, 'gap rows are drawn');
    assert.equal(state.dom.checkpointRows, state.pins.length);
    assert.equal(state.dom.chartPoints, disk.manifests.size);
    assert.equal(state.dom.injectedElements, 0, state.dom.injectedDescriptions.join(', '));
  });

  it('a checkpoint named <img src=x onerror=alert(1)> shows as that literal text and creates no element', async () => {
    const created = await vscode.commands.executeCommand<{ id: string }>('slatedb.createCheckpoint', target(), { lifetime: '2h', name: XSS });
    const state = await settledState(panel, 'the new checkpoint in the page', (s) => s.pins.some((p) => p.checkpoint.id === created.id));
    assert.ok(state.dom.checkpointNamesShown.includes(XSS), `names shown: ${JSON.stringify(state.dom.checkpointNamesShown)}`);
    assert.equal(state.dom.injectedElements, 0, `no <img>, <script>, <iframe> or on* attribute in the page: ${state.dom.injectedDescriptions.join(', ')}`);
    assertPageMatchesDisk(state, readDisk(folder, DB));
  });

  it('Show Pinned SSTs from a tree node selects that checkpoint in the same panel and draws its SST table', async () => {
    const api = await extensionApi();
    const dbNode = (await api.tree.getChildren((await api.tree.getChildren()).find((n) => n.kind === 'connection' && n.connection.id === connectionId))).find((n) => n.kind === 'database' && n.target.dbPath === DB);
    assert.ok(dbNode);
    const cpNodes = await api.tree.getChildren(dbNode);
    const xss = cpNodes.find((n) => n.kind === 'checkpoint' && n.checkpoint.name === XSS);
    assert.ok(xss && xss.kind === 'checkpoint', 'the named checkpoint is in the tree');
    // The tree item's own click command.
    const command = xss.command!;
    const same = await vscode.commands.executeCommand<HistoryPanelApi>(command.command, ...(command.arguments ?? []));
    assert.equal(same, panel, 'the open panel of this database is reused');
    const state = await settledState(panel, 'the selection in the page', (s) => s.selectedCheckpointId === xss.checkpoint.id && s.dom.sstRows > 0);
    const pin = state.pins.find((p) => p.checkpoint.id === xss.checkpoint.id)!;
    assert.equal(state.dom.sstRows, pin.ssts.length);
    assert.equal(panel.selectedCheckpointId, xss.checkpoint.id, 'the page told the extension');
    assert.equal(state.dom.injectedElements, 0, state.dom.injectedDescriptions.join(', '));
  });

  it('hiding the panel and showing it again keeps the page state (replayed, no reload)', async () => {
    const before = await panel.webviewState();
    const doc = await vscode.workspace.openTextDocument({ content: 'hide the history panel', language: 'plaintext' });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
    await sleep(500);
    await vscode.commands.executeCommand('slatedb.showHistory', target());
    const after = await settledState(panel, 'the page after being shown again', (s) => s.manifests.length === before.manifests.length);
    assert.equal(after.selectedCheckpointId, before.selectedCheckpointId, 'selection restored from getState');
    assert.deepEqual(after.manifests.map((m) => m.id), before.manifests.map((m) => m.id));
    assert.equal(after.dom.sstRows, before.dom.sstRows);
  });

  it('Create Checkpoint in the panel runs slatedb.createCheckpoint, which asks; the panel then shows it', async () => {
    const latestBefore = (await panel.webviewState()).latestId!;
    const acting = panel.receive({ type: 'action/createCheckpoint' });
    await acceptQuickInputs(3); // lifetime "1 hour", empty name, "Latest manifest"
    await acting;
    const state = await settledState(panel, 'a new checkpoint on the latest manifest', (s) => s.latestId === latestBefore + 1);
    const made = state.pins.find((p) => p.checkpoint.manifestId === latestBefore + 1 && p.checkpoint.name === null);
    assert.ok(made, `no checkpoint pins #${latestBefore + 1}: ${state.pins.map((p) => `${p.checkpoint.id}→${p.manifestId}`).join(', ')}`);
    assert.equal(made.checkpoint.expireTimeS - made.checkpoint.createTimeS, 3600);
    assert.equal(state.selectedCheckpointId, made.checkpoint.id, 'the new checkpoint is selected');
    assertPageMatchesDisk(state, readDisk(folder, DB));
  });

  it('Refresh Lifetime in the panel runs slatedb.refreshCheckpoint, which asks; the page shows the new expiry', async () => {
    const before = await panel.webviewState();
    const xss = before.pins.find((p) => p.checkpoint.name === XSS)!.checkpoint;
    const acting = panel.receive({ type: 'action/refreshCheckpoint', checkpointId: xss.id });
    await acceptQuickInputs(1); // "1 hour" (it had 2 h)
    await acting;
    const state = await settledState(panel, 'the refreshed expiry', (s) => s.pins.some((p) => p.checkpoint.id === xss.id && p.checkpoint.expireTimeS < xss.expireTimeS));
    const disk = readDisk(folder, DB);
    assert.equal(state.pins.find((p) => p.checkpoint.id === xss.id)!.checkpoint.expireTimeS, disk.latest.checkpoints.find((c) => c.id === xss.id)!.expireTimeS);
    const diff = state.diffs.find((d) => d.toId === state.latestId)!;
    assert.deepEqual(diff.checkpointsRefreshed, [xss.id]);
  });

  it('ignores malformed messages from the page', async () => {
    const before = readDisk(folder, DB).manifests.size;
    await panel.receive({ type: 'action/deleteCheckpoint', checkpointId: '../../etc' });
    await panel.receive({ type: 'action/deleteCheckpoint' });
    await panel.receive({ type: 'no such thing' });
    await panel.receive('action/createCheckpoint');
    assert.equal(readDisk(folder, DB).manifests.size, before);
  });

  it('Show History also opens from a manifest document (title-bar command and code lens)', async () => {
    const uriText = await vscode.commands.executeCommand<string>('slatedb.openManifest', target());
    const uri = vscode.Uri.parse(uriText);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const lens = lenses.find((l) => l.command?.command === 'slatedb.showHistory');
    assert.ok(lens, 'a Show History code lens');
    const fromDoc = await vscode.commands.executeCommand<HistoryPanelApi>('slatedb.showHistory', ...(lens.command!.arguments ?? []));
    assert.equal(fromDoc, panel);
  });
});

describe('history webview on a long history', function () {
  this.timeout(120_000);
  let folder: string;

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeAllConnections(await extensionApi());
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('1,000 manifests: the page gets them all, draws the first page of the timeline, and says how long it took', async () => {
    // The bench's synthetic history (encoded with our codec), written to disk; SSTs as sparse files.
    const { store, ssts } = await syntheticHistory(1000);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'slatedb-history-1000-'));
    let page = await store.listPage({ prefix: '' });
    const keys = [...page.objects];
    while (page.nextContinuationToken) {
      page = await store.listPage({ prefix: '', continuationToken: page.nextContinuationToken });
      keys.push(...page.objects);
    }
    for (const o of keys) {
      const file = path.join(folder, o.key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (o.key.endsWith('.manifest')) fs.writeFileSync(file, (await store.get(o.key))!.bytes);
      else {
        fs.writeFileSync(file, '');
        fs.truncateSync(file, o.size);
      }
    }
    const connectionId = await addLocal(folder);
    const started = performance.now();
    const panel = await vscode.commands.executeCommand<HistoryPanelApi>('slatedb.showHistory', { connectionId, dbPath: 'bench' });
    const state = await settledState(panel, '1,000 manifests in the page', (s) => s.manifests.length === 1000, 60_000);
    measure('history panel, 1,000 manifests (local disk): command → whole history in the page', performance.now() - started);
    measure('history page, 1,000 manifests: script running → first manifests drawn', (state.timing.firstManifestsDrawnMs ?? NaN) - state.timing.scriptStartMs);
    measure('history page, 1,000 manifests: script running → all drawn', (state.timing.allDrawnMs ?? NaN) - state.timing.scriptStartMs);
    measure('history page, 1,000 manifests: engine load (loadHistory)', state.timing.engineMs ?? NaN);
    measure(`history page, 1,000 manifests: time spent drawing (${state.timing.renders} draws)`, state.timing.renderMs);
    assert.equal(state.diffs.length, 999);
    assert.ok(state.gaps.length > 100, `${state.gaps.length} gaps`);
    assert.equal(state.bytes?.compactedCount, ssts);
    assert.equal(state.dom.timelineRows + state.dom.gapRows, 100, 'the timeline draws one page of rows, not 1,000');
    assert.equal(state.dom.chartPoints, 1000);
    assert.equal(state.pins.length, 4);
    assert.ok(panel.history && panel.history.stats.read === 1000, 'every manifest read once');
  });
});

