/**
 * SlateDB CLI rendering rules (slatedb-cli/src/scan.rs at main), including the cases of its own unit
 * tests, the Cc boundaries (U+0000–001F, U+007F–009F), "0x"-prefixed text keys, lossy UTF-8 and
 * SlateDB's bound-parsing error texts.
 */
import * as assert from 'node:assert/strict';
import { isEngineError } from '../../src/engine/errors';
import { parseBound, renderKey, renderScanLine, renderValue } from '../../src/engine/read/render';

const b = (...x: number[]) => new Uint8Array(x);
const t = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

describe('render (SlateDB CLI scan rendering)', () => {
  it('keys, auto: text as is; binary, control characters and 0x/0X-prefixed text as 0x hex', () => {
    assert.equal(renderKey(t('user/42'), 'auto'), 'user/42');
    assert.equal(renderKey(b(0x40, 0x00), 'auto'), '0x4000');
    assert.equal(renderKey(t('0xabc'), 'auto'), '0x3078616263');
    assert.equal(renderKey(t('0Xabc'), 'auto'), '0x3058616263');
    assert.equal(renderKey(t('0'), 'auto'), '0');
    assert.equal(renderKey(t('x0x'), 'auto'), 'x0x');
    assert.equal(renderKey(t('ключ-🙂'), 'auto'), 'ключ-🙂');
    assert.equal(renderKey(t('\u00a0nbsp'), 'auto'), '\u00a0nbsp');
    assert.equal(renderKey(t('ls\u2028'), 'auto'), 'ls\u2028');
    for (const c of [0x00, 0x09, 0x0a, 0x1f, 0x7f, 0x80, 0x85, 0x9f]) {
      const key = t(`a${String.fromCodePoint(c)}`);
      assert.equal(renderKey(key, 'auto'), '0x' + Buffer.from(key).toString('hex'), `U+${c.toString(16)}`);
    }
    assert.equal(renderKey(t(' ~'), 'auto'), ' ~');
    assert.equal(renderKey(b(0x80, 0x61), 'auto'), '0x8061');
    assert.equal(renderKey(new Uint8Array(0), 'auto'), '');
  });

  it('keys, hex and utf8 (lossy: each maximal invalid subpart → U+FFFD)', () => {
    assert.equal(renderKey(b(0x40, 0xff), 'hex'), '0x40ff');
    assert.equal(renderKey(t('hi'), 'hex'), '0x6869');
    assert.equal(renderKey(new Uint8Array(0), 'hex'), '0x');
    assert.equal(renderKey(t('hi'), 'utf8'), 'hi');
    assert.equal(renderKey(b(0xff), 'utf8'), '\ufffd');
    assert.equal(renderKey(b(0x61, 0xe2, 0x82), 'utf8'), 'a\ufffd');
    assert.equal(renderKey(b(0xc0, 0x80), 'utf8'), '\ufffd\ufffd');
    assert.equal(renderKey(b(0xed, 0xa0, 0x80), 'utf8'), '\ufffd\ufffd\ufffd');
    assert.equal(renderKey(t('a\tb'), 'utf8'), 'a\tb');
  });

  it('values: auto, hex, utf8, len, none', () => {
    assert.equal(renderValue(t('hello'), 'auto'), 'hello');
    assert.equal(renderValue(b(0, 1, 2, 3), 'auto'), '<binary 4 bytes>');
    assert.equal(renderValue(t('0x1234'), 'auto'), '0x1234');
    assert.equal(renderValue(new Uint8Array(0), 'auto'), '');
    assert.equal(renderValue(t('a\tb'), 'auto'), '<binary 3 bytes>');
    assert.equal(renderValue(t('x\u0085'), 'auto'), '<binary 3 bytes>');
    assert.equal(renderValue(b(0x68, 0x69, 0xc3), 'auto'), '<binary 3 bytes>');
    assert.equal(renderValue(b(0x00, 0x01), 'hex'), '0x0001');
    assert.equal(renderValue(new Uint8Array(0), 'hex'), '0x');
    assert.equal(renderValue(b(0xff), 'utf8'), '\ufffd');
    assert.equal(renderValue(b(0, 1, 2), 'len'), '3 bytes');
    assert.equal(renderValue(new Uint8Array(0), 'len'), '0 bytes');
    assert.equal(renderValue(t('anything'), 'none'), '');
  });

  it('scan lines: key TAB value LF, key LF with --value none (the SlateDB CLI test example)', () => {
    assert.equal(renderScanLine(b(0x00, 0x42), b(0, 1, 2, 3), 'auto', 'auto'), '0x0042\t<binary 4 bytes>\n');
    assert.equal(renderScanLine(t('k'), t('v'), 'auto', 'none'), 'k\n');
  });

  it('bounds: hex with optional 0x, utf8 literal, auto hex only after 0x/0X', () => {
    assert.deepEqual(parseBound('40ff', 'hex'), b(0x40, 0xff));
    assert.deepEqual(parseBound('0x40ff', 'hex'), b(0x40, 0xff));
    assert.deepEqual(parseBound('0X40FF', 'hex'), b(0x40, 0xff));
    assert.deepEqual(parseBound('+f', 'hex'), b(0x0f)); // Rust u8::from_str_radix accepts a + sign
    assert.deepEqual(parseBound('0x', 'hex'), b());
    assert.deepEqual(parseBound('0x40', 'utf8'), t('0x40'));
    assert.deepEqual(parseBound('hi', 'utf8'), t('hi'));
    assert.deepEqual(parseBound('0x40', 'auto'), b(0x40));
    assert.deepEqual(parseBound('0X40', 'auto'), b(0x40));
    assert.deepEqual(parseBound('user', 'auto'), t('user'));
    assert.deepEqual(parseBound('ключ', 'auto'), t('ключ'));
  });

  it('bound errors carry SlateDB\'s texts and are INVALID_ARGUMENT', () => {
    const err = (s: string, mode: 'hex' | 'auto' = 'hex') => {
      try {
        parseBound(s, mode);
      } catch (e) {
        assert.ok(isEngineError(e, 'INVALID_ARGUMENT'));
        return (e as Error).message;
      }
      return assert.fail(`${s} parsed`);
    };
    assert.equal(err('4'), 'hex string must have an even number of digits: "4"');
    assert.equal(err('4g'), 'invalid hex "4g": invalid digit found in string');
    assert.equal(err('zz'), 'invalid hex "zz": invalid digit found in string');
    assert.equal(err('-1'), 'invalid hex "-1": invalid digit found in string');
    assert.equal(err('0xé1'), 'not a hex string: "0xé1"');
    assert.equal(err('0x4', 'auto'), 'hex string must have an even number of digits: "0x4"');
    assert.equal(err('a"\tb'), 'invalid hex "a\\"\\tb": invalid digit found in string');
  });
});
