/**
 * Registers Show History / Show Pinned SSTs. (Placeholder until the history
 * panel lands: opens the manifest document instead.)
 */

import * as vscode from 'vscode';
import { Command } from '../commandIds';
import type { CommandDeps } from '../commands/deps';

export function registerHistoryCommands(_deps: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Command.showHistory, (arg?: unknown) => vscode.commands.executeCommand(Command.openManifest, arg)),
    vscode.commands.registerCommand(Command.showPinnedSsts, (arg?: unknown) => vscode.commands.executeCommand(Command.openManifest, arg)),
  ];
}
