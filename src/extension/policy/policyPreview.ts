/**
 * The Apply Policy Now preview: a quick pick listing every planned action
 * with its reason, grouped per database (a separator each), and one item on
 * top that applies them. Choosing an action shows the list again; Escape or
 * Cancel applies nothing. Every string from storage goes in as plain label
 * text (quick picks render no markup besides $(icon) in labels, which the
 * names here never start with).
 */

import * as vscode from 'vscode';
import type { DatabaseReport, ReportedAction } from '../../engine/policy/apply';
import { databaseLabel } from '../../shared/databaseLabel';

export interface PreviewItem extends vscode.QuickPickItem {
  choice?: 'apply' | 'cancel';
  action?: ReportedAction;
  database?: DatabaseReport;
}

const ICON: Record<ReportedAction['action'], string> = { create: '$(add)', delete: '$(trash)', backup: '$(cloud-upload)' };

/** Quick pick labels parse `$(name)` as icons: keep storage strings from doing so. */
const plain = (s: string) => s.replace(/\$\(/g, '$\u200b(');

export function actionCount(reports: DatabaseReport[]): number {
  return reports.reduce((n, r) => n + r.planned.length, 0);
}

function actionLabel(a: ReportedAction): string {
  const what = a.action === 'create' ? `create ${a.name}` : a.action === 'delete' ? `delete ${a.name || a.checkpoint}` : `back up ${a.name}`;
  return `${ICON[a.action]} ${plain(what)}`;
}

export function previewItems(reports: DatabaseReport[]): PreviewItem[] {
  const n = actionCount(reports);
  const dbs = reports.filter((r) => r.planned.length > 0).length;
  const items: PreviewItem[] = [
    { label: `$(check) Apply ${n} action${n === 1 ? '' : 's'} on ${dbs} database${dbs === 1 ? '' : 's'}`, choice: 'apply', alwaysShow: true },
    { label: '$(close) Cancel', description: 'apply nothing', choice: 'cancel', alwaysShow: true },
  ];
  // The separator sits beside its group's first row: short, with the store only when there are several.
  const oneStore = new Set(reports.map((r) => r.store)).size === 1;
  for (const r of reports) {
    items.push({ label: plain(oneStore ? databaseLabel(r.path) : `${databaseLabel(r.path)} · ${r.store}`), kind: vscode.QuickPickItemKind.Separator, database: r });
    if (r.error) items.push({ label: `$(error) ${plain(r.error.message)}`, description: r.error.code, database: r });
    else if (r.planned.length === 0) items.push({ label: '$(pass) nothing to do', description: 'every rule is up to date', database: r });
    for (const a of r.planned) {
      items.push({
        label: actionLabel(a),
        description: plain(`rule ${a.rule}${a.repository ? ` · in ${a.repository.store} ${a.repository.path}` : ''}`),
        detail: plain(a.reason),
        action: a,
        database: r,
      });
    }
  }
  return items;
}

/** Shows the preview until the user applies or cancels. */
export async function confirmPlan(reports: DatabaseReport[], title: string): Promise<boolean> {
  for (;;) {
    const picked = await vscode.window.showQuickPick(previewItems(reports), {
      title,
      placeHolder: 'Each planned action and why. Choose "Apply" to carry them out; Escape applies nothing.',
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!picked || picked.choice === 'cancel') return false;
    if (picked.choice === 'apply') return true;
  }
}
