/**
 * Lifetimes in humantime syntax, as SlateDB's CLI reads them (src/engine/duration.ts).
 */
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/engine/duration';
import { EngineError } from '../../src/engine/errors';

describe('lifetimes (humantime syntax, as SlateDB\'s CLI)', () => {
  const S = 1000;
  const table: Array<[string, number]> = [
    ['1h', 3600 * S],
    ['90s', 90 * S],
    ['7days 30min 10s', (7 * 86400 + 1800 + 10) * S],
    ['2h 37min', 9420 * S],
    ['2h 15m', 8100 * S],
    ['1h30m', 5400 * S],
    ['  45 min  ', 2700 * S],
    ['32ms', 32],
    ['20 min 17 nsec ', 1200 * S],
    ['3000s', 3000 * S],
    ['300sec', 300 * S],
    ['50seconds', 50 * S],
    ['1second', 1 * S],
    ['100m', 6000 * S],
    ['12min', 720 * S],
    ['12mins', 720 * S],
    ['1minute', 60 * S],
    ['7minutes', 420 * S],
    ['2h', 7200 * S],
    ['7hr', 25200 * S],
    ['7hrs', 25200 * S],
    ['1hour', 3600 * S],
    ['24hours', 86400 * S],
    ['1day', 86400 * S],
    ['2days', 172_800 * S],
    ['365d', 31_536_000 * S],
    ['1week', 604_800 * S],
    ['7weeks', 4_233_600 * S],
    ['52w', 31_449_600 * S],
    ['1month', 2_630_016 * S],
    ['3months', 3 * 2_630_016 * S],
    ['12M', 31_560_192 * S],
    ['1year', 31_557_600 * S],
    ['7years', 7 * 31_557_600 * S],
    ['17y', 536_479_200 * S],
    ['31msec', 31],
  ];
  for (const [text, ms] of table) {
    it(`parses ${JSON.stringify(text)} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  const errors: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['10', /needs a unit/],
    ['-5s', /positive/],
    ['1.5h', /whole numbers/],
    ['5 parsecs', /unknown unit "parsecs"/],
    ['1H', /unknown unit "H"/],
    ['h', /cannot read/],
    ['1h and 2m', /unknown unit "and"|cannot read/],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text)} with INVALID_ARGUMENT quoting the input`, () => {
      assert.throws(() => parseDuration(text), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_ARGUMENT' && message.test(e.message) && e.message.includes(`"${text}"`));
    });
  }

  it('accepts the unit spellings humantime 2.2 (SlateDB 0.12.1\'s CLI) also accepts: nanos, millis, secs', () => {
    assert.equal(parseDuration('300secs'), 300 * S);
    assert.equal(parseDuration('31millis'), 31);
    assert.equal(parseDuration('2000000000nanos'), 2 * S);
  });

  it('accepts any whitespace between parts, as humantime does ("1h\\t30m")', () => {
    assert.equal(parseDuration('1h\t30m'), 5400 * S);
    assert.equal(parseDuration('1h\n30m'), 5400 * S);
  });

  it('formatDuration output parses back to the same whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86400 }), (seconds) => {
        assert.equal(parseDuration(formatDuration(seconds * 1000)), seconds * 1000);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});
