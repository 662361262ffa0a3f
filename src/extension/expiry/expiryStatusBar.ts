/**
 * The status-bar item "$(watch) 3 expiring": how many checkpoints of the
 * databases the registry holds expire within `slatedb.expiryWarning`. Its
 * tooltip lists them (database, checkpoint, time left; every name from
 * storage escaped, so it renders as text); a click runs Show Expiring
 * Checkpoints (reveal in the tree). Hidden while nothing is expiring: a
 * status bar is for what needs attention, and an always-on "0" would be
 * noise next to the other items.
 */

import * as vscode from 'vscode';
import { checkpointLabel, plural, relativeTime } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { Disposable } from '../common/disposable';
import { escapeMd } from '../tree/nodes';
import type { ExpiringCheckpoint, ExpiryScan } from './expiringCheckpoints';
import type { ExpiryWatch } from './expiryWatch';

const MAX_ROWS = 15;
/** Hover tables have no cell padding: two no-break spaces (entities: a cell's own whitespace is trimmed) keep the columns apart. */
const GAP = '&nbsp;&nbsp;';

/** Storage text as markdown text (escapeMd escapes "&" too, so "&lt;" in a name shows as typed). */
const text = (s: string) => escapeMd(s);

/** "tenants/a" or, when several connections are shown, "prod · tenants/a". */
export function whereLabel(e: ExpiringCheckpoint, manyConnections: boolean): string {
  const db = databaseLabel(e.database.target.dbPath);
  return manyConnections ? `${e.database.connectionName} · ${db}` : db;
}

/** "12 min", "1 h 5 min" (relativeTime without its "in "). */
export function timeLeft(e: ExpiringCheckpoint, nowS: number): string {
  return relativeTime(e.checkpoint.expireTimeS, nowS).replace(/^in /, '');
}

export function expiryTooltip(scan: ExpiryScan, windowText: string, nowS: number): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const n = scan.expiring.length;
  const many = new Set(scan.expiring.map((e) => e.database.target.connectionId)).size > 1;
  md.appendMarkdown(`**$(watch) ${plural(n, 'checkpoint')} ${n === 1 ? 'expires' : 'expire'} within ${text(windowText)}**\n\n`);
  md.appendMarkdown(`| Database${GAP} | Checkpoint${GAP} | Time left |\n|---|---|---|\n`);
  for (const e of scan.expiring.slice(0, MAX_ROWS)) {
    md.appendMarkdown(`| ${text(whereLabel(e, many))}${GAP} | ${text(checkpointLabel(e.checkpoint))}${GAP} | ${text(timeLeft(e, nowS))} |\n`);
  }
  if (n > MAX_ROWS) md.appendMarkdown(`\n… and ${n - MAX_ROWS} more.\n`);
  if (scan.selfRenewing > 0) {
    md.appendMarkdown(`\nNot counted: ${plural(scan.selfRenewing, 'unnamed short-lived checkpoint')} of SlateDB's compactor or readers (they renew their own).\n`);
  }
  md.appendMarkdown(`\nClick to reveal ${n === 1 ? 'it' : 'them'} in the SlateDB view · window: setting \`slatedb.expiryWarning\``);
  return md;
}

export class ExpiryStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the item is shown (StatusBarItem has no getter for it). */
  shown = false;

  constructor(private readonly watch: ExpiryWatch) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('slatedb.expiry', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'SlateDB: expiring checkpoints';
    this.item.command = Command.showExpiring;
    this._register(watch.onDidChange((scan) => this.draw(scan)));
    this.draw(watch.current);
  }

  private draw(scan: ExpiryScan): void {
    const n = scan.expiring.length;
    if (n === 0) {
      this.item.hide();
      this.shown = false;
      return;
    }
    this.item.text = `$(watch) ${n} expiring`;
    this.item.tooltip = expiryTooltip(scan, this.watch.window.text, this.watch.nowS());
    this.item.accessibilityInformation = { label: `${plural(n, 'SlateDB checkpoint')} ${n === 1 ? 'expires' : 'expire'} within ${this.watch.window.text}` };
    // Warning colours once one is within a tenth of the window: the item is there to be noticed.
    const urgent = scan.expiring[0].leftS <= this.watch.window.seconds / 10;
    this.item.backgroundColor = urgent ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    this.shown = true;
  }
}
