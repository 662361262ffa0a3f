/**
 * `apply-policy`: for every database a policy names, a plan first (create /
 * delete / backup, each with its reason), then — unless it is a dry run —
 * the actions: the creates and deletes of one database in one manifest
 * commit (a create skipped inside it when its name is already there), then
 * the backups and the pruning of the rule's backups in the repository.
 * Databases run in parallel (bounded); a failure in one is reported in its
 * entry and never stops the others. `nowMs` is the clock: checkpoints made
 * get that create time.
 */

import { mapLimit } from '../concurrency';
import { EngineError, isEngineError, messageOf, throwIfAborted } from '../errors';
import { EngineLog, silentLog } from '../log';
import { checkpointsOf } from '../manifest/model';
import { LoadedManifest, ManifestStore } from '../manifest/manifestStore';
import { DEFAULT_DB_CONCURRENCY, findDatabases } from '../multiDb';
import type { ObjectStore } from '../store/objectStore';
import { policyBackupRunner } from '../backup/policyRunner';
import { applyCheckpointBatch } from './batch';
import { manifestReader, planDatabase } from './plan';
import { planRepository, ruleBackups } from './repository';
import type { PlannedAction, Policy, PolicyRule, PolicyStore } from './types';

/** Copies one source checkpoint into a backup repository (the `backup` command's engine). */
export interface PolicyBackupRunner {
  backup(request: {
    source: ObjectStore;
    sourcePath: string;
    checkpointId: string;
    repository: ObjectStore;
    repositoryPath: string;
    /** Label of the backup: the source checkpoint's name. */
    label: string;
    now: Date;
    signal?: AbortSignal;
  }): Promise<{ backupId: string }>;
}

export interface ApplyPolicyOptions {
  nowMs: number;
  dryRun: boolean;
  /** Opens a store a policy names; called once per distinct store. */
  openStore(store: PolicyStore): Promise<ObjectStore>;
  /** Default: the backup engine (backup/policyRunner.ts). */
  backups?: PolicyBackupRunner;
  concurrency?: number;
  log?: EngineLog;
  signal?: AbortSignal;
}

export interface ActionResult {
  status: 'created' | 'exists' | 'deleted' | 'absent' | 'backed-up';
  id?: string;
  manifest_id?: number;
}

export type ReportedAction = PlannedAction & { result?: ActionResult };

export interface DatabaseReport {
  store: string;
  path: string;
  planned: ReportedAction[];
  applied: boolean;
  error: null | { code: string; message: string };
}

interface DatabaseJob {
  store: PolicyStore;
  path: string;
  rules: PolicyRule[];
  latestManifestId?: number;
  /** Set when the job cannot run (store did not open, rule names collide, ...). */
  error?: EngineError;
}

const storeKey = (s: PolicyStore) => JSON.stringify([s.url.replace(/\/+$/, ''), s.endpointUrl ?? '', s.region ?? '', s.profile ?? '']);

function errorJson(e: unknown): { code: string; message: string } {
  return isEngineError(e) ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: `unexpected failure: ${messageOf(e)}` };
}

/** Opens each distinct store once; a store that fails to open fails every job on it. */
class StoreCache {
  private readonly opened = new Map<string, Promise<ObjectStore>>();
  constructor(private readonly open: (s: PolicyStore) => Promise<ObjectStore>) {}
  get(s: PolicyStore): Promise<ObjectStore> {
    const key = storeKey(s);
    let p = this.opened.get(key);
    if (!p) this.opened.set(key, (p = this.open(s)));
    return p;
  }
  async closeAll(): Promise<void> {
    for (const p of this.opened.values()) {
      const store = await p.catch(() => undefined);
      await store?.close?.().catch(() => undefined);
    }
  }
}

/** Every database the policy names, each once, with the rules of every target that names it. */
async function resolveJobs(policy: Policy, stores: StoreCache, concurrency: number): Promise<DatabaseJob[]> {
  const jobs = new Map<string, DatabaseJob>();
  const failed: DatabaseJob[] = [];
  for (const target of policy.targets) {
    let found: Array<{ path: string; latestManifestId?: number }>;
    try {
      const store = await stores.get(target.store);
      found = target.path !== undefined ? [{ path: target.path }] : await findDatabases(store, target.pathGlob!, { concurrency });
      if (found.length === 0) {
        throw new EngineError('DATABASE_NOT_FOUND', `${target.where}: no database in ${target.store.url} matches path_glob "${target.pathGlob}"`);
      }
    } catch (e) {
      failed.push({ store: target.store, path: target.path ?? target.pathGlob!, rules: target.rules, error: isEngineError(e) ? e : new EngineError('STORE_ERROR', messageOf(e), { cause: e }) });
      continue;
    }
    for (const db of found) {
      const key = `${storeKey(target.store)}\n${db.path}`;
      const job = jobs.get(key);
      if (!job) {
        jobs.set(key, { store: target.store, path: db.path, rules: [...target.rules], latestManifestId: db.latestManifestId });
        continue;
      }
      for (const rule of target.rules) {
        const clash = job.rules.find((r) => r.name === rule.name);
        if (clash && !job.error) {
          job.error = new EngineError('INVALID_ARGUMENT', `database "${db.path}" gets two rules named "${rule.name}" (${clash.where} and ${rule.where}); rename one`);
        }
        job.rules.push(rule);
      }
    }
  }
  return [...jobs.values(), ...failed];
}

async function readLatest(ms: ManifestStore, listedId: number | undefined): Promise<LoadedManifest> {
  if (listedId !== undefined) {
    try {
      const loaded = await ms.read(listedId);
      ms.noteId(listedId);
      return loaded;
    } catch (e) {
      if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e;
    }
  }
  return ms.readLatest();
}

