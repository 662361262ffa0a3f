/**
 * Edit Policies (opens `.slatedb/policies.json`, created from a template
 * naming the shown databases) and Apply Policy Now: a dry run through the
 * engine's applyPolicy, a preview of every planned action with its reason,
 * and only after "Apply" the real run (progress, cancel), then per-database
 * results and a registry reload of every database written.
 *
 * The plan applied is the plan shown: just before applying, the policy is
 * planned again; if that differs from the preview (a window rolled over,
 * another runner acted), the new plan is previewed instead.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineError, messageOf } from '../../engine/errors';
import { applyPolicy, DatabaseReport } from '../../engine/policy/apply';
import { parsePolicy } from '../../engine/policy/parse';
import type { Policy, PolicyStore } from '../../engine/policy/types';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { createLogger, engineLog, showLog } from '../log';
import { exists, policyTemplate, workspacePolicyUri } from '../policy/policyFile';
import { policyBackupRunner } from '../../engine/backup/policyRunner';
import { actionCount, confirmPlan } from '../policy/policyPreview';
import { policyStoreOpener, targetFor } from '../policy/policyStores';
import type { DatabaseTarget } from '../targets';
import type { CommandDeps } from './deps';

const log = createLogger('policy');

export interface ApplyPolicyResult {
  /** The dry run that was previewed last. */
  planned: DatabaseReport[];
  /** The real run's reports; null when nothing was applied. */
  applied: DatabaseReport[] | null;
  cancelled: boolean;
}

/** Options for code and tests: which file (default: the workspace's). */
interface ApplyOptions {
  policyFile?: string;
}

async function openPolicyFile(deps: CommandDeps): Promise<vscode.Uri | undefined> {
  const uri = workspacePolicyUri();
  if (!uri) {
    void vscode.window.showErrorMessage('SlateDB policies live in the workspace (.slatedb/policies.json): open a folder first.');
    return undefined;
  }
  if (!(await exists(uri))) {
    const text = await policyTemplate(deps.connections);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    log.info(`created ${uri.fsPath} from the template`);
  }
  await vscode.window.showTextDocument(uri, { preview: false });
  return uri;
}

/** The policy text as saved (an open, modified editor is saved first: apply-policy reads the file). */
async function readPolicy(uri: vscode.Uri): Promise<Policy> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  const bytes = await vscode.workspace.fs.readFile(uri);
  return parsePolicy(Buffer.from(bytes).toString('utf8'), path.basename(uri.fsPath));
}

const planKey = (reports: DatabaseReport[]) =>
  JSON.stringify(reports.map((r) => [r.store, r.path, r.error?.code ?? null, r.planned.map((a) => [a.action, a.rule, a.checkpoint, a.name, a.repository ?? null])]));

/** The store a report's `store` URL came from (the report carries only the URL). */
function storeOfReport(policy: Policy, r: DatabaseReport): PolicyStore | undefined {
  return policy.targets.find((t) => t.store.url === r.store)?.store;
}

function summary(reports: DatabaseReport[]): { text: string; failed: DatabaseReport[] } {
  let created = 0;
  let deleted = 0;
  let backedUp = 0;
  for (const r of reports) {
    for (const a of r.planned) {
      if (a.result?.status === 'created') created++;
      else if (a.result?.status === 'deleted') deleted++;
      else if (a.result?.status === 'backed-up') backedUp++;
    }
  }
  const failed = reports.filter((r) => r.error);
  const ok = reports.length - failed.length;
  const parts = [`${created} created`, `${deleted} deleted`, ...(backedUp ? [`${backedUp} backed up`] : [])];
  return { text: `Policy applied on ${ok} of ${reports.length} database${reports.length === 1 ? '' : 's'}: ${parts.join(', ')}.`, failed };
}

function logReports(title: string, reports: DatabaseReport[]): void {
  for (const r of reports) {
    const where = `${r.store} ${databaseLabel(r.path)}`;
    if (r.error) log.warn(`${title} ${where}: [${r.error.code}] ${r.error.message}`);
    for (const a of r.planned) log.info(`${title} ${where}: ${a.action} ${a.name || a.checkpoint} (rule ${a.rule}) — ${a.reason}${a.result ? ` → ${a.result.status}${a.result.id ? ` ${a.result.id}` : ''}` : ''}`);
  }
}

