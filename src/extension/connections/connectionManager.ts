/**
 * Owns the list of connections (setting `slatedb.connections`), their
 * secrets (SecretStorage), and one open ObjectStore per connection.
 *
 * Secrets are split out on save and never written to settings or the log:
 * settings hold only the non-secret fields listed in `Connection`.
 */

import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { EngineError } from '../../engine/errors';
import { LocalObjectStore } from '../../engine/store/local/localStore';
import { loadS3Store, s3EnvironmentDefaults } from '../../engine/store/openStore';
import { LoggingObjectStore } from '../../engine/store/loggingStore';
import type { ObjectStore } from '../../engine/store/objectStore';
import type { EngineLog } from '../../engine/log';
import { Disposable, toDisposable } from '../common/disposable';
import { createLogger, engineLog } from '../log';
import { Connection, connectionProblem, S3Secret } from './connection';

const log = createLogger('connections');

const SETTING = 'connections';

/** Log lines name their connection: with several, "LIST db/manifest/" alone is ambiguous. */
const tagged = (name: string): EngineLog => (level, message) => engineLog(level, `[${name}] ${message}`);
const secretKey = (id: string) => `slatedb.connection.${id}`;

export class ConnectionManager extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly stores = new Map<string, Promise<ObjectStore>>();

  constructor(private readonly secrets: vscode.SecretStorage) {
    super();
    this._register(toDisposable(() => this.closeAll()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`slatedb.${SETTING}`)) {
          this.closeAll();
          this.changed.fire();
        }
      }),
    );
  }

  /** Valid connections from settings; invalid entries are logged and skipped. */
  list(): Connection[] {
    const raw = vscode.workspace.getConfiguration('slatedb').get<unknown[]>(SETTING) ?? [];
    const out: Connection[] = [];
    for (const entry of Array.isArray(raw) ? raw : []) {
      const problem = connectionProblem(entry as Partial<Connection>);
      if (problem) {
        log.warn(`ignoring an entry of slatedb.connections: ${problem}`);
        continue;
      }
      out.push(entry as Connection);
    }
    return out;
  }

  get(id: string): Connection {
    const c = this.list().find((x) => x.id === id);
    if (!c) throw new EngineError('INVALID_ARGUMENT', `connection ${id} no longer exists; refresh the SlateDB view`);
    return c;
  }

  newId(): string {
    return randomUUID();
  }

  /** Add or replace a connection. `secret` (S3 keys) goes to SecretStorage only. */
  async save(connection: Connection, secret?: S3Secret): Promise<void> {
    const problem = connectionProblem(connection);
    if (problem) throw new EngineError('INVALID_ARGUMENT', `connection "${connection.name}" is not valid: ${problem}`);
    // Only known, non-secret fields reach settings.
    const clean: Connection =
      connection.kind === 'local'
        ? { id: connection.id, name: connection.name, kind: 'local', folder: connection.folder }
        : {
            id: connection.id,
            name: connection.name,
            kind: 's3',
            bucket: connection.bucket,
            ...(connection.prefix ? { prefix: connection.prefix } : {}),
            ...(connection.region ? { region: connection.region } : {}),
            ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
            ...(connection.forcePathStyle !== undefined ? { forcePathStyle: connection.forcePathStyle } : {}),
            auth: connection.auth,
            ...(connection.profile ? { profile: connection.profile } : {}),
          };
    if (secret) await this.secrets.store(secretKey(connection.id), JSON.stringify(secret));
    else if (clean.kind === 's3' && clean.auth !== 'access-keys') await this.secrets.delete(secretKey(connection.id));
    const others = this.rawEntries().filter((e) => (e as { id?: string }).id !== connection.id);
    const index = this.rawEntries().findIndex((e) => (e as { id?: string }).id === connection.id);
    const next = [...others];
    next.splice(index < 0 ? next.length : index, 0, clean);
    this.dropStore(connection.id);
    await vscode.workspace.getConfiguration('slatedb').update(SETTING, next, vscode.ConfigurationTarget.Global);
    log.info(`saved connection "${clean.name}" (${clean.kind})`);
  }

  async remove(id: string): Promise<void> {
    await this.secrets.delete(secretKey(id));
    this.dropStore(id);
    const next = this.rawEntries().filter((e) => (e as { id?: string }).id !== id);
    await vscode.workspace.getConfiguration('slatedb').update(SETTING, next, vscode.ConfigurationTarget.Global);
  }

  async secretOf(id: string): Promise<S3Secret | undefined> {
    const text = await this.secrets.get(secretKey(id));
    return text ? (JSON.parse(text) as S3Secret) : undefined;
  }

  /** The (cached) object store of a connection. The AWS SDK is loaded only here, for S3 connections. */
  store(id: string): Promise<ObjectStore> {
    let p = this.stores.get(id);
    if (!p) {
      p = this.open(this.get(id));
      p.catch(() => this.stores.delete(id));
      this.stores.set(id, p);
    }
    return p;
  }

  private async open(c: Connection): Promise<ObjectStore> {
    if (c.kind === 'local') {
      const folder = c.folder.startsWith('~') ? path.join(os.homedir(), c.folder.slice(1)) : c.folder;
      if (!path.isAbsolute(folder)) throw new EngineError('INVALID_ARGUMENT', `connection "${c.name}": folder "${c.folder}" is not an absolute path; edit the connection`);
      return new LoggingObjectStore(new LocalObjectStore(folder), tagged(c.name));
    }
    const secret = c.auth === 'access-keys' ? await this.secretOf(c.id) : undefined;
    if (c.auth === 'access-keys' && !secret) {
      throw new EngineError('INVALID_ARGUMENT', `connection "${c.name}" uses access keys but none are stored; edit the connection to enter them again`);
    }
    const S3ObjectStore = await loadS3Store();
    const store = new S3ObjectStore(s3EnvironmentDefaults({
      bucket: c.bucket,
      prefix: c.prefix,
      region: c.region,
      endpoint: c.endpoint,
      forcePathStyle: c.forcePathStyle,
      profile: c.auth === 'profile' ? c.profile : undefined,
      credentials: secret,
    }));
    return new LoggingObjectStore(store, tagged(c.name));
  }

  private rawEntries(): unknown[] {
    const raw = vscode.workspace.getConfiguration('slatedb').get<unknown[]>(SETTING) ?? [];
    return Array.isArray(raw) ? [...raw] : [];
  }

  private dropStore(id: string): void {
    const p = this.stores.get(id);
    this.stores.delete(id);
    p?.then((s) => s.close?.()).catch(() => undefined);
  }

  private closeAll(): void {
    for (const id of [...this.stores.keys()]) this.dropStore(id);
  }
}
