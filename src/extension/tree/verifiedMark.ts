/**
 * A checkpoint verified OK says so in its tooltip ("Verified OK … (deep)")
 * while the database's latest manifest is the one seen when verifying
 * (verificationState.ts decides; a new manifest makes the mark lapse).
 */

import * as vscode from 'vscode';
import { verificationState } from '../verificationState';
import type { CheckpointNode } from './nodes';

function when(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Adds the "Verified OK" row to the node's tooltip when the mark holds for `latestManifestId`. */
export function markVerified(node: CheckpointNode, latestManifestId: number): void {
  const v = verificationState.current(node.parent.target, node.checkpoint.id, latestManifestId);
  if (!v || !(node.tooltip instanceof vscode.MarkdownString)) return;
  node.tooltip.appendMarkdown(`| Verified | $(pass) OK ${when(v.at)} (${v.deep ? 'deep' : 'shallow'}, while manifest #${v.latestManifestId} is the latest) |\n`);
  node.tooltip.supportThemeIcons = true;
}
