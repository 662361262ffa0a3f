/**
 * The checkpoints of the latest manifest (click one to select it) and, for
 * the selected one, the SSTs it pins: ULID, L0 or sorted run, first key
 * (text when printable, else hex), size, and whether only this checkpoint
 * keeps it; totals and the bytes deleting it would let GC reclaim. Sortable
 * by any column and filterable by text.
 */

import type { PinData, PinnedSstData, SstColumn } from '../../shared/messages';
import { el, replace } from './dom';
import { checkpointLabel, expiryPhrase, expiryState, formatBytes, likelyOrigin, localTimeS, ORIGIN_LABEL, plural } from './format';
import type { HistoryModel } from './model';

export interface CheckpointHandlers {
  onSelect(id: string): void;
  onRefresh(id: string): void;
  onDelete(id: string): void;
  onOpenManifest(id: number): void;
  onReveal(id: string): void;
  onBrowseData(id: string): void;
  onFilter(text: string): void;
  onSort(column: SstColumn): void;
}

const MAX_SST_ROWS = 2000;

/** vscode-table scrolls inside a fixed height: as tall as its rows, up to `max`. */
function tableHeight(rows: number, max: number): number {
  return Math.min(max, 34 + Math.max(1, rows) * 24);
}

function cell(text: string, props: { class?: string; title?: string } = {}): HTMLElement {
  return el('vscode-table-cell', { class: props.class, attrs: { title: props.title } }, text);
}

export function renderCheckpointList(host: HTMLElement, model: HistoryModel, selectedId: string | null, h: CheckpointHandlers): number {
  const now = model.nowS();
  if (model.checkpoints.length === 0) {
    replace(host, el('p', { class: 'muted', text: model.latestId === null ? 'Loading…' : `The latest manifest (#${model.latestId}) has no checkpoints.` }));
    return 0;
  }
  const sorted = [...model.checkpoints].sort((a, b) => b.createTimeS - a.createTimeS || a.id.localeCompare(b.id));
  const body = el('vscode-table-body', { attrs: { slot: 'body' } });
  for (const c of sorted) {
    const pin = model.pin(c.id);
    const state = expiryState(c, now);
    const origin = likelyOrigin(c);
    const select = () => h.onSelect(c.id);
    body.appendChild(
      el(
        'vscode-table-row',
        {
          class: `cp-row${c.id === selectedId ? ' selected' : ''}`,
          attrs: { tabindex: 0, 'aria-selected': c.id === selectedId ? 'true' : 'false', title: `${c.id}\nCreated ${localTimeS(c.createTimeS)}` },
          dataset: { checkpointId: c.id },
          on: {
            click: select,
            keydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
                e.preventDefault();
                select();
              }
            },
          },
        },
        el('vscode-table-cell', {}, el('span', { class: `state-dot state-${origin === 'writer' ? 'writer' : state}`, attrs: { 'aria-hidden': 'true' } }), el('span', { class: 'cp-name', text: checkpointLabel(c) }), c.name === null ? el('span', { class: 'muted', text: ' (unnamed)' }) : null),
        cell(`#${c.manifestId}`),
        cell(expiryPhrase(c, now), { class: `state-text state-${state}` }),
        cell(origin, { title: ORIGIN_LABEL[origin] }),
        cell(pin ? formatBytes(pin.bytesNotInLatest) : '…', { title: 'Bytes it keeps alive that the latest manifest no longer references' }),
        cell(pin ? formatBytes(pin.reclaimableBytes) : '…', { title: 'Bytes GC could reclaim if this checkpoint were deleted' }),
      ),
    );
  }
  const header = el(
    'vscode-table-header',
    { attrs: { slot: 'header' } },
    ...[
      ['Checkpoint', ''],
      ['Pins', 'The manifest it pins'],
      ['Expiry', ''],
      ['Origin', 'Likely origin (SlateDB does not record who made a checkpoint)'],
      ['Keeps alive', 'Bytes it keeps alive that the latest manifest no longer references'],
      ['Frees', 'Bytes GC could reclaim if this checkpoint were deleted'],
    ].map(([t, title]) => el('vscode-table-header-cell', { attrs: { title: title || undefined } }, t)),
  );
  const table = el('vscode-table', {
    class: 'cp-table',
    attrs: { zebra: true, 'bordered-rows': true, resizable: true, columns: JSON.stringify(['33%', '8%', '20%', '13%', '14%', '12%']) },
  }, header, body);
  table.style.height = `${tableHeight(sorted.length, 320)}px`;
  replace(host, table);
  return sorted.length;
}

