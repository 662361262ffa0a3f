/**
 * `scan`, `diff` and `verify-checkpoint` (CLI-CONTRACT part 2). `scan` and
 * `diff` are text commands: their output streams to stdout line by line
 * (with backpressure, so a scan of millions of rows keeps memory flat) and
 * a failure goes to stderr only. Every option is checked before the first
 * request (exit 2, nothing read). Nothing here writes to the store.
 */

import { EngineError } from '../engine/errors';
import { normalizeUuid } from '../engine/ids';
import type { Json } from '../engine/json';
import { ManifestStore } from '../engine/manifest/manifestStore';
import { countDiff, diffStates, DiffRow } from '../engine/read/diff';
import { compareBytes, KeyRange, prefixRange } from '../engine/read/keyRange';
import { resolveState, scanStateBatches } from '../engine/read/pointInTime';
import { isKeyMode, isValueMode, KeyMode, parseBound, renderKey, renderScanLine, renderValue, ValueMode } from '../engine/read/render';
import { verifyCheckpoint } from '../engine/verify';
import { type CommandContext, type CommandRun, type Options, str } from './commands';
import { CommandOutcome } from './outcome';

/** Where a text command writes: resolves when the line may be followed by more (stdout drained). */
export interface TextSink {
  write(text: string): Promise<void>;
  /** Aborted when the reader went away (`scan | head`): stop quietly. */
  readonly signal: AbortSignal;
}

export type TextRun = (options: Options, ctx: CommandContext, out: TextSink) => Promise<void>;

function keyModeOf(options: Options): KeyMode {
  const v = str(options, 'key') ?? 'auto';
  if (!isKeyMode(v)) throw new EngineError('INVALID_ARGUMENT', `--key "${v}" is not a key rendering: use auto, hex or utf8`);
  return v;
}

function valueModeOf(options: Options): ValueMode {
  const v = str(options, 'value') ?? 'auto';
  if (!isValueMode(v)) throw new EngineError('INVALID_ARGUMENT', `--value "${v}" is not a value rendering: use auto, hex, utf8, len or none`);
  return v;
}

/** `--prefix P` or `[--from, --to)`, parsed per `--key` (SlateDB's decode_bound). */
function rangeOf(options: Options, keyMode: KeyMode): KeyRange {
  const prefix = str(options, 'prefix');
  const from = str(options, 'from');
  const to = str(options, 'to');
  if (prefix !== undefined && (from !== undefined || to !== undefined)) {
    throw new EngineError('INVALID_ARGUMENT', '--prefix cannot be combined with --from / --to: give a prefix, or a range');
  }
  if (prefix !== undefined) return prefixRange(parseBound(prefix, keyMode));
  const range: KeyRange = {};
  if (from !== undefined) range.start = parseBound(from, keyMode);
  if (to !== undefined) range.end = parseBound(to, keyMode);
  if (range.start && range.end && compareBytes(range.start, range.end) >= 0) {
    throw new EngineError('INVALID_ARGUMENT', `the range --from ${JSON.stringify(from)} --to ${JSON.stringify(to)} is empty (--from must sort before --to; --to is exclusive)`);
  }
  return range;
}

function maxKeysOf(options: Options): number | undefined {
  const v = str(options, 'max-keys');
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v))) throw new EngineError('INVALID_ARGUMENT', `--max-keys "${v}" is not a whole number of entries`);
  return Number(v);
}

