/**
 * Entry of the history page (bundled to dist/webview.js). Receives the
 * history as it streams from the extension, keeps the UI state in
 * vscode.setState (so hiding the panel or restarting VS Code loses nothing),
 * and sends actions back as typed messages. Every string from storage is
 * rendered as text (see dom.ts).
 */

import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

import { databaseLabel } from '../../shared/databaseLabel';
import { ExtensionToWebview, MessageType, PersistedState, PinData, SstColumn, TimelineFilter } from '../../shared/messages';
import type { WebviewStateDump } from '../../shared/testProbeMessages';
import { isHealthMessage } from '../../shared/healthMessages';
import { renderChart } from './chart';
import { CheckpointHandlers, makeSstFilterField, renderCheckpointList, renderPinned, renderSstRows } from './checkpointTables';
import { el, replace } from './dom';
import { formatBytes, plural } from './format';
import { applyHealthMessage, healthHost, renderHealth } from './healthSection';
import { defaultState, HistoryModel, TIMELINE_PAGE } from './model';
import { installTestProbe } from './testProbe';
import { renderTimeline } from './timeline';
import { vscode } from './vscodeApi';

const scriptStartMs = performance.now();
const timing: WebviewStateDump['timing'] = { scriptStartMs, firstManifestsDrawnMs: null, allDrawnMs: null, renders: 0, renderMs: 0, engineMs: null };
const model = new HistoryModel();
let ui: PersistedState = { ...defaultState(null), ...(vscode.getState() ?? {}) };
const counts = { chartBars: 0, chartPoints: 0 };

function save(): void {
  if (model.target) ui.target = model.target;
  vscode.setState(ui);
}

