/** How a database is named in titles, pickers and the tree (pure: the webview uses it too). */

/** A database at the root of its connection's store has an empty path. */
export const STORE_ROOT_LABEL = '(store root)';

export function databaseLabel(dbPath: string): string {
  return dbPath || STORE_ROOT_LABEL;
}
