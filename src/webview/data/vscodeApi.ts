/** The webview host API of the data page (acquireVsCodeApi may be called once per page). */

import type { DataPersistedState, DataWebviewToExtension } from '../../shared/dataMessages';
import type { DataProbeStateMessage } from '../../shared/dataProbeMessages';

interface VsCodeApi {
  postMessage(message: DataWebviewToExtension | DataProbeStateMessage): void;
  getState(): DataPersistedState | undefined;
  setState(state: DataPersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
