/**
 * Checkpoint care across many databases (issue 13): 50 copies of a small database the REAL engine
 * wrote, each with 200 checkpoints `hourly-<stamp>` one hour apart (bench/support/benchDbs.ts
 * `policy-template`, cached), under `tenants/db-NN`, through a store with 20 ms per request:
 *
 *   - apply-policy (path_glob "tenants/*", rule hourly every 1h, keep {last: 24, daily: 7}):
 *     plan only (dry run) and apply, databases in parallel (the engine's default concurrency)
 *     vs one at a time; requests per database (goal: one listing + one read per database to plan);
 *   - `--path-glob` create of one named checkpoint across the 50: serial vs parallel;
 *   - the CLI end to end (a fresh process, local store without added latency) for reference.
 * Every apply runs on a fresh copy of the 50 databases.
 *
 *   node --import tsx bench/policy.bench.ts      (or through `npm run bench`)
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkpointsOf } from '../src/engine/manifest/model';
import { ManifestStore } from '../src/engine/manifest/manifestStore';
import { createAcross, DEFAULT_DB_CONCURRENCY } from '../src/engine/multiDb';
import { applyPolicy, DatabaseReport } from '../src/engine/policy/apply';
import { compactStamp } from '../src/engine/policy/windows';
import { parsePolicy } from '../src/engine/policy/parse';
import { CountingObjectStore } from '../src/engine/store/countingStore';
import { FaultInjectingStore } from '../src/engine/store/faultInjectingStore';
import { LocalObjectStore } from '../src/engine/store/local/localStore';
import { benchDb, benchScratch, POLICY_CHECKPOINTS, POLICY_NOW_MS } from './support/benchDbs';
import { runCli } from './support/children';

const DATABASES = 50;
const LATENCY_MS = 20;

export interface PolicyRow {
  operation: string;
  concurrency: number;
  ms: number;
  perDbMs: number;
  lists: number;
  gets: number;
  puts: number;
  heads: number;
  requestsPerDb: number;
  listsPerDb: number;
  getsPerDb: number;
  created: number;
  deleted: number;
  failed: number;
}

export interface PolicyBenchFigures {
  databases: number;
  checkpointsPerDb: number;
  latencyMs: number;
  runs: PolicyRow[];
  cli: Array<{ command: string; ms: number; exit: number | null }>;
  goals: Array<{ goal: string; met: boolean; detail: string }>;
  note: string;
}

/** 50 fresh copies of the template under `<root>/tenants/db-NN`. */
function fiftyCopies(templateRoot: string, templatePath: string, label: string): string {
  const root = benchScratch(label);
  for (let i = 0; i < DATABASES; i++) fs.cpSync(path.join(templateRoot, templatePath), path.join(root, 'tenants', `db-${String(i).padStart(2, '0')}`), { recursive: true });
  return root;
}

function policyFor(root: string): string {
  return JSON.stringify({
    targets: [{ store: pathToFileURL(root).href, path_glob: 'tenants/*', rules: [{ name: 'hourly', every: '1h', keep: { last: 24, daily: 7 } }] }],
  });
}

function slowCounting(root: string): { counting: CountingObjectStore; store: FaultInjectingStore } {
  const counting = new CountingObjectStore(new LocalObjectStore(root));
  return { counting, store: new FaultInjectingStore(counting, { latencyMs: LATENCY_MS }) };
}

function row(operation: string, concurrency: number, ms: number, c: CountingObjectStore, created: number, deleted: number, failed: number): PolicyRow {
  const n = c.counts;
  return {
    operation,
    concurrency,
    ms,
    perDbMs: ms / DATABASES,
    lists: n.list,
    gets: n.get,
    puts: n.put,
    heads: n.head,
    requestsPerDb: c.total / DATABASES,
    listsPerDb: n.list / DATABASES,
    getsPerDb: n.get / DATABASES,
    created,
    deleted,
    failed,
  };
}

