/**
 * Entry of the data page (bundled to dist/dataWebview.js): Browse Data (keys
 * and values at one state) and Compare (added / removed / changed keys
 * between two). The extension reads; this page asks for pages of 100 rows
 * (keyset paging: "Load more" continues after the last key shown), draws
 * them as text, and keeps its UI state in vscode.setState.
 */

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

import { DataExtensionToWebview, DataMessageType, DataPersistedState, DiffKind, DisplayMode, SearchSpec } from '../../shared/dataMessages';
import { el, replace } from '../history/dom';
import { renderBrowseDetail, renderCompareDetail } from './detail';
import { valueCell } from './format';
import { answerProbe } from './probe';
import { ALL_KINDS, DataModel, defaultState, statusText } from './model';
import { makeSearchBar } from './searchBar';
import { appendBrowseRows, appendCompareRows, browseHeader, compareHeader, markSelected, RowHandlers } from './table';
import { vscode } from './vscodeApi';

const model = new DataModel();
let ui: DataPersistedState = { ...defaultState(), ...(vscode.getState() ?? {}) };

function save(): void {
  vscode.setState(ui);
}

// ─────────────────────────────────────────────────────────────── layout ──

const app = document.getElementById('app')!;
const titleEl = el('h1', { class: 'title', text: 'Data' });
const subtitle = el('p', { class: 'subtitle' });
const toolbar = el('div', { class: 'toolbar' });
const progress = el('vscode-progress-bar', { class: 'progress', attrs: { 'aria-label': 'Reading keys' } });
const status = el('span', { class: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
const countButton = el('vscode-button', { attrs: { icon: 'symbol-number', secondary: true, title: 'Count every key that matches (reads them all, without showing them)' }, dataset: { action: 'count' }, on: { click: () => countAll() } }, 'Count All');
const cancelCountButton = el('vscode-button', { attrs: { icon: 'stop-circle', secondary: true, title: 'Stop counting' }, dataset: { action: 'cancel-count' }, on: { click: () => vscode.postMessage({ type: DataMessageType.cancelCount }) } }, 'Cancel');
const notice = el('span', { class: 'notice muted', attrs: { 'aria-live': 'polite' } });
const table = el('table', { class: 'data-table', attrs: { 'aria-label': 'Keys and values' } });
const tbody = el('tbody');
const detail = el('aside', { class: 'detail', attrs: { 'aria-label': 'Selected row' } });
const moreButton = el('vscode-button', { class: 'more', attrs: { icon: 'fold-down', title: 'Read the next page (continues after the last key shown)' }, dataset: { action: 'more' }, on: { click: () => loadMore() } }, 'Load More');
const emptyHint = el('p', { class: 'empty muted' });
const newerText = el('span');
const newer = el(
  'div',
  { class: 'newer', attrs: { role: 'status', hidden: true } },
  el('span', { class: 'codicon codicon-info', attrs: { 'aria-hidden': 'true' } }),
  newerText,
  el('vscode-button', { attrs: { icon: 'refresh', secondary: true }, dataset: { action: 'reload-newer' }, on: { click: () => vscode.postMessage({ type: DataMessageType.reload }) } }, 'Reload'),
);

const search = makeSearchBar({
  onSearch: (spec: SearchSpec) => {
    ui.search = spec;
    save();
    runQuery();
  },
  onKinds: (kinds: DiffKind[]) => {
    ui.kinds = kinds;
    save();
    runQuery();
  },
  onDisplay: (mode: DisplayMode) => {
    ui.display = mode;
    save();
    redrawRows();
  },
});

replace(
  app,
  el('header', { class: 'top' }, el('div', { class: 'heading' }, titleEl, subtitle), toolbar),
  newer,
  search.element,
  el('div', { class: 'statusbar' }, status, countButton, cancelCountButton, notice),
  progress,
  el('div', { class: 'split' }, el('div', { class: 'table-wrap' }, table, emptyHint, el('div', { class: 'more-row' }, moreButton)), detail),
);
app.removeAttribute('aria-busy');

const handlers: RowHandlers = {
  onSelect: (keyHex) => select(keyHex),
  onCopyKey: (keyHex) => vscode.postMessage({ type: DataMessageType.copy, what: 'key', keyHex }),
  onCopyValue: (keyHex, old) => vscode.postMessage({ type: DataMessageType.copy, what: old ? 'oldValue' : 'value', keyHex }),
  onOpenValue: (keyHex, side) => vscode.postMessage(side ? { type: DataMessageType.openValue, keyHex, side } : { type: DataMessageType.openValue, keyHex }),
  onCompareValue: (keyHex) => vscode.postMessage({ type: DataMessageType.compareValue, keyHex }),
};

function toolbarButton(label: string, icon: string, action: string, title: string, onClick: () => void, secondary = true): HTMLElement {
  return el('vscode-button', { attrs: { icon, secondary, title }, dataset: { action }, on: { click: onClick } }, label);
}

function drawHeader(): void {
  const init = model.init;
  if (!init) return;
  const where = `${init.dbPath || '(store root)'}`;
  if (init.mode === 'browse') {
    titleEl.textContent = `Data of ${where}`;
    subtitle.textContent = `${init.state.checkpointId ? `checkpoint ${init.state.label}` : 'latest state'} · manifest #${init.state.manifestId} · ${init.location}`;
    replace(
      toolbar,
      toolbarButton('Compare with…', 'diff', 'compare-with', 'List the keys that differ from another checkpoint or the latest state', () => vscode.postMessage({ type: DataMessageType.compareWith })),
      toolbarButton('Reload', 'refresh', 'reload', init.state.checkpointId ? 'Read again' : 'Read the latest state again', () => vscode.postMessage({ type: DataMessageType.reload })),
    );
  } else {
    const to = init.compareTo!;
    titleEl.textContent = `Changes in ${where}`;
    subtitle.textContent = `from ${init.state.label} (manifest #${init.state.manifestId}) to ${to.label} (manifest #${to.manifestId}) · ${init.location}`;
    replace(
      toolbar,
      toolbarButton('Browse Before', 'table', 'browse-from', `Browse the data of ${init.state.label}`, () => vscode.postMessage({ type: DataMessageType.browse, side: 'from' })),
      toolbarButton('Browse After', 'table', 'browse-to', `Browse the data of ${to.label}`, () => vscode.postMessage({ type: DataMessageType.browse, side: 'to' })),
      toolbarButton('Reload', 'refresh', 'reload', 'Read both states again', () => vscode.postMessage({ type: DataMessageType.reload })),
    );
  }
  replace(table, init.mode === 'browse' ? browseHeader() : compareHeader(), tbody);
  table.setAttribute('aria-label', init.mode === 'browse' ? 'Keys and values' : 'Differences');
  search.setMode(init.mode);
}

function drawStatus(): void {
  status.textContent = statusText(model);
  status.classList.toggle('error', model.error !== null);
  progress.hidden = !model.loading && model.count?.state !== 'running';
  const counting = model.count?.state === 'running';
  countButton.hidden = counting || model.init === null || (model.error !== null && model.shown() === 0);
  countButton.toggleAttribute('disabled', model.loading && model.shown() === 0);
  cancelCountButton.hidden = !counting;
  moreButton.hidden = !model.more;
  moreButton.toggleAttribute('disabled', model.loading);
  const compare = model.init?.mode === 'compare';
  emptyHint.hidden = model.shown() > 0 || model.loading || model.error !== null;
  emptyHint.textContent = compare ? 'The two states hold the same keys and values (for this search).' : ui.search.kind === 'all' ? 'This state holds no keys.' : 'No key matches this search.';
}

function drawDetail(): void {
  if (model.init?.mode === 'compare') {
    renderCompareDetail(detail, model.diffRows.find((r) => r.keyHex === ui.selectedKeyHex), ui.display, handlers, { from: model.init.state.label, to: model.init.compareTo!.label });
  } else {
    renderBrowseDetail(detail, model.rows.find((r) => r.keyHex === ui.selectedKeyHex), ui.display, handlers);
  }
}

function redrawRows(): void {
  if (model.init?.mode === 'compare') appendCompareRows(tbody, model.diffRows, ui.display, ui.selectedKeyHex, handlers, true);
  else appendBrowseRows(tbody, model.rows, ui.display, ui.selectedKeyHex, handlers, true);
  drawDetail();
  drawStatus();
}

function select(keyHex: string | null): void {
  if (ui.selectedKeyHex === keyHex) return;
  ui.selectedKeyHex = keyHex;
  save();
  markSelected(tbody, keyHex);
  drawDetail();
}

// ───────────────────────────────────────────────────────────── queries ──

function runQuery(): void {
  const queryId = model.startQuery();
  model.rows = [];
  model.diffRows = [];
  replace(tbody);
  drawStatus();
  drawDetail();
  if (model.init?.mode === 'compare') vscode.postMessage({ type: DataMessageType.query, queryId, search: ui.search, kinds: ui.kinds });
  else vscode.postMessage({ type: DataMessageType.query, queryId, search: ui.search });
}

function loadMore(): void {
  if (!model.requestMore()) return;
  drawStatus();
  vscode.postMessage({ type: DataMessageType.more, queryId: model.queryId });
}

function countAll(): void {
  vscode.postMessage({ type: DataMessageType.countAll, queryId: model.queryId });
}

// Arrow keys move between rows; Enter opens (browse) or compares (compare) the value.
tbody.addEventListener('keydown', (e: KeyboardEvent) => {
  const row = (e.target as HTMLElement).closest<HTMLElement>('tr.row');
  if (!row) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const next = (e.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling) as HTMLElement | null;
    next?.focus();
    if (!next && e.key === 'ArrowDown' && model.more) loadMore();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    const keyHex = row.dataset.keyHex!;
    if (model.init?.mode === 'compare') handlers.onCompareValue(keyHex);
    else handlers.onOpenValue(keyHex);
  }
});

// ───────────────────────────────────────────────────────────── messages ──

function adoptInit(m: Extract<DataExtensionToWebview, { type: typeof DataMessageType.init }>): void {
  const same = ui.target?.connectionId === m.target.connectionId && ui.target.dbPath === m.target.dbPath && ui.mode === m.mode && ui.checkpointId === m.state.checkpointId && ui.compareToCheckpointId === (m.compareTo?.checkpointId ?? null);
  if (!same) ui = { ...defaultState(), display: ui.display, target: m.target, mode: m.mode, checkpointId: m.state.checkpointId, compareToCheckpointId: m.compareTo?.checkpointId ?? null };
  model.init = m;
  newer.hidden = true;
  save();
  drawHeader();
  if (m.active) {
    // The extension replays the pages it sent for this query.
    ui.search = m.active.search;
    if (m.mode === 'compare') ui.kinds = m.active.kinds.length ? m.active.kinds : [...ALL_KINDS];
    model.adoptQuery(m.active.queryId);
    replace(tbody);
    search.show(ui.search, ui.kinds, ui.display);
    drawStatus();
    drawDetail();
  } else {
    search.show(ui.search, ui.kinds, ui.display);
    runQuery();
  }
}

let noticeTimer = 0;

window.addEventListener('message', (event: MessageEvent<DataExtensionToWebview>) => {
  const m = event.data;
  if (!m || typeof m !== 'object') return;
  switch (m.type) {
    case DataMessageType.init:
      adoptInit(m);
      return;
    case DataMessageType.rows: {
      const added = model.applyRows(m);
      if (added === false) return;
      appendBrowseRows(tbody, m.first ? model.rows : model.rows.slice(-added), ui.display, ui.selectedKeyHex, handlers, m.first);
      if (m.first) drawDetail();
      break;
    }
    case DataMessageType.diffRows: {
      const added = model.applyDiffRows(m);
      if (added === false) return;
      appendCompareRows(tbody, m.first ? model.diffRows : model.diffRows.slice(-added), ui.display, ui.selectedKeyHex, handlers, m.first);
      if (m.first) drawDetail();
      break;
    }
    case DataMessageType.queryError:
      if (!model.applyError(m.queryId, m.message)) return;
      break;
    case DataMessageType.count:
      if (!model.applyCount(m)) return;
      break;
    case DataMessageType.notice:
      notice.textContent = m.text;
      window.clearTimeout(noticeTimer);
      noticeTimer = window.setTimeout(() => (notice.textContent = ''), 4000);
      return;
    case DataMessageType.newer:
      newerText.textContent = ` The database has a newer manifest (#${m.manifestId}) than the latest state shown (#${model.init?.state.checkpointId === null ? model.init.state.manifestId : model.init?.compareTo?.manifestId}).`;
      newer.hidden = false;
      return;
    default:
      return;
  }
  drawStatus();
});

// Values shown in cells are cut; the title says so for screen readers and hover.
tbody.addEventListener('mouseover', (e) => {
  const cell = (e.target as HTMLElement).closest<HTMLElement>('td.value-cell');
  if (!cell || cell.title) return;
  const row = cell.closest<HTMLElement>('tr.row');
  const r = model.rows.find((x) => x.keyHex === row?.dataset.keyHex);
  if (r) cell.title = `${valueCell(r.value, ui.display).kind} value, ${r.value.size} bytes${r.value.truncated ? ' (preview)' : ''}`;
});

answerProbe(() => ({ model, tbody, detail, status }), {
  search: (spec) => {
    search.show(spec, ui.kinds, ui.display);
    ui.search = spec;
    save();
    runQuery();
  },
  select: (keyHex) => select(keyHex),
});
drawStatus();
drawDetail();
vscode.postMessage({ type: DataMessageType.ready });