function select(id: string | null): void {
  if (ui.selectedCheckpointId === id) return;
  ui.selectedCheckpointId = id;
  save();
  vscode.postMessage({ type: MessageType.selectionChanged, checkpointId: id });
  schedule();
  if (id) requestAnimationFrame(() => document.getElementById('pinned')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
}

const handlers: CheckpointHandlers = {
  onSelect: (id) => select(id),
  onRefresh: (id) => vscode.postMessage({ type: MessageType.refreshCheckpoint, checkpointId: id }),
  onDelete: (id) => vscode.postMessage({ type: MessageType.deleteCheckpoint, checkpointId: id }),
  onOpenManifest: (id) => vscode.postMessage({ type: MessageType.openManifest, manifestId: id }),
  onReveal: (id) => vscode.postMessage({ type: MessageType.revealCheckpoint, checkpointId: id }),
  onBrowseData: (id) => vscode.postMessage({ type: MessageType.browseData, checkpointId: id }),
  onFilter: (text) => {
    ui.sstFilter = text;
    save();
    redrawSstTable();
  },
  onSort: (column: SstColumn) => {
    ui.sstSort = ui.sstSort.column === column ? { column, descending: !ui.sstSort.descending } : { column, descending: column === 'size' || column === 'exclusive' };
    save();
    redrawSstTable();
  },
};

const sstFilterField = makeSstFilterField(handlers);
let sstTable: { tableHost?: HTMLElement; count?: HTMLElement; pin?: PinData } = {};

function redrawSstTable(): void {
  if (sstTable.tableHost && sstTable.count && sstTable.pin) {
    renderSstRows(sstTable.tableHost, sstTable.count, sstTable.pin, { filter: ui.sstFilter, sort: ui.sstSort }, handlers);
  }
}

// ─────────────────────────────────────────────────────────────── layout ──

const app = document.getElementById('app')!;
const titleEl = el('h1', { class: 'title' });
const subtitle = el('p', { class: 'subtitle' });
const createButton = el('vscode-button', { attrs: { icon: 'add', title: 'Create a checkpoint at the latest manifest (asks for lifetime and name)' }, dataset: { action: 'create' }, on: { click: () => vscode.postMessage({ type: MessageType.createCheckpoint }) } }, 'Create Checkpoint…');
const reloadButton = el('vscode-button', { attrs: { icon: 'refresh', secondary: true, title: 'Read the store again (only new manifests are read)' }, dataset: { action: 'reload' }, on: { click: () => vscode.postMessage({ type: MessageType.reload }) } }, 'Reload');
const progress = el('vscode-progress-bar', { class: 'progress', attrs: { 'aria-label': 'Loading manifests' } });
const banner = el('div', { class: 'banner', attrs: { role: 'status' } });
const summary = el('section', { class: 'summary', attrs: { 'aria-label': 'Totals' } });
const chartHost = el('div', { class: 'chart-host' });
const timelineHost = el('div', { class: 'timeline-host' });
const checkpointsHost = el('div', { class: 'checkpoints-host' });
const pinnedHost = el('section', { class: 'panel pinned', attrs: { id: 'pinned', 'aria-label': 'Pinned SSTs' } });

replace(
  app,
  el('header', { class: 'top' }, el('div', { class: 'heading' }, titleEl, subtitle), el('div', { class: 'toolbar' }, createButton, reloadButton)),
  progress,
  banner,
  summary,
  el('section', { class: 'panel chart-panel', attrs: { id: 'chart', 'aria-label': 'Bytes per manifest' } }, el('h2', { text: 'Bytes referenced per manifest, and pinned by checkpoints' }), chartHost),
  el(
    'div',
    { class: 'columns' },
    el('section', { class: 'panel timeline-panel', attrs: { id: 'timeline', 'aria-label': 'Manifest timeline' } }, el('h2', { text: 'Manifests, newest first' }), timelineHost),
    el(
      'div',
      { class: 'side' },
      el('section', { class: 'panel', attrs: { id: 'checkpoints', 'aria-label': 'Checkpoints' } }, el('h2', { text: 'Checkpoints of the latest manifest' }), checkpointsHost),
      pinnedHost,
    ),
  ),
  healthHost,
);
app.removeAttribute('aria-busy');

function summaryCard(label: string, value: string, detail: string, kind = ''): HTMLElement {
  return el('div', { class: `card ${kind}` }, el('div', { class: 'card-label', text: label }), el('div', { class: 'card-value', text: value }), el('div', { class: 'card-detail', text: detail }));
}

function render(): void {
  const t0 = performance.now();
  draw();
  timing.renders++;
  timing.renderMs += performance.now() - t0;
  timing.engineMs = model.durationMs;
}

function draw(): void {
  const latest = model.latest();
  titleEl.textContent = model.target ? `History of ${databaseLabel(model.dbPath)}` : 'Manifest history';
  subtitle.textContent = model.target
    ? `${model.location} · latest manifest #${model.latestId ?? '…'} · ${plural(model.listing.length, 'manifest')} on the store · ${model.gaps.reduce((a, g) => a + g.toId - g.fromId + 1, 0)} ids deleted by GC`
    : '';
  const writable = model.writable();
  const why = model.readOnlyWhy();
  createButton.toggleAttribute('disabled', !writable || model.running.has('create'));
  createButton.setAttribute('title', writable ? 'Create a checkpoint at the latest manifest (asks for lifetime and name)' : `Read-only: ${why ?? 'loading'}`);
  reloadButton.toggleAttribute('disabled', model.running.has('reload'));

  // Progress while manifests stream in.
  const loading = model.target !== null && !model.done && model.error === null;
  progress.hidden = !loading;
  if (loading && model.total > 0) {
    (progress as unknown as { value: number; max: number }).max = model.total;
    (progress as unknown as { value: number }).value = model.loaded;
  }
  if (model.error) replace(banner, el('span', { class: 'codicon codicon-error', attrs: { 'aria-hidden': 'true' } }), el('span', { text: ` Could not load the history: ${model.error}` }));
  else if (loading) replace(banner, el('span', { class: 'muted', text: `Loaded ${model.loaded} of ${model.total} manifests…` }));
  else if (model.done) replace(banner, el('span', { class: 'muted', text: `Loaded ${plural(model.total, 'manifest')} in ${Math.round(model.durationMs ?? 0)} ms (first screen after ${Math.round(model.firstBatchMs ?? 0)} ms)` }));
  else replace(banner);
  banner.className = model.error ? 'banner error' : 'banner';
  if (!writable && why && model.done) banner.appendChild(el('div', { class: 'warning-text', text: `Read-only: ${why}` }));

  const b = model.bytes;
  replace(
    summary,
    summaryCard('Latest manifest', latest ? formatBytes(latest.bytesReferenced) : '…', latest ? `${plural(latest.sstIds.length, 'SST')}, L0 ${latest.l0Count}, ${plural(latest.sortedRuns, 'sorted run')}` : 'loading'),
    summaryCard('Pinned by checkpoints', b ? formatBytes(b.pinnedByCheckpoints) : '…', b ? `${formatBytes(b.onlyPinnedByCheckpoints)} of it only by checkpoints` : `${plural(model.checkpoints.length, 'checkpoint')}`, 'pinned'),
    summaryCard('compacted/', b ? formatBytes(b.compactedTotal) : '…', b ? `${plural(b.compactedCount, 'SST')} on the store` : 'loading'),
    summaryCard('Checkpoints', String(model.checkpoints.length), model.checkpoints.length ? `pinning ${plural(model.pinnedIds().size, 'manifest')}` : 'none'),
  );

  const chart = renderChart(chartHost, model, ui.selectedCheckpointId, (id) => select(id));
  counts.chartBars = chart.bars;
  counts.chartPoints = chart.points;
  renderTimeline(timelineHost, model, { shown: ui.timelineShown, filter: ui.timelineFilter, selectedId: ui.selectedCheckpointId, scrollTop: ui.timelineScrollTop }, {
    onSelectCheckpoint: (id) => select(id),
    onOpenManifest: handlers.onOpenManifest,
    onShowMore: () => {
      ui.timelineShown += TIMELINE_PAGE * 2;
      save();
      schedule();
    },
    onFilter: (filter: TimelineFilter) => {
      ui.timelineFilter = filter;
      ui.timelineScrollTop = 0;
      timelineHost.querySelector('.timeline')?.scrollTo(0, 0);
      save();
      schedule();
    },
    onScroll: (top) => {
      ui.timelineScrollTop = top;
      save();
    },
  });
  renderCheckpointList(checkpointsHost, model, ui.selectedCheckpointId, handlers);
  const hadFocus = document.activeElement === sstFilterField;
  const pinned = renderPinned(pinnedHost, model, { selectedId: ui.selectedCheckpointId, filter: ui.sstFilter, sort: ui.sstSort, writable }, handlers, sstFilterField);
  sstTable = pinned;
  if (hadFocus) sstFilterField.focus();
  renderHealth();
  if (timing.firstManifestsDrawnMs === null && model.manifests.size > 0) timing.firstManifestsDrawnMs = performance.now();
  if (timing.allDrawnMs === null && model.done) timing.allDrawnMs = performance.now();
}

let frame = 0;
function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

new ResizeObserver(() => schedule()).observe(chartHost);

// ───────────────────────────────────────────────────────────── messages ──

window.addEventListener('message', (event: MessageEvent<ExtensionToWebview>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case MessageType.historyStart:
      if (ui.target.connectionId !== m.target.connectionId || ui.target.dbPath !== m.target.dbPath) ui = defaultState(m.target);
      model.start(m);
      save();
      break;
    case MessageType.historyBatch:
      if (m.generation !== model.generation) return;
      model.batch(m);
      break;
    case MessageType.historyDone:
      if (m.generation !== model.generation) return;
      model.done = true;
      model.durationMs = m.durationMs;
      model.firstBatchMs = m.firstBatchMs;
      break;
    case MessageType.historyError:
      model.generation = m.generation;
      model.error = m.message;
      break;
    case MessageType.selectCheckpoint:
      select(m.checkpointId);
      break;
    case MessageType.actionState:
      if (m.running) model.running.add(m.action);
      else model.running.delete(m.action);
      break;
    default:
      if (!isHealthMessage(m)) return;
      applyHealthMessage(m);
  }
  schedule();
});

// Keep the scroll position across hide/show.
let scrollTimer = 0;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => {
    ui.scrollTop = window.scrollY;
    save();
  }, 200);
});

installTestProbe({
  model,
  ui: () => ui,
  timing,
  counts,
  renderNow: () => {
    if (frame) {
      cancelAnimationFrame(frame);
      frame = 0;
    }
    render();
  },
});

render();
if (ui.scrollTop > 0) requestAnimationFrame(() => window.scrollTo(0, ui.scrollTop));
vscode.postMessage({ type: MessageType.ready });
