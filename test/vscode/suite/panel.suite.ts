import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import calculateSlot = require('cluster-key-slot');
import type { KeyslotApi } from '../../../client/src/extension';
import type { Node, PatternNode } from '../../../client/src/keymap';
import { keyslot, next, open, positionOf } from './helpers';

/*
 * The Redis Keys view, the slot heatmap, the status bar and the commands, in a real workbench.
 * The fixture's keys are known here; their slots come from cluster-key-slot.
 */
describe('key map, heatmap and commands', () => {
  let api: KeyslotApi;

  before(async () => {
    api = await keyslot();
    await api.keyMap.refresh();
  });

  after(() => {
    api.keyMap.setGrouping('tag');
    api.keyMap.setProblemsOnly(false);
    api.keyMap.showSlot(null);
  });

  const items = (nodes: Node[]) => nodes.map((n) => api.keyMap.getTreeItem(n));
  const labelOf = (item: vscode.TreeItem) => (typeof item.label === 'string' ? item.label : item.label?.label);
  const patternNodes = () => api.keyMap.getChildren().flatMap((g) => api.keyMap.getChildren(g)) as PatternNode[];

  it('groups patterns by hash tag, with slot and read/write counts', () => {
    api.keyMap.setGrouping('tag');
    const groups = api.keyMap.getChildren();
    const session = groups.find((g) => labelOf(api.keyMap.getTreeItem(g)) === '{session:42}');
    assert.ok(session, `a {session:42} group among ${items(groups).map(labelOf).join(', ')}`);
    const patterns = items(api.keyMap.getChildren(session));
    assert.deepEqual(patterns.map(labelOf).sort(), ['{session:42}:expires', '{session:42}:token']);
    for (const p of patterns) assert.match(String(p.description), new RegExp(`^slot ${calculateSlot('{session:42}:token')} · 1R 0W`));
  });

  it('groups by slot and by namespace, and lists uses that open the file', () => {
    api.keyMap.setGrouping('slot');
    const bySlot = items(api.keyMap.getChildren()).map(labelOf);
    assert.ok(bySlot.includes(`slot ${calculateSlot('{order:77}:status')}`), bySlot.join(', '));
    api.keyMap.setGrouping('namespace');
    const price = patternNodes().find((n) => n.pattern.pattern === 'price:A100');
    assert.ok(price, 'price:A100 from the .redis file');
    assert.equal(labelOf(api.keyMap.getTreeItem(price.parent)), 'price');
    const [use] = api.keyMap.getChildren(price);
    const open = api.keyMap.getTreeItem(use).command;
    assert.equal(open?.command, 'vscode.open');
    assert.match(String(open?.arguments?.[0]), /seed\/dev\.redis$/);
  });

  it('filters to patterns with problems', () => {
    api.keyMap.setGrouping('tag');
    api.keyMap.setProblemsOnly(true);
    const shown = patternNodes().map((n) => n.pattern.pattern);
    // cart:{7}:a / cart:{8}:b are in different slots of one SUNION (and their tags are bare)
    assert.ok(shown.includes('cart:{7}:a') && shown.includes('cart:{8}:b'), shown.join(', '));
    assert.ok(!shown.includes('{session:42}:token'), 'a key without problems is hidden');
    api.keyMap.setProblemsOnly(false);
    assert.ok(patternNodes().some((n) => n.pattern.pattern === '{session:42}:token'));
  });

  it('reveals the key under the cursor in the view', async () => {
    const editor = await open('app/cart.ts');
    const at = positionOf(editor.document, 'cart:{8}:b');
    editor.selection = new vscode.Selection(at, at);
    await vscode.commands.executeCommand('keyslot.keyMap.revealCurrent');
    const selected = api.keyMap.view.selection.map((n) => (n.kind === 'pattern' ? n.pattern.pattern : n.kind));
    assert.deepEqual(selected, ['cart:{8}:b']);
  });

  it('copies the slot of the key under the cursor', async () => {
    const editor = await open('app/sessions.py');
    const at = positionOf(editor.document, '{session:42}:expires');
    editor.selection = new vscode.Selection(at, at);
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('keyslot.copySlot');
    assert.equal(await vscode.env.clipboard.readText(), String(calculateSlot('{session:42}:expires')));
  });

  it('shows the slot of the selected text, quotes and all', async () => {
    const editor = await open('app/cart.ts');
    const at = editor.document.getText().indexOf("'cart:{7}:a'");
    editor.selection = new vscode.Selection(editor.document.positionAt(at), editor.document.positionAt(at + "'cart:{7}:a'".length));
    const r = await vscode.commands.executeCommand<{ key: string; slot: number; hashed: string }>('keyslot.slotOfSelection');
    assert.deepEqual([r.key, r.hashed, r.slot], ['cart:{7}:a', '7', calculateSlot('cart:{7}:a')]);
  });

  it('the heatmap opens and draws every slot that has keys; a chosen slot shows alone in the view', async () => {
    const rendered = next(api.heatmap.onDidRender, 'the heatmap webview to draw');
    await vscode.commands.executeCommand('keyslot.showHeatmap');
    const { slotsWithKeys } = await rendered;
    assert.ok(api.heatmap.panel?.visible, 'the webview panel is visible');
    const literalPatterns = api.keyMap.keyMap.folders.flatMap((f) => f.patterns).filter((p) => !/\$\{/.test(p.pattern));
    const expected = new Set(literalPatterns.map((p) => calculateSlot(p.pattern)));
    assert.equal(slotsWithKeys, expected.size);
    // what the webview's click posts: the view then shows that slot alone
    const slot = calculateSlot('{order:77}:status');
    api.keyMap.showSlot(slot);
    assert.deepEqual(patternNodes().map((n) => n.pattern.pattern).sort(), ['{order:77}:items', '{order:77}:status']);
    api.keyMap.showSlot(null);
    api.heatmap.panel?.dispose();
  });

  it('the status bar counts the patterns and findings', () => {
    const s = api.statusBar.last;
    assert.ok(s && s.state === 'ready');
    const patterns = api.keyMap.keyMap.folders.reduce((n, f) => n + f.patterns.length, 0);
    assert.equal(s.patterns, patterns);
    assert.match(api.statusBar.item.text, new RegExp(`\\$\\(key\\) ${patterns} .*\\$\\(error\\) ${s.findings.error}`));
    const errors = vscode.languages.getDiagnostics().flatMap(([, ds]) => ds).filter((d) => d.source === 'keyslot' && d.severity === vscode.DiagnosticSeverity.Error);
    assert.equal(s.findings.error, errors.length, 'the count matches the errors VS Code holds');
  });
});
