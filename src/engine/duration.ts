/**
 * Lifetimes in the humantime syntax of SlateDB's CLI ("7days 30min 10s",
 * "1h", "90s"). Our own small parser rather than a generic npm one: the
 * generic ones accept things humantime rejects (decimals, negatives, bare
 * numbers) and disagree on month length, and a lifetime typed here must mean
 * exactly what it means to `slatedb create-checkpoint --lifetime`.
 */

import { EngineError } from './errors';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** humantime's unit names → milliseconds (month = 30.44 days, year = 365.25 days, as humantime). */
const UNITS: Record<string, number> = {
  nanos: 1e-6, nsec: 1e-6, ns: 1e-6,
  usec: 1e-3, us: 1e-3, 'µs': 1e-3,
  millis: 1, msec: 1, ms: 1,
  seconds: SECOND, second: SECOND, secs: SECOND, sec: SECOND, s: SECOND,
  minutes: MINUTE, minute: MINUTE, min: MINUTE, mins: MINUTE, m: MINUTE,
  hours: HOUR, hour: HOUR, hr: HOUR, hrs: HOUR, h: HOUR,
  days: DAY, day: DAY, d: DAY,
  weeks: 7 * DAY, week: 7 * DAY, w: 7 * DAY,
  months: 2_630_016 * SECOND, month: 2_630_016 * SECOND, M: 2_630_016 * SECOND,
  years: 31_557_600 * SECOND, year: 31_557_600 * SECOND, y: 31_557_600 * SECOND,
};

const TOKEN = /(\d+)\s*([a-zA-Zµ]+)/y;

/** Parse a humantime duration into milliseconds. Throws INVALID_ARGUMENT that quotes the input and shows examples. */
export function parseDuration(text: string): number {
  const bad = (why: string): never => {
    throw new EngineError('INVALID_ARGUMENT', `lifetime "${text}" is not valid: ${why}. Examples: "1h", "90s", "7days 30min 10s"`);
  };
  const s = text.trim();
  if (s === '') bad('it is empty');
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    while (pos < s.length && /\s/.test(s[pos])) pos++;
    if (pos >= s.length) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(s);
    if (!m) {
      const rest = s.slice(pos);
      if (/^\d+\s*$/.test(rest)) bad(`the number ${rest.trim()} needs a unit such as s, min, h or days`);
      if (/^[-+]/.test(rest)) bad('it must be positive, without a sign');
      if (/^\d+\.\d/.test(rest)) bad('use whole numbers ("1h 30min" instead of "1.5h")');
      bad(`cannot read "${rest}"`);
    }
    // Case matters, as in humantime: "M" is months, "m" minutes.
    const unit = Object.hasOwn(UNITS, m![2]) ? UNITS[m![2]] : undefined;
    if (unit === undefined) bad(`unknown unit "${m![2]}" (use s, min, h, days, weeks, months or years)`);
    total += Number(m![1]) * unit!;
    pos = TOKEN.lastIndex;
  }
  if (!Number.isFinite(total) || total > 1e15) bad('it is too long');
  return Math.floor(total);
}

/** Compact humantime-style rendering: 90061000 → "1day 1h 1m 1s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.floor(ms / SECOND);
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  if (days) parts.push(`${days}day${days === 1 ? '' : 's'}`);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  if (h) parts.push(`${h}h`);
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  if (m) parts.push(`${m}m`);
  if (rest || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}
