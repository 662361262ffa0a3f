/**
 * A checkpoint policy (`.slatedb/policies.json`, `apply-policy --policy F`),
 * as validated by parse.ts: every duration already in milliseconds, every
 * store URL already checked. See the contract in CLI-CONTRACT.md.
 */

/** A store as a policy names it: URL plus the S3 options the CLI takes. */
export interface PolicyStore {
  url: string;
  endpointUrl?: string;
  region?: string;
  profile?: string;
}

/** restic `forget` clauses; a checkpoint survives when any clause keeps it. */
export interface KeepPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  /** Keep every checkpoint created within this many milliseconds of now. */
  withinMs?: number;
  /** The clause as written in the file, for reasons ("keep {daily: 7}"). */
  text: string;
}

export interface BackupTarget extends PolicyStore {
  path: string;
}

export interface PolicyRule {
  name: string;
  /** Time trigger: UTC windows of this length aligned to the Unix epoch (whole seconds). */
  everyMs?: number;
  /** Write-volume trigger: growth of `last_l0_seq` since the rule's newest checkpoint. */
  everyWrites?: number;
  /** Lifetime of the checkpoints it creates; undefined = never expires. */
  lifetimeMs?: number;
  keep?: KeepPolicy;
  backup?: BackupTarget;
  /** JSON path of the rule in the file, e.g. `targets[0].rules[1]`. */
  where: string;
}

export interface PolicyTarget {
  store: PolicyStore;
  /** Exactly one of `path` / `pathGlob`. */
  path?: string;
  pathGlob?: string;
  rules: PolicyRule[];
  where: string;
}

export interface Policy {
  targets: PolicyTarget[];
}

/** One action of a plan, in the contract's JSON shape (plus `repository` for a prune in a backup repository). */
export interface PlannedAction {
  action: 'create' | 'delete' | 'backup';
  rule: string;
  /** The checkpoint acted on; null for one still to be created. */
  checkpoint: string | null;
  name: string;
  reason: string;
  /** Set when the action is on the rule's backup repository rather than on the database. */
  repository?: { store: string; path: string };
}
