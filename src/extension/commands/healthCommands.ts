/**
 * Show Health Report: opens the database's history panel, computes its
 * health report (src/engine/health.ts, thresholds from `slatedb.health.*`)
 * and scrolls to the panel's health section. Returns the report (tests,
 * other code).
 */

import * as vscode from 'vscode';
import type { HealthReport } from '../../engine/health';
import { databaseLabel } from '../../shared/databaseLabel';
import { Command } from '../commandIds';
import { HistoryPanel } from '../webview/historyPanel';
import type { CommandDeps } from './deps';
import { runOperation } from './operation';
import { pickDatabase } from './pickers';

export function registerHealthCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.showHealthReport, async (arg?: unknown): Promise<HealthReport | undefined> => {
      const target = await pickDatabase(deps.connections, arg);
      if (!target) return undefined;
      const panel = HistoryPanel.createOrShow(deps.panelHost, target);
      return runOperation(`Health report of ${databaseLabel(target.dbPath)}`, () => panel.showHealth());
    }),
  ];
}
