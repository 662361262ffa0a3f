/** Display helpers of the history page (pure). */

export { checkpointLabel, formatBytes, relativeTime, expiryPhrase, expiryState, likelyOrigin, ORIGIN_LABEL, plural, shortId } from '../../shared/checkpointStatus';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-27 22:11:27" in local time. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "2026-11-27 22:11:27" from unix seconds. */
export function localTimeS(seconds: number): string {
  return localTime(seconds * 1000);
}

export function signedBytes(n: number, format: (n: number) => string): string {
  if (n === 0) return '±0 B';
  return `${n > 0 ? '+' : '−'}${format(Math.abs(n))}`;
}
