/**
 * The data panel's HTML and webview options. Strict CSP: nothing by default,
 * scripts only with a fresh random nonce, styles and fonts only from the
 * extension; scripts and styles come from dist/ and media/ only
 * (localResourceRoots). Only fixed text and URIs of our own files go into
 * this HTML: data arrives by message and the page renders it as text.
 */

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export const DATA_VIEW_TYPE = 'slatedb.data';

export function dataWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** 144 random bits, base64 (a CSP nonce must be unguessable and fresh per page). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export function dataHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('media', 'data.css')}">
<title>SlateDB data</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="boot">Reading the database…</p></main>
<script nonce="${nonce}" src="${uri('dist', 'dataWebview.js')}"></script>
</body>
</html>`;
}
