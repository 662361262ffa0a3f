/**
 * The data panel's pure parts: what the extension sends for key and value bytes (bounded previews,
 * text / JSON / binary, clipboard text), how the page draws them per display mode, the page model
 * (pages of an older query dropped, keyset pages never repeat a key), the status line, and the
 * checks of what the page sends.
 */
import * as assert from 'node:assert/strict';
import { clipboardText, cleanText, diffRowData, keyShown, PREVIEW_HEX_BYTES, PREVIEW_TEXT, previewBytes, prettyJson, rowData } from '../../src/extension/webview/dataRender';
import { DataRowsMessage, parseDataWebviewMessage } from '../../src/shared/dataMessages';
import { hexDump } from '../../src/shared/hexDump';
import { keyCell, searchProblem, valueCell, valueDetail } from '../../src/webview/data/format';
import { DataModel, statusText } from '../../src/webview/data/model';

const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const XSS = '<img src=x onerror=alert(1)>';

describe('data panel: previews, drawing, model', () => {
  it('text, JSON and binary values become bounded previews', () => {
    const json = previewBytes(utf8('{"a":1,"b":[true,null]}'));
    assert.equal(json.text, '{"a":1,"b":[true,null]}');
    assert.equal(json.json, '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}');
    assert.equal(previewBytes(utf8('42')).json, null, 'a scalar is shown as text');
    const bin = previewBytes(new Uint8Array([0, 1, 2, 0xff]));
    assert.equal(bin.text, null);
    assert.equal(bin.hex, '000102ff');
    assert.equal(cleanText(utf8('tab\tand\nnewline')), 'tab\tand\nnewline', 'tabs and newlines are text in values');
    assert.equal(cleanText(utf8('bell\u0007')), null);
    assert.equal(cleanText(new Uint8Array([0xc3])), null, 'invalid UTF-8');
    const long = previewBytes(utf8('x'.repeat(PREVIEW_TEXT + 10)));
    assert.equal(long.text!.length, PREVIEW_TEXT);
    assert.equal(long.truncated, true);
    assert.equal(long.hex.length, 2 * PREVIEW_HEX_BYTES);
    assert.equal(prettyJson('{"cut":'), null);
    assert.equal(clipboardText(new Uint8Array([0, 0xab])), '0x00ab');
    assert.equal(clipboardText(utf8(XSS)), XSS);
  });

  it('keys are drawn as SlateDB’s CLI draws them; rows and diff rows carry the whole key as hex', () => {
    assert.deepEqual(keyShown(utf8('user:1')), { keyHex: Buffer.from('user:1').toString('hex'), key: 'user:1', keyIsText: true, keySize: 6 });
    assert.equal(keyShown(new Uint8Array([0, 0x42])).key, '0x0042');
    assert.equal(keyShown(utf8('0xdead')).keyIsText, false, 'text that starts with 0x is shown as hex, as the CLI does');
    const row = rowData({ key: utf8(XSS), value: utf8(XSS), seq: 18446744073709551615n, expireTs: 1_700_000_000_000n });
    assert.equal(row.seq, '18446744073709551615', 'u64 as a decimal string');
    assert.equal(row.key, XSS);
    const removed = diffRowData({ kind: 'removed', key: utf8('k'), oldValue: utf8('v') });
    assert.equal(removed.newValue, null);
    assert.equal(removed.oldValue!.text, 'v');
  });

  it('cells show one line per display mode; the detail pane shows pretty JSON, text or a hex dump', () => {
    const p = previewBytes(utf8('{"a":1}'));
    assert.deepEqual(valueCell(p, 'auto'), { text: '{"a":1}', kind: 'json' });
    assert.deepEqual(valueCell(p, 'text'), { text: '{"a":1}', kind: 'text' });
    assert.deepEqual(valueCell(p, 'hex'), { text: `0x${Buffer.from('{"a":1}').toString('hex')}`, kind: 'hex' });
    assert.equal(valueCell(previewBytes(utf8('a\nb\tc')), 'auto').text, 'a⏎b→c');
    assert.equal(valueCell(previewBytes(new Uint8Array(0)), 'auto').kind, 'empty');
    assert.equal(valueDetail(p, 'auto').text, '{\n  "a": 1\n}');
    const bin = previewBytes(new Uint8Array(Array.from({ length: 20 }, (_, i) => i * 13)));
    assert.equal(valueDetail(bin, 'auto').text, hexDump(bin.hex));
    assert.equal(hexDump('41424300'), `00000000  ${'41 42 43 00'.padEnd(48)}  ABC.`);
    assert.equal(keyCell({ key: 'user:1', keyHex: '75' }, 'hex'), '0x75');
    assert.equal(searchProblem('0xabc'), '“0xabc” has an odd number of hex digits');
    assert.equal(searchProblem('0xzz'), '“0xzz” is not hex (after 0x only 0-9 and a-f)');
    assert.equal(searchProblem('plain'), null);
  });

  it('the model drops pages of older queries and never repeats a key; the status line says what is shown', () => {
    const m = new DataModel();
    const page = (queryId: number, keys: string[], first: boolean, more: boolean): DataRowsMessage => ({
      type: 'data/rows',
      queryId,
      first,
      more,
      durationMs: 1,
      rows: keys.map((k) => ({ ...keyShown(utf8(k)), value: previewBytes(utf8('v')), seq: '1', expireTs: null })),
    });
    const q1 = m.startQuery();
    const q2 = m.startQuery();
    assert.equal(m.applyRows(page(q1, ['a'], true, false)), false, 'an older query’s page is dropped');
    assert.equal(m.applyRows(page(q2, ['a', 'b'], true, true)), 2);
    assert.equal(statusText(m), '2 keys shown, more follow');
    assert.equal(m.requestMore(), true);
    assert.equal(m.requestMore(), false, 'one page at a time');
    assert.equal(m.applyRows(page(q2, ['b', 'c'], false, false)), 1, 'a replayed key is not shown twice');
    assert.deepEqual(m.rows.map((r) => r.key), ['a', 'b', 'c']);
    assert.equal(statusText(m), '3 keys shown (all)');
    m.applyCount({ type: 'data/count', queryId: q2, counted: 3, bytes: 6, added: 0, removed: 0, changed: 0, state: 'done', error: null });
    assert.equal(statusText(m), '3 keys shown (all) · 3 in total');
    m.applyError(q2, 'the SST 01H… is corrupt');
    assert.equal(statusText(m), 'Failed: the SST 01H… is corrupt');
  });

  it('what the page sends is checked field by field', () => {
    assert.deepEqual(parseDataWebviewMessage({ type: 'data/copy', what: 'key', keyHex: '00ff', extra: 1 }), { type: 'data/copy', what: 'key', keyHex: '00ff' });
    assert.equal(parseDataWebviewMessage({ type: 'data/copy', what: 'key', keyHex: '0F' }), undefined, 'uppercase / odd hex');
    assert.equal(parseDataWebviewMessage({ type: 'data/query', queryId: -1, search: { kind: 'all' } }), undefined);
    assert.equal(parseDataWebviewMessage({ type: 'data/query', queryId: 1, search: { kind: 'prefix' } }), undefined);
    assert.equal(parseDataWebviewMessage({ type: 'data/query', queryId: 1, search: { kind: 'all' }, kinds: ['added', 'bogus'] }), undefined);
    assert.equal(parseDataWebviewMessage({ type: 'data/openValue', keyHex: '00', side: 'left' }), undefined);
    assert.equal(parseDataWebviewMessage({ type: 'vscode.open' }), undefined);
  });
});
