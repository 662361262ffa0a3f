/** The health report's thresholds from settings (`slatedb.health.*`), as engine options. */

import * as vscode from 'vscode';
import { parseDuration } from '../../engine/duration';
import type { HealthOptions } from '../../engine/health';
import type { HealthThresholds } from '../../shared/healthMessages';
import { createLogger } from '../log';

const log = createLogger('health');

function durationSetting(name: string, fallback: string): { text: string; ms: number } {
  const text = vscode.workspace.getConfiguration('slatedb').get<string>(name) ?? fallback;
  try {
    return { text, ms: parseDuration(text) };
  } catch {
    log.warn(`slatedb.${name} "${text}" is not a duration; using ${fallback}`);
    return { text: fallback, ms: parseDuration(fallback) };
  }
}

function numberSetting(name: string, fallback: number): number {
  const v = vscode.workspace.getConfiguration('slatedb').get<number>(name);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

export function healthSettings(): { options: HealthOptions; thresholds: HealthThresholds } {
  const noExpiry = durationSetting('health.noExpiryOlderThan', '7days');
  const orphanAge = durationSetting('health.orphanMinAge', '1day');
  const unnamedPinPercent = numberSetting('health.unnamedPinPercent', 25);
  const manifestCountWarn = numberSetting('health.manifestCountWarn', 1000);
  return {
    options: { noExpiryOlderThanMs: noExpiry.ms, orphanMinAgeMs: orphanAge.ms, unnamedPinPercent, manifestCountWarn },
    thresholds: { noExpiryOlderThan: noExpiry.text, unnamedPinPercent, orphanMinAge: orphanAge.text, manifestCountWarn },
  };
}