const PINNED_BY = { only: 'only this one', shared: 'others too' };

const LEVEL_TEXT = (s: PinnedSstData) => (s.level === 'l0' ? 'L0' : `sorted run ${s.sortedRun}`);

function compare(a: PinnedSstData, b: PinnedSstData, column: SstColumn): number {
  switch (column) {
    case 'id':
      return a.id.localeCompare(b.id);
    case 'level':
      return (a.level === 'l0' ? -1 : a.sortedRun ?? 0) - (b.level === 'l0' ? -1 : b.sortedRun ?? 0) || a.id.localeCompare(b.id);
    case 'firstKey':
      return (a.firstKey?.text ?? '').localeCompare(b.firstKey?.text ?? '');
    case 'size':
      return (a.sizeBytes ?? -1) - (b.sizeBytes ?? -1) || a.id.localeCompare(b.id);
    case 'exclusive':
      return Number(a.exclusive) - Number(b.exclusive) || (a.sizeBytes ?? 0) - (b.sizeBytes ?? 0);
  }
}

export function filterSsts(ssts: readonly PinnedSstData[], filter: string): PinnedSstData[] {
  const f = filter.trim().toLowerCase();
  if (!f) return [...ssts];
  // The same texts the table shows: ULID, level, first key (text or hex), and who pins it.
  return ssts.filter(
    (s) =>
      s.id.toLowerCase().includes(f) ||
      LEVEL_TEXT(s).toLowerCase().includes(f) ||
      (s.firstKey?.text.toLowerCase().includes(f) ?? false) ||
      (s.exclusive ? PINNED_BY.only : PINNED_BY.shared).includes(f),
  );
}

export function sortSsts(ssts: PinnedSstData[], column: SstColumn, descending: boolean): PinnedSstData[] {
  return ssts.sort((a, b) => (descending ? -1 : 1) * compare(a, b, column));
}

const COLUMNS: Array<{ column: SstColumn; label: string; width: string; title: string }> = [
  { column: 'id', label: 'SST (ULID)', width: '31%', title: 'The SST file under compacted/' },
  { column: 'level', label: 'Level', width: '16%', title: 'L0, or the sorted run it belongs to' },
  { column: 'firstKey', label: 'First key', width: '24%', title: 'Printable keys as text, others as hex' },
  { column: 'size', label: 'Size', width: '12%', title: 'Object size' },
  { column: 'exclusive', label: 'Pinned by', width: '17%', title: 'Whether only this checkpoint keeps the SST alive' },
];