async function policyRun(root: string, dryRun: boolean, concurrency: number): Promise<PolicyRow> {
  const { counting, store } = slowCounting(root);
  const policy = parsePolicy(policyFor(root), 'bench policy');
  const t0 = performance.now();
  const reports: DatabaseReport[] = await applyPolicy(policy, { nowMs: POLICY_NOW_MS, dryRun, concurrency, openStore: async () => store });
  const ms = performance.now() - t0;
  const failed = reports.filter((r) => r.error).length;
  if (reports.length !== DATABASES) throw new Error(`apply-policy saw ${reports.length} databases, expected ${DATABASES}`);
  if (failed) throw new Error(`apply-policy failed on ${failed} databases: ${reports.find((r) => r.error)?.error?.message}`);
  const planned = reports.flatMap((r) => r.planned);
  const created = planned.filter((a) => a.action === 'create' && (dryRun || a.result?.status === 'created')).length;
  const deleted = planned.filter((a) => a.action === 'delete' && (dryRun || a.result?.status === 'deleted')).length;
  return row(`apply-policy ${dryRun ? '--dry-run (plan)' : '(plan + apply)'}`, concurrency, ms, counting, created, deleted, failed);
}

async function globCreate(root: string, concurrency: number): Promise<PolicyRow> {
  const { counting, store } = slowCounting(root);
  const t0 = performance.now();
  const results = await createAcross(store, 'tenants/*', { name: `glob-c${concurrency}`, lifetimeMs: 3_600_000 }, { concurrency });
  const ms = performance.now() - t0;
  const failed = results.filter((r) => r.error).length;
  if (results.length !== DATABASES) throw new Error(`--path-glob create saw ${results.length} databases`);
  return row('create-checkpoint --path-glob', concurrency, ms, counting, results.length - failed, 0, failed);
}

/** Sanity: after an apply, each database holds exactly the checkpoints the keep clauses select plus the new one. */
async function checkApplied(root: string, expectPerDb: number): Promise<void> {
  const store = new LocalObjectStore(root);
  for (let i = 0; i < DATABASES; i++) {
    const cps = checkpointsOf((await new ManifestStore(store, `tenants/db-${String(i).padStart(2, '0')}`).readLatest()).manifest);
    if (cps.length !== expectPerDb) throw new Error(`db-${i}: ${cps.length} checkpoints after apply-policy, expected ${expectPerDb}`);
  }
}

