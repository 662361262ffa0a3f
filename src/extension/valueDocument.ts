/**
 * Read-only documents of one value: `slatedb-value:` URIs name a database,
 * a state (a checkpoint, or the latest manifest the panel read) and a key;
 * the provider reads the value through the engine and shows it pretty-
 * printed when it is JSON, as text when it is text, else as a hex dump.
 * Virtual documents cannot be saved, so nothing is ever written back.
 *
 * The URI holds no secret: the connection id, the database path, the
 * checkpoint id, the manifest id and the key in hex. "Latest" is read again
 * on open; if the database moved on since the panel read it, the document
 * shows the newer value and the log says so.
 */

import * as vscode from 'vscode';
import { resolveState } from '../engine/read/pointInTime';
import { renderKey } from '../engine/read/render';
import { BlockCache } from '../engine/sst/blockCache';
import { hexToBytes, isKeyHex } from '../shared/dataMessages';
import { hexDump } from '../shared/hexDump';
import type { DatabaseRegistry } from './databaseRegistry';
import { createLogger } from './log';
import type { DatabaseTarget } from './targets';
import { cleanText, prettyJson } from './webview/dataRender';
import { lookupValue, OpenedState } from './webview/dataStates';

export const VALUE_SCHEME = 'slatedb-value';
const log = createLogger('value');
const VALUE_CACHE_BYTES = 4 * 1024 * 1024;

/** One value: where, at which state, which key. */
export interface ValueRef extends DatabaseTarget {
  checkpointId: string | null;
  manifestId: number;
  /** The state's label for the title ("nightly (3f2a9c01)", "latest"). */
  label: string;
  keyHex: string;
}

export interface CompareValueArgs {
  from: ValueRef;
  to: ValueRef;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isValueRef(v: unknown): v is ValueRef {
  const r = v as Partial<ValueRef> | undefined;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.connectionId === 'string' &&
    typeof r.dbPath === 'string' &&
    (r.checkpointId === null || (typeof r.checkpointId === 'string' && UUID_RE.test(r.checkpointId))) &&
    Number.isSafeInteger(r.manifestId) &&
    typeof r.label === 'string' &&
    isKeyHex(r.keyHex)
  );
}