async function runJob(job: DatabaseJob, stores: StoreCache, options: ApplyPolicyOptions): Promise<DatabaseReport> {
  const report: DatabaseReport = { store: job.store.url, path: job.path, planned: [], applied: false, error: null };
  const log = options.log ?? silentLog;
  try {
    if (job.error) throw job.error;
    throwIfAborted(options.signal, `apply-policy on ${job.path}`);
    const store = await stores.get(job.store);
    const ms = new ManifestStore(store, job.path);
    const latest = await readLatest(ms, job.latestManifestId);
    const plan = await planDatabase(latest, job.rules, options.nowMs, manifestReader((id) => ms.read(id)));
    const actions: ReportedAction[] = plan.actions.slice();

    // Backups: what each repository already holds decides the backup and the prune.
    const repoWork: Array<{ rule: PolicyRule; name: string; sourceId: string | null; backup?: ReportedAction; repoMs: ManifestStore; prunes: ReportedAction[] }> = [];
    for (const b of plan.backups) {
      const target = b.rule.backup!;
      const repoMs = new ManifestStore(await stores.get(target), target.path);
      const repoCheckpoints = await repoMs.readLatest().then(
        (m) => checkpointsOf(m.manifest),
        (e) => {
          if (isEngineError(e, 'DATABASE_NOT_FOUND')) return []; // the first backup creates the repository
          throw e;
        },
      );
      const repoPlan = planRepository(ruleBackups(repoCheckpoints, b.rule, job.path), b.rule, { name: b.name, id: b.sourceId }, options.nowMs);
      const repository = { store: target.url, path: target.path };
      const work: (typeof repoWork)[number] = { ...b, repoMs, prunes: [] };
      if (repoPlan.backupNeeded) {
        work.backup = {
          action: 'backup',
          rule: b.rule.name,
          checkpoint: b.sourceId,
          name: b.name,
          reason: `${b.sourceId === null ? 'the checkpoint this run creates' : 'not yet in the repository'}: back it up into ${target.url} ${target.path}`,
          repository,
        };
        actions.push(work.backup);
      }
      for (const p of repoPlan.prunes) {
        const action: ReportedAction = { action: 'delete', rule: b.rule.name, checkpoint: p.checkpoint.id, name: p.checkpoint.name ?? '', reason: p.reason, repository };
        work.prunes.push(action);
        actions.push(action);
      }
      repoWork.push(work);
    }
    report.planned = actions;
    if (options.dryRun) return report;

    // 1. Creates and deletes: one commit.
    const createActions = actions.filter((a) => a.action === 'create');
    const deleteActions = actions.filter((a) => a.action === 'delete' && !a.repository);
    const createdIds = new Map<string, string>();
    if (createActions.length + deleteActions.length > 0) {
      const outcome = await applyCheckpointBatch(
        ms,
        {
          creates: plan.creates.map((c) => ({ name: c.name, lifetimeMs: c.rule.lifetimeMs })),
          deleteIds: plan.deletes.map((d) => d.checkpoint.id),
        },
        { now: () => new Date(options.nowMs), log },
      );
      for (const c of outcome.creates) {
        createdIds.set(c.name, c.id);
        const action = createActions.find((a) => a.name === c.name);
        if (action) action.result = { status: c.existed ? 'exists' : 'created', id: c.id, manifest_id: c.manifestId };
      }
      for (const a of deleteActions) a.result = { status: outcome.deleted.includes(a.checkpoint!) ? 'deleted' : 'absent' };
      log('info', `apply-policy ${job.store.url} ${job.path}: ${outcome.creates.filter((c) => !c.existed).length} created, ${outcome.deleted.length} deleted`);
    }

    // 2. Backups, then the repository's prune (only once the new backup is safely in).
    for (const w of repoWork) {
      throwIfAborted(options.signal, `apply-policy on ${job.path}`);
      if (w.backup) {
        const checkpointId = w.sourceId ?? createdIds.get(w.name);
        if (!checkpointId) throw new EngineError('INTERNAL', `the checkpoint ${w.name} to back up was neither created nor found`);
        const done = await (options.backups ?? policyBackupRunner(log)).backup({
          source: store,
          sourcePath: job.path,
          checkpointId,
          repository: w.repoMs.store,
          repositoryPath: w.repoMs.dbPath,
          label: w.name,
          now: new Date(options.nowMs),
          signal: options.signal,
        });
        w.backup.result = { status: 'backed-up', id: done.backupId };
      }
      if (w.prunes.length > 0) {
        const pruned = await applyCheckpointBatch(w.repoMs, { deleteIds: w.prunes.map((p) => p.checkpoint!) }, { now: () => new Date(options.nowMs), log });
        for (const p of w.prunes) p.result = { status: pruned.deleted.includes(p.checkpoint!) ? 'deleted' : 'absent' };
      }
    }
    report.applied = true;
  } catch (e) {
    report.error = errorJson(e);
    log('warn', `apply-policy ${job.store.url} ${job.path}: ${report.error.message}`);
  }
  return report;
}

/** Plans (and unless `dryRun`, applies) the policy on every database it names. */
export async function applyPolicy(policy: Policy, options: ApplyPolicyOptions): Promise<DatabaseReport[]> {
  const stores = new StoreCache(options.openStore);
  const concurrency = options.concurrency ?? DEFAULT_DB_CONCURRENCY;
  try {
    const jobs = await resolveJobs(policy, stores, concurrency);
    return await mapLimit(jobs, concurrency, (job) => runJob(job, stores, options));
  } finally {
    await stores.closeAll();
  }
}
