import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KeyslotApi } from '../../../../client/src/extension';
import type { PatternNode } from '../../../../client/src/keymap';
import { codeOf, diagnosticsWhere, keyslot, keyslotDiagnostics, open, positionOf, workspaceFile } from '../helpers';

/*
 * keyslot on a workspace shaped like real code (test/fixtures/vscode-monorepo): keys built in a
 * shared package and used by services in three languages, one entity written four ways. Run by
 * test/vscode/code-server.test.ts with KEYSLOT_VSCODE_WORKSPACE=monorepo.
 */
const hoverText = (hovers: vscode.Hover[]) => hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

describe('a multi-package workspace', () => {
  let api: KeyslotApi;

  before(async () => {
    api = await keyslot();
  });

  it('finds the problems of every package: the API, the Python worker and the Go service', async () => {
    await open('packages/api/src/profile.ts');
    const [cross] = await diagnosticsWhere(workspaceFile('packages/api/src/profile.ts'), (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'a crossslot error on the MGET of two keys built in the shared package');
    assert.match(cross.message, /\{user:\$\{userId\}\}/, 'it names the entity tag');
    await open('services/worker/worker/feeds.py');
    await diagnosticsWhere(workspaceFile('services/worker/worker/feeds.py'), (ds) => ds.some((d) => codeOf(d) === 'replica-read-after-write'), 'a replica read after the write in the worker');
    await open('services/billing/invoice.go');
    await diagnosticsWhere(workspaceFile('services/billing/invoice.go'), (ds) => ds.some((d) => codeOf(d) === 'crossslot-possible'), 'a possible cross-slot SUNIONSTORE in billing');
  });

  it('hovers a key definition in the shared package with the keys that use it', async () => {
    const editor = await open('packages/shared/src/keys.ts');
    const at = positionOf(editor.document, ':profile`', 2);
    const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at));
    assert.match(text, /part of 1 key pattern/, text);
    assert.match(text, /`user:\$\{userId\}:profile`/, text);
  });

  it('groups one entity across packages, whatever its variable is called', async () => {
    await api.keyMap.refresh();
    api.keyMap.setGrouping('tag');
    const groups = api.keyMap.getChildren();
    const label = (n: vscode.TreeItem) => (typeof n.label === 'string' ? n.label : n.label?.label);
    const user = groups.filter((g) => /^\{user:/.test(String(label(api.keyMap.getTreeItem(g)))));
    assert.equal(user.length, 1, `one user entity among ${groups.map((g) => label(api.keyMap.getTreeItem(g))).join(', ')}`);
    const patterns = (api.keyMap.getChildren(user[0]) as PatternNode[]).map((n) => n.pattern.pattern).sort();
    // a key is shown as its call writes it: the builders' parameters take the caller's names (`uid` in the API, `user_id` in the worker)
    assert.deepEqual(patterns, ['{user:${uid}}:cart', '{user:${uid}}:wishlist', '{user:${user_id}}:feed'].sort());
  });

  it('typing a burst: hovers answer during it, and the diagnostics follow its last edit', async () => {
    const uri = workspaceFile('packages/api/src/profile.ts');
    const editor = await open('packages/api/src/profile.ts');
    await diagnosticsWhere(uri, (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'the crossslot error before typing');
    const key = positionOf(editor.document, 'profileKey(userId), settingsKey', 3);
    const hovers: Thenable<vscode.Hover[]>[] = [];
    // a comment typed a character at a time on a new last line, not waiting for keyslot between keystrokes
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((e) => e.insert(end, '\n// '));
    const typed = 'swap the profile keys for the tagged cart keys';
    for (let i = 0; i < typed.length; i++) {
      const last = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      await editor.edit((e) => e.insert(last, typed[i]), { undoStopBefore: false, undoStopAfter: false });
      if (i % 20 === 10) hovers.push(vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, key));
    }
    // the last edit makes both keys the user's tagged ones: the error must go
    const call = editor.document.getText().indexOf('profileKey(userId), settingsKey(userId)');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(call), editor.document.positionAt(call + 'profileKey(userId), settingsKey(userId)'.length)), 'cartKey(userId), wishlistKey(userId)'));
    for (const h of await Promise.all(hovers)) assert.match(hoverText(h), /user:\$\{userId\}:profile/, 'a hover during the burst shows the key under the cursor');
    await diagnosticsWhere(uri, (ds) => !ds.some((d) => codeOf(d) === 'crossslot'), 'no crossslot error once the keys share the user tag');
    assert.deepEqual(keyslotDiagnostics(uri).map(codeOf), []);
  });
});
