/**
 * The test probe of the data page, kept apart from the product protocol
 * (dataMessages.ts): host tests ask the page what it holds and shows, and
 * the page answers with a `DataPageDump` read back from its DOM. Request ids
 * pair each answer with its question. Both sides:
 * extension/webview/dataProbe.ts and webview/data/probe.ts.
 */

import type { DataCountMessage, DataMode, DiffKind } from './dataMessages';

export const DataProbeType = {
  /** extension → page: "tell me what you show". */
  dump: 'dataProbe/dump',
  /** page → extension: the answer. */
  state: 'dataProbe/state',
} as const;

export interface DataProbeDumpMessage {
  type: typeof DataProbeType.dump;
  requestId: number;
}

/** What the page holds and shows (the reply to DataProbeDumpMessage). */
export interface DataPageDump {
  mode: DataMode | null;
  queryId: number;
  loading: boolean;
  more: boolean;
  error: string | null;
  /** Keys of the rows held, as SlateDB's CLI renders them (whole). */
  keys: string[];
  keyHexes: string[];
  diffKinds: DiffKind[];
  count: DataCountMessage | null;
  dom: {
    rows: number;
    /** Text of the key cells, top to bottom. */
    keyCells: string[];
    /** Text of the value cells (browse) or after-value cells (compare). */
    valueCells: string[];
    /** Text of the detail pane (the selected row). */
    detailText: string;
    statusText: string;
    /** <img>, <iframe>, foreign <script>, on* attributes: must stay 0. */
    injectedElements: number;
    injectedDescriptions: string[];
  };
}

export interface DataProbeStateMessage {
  type: typeof DataProbeType.state;
  requestId: number;
  state: DataPageDump;
}

/** The page's answer, if `raw` is one. */
export function parseDataProbeAnswer(raw: unknown): DataProbeStateMessage | undefined {
  const m = raw as Partial<DataProbeStateMessage> | null;
  if (typeof m !== 'object' || m === null || m.type !== DataProbeType.state) return undefined;
  return Number.isSafeInteger(m.requestId) && typeof m.state === 'object' && m.state !== null ? { type: m.type, requestId: m.requestId!, state: m.state } : undefined;
}
