import assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('activation', () => {
  it('loads keyslot.keyslot and activates it', async () => {
    const ext = vscode.extensions.getExtension('keyslot.keyslot');
    assert.ok(ext, 'the extension keyslot.keyslot is loaded');
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
});