/** A file name for the tab title: no path separators, bounded. */
function titlePart(text: string, max = 60): string {
  const flat = text.replace(/[\\/\u0000-\u001f]/g, '_');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function valueUri(ref: ValueRef): vscode.Uri {
  const key = renderKey(hexToBytes(ref.keyHex), 'auto');
  const query = new URLSearchParams({ conn: ref.connectionId, db: ref.dbPath, cp: ref.checkpointId ?? '', m: String(ref.manifestId), label: ref.label, key: ref.keyHex });
  return vscode.Uri.from({ scheme: VALUE_SCHEME, path: `/${titlePart(key)} @ ${titlePart(ref.label, 40)}`, query: query.toString() });
}

export function parseValueUri(uri: vscode.Uri): ValueRef | undefined {
  if (uri.scheme !== VALUE_SCHEME) return undefined;
  const q = new URLSearchParams(uri.query);
  const ref = { connectionId: q.get('conn'), dbPath: q.get('db'), checkpointId: q.get('cp') || null, manifestId: Number(q.get('m')), label: q.get('label') ?? '', keyHex: q.get('key') };
  return isValueRef(ref) ? ref : undefined;
}

/** The document text of a value and its language: pretty JSON, the text, or a hex dump. */
export function valueText(bytes: Uint8Array | undefined): { text: string; language: 'json' | 'plaintext' } {
  if (bytes === undefined) return { text: '', language: 'plaintext' };
  const text = cleanText(bytes);
  if (text === null) {
    let hex = '';
    for (const b of bytes) hex += b.toString(16).padStart(2, '0');
    return { text: `${hexDump(hex)}\n`, language: 'plaintext' };
  }
  const pretty = prettyJson(text);
  if (pretty !== null) return { text: `${pretty}\n`, language: 'json' };
  // A JSON scalar ("42", "\"x\"") is JSON too; keep the text as it is.
  try {
    JSON.parse(text);
    return { text, language: 'json' };
  } catch {
    return { text, language: 'plaintext' };
  }
}

export class ValueDocumentProvider implements vscode.TextDocumentContentProvider {
  /** Resolved states by database + checkpoint (latest: + manifest id), newest last; a few only. */
  private readonly states = new Map<string, { opened: OpenedState; cache: BlockCache }>();
  private static readonly MAX_STATES = 16;

  constructor(private readonly databases: DatabaseRegistry) {}

  /** The value at the state the URI names; undefined when the key is absent there. */
  async read(ref: ValueRef): Promise<Uint8Array | undefined> {
    const { opened, cache } = await this.state(ref);
    const found = await lookupValue(opened, hexToBytes(ref.keyHex), cache);
    return found?.value;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseValueUri(uri);
    if (!ref) throw new Error(`not a SlateDB value: ${uri.toString()}`);
    return valueText(await this.read(ref)).text;
  }

  private async state(ref: ValueRef): Promise<{ opened: OpenedState; cache: BlockCache }> {
    const key = [ref.connectionId, ref.dbPath, ref.checkpointId ?? `latest#${ref.manifestId}`].join('\u0000');
    const hit = this.states.get(key);
    if (hit) {
      this.states.delete(key);
      this.states.set(key, hit);
      return hit;
    }
    const ms = await this.databases.manifestStore(ref);
    const source = await resolveState(ms, ref.checkpointId ?? undefined);
    if (ref.checkpointId === null && source.manifestId !== ref.manifestId) {
      log.info(`value of ${ref.keyHex.slice(0, 40)}: ${ref.dbPath || '/'} moved on from manifest #${ref.manifestId} to #${source.manifestId}; showing the value at #${source.manifestId}`);
    }
    const opened: OpenedState = { ref: { checkpointId: ref.checkpointId, label: ref.label, manifestId: source.manifestId }, source, store: ms.store };
    // Opening a value reads it twice (to pick the language, then as the content): the second read hits this.
    const entry = { opened, cache: new BlockCache(VALUE_CACHE_BYTES) };
    this.states.set(key, entry);
    for (const k of this.states.keys()) {
      if (this.states.size <= ValueDocumentProvider.MAX_STATES) break;
      this.states.delete(k);
    }
    return entry;
  }
}

/** Opens a value as a read-only editor (JSON language when it parses). Returns false when the key is absent. */
export async function openValueDocument(provider: ValueDocumentProvider, ref: ValueRef): Promise<vscode.TextEditor | undefined> {
  const bytes = await provider.read(ref);
  if (bytes === undefined) {
    void vscode.window.showWarningMessage(`SlateDB: the key ${renderKey(hexToBytes(ref.keyHex), 'auto').slice(0, 80)} is not in ${ref.label} of ${ref.dbPath || 'the store root'} (deleted or never written there).`);
    return undefined;
  }
  let doc = await vscode.workspace.openTextDocument(valueUri(ref));
  const { language } = valueText(bytes);
  if (doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
  // Beside the data panel, which stays visible (a hidden webview page is torn down).
  return vscode.window.showTextDocument(doc, { preview: true, preserveFocus: false, viewColumn: vscode.ViewColumn.Beside });
}

/** VS Code's own diff editor on the two values (an absent side is an empty document). */
export async function compareValueDocuments(provider: ValueDocumentProvider, args: CompareValueArgs): Promise<void> {
  const [left, right] = await Promise.all([provider.read(args.from), provider.read(args.to)]);
  const uris = [valueUri(args.from), valueUri(args.to)];
  const language = valueText(right ?? left).language;
  for (const uri of uris) {
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== language) await vscode.languages.setTextDocumentLanguage(doc, language);
  }
  const key = renderKey(hexToBytes(args.to.keyHex), 'auto');
  await vscode.commands.executeCommand('vscode.diff', uris[0], uris[1], `${titlePart(key)} (${args.from.label} ↔ ${args.to.label})`, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
