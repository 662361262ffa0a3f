/**
 * Key and value bytes → what the data page is sent (pure; no vscode, so
 * unit tests use it directly). Previews are bounded, so a page of 100 rows
 * stays small whatever the values hold: text up to PREVIEW_TEXT characters,
 * hex of the first PREVIEW_HEX_BYTES bytes, pretty JSON up to PREVIEW_JSON
 * characters of values up to JSON_MAX_BYTES.
 *
 * Keys are drawn as SlateDB's CLI draws them (`renderKey(…, 'auto')`): the
 * text when it is clean UTF-8 that does not start with 0x, else 0x + hex.
 */

import { renderKey } from '../../engine/read/render';
import type { BytesPreview, DiffRowData, RowData } from '../../shared/dataMessages';
import { bytesToHex } from '../../shared/dataMessages';

export const PREVIEW_TEXT = 2000;
export const PREVIEW_HEX_BYTES = 512;
export const PREVIEW_JSON = 8000;
export const JSON_MAX_BYTES = 256 * 1024;
/** A key longer than this is shown cut (the row keeps the whole key as hex). */
export const KEY_TEXT_MAX = 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Control characters other than tab, newline and carriage return make a value "binary". */
const VALUE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** The text of bytes that are clean UTF-8 (values may hold tabs and newlines), else null. */
export function cleanText(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return null;
  }
  return VALUE_CONTROL.test(text) ? null : text;
}

/** Pretty JSON when the text is a JSON object or array, else null. */
export function prettyJson(text: string): string | null {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return null;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

export function previewBytes(bytes: Uint8Array): BytesPreview {
  const size = bytes.length;
  const hexBytes = bytes.subarray(0, PREVIEW_HEX_BYTES);
  const fullText = cleanText(bytes);
  let text: string | null = fullText;
  let truncated = size > PREVIEW_HEX_BYTES;
  if (fullText !== null) {
    truncated = fullText.length > PREVIEW_TEXT;
    if (truncated) text = fullText.slice(0, PREVIEW_TEXT);
  }
  let json: string | null = null;
  if (fullText !== null && size <= JSON_MAX_BYTES) {
    const pretty = prettyJson(fullText);
    if (pretty !== null) json = pretty.length > PREVIEW_JSON ? `${pretty.slice(0, PREVIEW_JSON)}\n…` : pretty;
  }
  return { size, text, hex: bytesToHex(hexBytes), json, truncated };
}

export interface KeyShown {
  keyHex: string;
  key: string;
  keyIsText: boolean;
  keySize: number;
}

export function keyShown(key: Uint8Array): KeyShown {
  const rendered = renderKey(key, 'auto');
  // The CLI shows hex (0x…) for binary keys and for text that itself starts with 0x.
  const keyIsText = !rendered.startsWith('0x');
  const text = rendered.length > KEY_TEXT_MAX ? `${rendered.slice(0, KEY_TEXT_MAX)}…` : rendered;
  return { keyHex: bytesToHex(key), key: text, keyIsText, keySize: key.length };
}

export function rowData(row: { key: Uint8Array; value: Uint8Array; seq: bigint; expireTs: bigint | null }): RowData {
  return { ...keyShown(row.key), value: previewBytes(row.value), seq: row.seq.toString(), expireTs: row.expireTs === null ? null : Number(row.expireTs) };
}

export function diffRowData(d: { kind: DiffRowData['kind']; key: Uint8Array; oldValue?: Uint8Array; newValue?: Uint8Array }): DiffRowData {
  return {
    kind: d.kind,
    ...keyShown(d.key),
    oldValue: d.oldValue === undefined || d.kind === 'added' ? null : previewBytes(d.oldValue),
    newValue: d.newValue === undefined || d.kind === 'removed' ? null : previewBytes(d.newValue),
  };
}

/** What Copy Value puts on the clipboard: the text when the bytes are text, else 0x + hex. */
export function clipboardText(bytes: Uint8Array): string {
  const text = cleanText(bytes);
  return text ?? `0x${bytesToHex(bytes)}`;
}
