/** Every command id the extension contributes (package.json `contributes.commands` must match; a test checks). */
export const Command = {
  refresh: 'slatedb.refresh',
  addLocalConnection: 'slatedb.addLocalConnection',
  addS3Connection: 'slatedb.addS3Connection',
  editConnection: 'slatedb.editConnection',
  removeConnection: 'slatedb.removeConnection',
  openDemo: 'slatedb.openDemo',
  createCheckpoint: 'slatedb.createCheckpoint',
  refreshCheckpoint: 'slatedb.refreshCheckpoint',
  deleteCheckpoint: 'slatedb.deleteCheckpoint',
  copyCheckpointId: 'slatedb.copyCheckpointId',
  openManifest: 'slatedb.openManifest',
  revealInTree: 'slatedb.revealInTree',
  showLog: 'slatedb.showLog',
  showHistory: 'slatedb.showHistory',
  showPinnedSsts: 'slatedb.showPinnedSsts',
  browseData: 'slatedb.browseData',
  compareWith: 'slatedb.compareWith',
  compareValue: 'slatedb.compareValue',
  openValue: 'slatedb.openValue',
  verifyCheckpoint: 'slatedb.verifyCheckpoint',
  verifyCheckpointDeep: 'slatedb.verifyCheckpointDeep',
  showExpiring: 'slatedb.showExpiring',
  createCheckpointAcross: 'slatedb.createCheckpointAcross',
  refreshCheckpointAcross: 'slatedb.refreshCheckpointAcross',
  deleteCheckpointAcross: 'slatedb.deleteCheckpointAcross',
  backupCheckpoint: 'slatedb.backupCheckpoint',
  backupNow: 'slatedb.backupNow',
  restoreBackup: 'slatedb.restoreBackup',
} as const;

/** Tree item `contextValue`s (package.json `when` clauses key on them; a test checks). */
export const ContextValue = {
  connection: 'slatedb.connection',
  database: 'slatedb.database',
  databaseReadOnly: 'slatedb.database.readonly',
  checkpoint: 'slatedb.checkpoint',
  checkpointReadOnly: 'slatedb.checkpoint.readonly',
  /** A checkpoint whose name parses as a backup (backup/naming.ts): read commands match /^slatedb\.checkpoint/. */
  backupCheckpoint: 'slatedb.checkpoint.backup',
  backupCheckpointReadOnly: 'slatedb.checkpoint.readonly.backup',
  message: 'slatedb.message',
} as const;