function checkpointOf(options: Options, name: string): string | undefined {
  const v = str(options, name);
  return v === undefined ? undefined : normalizeUuid(v);
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/** Batches text into ~64 KiB writes: one syscall per many lines, and backpressure per write. */
class LineBuffer {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly out: TextSink) {}
  async push(line: string): Promise<void> {
    this.parts.push(line);
    this.size += line.length;
    if (this.size >= 64 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.out.write(text);
  }
}

export const scanCommand: TextRun = async (options, ctx, out) => {
  const keyMode = keyModeOf(options);
  const valueMode = valueModeOf(options);
  const range = rangeOf(options, keyMode);
  const maxKeys = maxKeysOf(options);
  const format = str(options, 'format') ?? 'text';
  if (format !== 'text' && format !== 'jsonl') throw new EngineError('INVALID_ARGUMENT', `--format "${format}" is not an output format: use text or jsonl`);
  const checkpoint = checkpointOf(options, 'checkpoint');
  const count = options.count === true;

  const state = await resolveState(new ManifestStore(ctx.store, ctx.dbPath ?? ''), checkpoint);
  const lines = new LineBuffer(out);
  let entries = 0;
  let bytes = 0;
  if (maxKeys !== 0) {
    outer: for await (const batch of scanStateBatches(ctx.store, state, { range, signal: out.signal })) {
      for (const r of batch) {
        entries++;
        bytes += r.key.length + r.value.length;
        if (!count) {
          await lines.push(
            format === 'jsonl'
              ? JSON.stringify({ key: b64(r.key), value: b64(r.value), seq: seqJson(r.seq), expire_ts: r.expireTs === null ? null : Number(r.expireTs) }) + '\n'
              : renderScanLine(r.key, r.value, keyMode, valueMode),
          );
        }
        if (maxKeys !== undefined && entries >= maxKeys) break outer;
      }
    }
  }
  if (count) await lines.push(`${entries} entries, ${bytes} bytes\n`);
  await lines.flush();
};

/** A seq as a JSON number when it is one exactly, else its decimal string. */
function seqJson(seq: bigint): number | string {
  return seq <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seq) : seq.toString();
}

function diffLine(d: DiffRow, keyMode: KeyMode, valueMode: ValueMode): string {
  const key = renderKey(d.key, keyMode);
  const v = (b: Uint8Array | undefined) => (valueMode === 'none' ? '' : `\t${renderValue(b ?? new Uint8Array(0), valueMode)}`);
  switch (d.kind) {
    case 'added':
      return `+\t${key}${v(d.newValue)}\n`;
    case 'removed':
      return `-\t${key}${v(d.oldValue)}\n`;
    case 'changed':
      return `~\t${key}${v(d.oldValue)}${v(d.newValue)}\n`;
  }
}

export const diffCommand: TextRun = async (options, ctx, out) => {
  const keyMode = keyModeOf(options);
  const valueMode = valueModeOf(options);
  const prefix = str(options, 'prefix');
  const range = prefix === undefined ? {} : prefixRange(parseBound(prefix, keyMode));
  const from = checkpointOf(options, 'from');
  if (from === undefined) throw new EngineError('INVALID_ARGUMENT', 'diff needs --from UUID (the older checkpoint)');
  const to = checkpointOf(options, 'to');
  const ms = new ManifestStore(ctx.store, ctx.dbPath ?? '');
  const [a, b] = [await resolveState(ms, from), await resolveState(ms, to)];
  const rows = diffStates(ctx.store, a, b, { range, signal: out.signal });
  const lines = new LineBuffer(out);
  if (options.count === true) {
    const c = await countDiff(rows);
    await lines.push(`${c.added} added, ${c.removed} removed, ${c.changed} changed\n`);
  } else {
    for await (const d of rows) await lines.push(diffLine(d, keyMode, valueMode));
  }
  await lines.flush();
};

export const verifyCheckpointCommand: CommandRun = async (options, ctx) => {
  const v = str(options, 'id');
  if (v === undefined) throw new EngineError('INVALID_ARGUMENT', 'verify-checkpoint needs --id UUID');
  const id = normalizeUuid(v);
  const deep = options.deep === true;
  let last = Date.now();
  const r = await verifyCheckpoint(new ManifestStore(ctx.store, ctx.dbPath ?? ''), id, {
    deep,
    onProgress: (p) => {
      // A deep verification of a big database takes a while: say how far it is, every 2 s.
      const now = Date.now();
      if (p.total === 0 || now - last < 2000) return;
      last = now;
      process.stderr.write(`verify-checkpoint: ${p.phase}: ${p.done}/${p.total} objects\n`);
    },
  });
  const doc: Json = {
    checkpoint: r.checkpoint,
    manifest_id: r.manifestId,
    ok: r.ok,
    checked: { manifests: r.checked.manifests, ssts: r.checked.ssts, wal_files: r.checked.walFiles, bytes: r.checked.bytes, blocks: r.checked.blocks },
    problems: r.problems.map((p) => ({ key: p.key, problem: p.problem })),
  };
  for (const p of r.problems) process.stderr.write(`problem: ${p.key}: ${p.problem}\n`);
  return new CommandOutcome(doc, r.ok ? 0 : 1);
};
