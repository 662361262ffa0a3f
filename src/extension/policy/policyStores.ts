/**
 * Between a policy file and the extension's connections: a policy names a
 * store by URL (`file:///dir`, `s3://bucket/prefix` + endpoint), the
 * extension knows connections. A policy store that is a connection's store
 * opens through the connection (its SecretStorage keys, its logging) and the
 * databases written there are refreshed in the tree; any other store opens as
 * the CLI would open it.
 */

import { pathToFileURL, fileURLToPath } from 'node:url';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PolicyStore } from '../../engine/policy/types';
import { openStore } from '../../engine/store/openStore';
import type { ObjectStore } from '../../engine/store/objectStore';
import type { Connection } from '../connections/connection';
import type { ConnectionManager } from '../connections/connectionManager';
import type { DatabaseTarget } from '../targets';

/** The store URL a policy uses for a connection (and the S3 options that go with it). */
export function policyStoreOf(c: Connection): PolicyStore {
  if (c.kind === 'local') {
    const folder = c.folder.startsWith('~') ? path.join(os.homedir(), c.folder.slice(1)) : c.folder;
    return { url: pathToFileURL(folder).href };
  }
  const prefix = (c.prefix ?? '').replace(/^\/+|\/+$/g, '');
  return {
    url: `s3://${c.bucket}${prefix ? `/${prefix}` : ''}`,
    ...(c.endpoint ? { endpointUrl: c.endpoint } : {}),
    ...(c.region ? { region: c.region } : {}),
    ...(c.auth === 'profile' && c.profile ? { profile: c.profile } : {}),
  };
}

/** A comparable form of a store URL: file URLs as absolute paths, S3 without trailing "/". */
function canonicalUrl(url: string): string {
  const u = url.trim();
  if (/^file:/i.test(u)) {
    try {
      return `file:${path.resolve(fileURLToPath(u))}`;
    } catch {
      return u;
    }
  }
  return u.replace(/^s3:/i, 's3:').replace(/\/+$/, '');
}

/** The connection whose store a policy store is (same URL, and for S3 the same endpoint), if any. */
export function connectionFor(connections: Connection[], store: PolicyStore): Connection | undefined {
  const want = canonicalUrl(store.url);
  return connections.find((c) => {
    const own = policyStoreOf(c);
    if (canonicalUrl(own.url) !== want) return false;
    return c.kind === 'local' || (own.endpointUrl ?? '').replace(/\/+$/, '') === (store.endpointUrl ?? '').replace(/\/+$/, '');
  });
}

/** The connection's store, with `close` disabled: apply-policy closes what it opened, but this one stays the connection's. */
function borrowed(store: ObjectStore): ObjectStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'close') return async () => undefined;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** `openStore` for applyPolicy: through the matching connection when there is one. */
export function policyStoreOpener(connections: ConnectionManager): (store: PolicyStore) => Promise<ObjectStore> {
  return async (store) => {
    const c = connectionFor(connections.list(), store);
    if (c) return borrowed(await connections.store(c.id));
    return openStore(store.url, { endpoint: store.endpointUrl, region: store.region, profile: store.profile });
  };
}

/** The tree's database for a database a policy acted on (undefined when its store is no connection). */
export function targetFor(connections: Connection[], store: PolicyStore, dbPath: string): DatabaseTarget | undefined {
  const c = connectionFor(connections, store);
  return c ? { connectionId: c.id, dbPath } : undefined;
}
