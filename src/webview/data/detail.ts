/**
 * The detail pane: the selected row in full (as far as its preview goes):
 * the key as text and hex, size, sequence number, TTL, and the value pretty-
 * printed (JSON), as text or as a hex dump, with the row's actions.
 */

import type { BytesPreview, DiffRowData, DisplayMode, RowData } from '../../shared/dataMessages';
import { el, replace } from '../history/dom';
import { expiryText, formatBytes, valueDetail } from './format';
import type { RowHandlers } from './table';

function button(label: string, icon: string, action: string, onClick: () => void, secondary = true): HTMLElement {
  return el('vscode-button', { attrs: { icon, secondary, title: label }, dataset: { action }, on: { click: onClick } }, label);
}

function field(label: string, value: string, cls = ''): HTMLElement[] {
  return [el('dt', { text: label }), el('dd', { class: cls, text: value })];
}

function valueBlock(title: string, p: BytesPreview | null, mode: DisplayMode): HTMLElement {
  if (!p) return el('section', { class: 'value-block absent' }, el('h3', { text: title }), el('p', { class: 'muted', text: 'No value: the key is absent here.' }));
  const shown = valueDetail(p, mode);
  return el(
    'section',
    { class: 'value-block' },
    el('h3', {}, title, el('span', { class: 'muted', text: ` · ${formatBytes(p.size)}${shown.kind === 'json' ? ' · JSON' : shown.kind === 'hex' ? ' · binary' : ''}` })),
    el('pre', { class: `value-text kind-${shown.kind}`, attrs: { tabindex: 0 } }, shown.text),
  );
}

function keyFields(r: { key: string; keyHex: string; keySize: number }): HTMLElement[] {
  return [...field('Key', r.key, 'mono break'), ...field('Key (hex)', `0x${r.keyHex}`, 'mono break'), ...field('Key size', `${r.keySize} bytes`)];
}

export function renderBrowseDetail(host: HTMLElement, row: RowData | undefined, mode: DisplayMode, h: RowHandlers): void {
  if (!row) {
    replace(host, el('p', { class: 'muted placeholder', text: 'Select a row to see its key and value in full.' }));
    return;
  }
  const ttl = expiryText(row.expireTs, Date.now());
  replace(
    host,
    el('div', { class: 'detail-actions' }, button('Copy Key', 'copy', 'detail-copy-key', () => h.onCopyKey(row.keyHex)), button('Copy Value', 'clippy', 'detail-copy-value', () => h.onCopyValue(row.keyHex)), button('Open Value', 'go-to-file', 'detail-open-value', () => h.onOpenValue(row.keyHex), false)),
    el('dl', { class: 'fields' }, ...keyFields(row), ...field('Sequence number', row.seq, 'mono'), ...field('TTL', ttl || 'none')),
    valueBlock('Value', row.value, mode),
  );
}

export function renderCompareDetail(host: HTMLElement, row: DiffRowData | undefined, mode: DisplayMode, h: RowHandlers, labels: { from: string; to: string }): void {
  if (!row) {
    replace(host, el('p', { class: 'muted placeholder', text: 'Select a row to see both values.' }));
    return;
  }
  replace(
    host,
    el(
      'div',
      { class: 'detail-actions' },
      button('Compare Value', 'diff', 'detail-compare-value', () => h.onCompareValue(row.keyHex), false),
      button('Copy Key', 'copy', 'detail-copy-key', () => h.onCopyKey(row.keyHex)),
    ),
    el('dl', { class: 'fields' }, ...field('Change', row.kind), ...keyFields(row)),
    el('div', { class: 'value-pair' }, valueBlock(`Before: ${labels.from}`, row.oldValue, mode), valueBlock(`After: ${labels.to}`, row.newValue, mode)),
  );
}
