/**
 * How the data page draws keys and values (pure: no DOM, unit-tested).
 * Previews arrive from the extension already cut to a bounded size; these
 * choose what to show for the display mode the user picked:
 *   auto  JSON (one line in the table, pretty in the detail pane) when the
 *         value parses, its text when it is clean text, else hex;
 *   text  the text (hex when the bytes are not text);
 *   hex   0x + lowercase hex.
 */

import type { BytesPreview, DisplayMode, RowData } from '../../shared/dataMessages';

export { formatBytes } from '../../shared/checkpointStatus';
export { hexDump } from '../../shared/hexDump';
import { hexDump } from '../../shared/hexDump';

export type ShownKind = 'json' | 'text' | 'hex' | 'empty';

export interface Shown {
  text: string;
  kind: ShownKind;
}

const ELLIPSIS = '…';

/** Cells show one line: newlines and tabs become visible marks, long text is cut. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/\r\n|\r|\n/g, '⏎').replace(/\t/g, '→');
  return flat.length > max ? flat.slice(0, max) + ELLIPSIS : flat;
}

function hexText(p: BytesPreview): string {
  return `0x${p.hex}${p.truncated || p.hex.length < 2 * p.size ? ELLIPSIS : ''}`;
}

/** What a table cell shows for a value. */
export function valueCell(p: BytesPreview, mode: DisplayMode): Shown {
  if (p.size === 0) return { text: '(empty)', kind: 'empty' };
  if (mode === 'hex' || p.text === null) return { text: oneLine(hexText(p)), kind: 'hex' };
  if (mode === 'auto' && p.json !== null) return { text: oneLine(compactJson(p.json)), kind: 'json' };
  return { text: oneLine(p.text + (p.truncated ? ELLIPSIS : '')), kind: 'text' };
}

/** What the detail pane shows for a value: pretty JSON, the text, or a hex dump. */
export function valueDetail(p: BytesPreview, mode: DisplayMode): Shown {
  if (p.size === 0) return { text: '(empty value)', kind: 'empty' };
  if (mode === 'hex' || p.text === null) return { text: hexDump(p.hex) + (p.hex.length < 2 * p.size ? `\n${ELLIPSIS} (${p.size - p.hex.length / 2} more bytes: Open Value shows all)` : ''), kind: 'hex' };
  if (mode === 'auto' && p.json !== null) return { text: p.json, kind: 'json' };
  return { text: p.text + (p.truncated ? `\n${ELLIPSIS} (cut: Open Value shows all)` : ''), kind: 'text' };
}

/** A key as shown: SlateDB's CLI rendering (auto/text), or its hex. */
export function keyCell(row: Pick<RowData, 'key' | 'keyHex'>, mode: DisplayMode, max = 400): string {
  const text = mode === 'hex' ? `0x${row.keyHex}` : row.key;
  return text.length > max ? text.slice(0, max) + ELLIPSIS : text;
}

/** Pretty JSON back to one line (the pretty form is what the extension sends). */
export function compactJson(pretty: string): string {
  try {
    return JSON.stringify(JSON.parse(pretty));
  } catch {
    // A preview cut in the middle: squeeze the whitespace instead.
    return pretty.replace(/\n\s*/g, ' ');
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "2026-11-27 22:11:27" (local time) for a TTL in ms since the epoch. */
export function expiryText(expireTs: number | null, nowMs: number): string {
  if (expireTs === null) return '';
  const d = new Date(expireTs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const when = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return expireTs <= nowMs ? `expired ${when}` : `expires ${when}`;
}

/** Checks the search text the way the extension will parse it, to say what is wrong before asking. */
export function searchProblem(text: string): string | null {
  if (!/^0x/i.test(text)) return null;
  const hex = text.slice(2);
  if (hex.length % 2 !== 0) return `“${text}” has an odd number of hex digits`;
  if (!/^[0-9a-fA-F]*$/.test(hex)) return `“${text}” is not hex (after 0x only 0-9 and a-f)`;
  return null;
}
