import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'slatedb-checkpoint-explorer.slatedb-checkpoint-explorer';

describe('the extension inside a real VS Code extension host', () => {
  it('runs in VS Code 1.x', () => {
    assert.ok(vscode.version.startsWith('1.'), `vscode.version is ${vscode.version}`);
  });

  it('is installed under its publisher.name id and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not among ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers slatedb.refresh once active', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('slatedb.refresh'), 'slatedb.refresh is not registered');
    await vscode.commands.executeCommand('slatedb.refresh');
  });
});
