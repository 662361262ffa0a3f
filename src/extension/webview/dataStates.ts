/**
 * The points in time a data panel reads: a checkpoint's state or the latest
 * one, resolved once per (re)load through the engine, with a label for the
 * page, and point lookups of one key (Copy / Open / Compare Value read the
 * whole value again at the same state the row came from).
 */

import { keyAfter, bytesEqual } from '../../engine/read/keyRange';
import { resolveState, scanState, StateSource } from '../../engine/read/pointInTime';
import type { BlockCache } from '../../engine/sst/blockCache';
import type { ObjectStore } from '../../engine/store/objectStore';
import type { StateRef } from '../../shared/dataMessages';
import type { CommandDeps } from '../commands/deps';
import type { DatabaseTarget } from '../targets';

export interface OpenedState {
  ref: StateRef;
  source: StateSource;
  store: ObjectStore;
}

/** "nightly (3f2a9c01)", "3f2a9c01" for an unnamed checkpoint, or "latest". */
export function stateLabel(checkpointId: string | null, name: string | null | undefined): string {
  if (checkpointId === null) return 'latest';
  return name ? `${name} (${checkpointId.slice(0, 8)})` : checkpointId.slice(0, 8);
}

export async function openState(deps: Pick<CommandDeps, 'databases'>, target: DatabaseTarget, checkpointId: string | null): Promise<OpenedState> {
  const ms = await deps.databases.manifestStore(target);
  const source = await resolveState(ms, checkpointId ?? undefined);
  let name: string | null = null;
  if (checkpointId !== null) {
    const snapshot = deps.databases.snapshot(target) ?? (await deps.databases.load(target));
    name = snapshot.kind === 'ok' ? (snapshot.checkpoints.find((c) => c.id === checkpointId)?.name ?? null) : null;
  }
  return { ref: { checkpointId, label: stateLabel(checkpointId, name), manifestId: source.manifestId }, source, store: ms.store };
}

/** The live value of `key` at the state, or undefined when the key is absent (or deleted) there. */
export async function lookupValue(opened: Pick<OpenedState, 'source' | 'store'>, key: Uint8Array, cache?: BlockCache, signal?: AbortSignal): Promise<{ value: Uint8Array; seq: bigint; expireTs: bigint | null } | undefined> {
  for await (const row of scanState(opened.store, opened.source, { range: { start: key, end: keyAfter(key) }, cache, signal })) {
    return bytesEqual(row.key, key) ? row : undefined;
  }
  return undefined;
}
