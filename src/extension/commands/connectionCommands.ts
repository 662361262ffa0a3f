/**
 * Add Local Folder…, Add S3 / MinIO Connection…, Edit, Remove, Open Demo Database.
 * Non-secret fields go to settings; access keys only to SecretStorage.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Command } from '../commandIds';
import { bucketNameProblem, Connection, endpointProblem, LocalConnection, S3AuthMode, S3Connection, S3Secret } from '../connections/connection';
import type { ConnectionManager } from '../connections/connectionManager';
import type { CommandDeps } from './deps';
import { ConnectionNode } from '../tree/nodes';

export type AddS3Args = Omit<S3Connection, 'id' | 'kind'> & { secret?: S3Secret };

function connectionOf(connections: ConnectionManager, arg: unknown): Connection | undefined {
  if (arg instanceof ConnectionNode) return arg.connection;
  const id = (arg as { connectionId?: string; id?: string } | undefined)?.connectionId ?? (arg as { id?: string } | undefined)?.id;
  return id ? connections.list().find((c) => c.id === id) : undefined;
}

async function askS3(existing?: S3Connection): Promise<{ connection: Omit<S3Connection, 'id'>; secret?: S3Secret } | undefined> {
  const title = existing ? `Edit S3 connection ${existing.name}` : 'Add S3 / MinIO Connection';
  const bucket = await vscode.window.showInputBox({
    title: `${title} (1/6): bucket`,
    value: existing?.bucket,
    prompt: 'Bucket name',
    validateInput: (v) => bucketNameProblem(v.trim()),
  });
  if (bucket === undefined) return undefined;
  const prefix = await vscode.window.showInputBox({ title: `${title} (2/6): prefix (optional)`, value: existing?.prefix, prompt: 'Folder inside the bucket to look for databases under; empty for the whole bucket' });
  if (prefix === undefined) return undefined;
  const endpoint = await vscode.window.showInputBox({
    title: `${title} (3/6): endpoint (optional)`,
    value: existing?.endpoint,
    prompt: 'Leave empty for AWS S3. For MinIO and other S3-compatible servers, e.g. http://127.0.0.1:9000 (path-style requests are used)',
    validateInput: (v) => (v.trim() === '' ? undefined : endpointProblem(v.trim())),
  });
  if (endpoint === undefined) return undefined;
  const region = await vscode.window.showInputBox({ title: `${title} (4/6): region`, value: existing?.region ?? (endpoint ? 'us-east-1' : ''), prompt: 'AWS region, e.g. us-east-1 (empty: from your AWS config)' });
  if (region === undefined) return undefined;
  const auth = await vscode.window.showQuickPick(
    [
      { label: 'Default AWS credentials', description: 'environment, ~/.aws files, SSO, instance role', mode: 'default-chain' as S3AuthMode },
      { label: 'AWS profile…', description: 'a named profile from ~/.aws/config', mode: 'profile' as S3AuthMode },
      { label: 'Access key and secret…', description: 'kept in VS Code SecretStorage, never in settings', mode: 'access-keys' as S3AuthMode },
    ],
    { title: `${title} (5/6): credentials` },
  );
  if (!auth) return undefined;
  let profile: string | undefined;
  let secret: S3Secret | undefined;
  if (auth.mode === 'profile') {
    profile = await vscode.window.showInputBox({ title: `${title} (6/6): profile`, value: existing?.profile ?? 'default', validateInput: (v) => (v.trim() ? undefined : 'A profile name') });
    if (profile === undefined) return undefined;
  } else if (auth.mode === 'access-keys') {
    const accessKeyId = await vscode.window.showInputBox({ title: `${title} (6/6): access key id`, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'The access key id') });
    if (accessKeyId === undefined) return undefined;
    const secretAccessKey = await vscode.window.showInputBox({ title: `${title} (6/6): secret access key`, password: true, ignoreFocusOut: true, validateInput: (v) => (v ? undefined : 'The secret access key') });
    if (secretAccessKey === undefined) return undefined;
    secret = { accessKeyId: accessKeyId.trim(), secretAccessKey };
  }
  const name = await vscode.window.showInputBox({ title: `${title}: name`, value: existing?.name ?? `${bucket.trim()}${prefix.trim() ? '/' + prefix.trim() : ''}`, validateInput: (v) => (v.trim() ? undefined : 'A name for the connection') });
  if (name === undefined) return undefined;
  return {
    connection: {
      kind: 's3',
      name: name.trim(),
      bucket: bucket.trim(),
      prefix: prefix.trim().replace(/^\/+|\/+$/g, '') || undefined,
      endpoint: endpoint.trim() || undefined,
      region: region.trim() || undefined,
      forcePathStyle: endpoint.trim() ? true : undefined,
      auth: auth.mode,
      profile: profile?.trim(),
    },
    secret,
  };
}

export function registerConnectionCommands(deps: CommandDeps): vscode.Disposable[] {
  const { connections } = deps;
  return [
    vscode.commands.registerCommand(Command.addLocalConnection, async (folderArg?: string) => {
      let folder = folderArg;
      if (!folder) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use Folder', title: 'Folder that contains SlateDB databases' });
        if (!picked?.[0]) return undefined;
        folder = picked[0].fsPath;
      }
      if (!path.isAbsolute(folder) || !fs.existsSync(folder)) {
        void vscode.window.showErrorMessage(`Folder ${folder} does not exist.`);
        return undefined;
      }
      const connection: LocalConnection = { id: connections.newId(), kind: 'local', name: path.basename(folder) || folder, folder };
      await connections.save(connection);
      return connection.id;
    }),

    vscode.commands.registerCommand(Command.addS3Connection, async (args?: AddS3Args) => {
      const answers = args ? { connection: { ...args, kind: 's3' as const }, secret: args.secret } : await askS3();
      if (!answers) return undefined;
      const { secret, ...rest } = answers.connection as AddS3Args & { kind: 's3' };
      void secret;
      const connection: S3Connection = { ...(rest as Omit<S3Connection, 'id'>), id: connections.newId(), kind: 's3' };
      await connections.save(connection, answers.secret);
      return connection.id;
    }),

    vscode.commands.registerCommand(Command.editConnection, async (arg?: unknown) => {
      const current = connectionOf(connections, arg) ?? (await pickConnection(connections));
      if (!current) return undefined;
      if (current.kind === 'local') {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, defaultUri: vscode.Uri.file(current.folder), openLabel: 'Use Folder' });
        if (!picked?.[0]) return undefined;
        const name = await vscode.window.showInputBox({ title: 'Connection name', value: current.name });
        if (!name) return undefined;
        await connections.save({ ...current, folder: picked[0].fsPath, name });
        return current.id;
      }
      const answers = await askS3(current);
      if (!answers) return undefined;
      await connections.save({ ...(answers.connection as Omit<S3Connection, 'id'>), id: current.id, kind: 's3' }, answers.secret ?? (answers.connection.auth === 'access-keys' ? await connections.secretOf(current.id) : undefined));
      return current.id;
    }),

    vscode.commands.registerCommand(Command.removeConnection, async (arg?: unknown, options?: { confirmed?: boolean }) => {
      const current = connectionOf(connections, arg) ?? (await pickConnection(connections));
      if (!current) return undefined;
      if (!options?.confirmed) {
        const answer = await vscode.window.showWarningMessage(`Remove connection “${current.name}”?`, { modal: true, detail: 'Only the connection is removed (and its stored keys). No data in the store is touched.' }, 'Remove');
        if (answer !== 'Remove') return undefined;
      }
      await connections.remove(current.id);
      return current.id;
    }),
  ];
}

async function pickConnection(connections: ConnectionManager): Promise<Connection | undefined> {
  const picked = await vscode.window.showQuickPick(
    connections.list().map((c) => ({ label: c.name, description: c.kind, connection: c })),
    { title: 'SlateDB: choose a connection' },
  );
  return picked?.connection;
}
