/**
 * Time windows and checkpoint names of a rule. `every: DUR` cuts time into
 * UTC windows aligned to the Unix epoch; the checkpoint a rule creates is
 * named `<rule>-<YYYYMMDDTHHMMSSZ>` (the window start, or the instant for a
 * write-volume trigger), so the name itself says which window it serves and
 * two runners in one window pick the same name.
 */

/** floor(now / every) × every. */
export function windowStartMs(nowMs: number, everyMs: number): number {
  return Math.floor(nowMs / everyMs) * everyMs;
}

/** 2026-12-02T13:00:00.000Z → "20261202T130000Z" (seconds resolution, UTC). */
export function compactStamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function checkpointName(rule: string, ms: number): string {
  return `${rule}-${compactStamp(ms)}`;
}

/** The name prefix that marks a rule's own checkpoints. */
export function rulePrefix(rule: string): string {
  return `${rule}-`;
}

export function isRuleCheckpoint(rule: string, name: string | null): name is string {
  return name !== null && name.startsWith(rulePrefix(rule));
}
