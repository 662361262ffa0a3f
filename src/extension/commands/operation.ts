/**
 * Runs a user-visible operation: a progress notification while it runs, and
 * on failure a specific message with "Retry" and "Show Log".
 */

import * as vscode from 'vscode';
import { isEngineError, messageOf } from '../../engine/errors';
import { createLogger, showLog } from '../log';

const log = createLogger('commands');

/** The error's code in brackets, for the log (the message alone loses it). */
const codeOf = (e: unknown) => (isEngineError(e) ? ` [${e.code}]` : '');

export async function runOperation<T>(title: string, work: () => Promise<T>): Promise<T | undefined> {
  for (;;) {
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, () => work());
    } catch (e) {
      const message = messageOf(e);
      log.error(`${title} failed${codeOf(e)}: ${message}`);
      const choice = await vscode.window.showErrorMessage(`${title} failed: ${message}`, 'Retry', 'Show Log');
      if (choice === 'Retry') continue;
      if (choice === 'Show Log') showLog(true);
      return undefined;
    }
  }
}

/** For commands called from code (tests, the webview): the error is rethrown instead of shown. */
export async function runQuietly<T>(title: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    log.error(`${title} failed${codeOf(e)}: ${messageOf(e)}`);
    throw e;
  }
}
