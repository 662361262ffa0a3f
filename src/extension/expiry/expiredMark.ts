/**
 * How the tree marks a checkpoint that is past its expiry but still in the
 * latest manifest (nothing has rewritten the manifest since): a row of its
 * tooltip's table (the row icon is already the red "expired" one, the
 * description says "expired … ago"). Pure text, no vscode.
 */

import type { CheckpointInfo } from '../../engine/manifest/model';
import { relativeTime } from '../../shared/checkpointStatus';

/** A `| … | … |` row for the checkpoint tooltip's table, or '' when `c` has not expired. */
export function expiredTooltipRow(c: CheckpointInfo, nowS: number): string {
  if (c.expireTimeS === 0 || c.expireTimeS > nowS) return '';
  return (
    `| $(error) Expired | ${relativeTime(c.expireTimeS, nowS)}, but still listed in the latest manifest. ` +
    'SlateDB no longer counts it as active: garbage collection may drop it, and the SSTs only it pins. ' +
    'Refresh its lifetime to keep it, or delete it. |\n'
  );
}
