/**
 * The history page's HTML and the webview options it needs. Security: strict
 * CSP (`default-src 'none'`, scripts only with a fresh random nonce, styles
 * and fonts only from the extension), and localResourceRoots limited to
 * dist/ and media/. Only fixed text and URIs of our own files go into this
 * HTML; data arrives by message and the page renders it as text.
 */

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** 18 random bytes (not Math.random): a page cannot guess the nonce of its scripts. */
function nonce(): string {
  return randomBytes(18).toString('base64');
}

export function historyHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const n = nonce();
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${n}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('media', 'history.css')}">
<title>SlateDB history</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="boot">Loading the manifest history…</p></main>
<script nonce="${n}" src="${uri('dist', 'webview.js')}"></script>
</body>
</html>`;
}
