/**
 * The test probe of the history page, kept apart from the product protocol
 * (messages.ts): the host tests ask the page what it holds and shows, and the
 * page answers with a `WebviewStateDump`. Request ids pair each answer with
 * its question. Both sides: extension/webview/testProbe.ts and
 * webview/history/testProbe.ts.
 */

import type { BytesData, DiffData, GapData, ManifestData, PinData } from './messages';

export const ProbeType = {
  /** extension → page: "tell me what you show". */
  dumpState: 'debug/dumpState',
  /** page → extension: the answer. */
  stateDump: 'debug/state',
} as const;

export interface DumpStateMessage {
  type: typeof ProbeType.dumpState;
  requestId: number;
}

/** What the webview holds and shows (the reply to DumpStateMessage). */
export interface WebviewStateDump {
  generation: number;
  latestId: number | null;
  loaded: number;
  total: number;
  done: boolean;
  manifests: ManifestData[];
  diffs: DiffData[];
  gaps: GapData[];
  pins: PinData[];
  bytes: BytesData | null;
  selectedCheckpointId: string | null;
  /** ms since the page started loading (performance.now()): script running, first manifests drawn. */
  timing: { scriptStartMs: number; firstManifestsDrawnMs: number | null; allDrawnMs: number | null; renders: number; renderMs: number; engineMs: number | null };
  /** What the page shows (read back from the DOM). */
  dom: {
    timelineRows: number;
    gapRows: number;
    checkpointRows: number;
    sstRows: number;
    /** Elements that must never appear from data: <img>, <script>, <iframe>, inline handlers. */
    injectedElements: number;
    /** Tag and attribute names of those elements, to say what was found. */
    injectedDescriptions: string[];
    /** Every checkpoint name of the latest manifest, as the page's text shows it. */
    checkpointNamesShown: string[];
    chartBars: number;
    chartPoints: number;
  };
}

export interface StateDumpMessage {
  type: typeof ProbeType.stateDump;
  requestId: number;
  state: WebviewStateDump;
}

/** The message if it is a well-formed StateDumpMessage, else undefined. */
export function parseStateDump(raw: unknown): StateDumpMessage | undefined {
  const m = raw as Partial<StateDumpMessage> | null;
  if (typeof m !== 'object' || m === null || m.type !== ProbeType.stateDump) return undefined;
  return Number.isSafeInteger(m.requestId) && typeof m.state === 'object' && m.state !== null ? (m as StateDumpMessage) : undefined;
}
