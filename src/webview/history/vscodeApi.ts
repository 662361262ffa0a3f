/** The webview host API (acquireVsCodeApi may be called once per page). */

import type { PersistedState, WebviewToExtension } from '../../shared/messages';

interface VsCodeApi {
  postMessage(message: WebviewToExtension): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
