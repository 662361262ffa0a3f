/**
 * The HTML skeleton and webview options of every webview page (history,
 * data). Security: strict CSP (`default-src 'none'`, scripts only with a
 * fresh random nonce, styles and fonts only from the extension), and
 * localResourceRoots limited to dist/ and media/. Only fixed text and URIs
 * of our own files go into this HTML; data arrives by message and the page
 * renders it as text.
 */

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** One page: its bundle in dist/, its stylesheet in media/, and what it says while its script starts. */
export interface PageSpec {
  title: string;
  script: string;
  stylesheet: string;
  bootText: string;
}

export const HISTORY_PAGE: PageSpec = { title: 'SlateDB history', script: 'webview.js', stylesheet: 'history.css', bootText: 'Loading the manifest history…' };
export const DATA_PAGE: PageSpec = { title: 'SlateDB data', script: 'dataWebview.js', stylesheet: 'data.css', bootText: 'Reading the database…' };

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** 18 random bytes (not Math.random): a page cannot guess the nonce of its scripts. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The page's HTML: `spec` holds only our own constants, never data. */
export function pageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, spec: PageSpec, nonce = makeNonce()): string {
  const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${uri('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${uri('media', spec.stylesheet)}">
<title>${spec.title}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="boot">${spec.bootText}</p></main>
<script nonce="${nonce}" src="${uri('dist', spec.script)}"></script>
</body>
</html>`;
}
