import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import calculateSlot = require('cluster-key-slot');
import { codeOf, diagnosticsWhere, keyslot, keyslotDiagnostics, open, positionOf, workspaceFile } from './helpers';
import { decodeSemanticTokens } from './tokens';

/*
 * What a developer meets in the editor: diagnostics, hover, hash-tag colouring, the quick fix and
 * a settings change - through VS Code's own command API, against the bundled server. Expected
 * slots come from cluster-key-slot, not from keyslot.
 */
describe('editor', () => {
  before(async () => {
    await keyslot();
  });

  it('reports the cross-slot MGET as an error and leaves the tagged one alone', async () => {
    const users = workspaceFile('app/users.py');
    await open('app/users.py');
    const ds = await diagnosticsWhere(users, (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'a crossslot error in users.py');
    const err = ds.find((d) => codeOf(d) === 'crossslot')!;
    assert.equal(err.severity, vscode.DiagnosticSeverity.Error);
    const doc = await vscode.workspace.openTextDocument(users);
    assert.match(doc.lineAt(err.range.start.line).text, /mget/);
    assert.ok(err.relatedInformation?.length, 'the error points at the other key');
    await open('app/sessions.py');
    assert.deepEqual(keyslotDiagnostics(workspaceFile('app/sessions.py')).map(codeOf), []);
  });

  it('hovers a key with its slot and hash tag', async () => {
    const editor = await open('app/sessions.py');
    const at = positionOf(editor.document, '{session:42}:token', 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, new RegExp(`slot \\*\\*${calculateSlot('{session:42}:token')}\\*\\*`), text);
    assert.match(text, /hash tag `\{session:42\}`/, text);
    assert.match(text, /\{session:42\}:expires/, 'names the other pattern in the same slot');
    // keyslot.config.json says 4 primaries; VS Code's default for keyslot.topology must not override it
    assert.match(text, /the even split of 4 primaries/, text);
  });

  it('colours the hash tag of keys, and not braces in other strings', async () => {
    const editor = await open('app/sessions.py');
    const doc = editor.document;
    const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>('vscode.provideDocumentSemanticTokensLegend', doc.uri);
    const tokens = await vscode.commands.executeCommand<vscode.SemanticTokens>('vscode.provideDocumentSemanticTokens', doc.uri);
    assert.ok(legend && tokens, 'the server provides semantic tokens');
    const marked = decodeSemanticTokens(tokens.data).map(({ line, character, length, type }) => {
      assert.equal(legend.tokenTypes[type], 'hashTag');
      return doc.getText(new vscode.Range(line, character, line, character + length));
    });
    assert.deepEqual(marked, ['{session:42}', '{session:42}']);
  });

  it('a settings change takes effect without a restart', async () => {
    const cart = workspaceFile('app/cart.ts');
    await open('app/cart.ts');
    await diagnosticsWhere(cart, (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'a crossslot error in cart.ts');
    const config = vscode.workspace.getConfiguration('keyslot');
    await config.update('severity', { crossslot: 'off' }, vscode.ConfigurationTarget.Workspace);
    try {
      await diagnosticsWhere(cart, (ds) => !ds.some((d) => codeOf(d) === 'crossslot') && ds.length > 0, 'crossslot turned off, the bare-tag warnings still there');
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await diagnosticsWhere(cart, (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'crossslot back after the setting is removed');
  });

  it('the quick fix tags both keys with the entity, and the error goes away', async () => {
    const users = workspaceFile('app/users.py');
    const editor = await open('app/users.py');
    const [err] = await diagnosticsWhere(users, (ds) => ds.some((d) => codeOf(d) === 'crossslot'), 'a crossslot error in users.py');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', users, err.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /\{user:1001\}/.test(a.title));
    // one modal question for the whole change (the refactor preview would open with every edit unticked)
    assert.equal(fix?.command?.command, 'keyslot.applyWithMigration', `a tag fix is offered as one confirmed change: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fix.edit, undefined, 'no half-appliable edit');
    const [edit, title, note] = fix.command.arguments as [vscode.WorkspaceEdit, string, string];
    assert.match(note, /keyslot migrate/);
    // the confirmation lists the keys the change renames, with the uses each reaches
    assert.match(note, /Keys renamed:\nuser:1001:profile → \{user:1001\}:profile \(\d+ uses?( in \d files)?\)\nuser:1001:settings → \{user:1001\}:settings \(\d+ uses?( in \d files)?\)/);
    const before = editor.document.getText();
    // declining changes nothing
    assert.equal(await vscode.commands.executeCommand('keyslot.applyWithMigration', edit, title, note, 'Cancel'), false);
    assert.equal(editor.document.getText(), before);
    // accepting applies all of it: the code, and the renames recorded for keyslot migrate
    assert.equal(await vscode.commands.executeCommand('keyslot.applyWithMigration', edit, title, note, 'Apply'), true);
    const planUri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'keyslot.migrations.json');
    const plan = JSON.parse((await vscode.workspace.openTextDocument(planUri)).getText());
    assert.deepEqual(plan.migrations.map((m: { from: string; to: string }) => `${m.from} -> ${m.to}`), ['user:1001:profile -> {user:1001}:profile', 'user:1001:settings -> {user:1001}:settings']);
    await diagnosticsWhere(users, (ds) => !ds.some((d) => codeOf(d) === 'crossslot'), 'the crossslot error cleared after the fix');
    const keys = [...editor.document.getText().matchAll(/"([^"\n]*user:1001[^"\n]*)"/g)].map((m) => m[1]);
    assert.deepEqual(keys, ['{user:1001}:profile', '{user:1001}:settings']);
    assert.equal(calculateSlot(keys[0]), calculateSlot(keys[1]));
    await editor.document.save();
  });
});
