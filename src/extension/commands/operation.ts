/**
 * Runs a user-visible operation: a progress notification while it runs, and
 * on failure a specific message with "Retry" and "Show Log".
 */

import * as vscode from 'vscode';
import { EngineError } from '../../engine/errors';
import { log } from '../log';

export async function runOperation<T>(title: string, work: () => Promise<T>): Promise<T | undefined> {
  for (;;) {
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: false }, () => work());
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const code = e instanceof EngineError ? ` [${e.code}]` : '';
      log().error(`${title} failed${code}: ${message}`);
      const choice = await vscode.window.showErrorMessage(`${title} failed: ${message}`, 'Retry', 'Show Log');
      if (choice === 'Retry') continue;
      if (choice === 'Show Log') log().show(true);
      return undefined;
    }
  }
}

/** For commands called from code (tests, the webview): the error is rethrown instead of shown. */
export async function runQuietly<T>(title: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const code = e instanceof EngineError ? ` [${e.code}]` : '';
    log().error(`${title} failed${code}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}