export function renderPinned(
  host: HTMLElement,
  model: HistoryModel,
  ui: { selectedId: string | null; filter: string; sort: { column: SstColumn; descending: boolean }; writable: boolean },
  h: CheckpointHandlers,
  filterField: HTMLElement,
): { rows: number; tableHost?: HTMLElement; count?: HTMLElement; pin?: PinData } {
  const c = model.checkpoint(ui.selectedId);
  if (!c) {
    replace(
      host,
      el('h2', { text: 'Pinned SSTs' }),
      el('p', { class: 'muted', text: ui.selectedId ? `Checkpoint ${ui.selectedId} is not in the latest manifest any more.` : 'Select a checkpoint (in the list, on the timeline or in the chart) to see the SSTs it pins.' }),
    );
    return { rows: 0 };
  }
  const now = model.nowS();
  const pin: PinData | undefined = model.pin(c.id);
  const origin = likelyOrigin(c);
  const title = el('h2', {}, 'SSTs pinned by ', el('span', { class: 'cp-title-name', text: checkpointLabel(c) }));
  const meta = el(
    'p',
    { class: 'meta' },
    `Pins manifest #${c.manifestId} · created ${localTimeS(c.createTimeS)} · ${expiryPhrase(c, now)} · ${ORIGIN_LABEL[origin]}`,
    el('br'),
    el('span', { class: 'muted mono', text: c.id }),
  );
  const readOnlyTitle = ui.writable ? undefined : model.readOnlyWhy() ?? 'read-only';
  const actions = el(
    'div',
    { class: 'actions' },
    el('vscode-button', { attrs: { icon: 'history', secondary: true, disabled: !ui.writable || model.running.has('refresh'), title: readOnlyTitle ?? 'Set a new lifetime, counted from now (asks)' }, dataset: { action: 'refresh' }, on: { click: () => h.onRefresh(c.id) } }, 'Refresh Lifetime…'),
    el('vscode-button', { attrs: { icon: 'trash', secondary: true, disabled: !ui.writable || model.running.has('delete'), title: readOnlyTitle ?? 'Delete this checkpoint (asks for confirmation)' }, dataset: { action: 'delete' }, on: { click: () => h.onDelete(c.id) } }, 'Delete…'),
    el('vscode-button', { attrs: { icon: 'json', secondary: true, title: 'Open the manifest it pins as JSON' }, on: { click: () => h.onOpenManifest(c.manifestId) } }, `Open #${c.manifestId}`),
    el('vscode-button', { attrs: { icon: 'target', secondary: true, title: 'Show it in the SlateDB view' }, on: { click: () => h.onReveal(c.id) } }, 'Reveal in Tree'),
    el('vscode-button', { attrs: { icon: 'table', secondary: true, title: 'Browse the keys and values this checkpoint holds' }, dataset: { action: 'browse-data' }, on: { click: () => h.onBrowseData(c.id) } }, 'Browse Data'),
  );
  if (!pin) {
    replace(host, title, meta, actions, el('p', { class: 'muted', text: model.done ? 'Not available.' : `Loading manifest #${c.manifestId}…` }));
    return { rows: 0 };
  }
  if (!pin.manifestExists || pin.manifestError) {
    replace(
      host,
      title,
      meta,
      actions,
      el('p', { class: 'warning-text', text: pin.manifestError ? `Manifest #${pin.manifestId} cannot be read: ${pin.manifestError}` : `Manifest #${pin.manifestId} no longer exists: this checkpoint protects nothing.` }),
    );
    return { rows: 0 };
  }
  const exclusive = pin.ssts.filter((s) => s.exclusive);
  const missing = pin.ssts.filter((s) => s.sizeBytes === null).length;
  const totals = el(
    'div',
    { class: 'totals' },
    el('span', { class: 'total' }, el('strong', { text: plural(pin.ssts.length, 'SST') }), ` · ${formatBytes(pin.totalBytes)} in total`),
    el('span', { class: 'total reclaim' }, el('strong', { text: formatBytes(pin.reclaimableBytes) }), ` reclaimable if deleted (${plural(exclusive.length, 'SST')} only this checkpoint pins)`),
    el('span', { class: 'total' }, `${formatBytes(pin.bytesNotInLatest)} not referenced by the latest manifest`),
    missing ? el('span', { class: 'total warning-text', text: `${missing} not found under compacted/` }) : null,
  );
  const count = el('span', { class: 'muted sst-count' });
  const tableHost = el('div', { class: 'sst-table-host' });
  if ((filterField as HTMLInputElement).value !== ui.filter) (filterField as HTMLInputElement).value = ui.filter;
  replace(host, title, meta, actions, totals, el('div', { class: 'section-tools' }, filterField, count), tableHost);
  return { rows: renderSstRows(tableHost, count, pin, ui, h), tableHost, count, pin };
}

