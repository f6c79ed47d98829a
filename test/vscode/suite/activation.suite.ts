import assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('activation', () => {
  it('loads keyslot.keyslot and activates it', async () => {
    const ext = vscode.extensions.getExtension('keyslot.keyslot');
    assert.ok(ext, 'the extension keyslot.keyslot is loaded');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command the manifest contributes', async () => {
    const ext = vscode.extensions.getExtension('keyslot.keyslot')!;
    await ext.activate();
    const contributed: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });
});
