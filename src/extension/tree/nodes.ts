/**
 * Tree node kinds: connection → database → checkpoint, plus a message node
 * for "loading failed" / "no databases". Each is a TreeItem subclass that
 * knows its parent (for reveal) and its command target.
 */

import * as vscode from 'vscode';
import { checkpointJson } from '../../engine/json';
import type { CheckpointInfo } from '../../engine/manifest/model';
import { BackupName, parseBackupName } from '../../engine/backup/naming';
import { checkpointLabel, ExpiryState, expiryPhrase, expiryState, likelyOrigin, ORIGIN_LABEL, plural, relativeTime } from '../../shared/checkpointStatus';
import { databaseLabel } from '../../shared/databaseLabel';
import { expiredTooltipRow } from '../expiry/expiredMark';
import { ContextValue, Command } from '../commandIds';
import { Connection, describeConnection } from '../connections/connection';
import { DatabaseSnapshot, readOnlyReasonOf } from '../databaseRegistry';
import type { CheckpointTarget, DatabaseTarget } from '../targets';
import { backupDescription, backupLabel, backupRows } from './backupPresentation';

export type SlateNode = ConnectionNode | DatabaseNode | CheckpointNode | MessageNode;

export class ConnectionNode extends vscode.TreeItem {
  readonly kind = 'connection';
  constructor(readonly connection: Connection) {
    super(connection.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `conn:${connection.id}`;
    this.description = describeConnection(connection);
    this.tooltip = new vscode.MarkdownString(`**${escapeMd(connection.name)}**\n\n${connection.kind === 'local' ? 'Local folder' : 'S3 bucket'}: \`${describeConnection(connection)}\``);
    this.iconPath = new vscode.ThemeIcon(connection.kind === 'local' ? 'folder-library' : 'cloud');
    this.contextValue = ContextValue.connection;
  }
  get parent(): undefined {
    return undefined;
  }
}

export class DatabaseNode extends vscode.TreeItem {
  readonly kind = 'database';
  /** What the node shows; `show()` replaces it (the registry loaded the database again). */
  snapshot: DatabaseSnapshot | undefined;