/** A filter field that lives as long as the page (so redraws do not take its focus or text). */
export function makeSstFilterField(h: Pick<CheckpointHandlers, 'onFilter'>): HTMLElement {
  const field = el('vscode-textfield', {
    class: 'sst-filter',
    attrs: { placeholder: 'Filter by ULID, level or first key', 'aria-label': 'Filter SSTs' },
    on: { input: (e: Event) => h.onFilter((e.target as HTMLInputElement).value) },
  });
  field.appendChild(el('vscode-icon', { attrs: { slot: 'content-before', name: 'filter', title: 'filter' } }));
  return field;
}

/** The SST table alone: filtering and sorting redraw only this. */
export function renderSstRows(
  tableHost: HTMLElement,
  count: HTMLElement,
  pin: PinData,
  ui: { filter: string; sort: { column: SstColumn; descending: boolean } },
  h: CheckpointHandlers,
): number {
  const shown = sortSsts(filterSsts(pin.ssts, ui.filter), ui.sort.column, ui.sort.descending);
  count.textContent = shown.length === pin.ssts.length ? plural(shown.length, 'SST') : `${shown.length} of ${pin.ssts.length} SSTs`;
  const header = el(
    'vscode-table-header',
    { attrs: { slot: 'header' } },
    ...COLUMNS.map((col) => {
      const active = ui.sort.column === col.column;
      return el(
        'vscode-table-header-cell',
        {
          class: `sortable${active ? ' active' : ''}`,
          attrs: { tabindex: 0, role: 'columnheader', 'aria-sort': active ? (ui.sort.descending ? 'descending' : 'ascending') : 'none', title: `${col.title}. Click to sort.` },
          dataset: { column: col.column },
          on: {
            click: () => h.onSort(col.column),
            keydown: (e: Event) => {
              if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
                e.preventDefault();
                h.onSort(col.column);
              }
            },
          },
        },
        col.label,
        active ? el('span', { class: `codicon codicon-arrow-${ui.sort.descending ? 'down' : 'up'} sort-indicator`, attrs: { 'aria-hidden': 'true' } }) : null,
      );
    }),
  );
  const body = el('vscode-table-body', { attrs: { slot: 'body' } });
  for (const s of shown.slice(0, MAX_SST_ROWS)) {
    const key = s.firstKey;
    body.appendChild(
      el(
        'vscode-table-row',
        { class: s.exclusive ? 'sst-row exclusive' : 'sst-row', dataset: { sstId: s.id } },
        cell(s.id, { class: 'mono', title: s.externalDbPath ? `${s.id}\nlives under ${s.externalDbPath}/compacted/` : s.id }),
        cell(LEVEL_TEXT(s)),
        el('vscode-table-cell', { class: 'mono key', attrs: { title: key ? (key.printable ? key.text : `hex: ${key.text}`) : 'unknown' } }, key ? (key.printable ? key.text : el('span', { class: 'hex', text: `0x${key.text}` })) : '—'),
        cell(s.sizeBytes === null ? 'missing' : formatBytes(s.sizeBytes), { class: 'num', title: s.sizeBytes === null ? 'not found under compacted/' : `${s.sizeBytes} bytes` }),
        el('vscode-table-cell', {}, s.exclusive ? el('span', { class: 'only', text: PINNED_BY.only }) : el('span', { class: 'muted', text: PINNED_BY.shared })),
      ),
    );
  }
  const table = el('vscode-table', {
    class: 'sst-table',
    attrs: { zebra: true, 'bordered-rows': true, resizable: true, columns: JSON.stringify(COLUMNS.map((c) => c.width)) },
  }, header, body);
  table.style.height = `${tableHeight(Math.min(shown.length, MAX_SST_ROWS), 440)}px`;
  replace(tableHost, table, shown.length > MAX_SST_ROWS ? el('p', { class: 'muted', text: `Showing the first ${MAX_SST_ROWS}; filter to narrow down.` }) : null);
  return Math.min(shown.length, MAX_SST_ROWS);
}
