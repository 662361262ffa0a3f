/**
 * The setting `slatedb.expiryWarning`: how long before its expiry a
 * checkpoint counts as "expiring" for the status bar and the notifications,
 * a humantime duration parsed as lifetimes are ("1h", "90min", "2days").
 * "0s" turns expiry monitoring off; text that is not a duration falls back
 * to the default (and says so in the log, once per value).
 */

import * as vscode from 'vscode';
import { formatDuration, parseDuration } from '../../engine/duration';
import { messageOf } from '../../engine/errors';
import { createLogger } from '../log';

const log = createLogger('expiry');
export const EXPIRY_WARNING_SETTING = 'expiryWarning';
export const DEFAULT_EXPIRY_WARNING = '1h';
let reported: string | undefined;

export interface ExpiryWindow {
  /** Seconds; 0 = monitoring off. */
  seconds: number;
  /** As the user wrote it (or the default), for messages: "within 1h". */
  text: string;
}

export function readExpiryWindow(): ExpiryWindow {
  const raw = vscode.workspace.getConfiguration('slatedb').get<string>(EXPIRY_WARNING_SETTING) ?? DEFAULT_EXPIRY_WARNING;
  try {
    const ms = parseDuration(String(raw));
    return { seconds: Math.floor(ms / 1000), text: formatDuration(ms) };
  } catch (e) {
    if (reported !== raw) log.warn(`slatedb.expiryWarning: ${messageOf(e)}; using ${DEFAULT_EXPIRY_WARNING}`);
    reported = raw;
    return { seconds: parseDuration(DEFAULT_EXPIRY_WARNING) / 1000, text: DEFAULT_EXPIRY_WARNING };
  }
}