async function applyPolicyNow(deps: CommandDeps, options: ApplyOptions = {}): Promise<ApplyPolicyResult | undefined> {
  const uri = options.policyFile ? vscode.Uri.file(options.policyFile) : workspacePolicyUri();
  if (!uri || !(await exists(uri))) {
    const choice = await vscode.window.showWarningMessage(
      uri ? `There is no policy file yet (${vscode.workspace.asRelativePath(uri)}).` : 'SlateDB policies live in the workspace (.slatedb/policies.json): open a folder first.',
      ...(uri ? ['Create Policy File'] : []),
    );
    if (choice === 'Create Policy File') await vscode.commands.executeCommand(Command.editPolicies);
    return undefined;
  }
  let policy: Policy;
  try {
    policy = await readPolicy(uri);
  } catch (e) {
    const choice = await vscode.window.showErrorMessage(messageOf(e), 'Edit Policies');
    if (choice === 'Edit Policies') await vscode.window.showTextDocument(uri);
    return undefined;
  }
  const openStore = policyStoreOpener(deps.connections);
  const plan = (nowMs: number) => applyPolicy(policy, { nowMs, dryRun: true, openStore, log: engineLog });

  let title = `SlateDB policy preview (${vscode.workspace.asRelativePath(uri)})`;
  let shown: DatabaseReport[] | undefined;
  for (;;) {
    const nowMs = Date.now();
    const planned = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Planning the SlateDB policy…' }, () => plan(nowMs));
    logReports('plan', planned);
    if (shown && planKey(shown) === planKey(planned)) return apply(deps, policy, planned, nowMs, openStore);
    shown = planned;
    if (actionCount(planned) === 0) {
      const failed = planned.filter((r) => r.error);
      const text = `Nothing to do: every rule is up to date on ${planned.length - failed.length} database${planned.length - failed.length === 1 ? '' : 's'}.`;
      if (failed.length > 0) void vscode.window.showWarningMessage(`${text} ${failed.length} could not be planned: ${failed.map((r) => `${databaseLabel(r.path)}: ${r.error!.message}`).join('; ')}`, 'Show Log').then((c) => c && showLog(true));
      else void vscode.window.showInformationMessage(text);
      return { planned, applied: null, cancelled: false };
    }
    if (!(await confirmPlan(planned, title))) {
      log.info('policy preview: cancelled, nothing applied');
      return { planned, applied: null, cancelled: true };
    }
    title = 'The plan changed since the preview (time or the databases moved on): this is the plan now';
  }
}

async function apply(deps: CommandDeps, policy: Policy, planned: DatabaseReport[], nowMs: number, openStore: ReturnType<typeof policyStoreOpener>): Promise<ApplyPolicyResult> {
  const controller = new AbortController();
  const reports = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Applying the SlateDB policy (${actionCount(planned)} actions)`, cancellable: true },
    async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      progress.report({ message: `${planned.length} database${planned.length === 1 ? '' : 's'}…` });
      return applyPolicy(policy, { nowMs, dryRun: false, openStore, backups: policyBackupRunner(engineLog), log: engineLog, signal: controller.signal });
    },
  );
  logReports('apply', reports);

  // Every written database (and backup repository) that a connection shows reloads once.
  const connections = deps.connections.list();
  const written: DatabaseTarget[] = [];
  for (const r of reports) {
    const store = storeOfReport(policy, r);
    if (!store) continue;
    if (r.planned.some((a) => !a.repository && (a.result?.status === 'created' || a.result?.status === 'deleted'))) {
      const t = targetFor(connections, store, r.path);
      if (t) written.push(t);
    }
    for (const a of r.planned) {
      if (!a.repository || !a.result || a.result.status === 'absent') continue;
      const repoStore = policy.targets.flatMap((t) => t.rules).find((rule) => rule.backup?.url === a.repository!.store && rule.backup.path === a.repository!.path)?.backup;
      const t = repoStore && targetFor(connections, repoStore, a.repository.path);
      if (t && !written.some((w) => w.connectionId === t.connectionId && w.dbPath === t.dbPath)) written.push(t);
    }
  }
  await Promise.all(written.map((t) => deps.databases.afterWrite(t).catch((e) => log.warn(`reloading ${t.dbPath}: ${messageOf(e)}`))));

  const { text, failed } = summary(reports);
  const cancelled = controller.signal.aborted;
  if (failed.length > 0 || cancelled) {
    const why = failed.map((r) => `${databaseLabel(r.path)}: ${r.error!.message}`).join('; ');
    void vscode.window.showWarningMessage(`${cancelled ? 'Cancelled. ' : ''}${text} Failed: ${why}`, 'Show Log').then((c) => c && showLog(true));
  } else {
    void vscode.window.showInformationMessage(text, 'Show Log').then((c) => c && showLog(true));
  }
  return { planned, applied: reports, cancelled };
}

export function registerPolicyCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.editPolicies, async (): Promise<string | undefined> => (await openPolicyFile(deps))?.toString()),
    vscode.commands.registerCommand(Command.applyPolicyNow, async (options?: ApplyOptions): Promise<ApplyPolicyResult | undefined> => {
      try {
        return await applyPolicyNow(deps, typeof options === 'object' && options !== null ? options : {});
      } catch (e) {
        log.error(`Apply Policy Now failed: ${messageOf(e)}`);
        void vscode.window.showErrorMessage(`Apply Policy Now failed: ${messageOf(e)}`, 'Show Log').then((c) => c && showLog(true));
        if (e instanceof EngineError) return undefined;
        throw e;
      }
    }),
  ];
}