export async function runPolicyBench(options: { print?: boolean } = {}): Promise<PolicyBenchFigures> {
  const template = await benchDb('policy-template');
  const runs: PolicyRow[] = [];
  const cli: PolicyBenchFigures['cli'] = [];
  const roots: string[] = [];
  const fresh = (label: string) => {
    const r = fiftyCopies(template.root, template.path, label);
    roots.push(r);
    return r;
  };
  try {
    const planRoot = fresh('policy-plan');
    runs.push(await policyRun(planRoot, true, DEFAULT_DB_CONCURRENCY));
    runs.push(await policyRun(planRoot, true, 1));
    let keptPerDb = -1;
    for (const concurrency of [DEFAULT_DB_CONCURRENCY, 1]) {
      const root = fresh(`policy-apply-${concurrency}`);
      const r = await policyRun(root, false, concurrency);
      runs.push(r);
      keptPerDb = POLICY_CHECKPOINTS + 1 - r.deleted / DATABASES;
      await checkApplied(root, keptPerDb);
    }
    const globRoot = roots[roots.length - 1];
    for (const concurrency of [1, DEFAULT_DB_CONCURRENCY, 16]) runs.push(await globCreate(globRoot, concurrency));

    // The CLI end to end on a local store (no added latency): a fresh process each.
    const cliRoot = fresh('policy-cli');
    const policyFile = path.join(cliRoot, 'policy.json');
    fs.writeFileSync(policyFile, policyFor(cliRoot));
    const now = new Date(POLICY_NOW_MS).toISOString();
    for (const [command, args] of [
      ['apply-policy --dry-run', ['apply-policy', '--policy', policyFile, '--dry-run', '--now', now]],
      ['apply-policy', ['apply-policy', '--policy', policyFile, '--now', now]],
      ['create-checkpoint --path-glob', ['--store', pathToFileURL(cliRoot).href, '--path-glob', 'tenants/*', 'create-checkpoint', '--name', `cli-${compactStamp(POLICY_NOW_MS)}`, '--lifetime', '1h']],
    ] as const) {
      const r = await runCli([...args]);
      cli.push({ command, ms: r.ms, exit: r.code });
    }
  } finally {
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  }

  const plan = runs.filter((r) => r.operation.includes('dry-run'));
  const parallelPlan = plan.find((r) => r.concurrency === DEFAULT_DB_CONCURRENCY)!;
  const serialPlan = plan.find((r) => r.concurrency === 1)!;
  const apply = runs.filter((r) => r.operation.includes('plan + apply'));
  const glob = runs.filter((r) => r.operation.includes('path-glob'));
  const goals = [
    {
      goal: 'plan: one listing + one read per database',
      met: parallelPlan.listsPerDb <= 1 + 1 / DATABASES + 1e-9 && parallelPlan.getsPerDb <= 1,
      detail: `${parallelPlan.listsPerDb.toFixed(2)} LIST + ${parallelPlan.getsPerDb.toFixed(2)} GET per database (the + 1/${DATABASES} LIST is the glob's folder listing)`,
    },
    { goal: 'parallel across databases (plan)', met: serialPlan.ms / parallelPlan.ms >= 3, detail: `${(serialPlan.ms / parallelPlan.ms).toFixed(1)}× faster than one at a time` },
    {
      goal: 'parallel across databases (apply)',
      met: apply[1].ms / apply[0].ms >= 3,
      detail: `${(apply[1].ms / apply[0].ms).toFixed(1)}× faster than one at a time; ${(apply[0].requestsPerDb).toFixed(1)} requests per database`,
    },
    { goal: '--path-glob create in parallel', met: glob[0].ms / glob[1].ms >= 3, detail: `${(glob[0].ms / glob[1].ms).toFixed(1)}× (concurrency ${DEFAULT_DB_CONCURRENCY}), ${(glob[0].ms / glob[2].ms).toFixed(1)}× (16)` },
    { goal: 'CLI runs succeed', met: cli.every((c) => c.exit === 0), detail: cli.map((c) => `${c.command}: exit ${c.exit}`).join(', ') },
  ];
  const figures: PolicyBenchFigures = {
    databases: DATABASES,
    checkpointsPerDb: POLICY_CHECKPOINTS,
    latencyMs: LATENCY_MS,
    runs,
    cli,
    goals,
    note: 'measured on a 2-core machine shared with other jobs: expect noise of ±30% between runs',
  };
  if (options.print !== false) printPolicy(figures);
  return figures;
}

function printPolicy(f: PolicyBenchFigures): void {
  console.log(`\nPolicies across ${f.databases} databases × ${f.checkpointsPerDb} checkpoints, store with ${f.latencyMs} ms per request`);
  console.table(
    f.runs.map((r) => ({
      operation: r.operation,
      'in flight': r.concurrency,
      ms: Math.round(r.ms),
      'ms/db': +r.perDbMs.toFixed(1),
      LIST: r.lists,
      GET: r.gets,
      PUT: r.puts,
      HEAD: r.heads,
      'req/db': +r.requestsPerDb.toFixed(2),
      created: r.created,
      deleted: r.deleted,
    })),
  );
  console.log('CLI end to end (fresh process, local store, no added latency)');
  console.table(f.cli.map((c) => ({ command: c.command, ms: Math.round(c.ms), exit: c.exit })));
  for (const g of f.goals) console.log(`Goal ${g.goal}: ${g.met ? 'met' : 'NOT met'} (${g.detail})`);
  console.log(`(${f.note})\n`);
}

if (require.main === module) {
  runPolicyBench().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
