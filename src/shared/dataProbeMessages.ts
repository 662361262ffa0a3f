/**
 * The test probe of the data page, kept apart from the product protocol
 * (dataMessages.ts): host tests ask the page what it holds and shows, and
 * the page answers with a `DataPageDump` read back from its DOM. Request ids
 * pair each answer with its question. Both sides:
 * extension/webview/dataProbe.ts and webview/data/probe.ts.
 */

import type { DataCountMessage, DataMode, DiffKind, SearchSpec } from './dataMessages';

export const DataProbeType = {
  /** extension → page: "tell me what you show". */
  dump: 'dataProbe/dump',
  /** page → extension: the answer. */
  state: 'dataProbe/state',
  /** extension → page: do what a user would (click, search, select); no answer (ask `dump` after). */
  act: 'dataProbe/act',
} as const;

export interface DataProbeDumpMessage {
  type: typeof DataProbeType.dump;
  requestId: number;
}

/** What a test makes the page do, through the same handlers a user's click or Enter runs. */
export type DataProbeAction =
  /** Click the element with this `data-action` (in the row of `keyHex` when given). */
  | { kind: 'click'; action: string; keyHex?: string }
  /** Type this search and press Enter. */
  | { kind: 'search'; search: SearchSpec }
  /** Select a row (as clicking it does). */
  | { kind: 'select'; keyHex: string };

export interface DataProbeActMessage {
  type: typeof DataProbeType.act;
  action: DataProbeAction;
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
