/**
 * Messages of the history page's health section (extension → page), kept
 * apart from messages.ts: the page's main.ts hands every message type it does
 * not know to `isHealthMessage` / the section. The report is the engine's
 * HealthReport (plain numbers and strings) plus the thresholds it used.
 */

import type { HealthReport } from '../engine/health';

export const HealthMessageType = {
  /** A report is being computed (after a load, or Show Health Report). */
  running: 'health/running',
  report: 'health/report',
  error: 'health/error',
  /** Scroll the section into view (Show Health Report). */
  reveal: 'health/reveal',
} as const;

/** The settings a report was computed with, for the section's wording. */
export interface HealthThresholds {
  noExpiryOlderThan: string;
  unnamedPinPercent: number;
  orphanMinAge: string;
  manifestCountWarn: number;
}

export type HealthMessage =
  | { type: typeof HealthMessageType.running }
  | { type: typeof HealthMessageType.report; report: HealthReport; thresholds: HealthThresholds; durationMs: number }
  | { type: typeof HealthMessageType.error; message: string }
  | { type: typeof HealthMessageType.reveal };

const TYPES = new Set<string>(Object.values(HealthMessageType));

export function isHealthMessage(m: unknown): m is HealthMessage {
  return typeof m === 'object' && m !== null && TYPES.has((m as { type?: unknown }).type as string);
}
