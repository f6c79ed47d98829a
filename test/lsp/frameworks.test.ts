import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import calculateSlot = require('cluster-key-slot');
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { startTestServer, TestClient } from '../helpers/lsp';

/*
 * framework-cluster in the editor: a BullMQ queue on a cluster connection is reported where it is
 * made, and the quick fix gives it a hash-tagged prefix (added to the options, or wrapped around the
 * one written), after which the queue's keys share a slot (cluster-key-slot) and the error goes.
 */
const QUEUES = `import { Queue } from "bullmq";
import { Cluster } from "ioredis";

const cluster = new Cluster([{ host: "redis-0", port: 6379 }]);

export const emails = new Queue("email", { connection: cluster });
export const digests = new Queue("digest", { connection: cluster, prefix: "mailer" });
`;

describe('language server: frameworks', () => {
  let dir: string;
  let c: TestClient;
  const uri = () => pathToFileURL(path.join(dir, 'src/queues.ts')).href;

  before(async () => {
    dir = workspace({ 'src/queues.ts': QUEUES, 'package.json': JSON.stringify({ dependencies: { bullmq: '^5.0.0', ioredis: '^5.0.0' } }) });
    c = await startTestServer(dir);
    await c.ready();
  });
  after(() => {
    c.close();
    removeWorkspaces();
  });

  async function fixOn(diagnostic: Diagnostic): Promise<TextEdit> {
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri() }, range: diagnostic.range, context: { diagnostics: [diagnostic] } })) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix, `a preferred fix: ${actions.map((a) => a.title).join(' | ')}`);
    assert.match(fix.title, /hash-tagged prefix \{\w+\}.*drain the old queue/);
    return fix.edit!.changes![uri()][0];
  }

  test('a queue without a tagged prefix is an error, and the fix tags the prefix', async () => {
    const doc = uri();
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc, languageId: 'typescript', version: 1, text: QUEUES } });
    const found = await c.nextDiagnostics(doc, (p) => p.diagnostics.filter((d) => d.code === 'framework-cluster').length === 2);
    const [emails, digests] = found.diagnostics.filter((d) => d.code === 'framework-cluster').sort((a, b) => a.range.start.line - b.range.start.line);
    assert.equal(emails.severity, 1);
    assert.match(String(emails.message), /bull:email:wait/);

    let text = QUEUES;
    for (const d of [digests, emails]) {
      const e = await fixOn(d);
      const t = TextDocument.create(doc, 'typescript', 0, text);
      text = TextDocument.applyEdits(t, [e]);
    }
    assert.match(text, /new Queue\("email", \{ prefix: "\{bull\}", connection: cluster \}\)/);
    assert.match(text, /prefix: "\{mailer\}"/);
    // BullMQ's keys under the new prefixes share a slot per queue
    for (const [prefix, queue] of [['{bull}', 'email'], ['{mailer}', 'digest']])
      assert.equal(new Set(['wait', 'meta', 'id', 'events'].map((s) => calculateSlot(`${prefix}:${queue}:${s}`))).size, 1);
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc, version: 2 }, contentChanges: [{ text }] });
    await c.nextDiagnostics(doc, (p) => !p.diagnostics.some((d) => d.code === 'framework-cluster'));
  });
});
