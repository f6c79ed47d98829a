import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, TextDocumentEdit, TextEdit } from 'vscode-languageserver';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { startTestServer } from '../helpers/lsp';

/*
 * While someone types, hover and code actions answer from the last analysis instead of waiting for
 * the analysis of text the next keystroke makes stale (issue "The editor on real repositories").
 * The editor's positions are in its newer text: the server must find the same key there and give
 * back ranges and fix edits that fit that text. The edit debounce is set to 3 s, a hundred times
 * what the requests take, so the edited text is not analysed while the test asks (a longer one
 * would keep the test's process alive after it).
 */
const APP = `import redis

r = redis.RedisCluster(host="localhost", port=7000)


def both(uid):
    return r.mget("user:1:a", "user:1:b")
`;
const TYPED = '# a note typed above\n# and another line\n';

describe('requests while edits wait to be analysed', () => {
  after(() => removeWorkspaces());

  test('hover and the tag fix find the key in the newer text and fit their answers to it', async () => {
    const dir = workspace({ 'app.py': APP });
    const c = await startTestServer(dir, {}, [], [], { editDebounceMs: 3000 });
    try {
      const uri = pathToFileURL(path.join(dir, 'app.py')).href;
      await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: APP } });
      const first = await c.nextDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'crossslot'));
      const published = c.diagnostics.length;
      const crossslot = first.diagnostics.find((d) => d.code === 'crossslot')!;
      const line = APP.split('\n').findIndex((l) => l.includes('r.mget'));
      assert.equal(crossslot.range.start.line, line);

      // two lines typed at the top: every key moves down two lines
      await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: TYPED }] });
      const now = TYPED + APP;
      const keyAt = now.indexOf('"user:1:b"');
      const buffer = TextDocument.create(uri, 'python', 2, now);

      const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: buffer.positionAt(keyAt + 3) });
      assert.ok(hover, 'a hover on the key in the newer text');
      assert.match(JSON.stringify(hover.contents), /user:1:b/);
      assert.deepEqual(hover.range, { start: buffer.positionAt(keyAt), end: buffer.positionAt(keyAt + '"user:1:b"'.length) });
      // on the typed text itself there is nothing analysed to show
      assert.equal(await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 4 } }), null);

      // the editor moved the diagnostic with the text; the fix's edits must fit the text as it is now
      const moved: Diagnostic = { ...crossslot, range: { start: { line: line + 2, character: crossslot.range.start.character }, end: { line: line + 2, character: crossslot.range.end.character } } };
      const actions = await c.conn.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: moved.range, context: { diagnostics: [moved] } });
      const fix = actions.find((a) => a.title.startsWith('Tag with'));
      assert.ok(fix, `a tag fix among ${actions.map((a) => a.title).join(' | ')}`);
      const mine = (fix.edit!.documentChanges as TextDocumentEdit[]).filter((d) => 'textDocument' in d && d.textDocument.uri === uri);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].textDocument.version, 2);
      const fixed = TextDocument.applyEdits(buffer, mine[0].edits as TextEdit[]);
      assert.equal(fixed, now.replace('"user:1:a", "user:1:b"', '"{user:1}:a", "{user:1}:b"'));
      const suppress = actions.find((a) => a.title.startsWith('Suppress'))!;
      assert.equal(suppress.edit!.changes![uri][0].range.start.line, line + 2);

      // and none of it waited for an analysis of the edited text
      assert.equal(c.diagnostics.length, published, 'no diagnostics published for the edited text yet');
    } finally {
      c.close();
    }
  });
});
