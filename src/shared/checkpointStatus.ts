/**
 * How a checkpoint is presented: its expiry state, a relative-time phrase and
 * its likely origin. Pure functions (no vscode, no DOM) shared by the tree,
 * the webview and tests.
 */

export type ExpiryState = 'never' | 'active' | 'expiring' | 'expired';
export type CheckpointOrigin = 'writer' | 'compactor' | 'reader' | 'user' | 'unknown';

export interface CheckpointLike {
  expireTimeS: number;
  createTimeS: number;
  name: string | null;
  writerEpoch: number | null;
}

/** The first 8 characters of a checkpoint id: enough to tell checkpoints apart on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A checkpoint's label everywhere (tree, pickers, messages, the page): its name, or its short id. */
export function checkpointLabel(c: { name: string | null; id: string }): string {
  return c.name ?? shortId(c.id);
}

/** "Expiring soon": under an hour left, or under a tenth of its lifetime. */
export function expiryState(c: CheckpointLike, nowS: number): ExpiryState {
  if (c.expireTimeS === 0) return 'never';
  const left = c.expireTimeS - nowS;
  if (left <= 0) return 'expired';
  const lifetime = Math.max(1, c.expireTimeS - c.createTimeS);
  return left < 3600 || left < lifetime / 10 ? 'expiring' : 'active';
}

/**
 * SlateDB does not record who made a checkpoint. These are the tell-tale
 * shapes of the ones it makes itself: a writer's carries WriterCheckpoint
 * metadata; the compactor's are unnamed with a 15-minute lifetime; a
 * DbReader's are unnamed with its (default 10-minute) lifetime.
 */
export function likelyOrigin(c: CheckpointLike): CheckpointOrigin {
  if (c.writerEpoch !== null) return 'writer';
  if (c.name !== null) return 'user';
  const lifetime = c.expireTimeS === 0 ? 0 : c.expireTimeS - c.createTimeS;
  if (lifetime === 900) return 'compactor';
  if (lifetime > 0 && lifetime <= 600) return 'reader';
  return 'unknown';
}

export const ORIGIN_LABEL: Record<CheckpointOrigin, string> = {
  writer: "the writer's own checkpoint",
  compactor: 'probably the compactor (unnamed, 15-minute lifetime)',
  reader: 'probably a DbReader (unnamed, short lifetime)',
  user: 'named: made by a person or a tool',
  unknown: 'unnamed: origin unknown (API, CLI or a clone)',
};

/** "in 3 h", "5 min ago", "never". */
export function relativeTime(targetS: number, nowS: number): string {
  const d = targetS - nowS;
  const abs = Math.abs(d);
  // Under 10 hours the minutes still matter ("2 h 30 min", not "3 h"); beyond, whole hours, then days.
  const hm = () => {
    const h = Math.floor(abs / 3600);
    const m = Math.round((abs - h * 3600) / 60);
    return m === 60 ? `${h + 1} h` : m === 0 ? `${h} h` : `${h} h ${m} min`;
  };
  const unit =
    abs < 60 ? `${abs} s` : abs < 3570 ? `${Math.round(abs / 60)} min` : abs < 36000 ? hm() : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} days`;
  if (d === 0) return 'now';
  return d > 0 ? `in ${unit}` : `${unit} ago`;
}

export function expiryPhrase(c: CheckpointLike, nowS: number): string {
  const state = expiryState(c, nowS);
  if (state === 'never') return 'never expires';
  if (state === 'expired') return `expired ${relativeTime(c.expireTimeS, nowS)}`;
  return `expires ${relativeTime(c.expireTimeS, nowS)}`;
}

/** "1 checkpoint", "3 checkpoints". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
