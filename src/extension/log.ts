/**
 * The "SlateDB" log output channel and the named loggers that write to it
 * (`createLogger('history')` → lines "[history] …"), as mongodb-js/vscode's
 * `createLogger` does. Loggers can be made at module load: they find the
 * channel when they write, and drop lines before activation.
 *
 * Engine lines (one per object-store request) arrive through `engineLog`.
 * Nothing written here may contain a secret: connection secrets never leave
 * SecretStorage except into the S3 client, and messages name keys and
 * stores, never credentials.
 */

import * as vscode from 'vscode';
import type { EngineLog, LogLevel } from '../engine/log';

let channel: vscode.LogOutputChannel | undefined;

export function initLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('SlateDB', { log: true });
  context.subscriptions.push(channel);
  return channel;
}

export type Logger = Record<LogLevel, (message: string) => void>;

export function createLogger(name: string): Logger {
  const at = (level: LogLevel) => (message: string) => channel?.[level](`[${name}] ${message}`);
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Brings the channel into view (the Show Log command, "Show Log" buttons). */
export function showLog(preserveFocus = false): void {
  channel?.show(preserveFocus);
}

/** Lines from the engine: its levels are the channel's method names. */
export const engineLog: EngineLog = (level, message) => channel?.[level](message);
