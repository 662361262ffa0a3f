/**
 * The "SlateDB" log output channel. Engine lines (one per object-store
 * request) arrive through `engineLog`. Nothing written here may contain a
 * secret: connection secrets never leave SecretStorage except into the S3
 * client, and messages name keys and stores, never credentials.
 */

import * as vscode from 'vscode';
import type { EngineLog } from '../engine/log';

let channel: vscode.LogOutputChannel | undefined;

export function initLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  channel = vscode.window.createOutputChannel('SlateDB', { log: true });
  context.subscriptions.push(channel);
  return channel;
}

export function log(): vscode.LogOutputChannel {
  if (!channel) throw new Error('SlateDB log used before activation');
  return channel;
}

export const engineLog: EngineLog = (level, message) => {
  const c = channel;
  if (!c) return;
  switch (level) {
    case 'trace':
      c.trace(message);
      break;
    case 'debug':
      c.debug(message);
      break;
    case 'info':
      c.info(message);
      break;
    case 'warn':
      c.warn(message);
      break;
    case 'error':
      c.error(message);
      break;
  }
};
