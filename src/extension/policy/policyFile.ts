/**
 * The workspace's policy file, `.slatedb/policies.json` (the schema in
 * media/policy.schema.json is contributed for that name), and the template
 * it starts from: one target per database the connections show, with one
 * hourly rule as an example, in the exact shape apply-policy reads.
 */

import * as vscode from 'vscode';
import { discoverDatabases } from '../../engine/discovery';
import { messageOf } from '../../engine/errors';
import type { Connection } from '../connections/connection';
import type { ConnectionManager } from '../connections/connectionManager';
import { createLogger } from '../log';
import { policyStoreOf } from './policyStores';

const log = createLogger('policy');

export const POLICY_FILE = ['.slatedb', 'policies.json'] as const;

/** At most this many example targets in a new file (a connection may hold hundreds of databases). */
const MAX_EXAMPLE_TARGETS = 10;

/** The policy file of the (first) workspace folder; undefined without a folder. */
export function workspacePolicyUri(): vscode.Uri | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return undefined;
  return vscode.Uri.joinPath(folders[0].uri, ...POLICY_FILE);
}

export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function targetFor(c: Connection, dbPath: string): Record<string, unknown> {
  const s = policyStoreOf(c);
  return {
    store: s.url,
    ...(s.endpointUrl ? { endpoint_url: s.endpointUrl } : {}),
    ...(s.region ? { region: s.region } : {}),
    ...(s.profile ? { profile: s.profile } : {}),
    path: dbPath === '' ? '/' : dbPath,
    rules: [{ name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24, daily: 7 } }],
  };
}

/** A new policy file: the shown databases as examples (or a placeholder target when there are none). */
export async function policyTemplate(connections: ConnectionManager): Promise<string> {
  const targets: Record<string, unknown>[] = [];
  for (const c of connections.list()) {
    if (targets.length >= MAX_EXAMPLE_TARGETS) break;
    try {
      const dbs = await discoverDatabases(await connections.store(c.id), '');
      for (const d of dbs.slice(0, MAX_EXAMPLE_TARGETS - targets.length)) targets.push(targetFor(c, d.path));
    } catch (e) {
      log.warn(`policy template: skipping connection "${c.name}": ${messageOf(e)}`);
    }
  }
  if (targets.length === 0) {
    targets.push({ store: 'file:///absolute/folder', path: 'mydb', rules: [{ name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } }] });
  }
  return JSON.stringify({ targets }, null, 2) + '\n';
}
