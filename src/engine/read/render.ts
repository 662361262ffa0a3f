/**
 * SlateDB CLI text rendering (`slatedb-cli/src/scan.rs` at main), so our `scan` output is
 * byte-identical to SlateDB's for the same options. Pure functions, no I/O.
 *
 * - Key `auto`: the raw text when the bytes are valid UTF-8 without a control character (Unicode Cc:
 *   U+0000–001F, U+007F–009F — Rust `char::is_control`) and do not start with `0x`/`0X`; otherwise
 *   `0x` + lowercase hex. `hex`: always `0x…`. `utf8`: lossy (each invalid sequence → U+FFFD).
 * - Value `auto`: clean text (same rule, empty allowed, no `0x` exception) as is, else
 *   `<binary N bytes>`; `hex`: `0x…` (empty → `0x`); `utf8`: lossy; `len`: `N bytes`; `none`: nothing.
 * - Bounds (`--prefix/--from/--to`): `hex` strips one optional `0x`/`0X` and decodes pairs; `utf8`
 *   takes the text's bytes; `auto` decodes hex only after a `0x`/`0X`. Error texts are SlateDB's.
 */

import { EngineError } from '../errors';

export type KeyMode = 'auto' | 'hex' | 'utf8';
export type ValueMode = 'auto' | 'hex' | 'utf8' | 'len' | 'none';

export const KEY_MODES: readonly KeyMode[] = ['auto', 'hex', 'utf8'];
export const VALUE_MODES: readonly ValueMode[] = ['auto', 'hex', 'utf8', 'len', 'none'];

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The text of `bytes` when they are valid UTF-8 without any control character, else undefined. */
export function cleanText(bytes: Uint8Array): string | undefined {
  // Fast path: printable ASCII (the usual key) needs no decoder.
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x7f) return undefined;
    if (b > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let text: string;
  try {
    text = fatal.decode(bytes);
  } catch {
    return undefined;
  }
  return CONTROL.test(text) ? undefined : text;
}

/** `0x` + lowercase hex (`0x` for no bytes). */
export function hex0x(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Lossy UTF-8 (Rust `String::from_utf8_lossy`: every maximal invalid subpart → U+FFFD). */
export function lossyUtf8(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

function startsWith0x(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x30 && (bytes[1] === 0x78 || bytes[1] === 0x58);
}

export function renderKey(bytes: Uint8Array, mode: KeyMode = 'auto'): string {
  switch (mode) {
    case 'hex':
      return hex0x(bytes);
    case 'utf8':
      return lossyUtf8(bytes);
    case 'auto': {
      const text = startsWith0x(bytes) ? undefined : cleanText(bytes);
      return text ?? hex0x(bytes);
    }
  }
}

export function renderValue(bytes: Uint8Array, mode: ValueMode = 'auto'): string {
  switch (mode) {
    case 'none':
      return '';
    case 'hex':
      return hex0x(bytes);
    case 'len':
      return `${bytes.length} bytes`;
    case 'utf8':
      return lossyUtf8(bytes);
    case 'auto':
      return cleanText(bytes) ?? `<binary ${bytes.length} bytes>`;
  }
}

/** One `scan` output line: `<key>\t<value>\n`, or `<key>\n` with value mode `none`. */
export function renderScanLine(key: Uint8Array, value: Uint8Array, keyMode: KeyMode, valueMode: ValueMode): string {
  const k = renderKey(key, keyMode);
  return valueMode === 'none' ? `${k}\n` : `${k}\t${renderValue(value, valueMode)}\n`;
}

/**
 * Rust's `{:?}` of a `&str` (how SlateDB's error texts quote the input): `"` around it, `\\`, `\"`,
 * `\n`, `\r`, `\t`, `\0` escaped and any other control character as `\u{hex}`.
 */
export function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 0) out += '\\0';
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

const isHexDigit = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number) => (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);

/** SlateDB's `decode_hex`: an optional `0x`/`0X`, then ASCII hex pairs (Rust `u8::from_str_radix`, which allows a `+` sign). */
export function decodeHexBound(spec: string): Uint8Array {
  const s = spec.startsWith('0x') || spec.startsWith('0X') ? spec.slice(2) : spec;
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(s)) throw badBound(`not a hex string: ${rustDebugString(spec)}`);
  if (s.length % 2 !== 0) throw badBound(`hex string must have an even number of digits: ${rustDebugString(spec)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < s.length; i += 2) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    if (isHexDigit(a) && isHexDigit(b)) out[i / 2] = hexValue(a) * 16 + hexValue(b);
    else if (a === 0x2b && isHexDigit(b)) out[i / 2] = hexValue(b); // "+f" parses as 0x0f
    else throw badBound(`invalid hex ${rustDebugString(spec)}: invalid digit found in string`);
  }
  return out;
}

function badBound(message: string): EngineError {
  return new EngineError('INVALID_ARGUMENT', message);
}

/** SlateDB's `decode_bound`: the bytes of a `--prefix` / `--from` / `--to` text under `mode`. */
export function parseBound(text: string, mode: KeyMode = 'auto'): Uint8Array {
  switch (mode) {
    case 'hex':
      return decodeHexBound(text);
    case 'utf8':
      return new Uint8Array(Buffer.from(text, 'utf8'));
    case 'auto':
      return text.startsWith('0x') || text.startsWith('0X') ? decodeHexBound(text) : new Uint8Array(Buffer.from(text, 'utf8'));
  }
}

export function isKeyMode(s: string): s is KeyMode {
  return (KEY_MODES as readonly string[]).includes(s);
}

export function isValueMode(s: string): s is ValueMode {
  return (VALUE_MODES as readonly string[]).includes(s);
}