  constructor(
    readonly parent: ConnectionNode,
    readonly target: DatabaseTarget,
    snapshot: DatabaseSnapshot | undefined,
  ) {
    super(databaseLabel(target.dbPath), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `db:${target.connectionId}:${target.dbPath}`;
    this.show(snapshot);
  }

  /**
   * Redraw from a new snapshot. The node VS Code holds is updated in place
   * (then the provider fires it), so it keeps its expansion state.
   */
  show(snapshot: DatabaseSnapshot | undefined): void {
    this.snapshot = snapshot;
    const error = snapshot?.kind === 'error' ? snapshot.error.message : undefined;
    const readOnly = snapshot ? snapshot.kind !== 'error' && readOnlyReasonOf(snapshot) !== null : false;
    const parts: string[] = [];
    if (snapshot && snapshot.kind !== 'error') parts.push(`manifest #${snapshot.latestId}`);
    // Only a decoded manifest has a checkpoint count (unknown, not 0, otherwise).
    if (snapshot?.kind === 'ok') parts.push(plural(snapshot.checkpoints.length, 'checkpoint'));
    if (readOnly) parts.push('read-only');
    if (error) parts.push('error');
    this.description = parts.join(' · ');
    this.iconPath = new vscode.ThemeIcon(error ? 'warning' : readOnly ? 'lock' : 'database', error ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined);
    this.contextValue = readOnly || error ? ContextValue.databaseReadOnly : ContextValue.database;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Database** \`${escapeMd(this.target.dbPath || '/')}\`\n\n`);
    if (snapshot?.kind === 'ok') {
      md.appendMarkdown(`Latest manifest: **#${snapshot.latestId}** (format V${snapshot.formatVersion})\n\n`);
      md.appendMarkdown(`Checkpoints: ${snapshot.checkpoints.length}\n\n`);
    } else if (snapshot?.kind === 'unsupportedVersion') {
      md.appendMarkdown(`Latest manifest: **#${snapshot.latestId}**\n\n`);
    }
    if (readOnly) md.appendMarkdown(`$(lock) **Read-only:** ${escapeMd(readOnlyReasonOf(snapshot!)!)}\n\n`);
    if (error) md.appendMarkdown(`$(warning) ${escapeMd(error)}\n\n`);
    md.supportThemeIcons = true;
    this.tooltip = md;
  }
}

const STATE_ICON: Record<ExpiryState, [string, string]> = {
  active: ['pass', 'testing.iconPassed'],
  expiring: ['watch', 'list.warningForeground'],
  expired: ['error', 'list.errorForeground'],
  never: ['pinned', 'charts.blue'],
};

export class CheckpointNode extends vscode.TreeItem {
  readonly kind = 'checkpoint';
  readonly target: CheckpointTarget;
  /** What the checkpoint's name says it is a backup of, or null (an ordinary checkpoint). */
  readonly backup: BackupName | null;
  private backupTooltip: vscode.MarkdownString | undefined;
  constructor(
    readonly parent: DatabaseNode,
    readonly checkpoint: CheckpointInfo,
    readOnly: boolean,
    nowS = Math.floor(Date.now() / 1000),
  ) {
    super(checkpointLabel(checkpoint), vscode.TreeItemCollapsibleState.None);
    this.target = { ...parent.target, checkpointId: checkpoint.id };
    this.id = `cp:${parent.target.connectionId}:${parent.target.dbPath}:${checkpoint.id}`;
    const state = expiryState(checkpoint, nowS);
    const origin = likelyOrigin(checkpoint);
    // Unnamed checkpoints are mostly SlateDB's own: say whose they probably are.
    const originHint = origin === 'writer' ? ' · writer' : origin === 'compactor' ? ' · compactor?' : origin === 'reader' ? ' · reader?' : '';
    this.description = `→ #${checkpoint.manifestId}${originHint} · ${expiryPhrase(checkpoint, nowS)}`;
    const [icon, color] = origin === 'writer' ? ['account', 'charts.purple'] : STATE_ICON[state];
    this.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    this.contextValue = readOnly ? ContextValue.checkpointReadOnly : ContextValue.checkpoint;
    this.command = { command: Command.showPinnedSsts, title: 'Show Pinned SSTs', arguments: [this.target] };
    const json = checkpointJson(checkpoint);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Checkpoint** ${checkpoint.name ? `“${escapeMd(checkpoint.name)}”` : '(unnamed)'}\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n`);
    md.appendMarkdown(`| Id | \`${checkpoint.id}\` |\n`);
    md.appendMarkdown(`| Pins manifest | #${checkpoint.manifestId} |\n`);
    md.appendMarkdown(`| Created | ${json.create_time} (${relativeTime(checkpoint.createTimeS, nowS)}) |\n`);
    md.appendMarkdown(`| Expires | ${json.expire_time ?? 'never'}${checkpoint.expireTimeS ? ` (${relativeTime(checkpoint.expireTimeS, nowS)})` : ''} |\n`);
    md.appendMarkdown(`| State | ${state} |\n`);
    md.appendMarkdown(`| Writer epoch | ${checkpoint.writerEpoch ?? '—'} |\n`);
    md.appendMarkdown(`| Likely origin | ${ORIGIN_LABEL[origin]} |\n`);
    md.appendMarkdown(expiredTooltipRow(checkpoint, nowS));
    this.tooltip = md;
    this.accessibilityInformation = { label: `checkpoint ${checkpoint.name ?? checkpoint.id}, pins manifest ${checkpoint.manifestId}, ${expiryPhrase(checkpoint, nowS)}` };
    this.backup = parseBackupName(checkpoint.name);
    if (this.backup) this.showAsBackup(this.backup, readOnly, nowS);
  }

  /** A backup in a repository: what it is a backup of, when, and (once the tooltip resolves) its size. */
  private showAsBackup(b: BackupName, readOnly: boolean, nowS: number): void {
    this.label = backupLabel(b);
    this.description = backupDescription(b, this.checkpoint.manifestId, nowS);
    this.iconPath = new vscode.ThemeIcon('archive', new vscode.ThemeColor('charts.green'));
    this.contextValue = readOnly ? ContextValue.backupCheckpointReadOnly : ContextValue.backupCheckpoint;
    const md = this.tooltip as vscode.MarkdownString;
    md.value = `**${escapeMd(backupLabel(b))}**\n\n${md.value}`;
    md.appendMarkdown(backupRows(b));
    // VS Code resolves (treeProvider.resolveTreeItem) only a tooltip that is unset: it is set there, with the size.
    this.backupTooltip = md;
    this.tooltip = undefined;
    this.accessibilityInformation = { label: `${backupLabel(b)}, source checkpoint ${b.sourceCheckpoint}, taken ${b.takenAt.toISOString()}` };
  }

  /** The backup's tooltip, with its size (treeProvider.resolveTreeItem, on hover). */
  showSize(text: string): void {
    const md = this.backupTooltip!;
    if (!md.value.includes('| Size |')) md.appendMarkdown(`| Size | ${escapeMd(text)} |\n`);
    this.tooltip = md;
  }
}

export class MessageNode extends vscode.TreeItem {
  readonly kind = 'message';
  constructor(
    readonly parent: ConnectionNode | DatabaseNode,
    message: string,
    icon: string,
    detail?: string,
  ) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.id = `msg:${parent.id}:${message}`;
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = ContextValue.message;
    if (detail) this.tooltip = detail;
  }
}

/** Markdown-escape text that came from storage (names, paths) so it renders literally. */
export function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}
