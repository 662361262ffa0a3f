/**
 * The rows of the data page: one <table> for Browse (key, value, size, row
 * actions) and one for Compare (change, key, before, after). Rows are added
 * page by page (`appendRows`), never rebuilt on "Load more"; a display-mode
 * change redraws them. Every key and value is set as text (dom.ts).
 */

import type { DiffKind, DiffRowData, DisplayMode, RowData } from '../../shared/dataMessages';
import { el, replace } from '../history/dom';
import { expiryText, formatBytes, keyCell, valueCell } from './format';

export interface RowHandlers {
  onSelect(keyHex: string): void;
  onCopyKey(keyHex: string): void;
  onCopyValue(keyHex: string, old?: boolean): void;
  onOpenValue(keyHex: string, side?: 'from' | 'to'): void;
  onCompareValue(keyHex: string): void;
}

const KIND_LABEL: Record<DiffKind, [string, string, string]> = {
  added: ['+', 'added', 'Only in the newer state'],
  removed: ['−', 'removed', 'Only in the older state'],
  changed: ['~', 'changed', 'A different value in each state'],
};

function iconButton(icon: string, label: string, action: string, onClick: () => void): HTMLElement {
  return el(
    'button',
    {
      class: 'icon-button',
      attrs: { type: 'button', title: label, 'aria-label': label },
      dataset: { action },
      on: {
        click: (e: Event) => {
          e.stopPropagation();
          onClick();
        },
      },
    },
    el('span', { class: `codicon codicon-${icon}`, attrs: { 'aria-hidden': 'true' } }),
  );
}

function rowElement(keyHex: string, selected: boolean, h: RowHandlers, cells: HTMLElement[], ariaLabel: string): HTMLTableRowElement {
  const tr = el(
    'tr',
    {
      class: `row${selected ? ' selected' : ''}`,
      attrs: { tabindex: 0, 'aria-selected': selected ? 'true' : 'false', 'aria-label': ariaLabel },
      dataset: { keyHex },
      on: {
        click: () => h.onSelect(keyHex),
        focus: () => h.onSelect(keyHex),
      },
    },
    ...cells,
  );
  return tr;
}

export function browseHeader(): HTMLElement {
  return el(
    'thead',
    {},
    el('tr', {}, el('th', { class: 'col-key', text: 'Key' }), el('th', { class: 'col-value', text: 'Value' }), el('th', { class: 'col-size num', text: 'Size' }), el('th', { class: 'col-actions', attrs: { 'aria-label': 'Actions' } })),
  );
}

export function compareHeader(): HTMLElement {
  return el(
    'thead',
    {},
    el(
      'tr',
      {},
      el('th', { class: 'col-kind', text: 'Change' }),
      el('th', { class: 'col-key', text: 'Key' }),
      el('th', { class: 'col-value', text: 'Before' }),
      el('th', { class: 'col-value', text: 'After' }),
      el('th', { class: 'col-actions', attrs: { 'aria-label': 'Actions' } }),
    ),
  );
}

function browseRow(r: RowData, mode: DisplayMode, selected: boolean, h: RowHandlers, nowMs: number): HTMLTableRowElement {
  const value = valueCell(r.value, mode);
  const ttl = expiryText(r.expireTs, nowMs);
  const key = keyCell(r, mode);
  return rowElement(
    r.keyHex,
    selected,
    h,
    [
      el('td', { class: `key-cell${r.keyIsText || mode === 'hex' ? '' : ' binary'}`, attrs: { title: `${r.keySize} byte key, seq ${r.seq}` } }, key),
      el('td', { class: `value-cell kind-${value.kind}` }, value.text),
      el('td', { class: 'size-cell num', attrs: { title: `${r.value.size} bytes` } }, formatBytes(r.value.size), ttl ? el('span', { class: 'codicon codicon-watch ttl', attrs: { title: ttl, 'aria-label': ttl } }) : null),
      el(
        'td',
        { class: 'actions-cell' },
        iconButton('copy', 'Copy key', 'copy-key', () => h.onCopyKey(r.keyHex)),
        iconButton('clippy', 'Copy value', 'copy-value', () => h.onCopyValue(r.keyHex)),
        iconButton('go-to-file', 'Open value in an editor', 'open-value', () => h.onOpenValue(r.keyHex)),
      ),
    ],
    `key ${key}, ${r.value.size} byte value`,
  );
}

function compareRow(r: DiffRowData, mode: DisplayMode, selected: boolean, h: RowHandlers): HTMLTableRowElement {
  const [mark, word, why] = KIND_LABEL[r.kind];
  const before = r.oldValue ? valueCell(r.oldValue, mode) : null;
  const after = r.newValue ? valueCell(r.newValue, mode) : null;
  const key = keyCell(r, mode);
  return rowElement(
    r.keyHex,
    selected,
    h,
    [
      el('td', { class: `kind-cell ${r.kind}`, attrs: { title: why } }, el('span', { class: 'kind-mark', attrs: { 'aria-hidden': 'true' } }, mark), ` ${word}`),
      el('td', { class: `key-cell${r.keyIsText || mode === 'hex' ? '' : ' binary'}`, attrs: { title: `${r.keySize} byte key` } }, key),
      el('td', { class: `value-cell old ${before ? `kind-${before.kind}` : 'absent'}` }, before ? before.text : '—'),
      el('td', { class: `value-cell new ${after ? `kind-${after.kind}` : 'absent'}` }, after ? after.text : '—'),
      el(
        'td',
        { class: 'actions-cell' },
        iconButton('diff', r.kind === 'changed' ? 'Compare the two values' : 'Compare value (one side is absent)', 'compare-value', () => h.onCompareValue(r.keyHex)),
        iconButton('copy', 'Copy key', 'copy-key', () => h.onCopyKey(r.keyHex)),
        iconButton('go-to-file', r.newValue ? 'Open the newer value' : 'Open the older value', 'open-value', () => h.onOpenValue(r.keyHex, r.newValue ? 'to' : 'from')),
      ),
    ],
    `${word}: key ${key}`,
  );
}

/** Adds rows to the table body (all of them when `replaceAll`). */
export function appendBrowseRows(body: HTMLElement, rows: RowData[], mode: DisplayMode, selectedKeyHex: string | null, h: RowHandlers, replaceAll: boolean): void {
  const now = Date.now();
  const fragment = document.createDocumentFragment();
  for (const r of rows) fragment.appendChild(browseRow(r, mode, r.keyHex === selectedKeyHex, h, now));
  if (replaceAll) replace(body);
  body.appendChild(fragment);
}

export function appendCompareRows(body: HTMLElement, rows: DiffRowData[], mode: DisplayMode, selectedKeyHex: string | null, h: RowHandlers, replaceAll: boolean): void {
  const fragment = document.createDocumentFragment();
  for (const r of rows) fragment.appendChild(compareRow(r, mode, r.keyHex === selectedKeyHex, h));
  if (replaceAll) replace(body);
  body.appendChild(fragment);
}

/** Marks the selected row (no redraw). */
export function markSelected(body: HTMLElement, keyHex: string | null): void {
  for (const tr of Array.from(body.querySelectorAll<HTMLElement>('tr.row'))) {
    const on = tr.dataset.keyHex === keyHex;
    tr.classList.toggle('selected', on);
    tr.setAttribute('aria-selected', on ? 'true' : 'false');
  }
}
