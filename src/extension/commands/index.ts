/**
 * Every command the extension registers, in one list (ids: commandIds.ts;
 * package.json must contribute each, a host test checks). A new command
 * file adds its `register…` call here, and nowhere else.
 */

import type * as vscode from 'vscode';
import { registerBackupCommands } from './backupCommands';
import { registerCheckpointCommands } from './checkpointCommands';
import { registerConnectionCommands } from './connectionCommands';
import { registerCreateCheckpoint } from './createCheckpoint';
import { registerDataCommands } from './dataCommands';
import { registerDemo } from './demo';
import { registerHealthCommands } from './healthCommands';
import type { CommandDeps } from './deps';
import { registerHistoryCommands } from './historyCommands';
import { registerManifestCommands } from './manifestCommands';
import { registerRestoreCommand } from './restoreCommand';
import { registerMultiDbCommands } from './multiDbCommands';
import { registerPolicyCommands } from './policyCommands';
import { registerViewCommands } from './viewCommands';

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return [
    registerCreateCheckpoint(deps),
    ...registerCheckpointCommands(deps),
    ...registerConnectionCommands(deps),
    ...registerManifestCommands(deps),
    ...registerHistoryCommands(deps),
    ...registerViewCommands(deps),
    registerDemo(deps),
    ...registerBackupCommands(deps),
    registerRestoreCommand(deps),
    ...registerDataCommands(deps),
    ...registerMultiDbCommands(deps),
    ...registerPolicyCommands(deps),
    ...registerHealthCommands(deps),
  ];
}
