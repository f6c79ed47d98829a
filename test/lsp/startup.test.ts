import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { startTestServer } from '../helpers/lsp';

/*
 * At start-up the files open in the editor are analysed first and their diagnostics sent while the
 * rest of the folder is still being analysed (issue "The editor on real repositories": first
 * diagnostics for the open file within 1 s on a 3,000-file workspace). What the client can see:
 * the open file's diagnostics arrive before the indexing progress ends, and they are the ones it
 * keeps once the folder is indexed; a closed file's come after. An open file without findings is
 * published too, with an empty list, so the editor knows it was checked.
 */
const cluster = `import Redis from "ioredis";
export const redis = new Redis.Cluster([{ host: "127.0.0.1", port: 7000 }]);
`;
const crossslot = (a: string, b: string) => `import { redis } from "./client";
export async function load(id: string) {
  return redis.mget(\`${a}:\${id}\`, \`${b}:\${id}\`);
}
`;

/** One sequence of progress and diagnostics notifications (these handlers take the test client's place: they keep its lists too). */
function recordEvents(c: Awaited<ReturnType<typeof startTestServer>>): string[] {
  const events: string[] = [];
  c.conn.onNotification('$/progress', (p: { value: { kind: string } }) => {
    c.progress.push(p);
    events.push(`progress ${p.value.kind}`);
  });
  c.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    c.diagnostics.push(p);
    events.push(`diagnostics ${p.uri}`);
  });
  return events;
}

describe('start-up: the open files first', () => {
  after(() => removeWorkspaces());

  test('an open file is published before the folder is indexed, with the diagnostics it keeps', async () => {
    const files: Record<string, string> = { 'src/client.ts': cluster, 'src/open.ts': crossslot('profile', 'settings'), 'src/clean.ts': 'export const answer = 42;\n' };
    // closed files with findings of their own, so the folder's analysis has more to do than the open file
    for (let i = 0; i < 30; i++) files[`src/closed${i}.ts`] = crossslot(`a${i}`, `b${i}`);
    const dir = workspace(files);
    const c = await startTestServer(dir);
    try {
      const uriOf = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
      const events = recordEvents(c);
      for (const rel of ['src/open.ts', 'src/clean.ts']) {
        await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(rel), languageId: 'typescript', version: 1, text: files[rel] } });
      }
      await c.ready();

      const at = (e: string) => events.indexOf(e);
      const end = at('progress end');
      assert.ok(end > 0, `the indexing progress ended: ${events.join(', ')}`);
      assert.ok(at(`diagnostics ${uriOf('src/open.ts')}`) >= 0 && at(`diagnostics ${uriOf('src/open.ts')}`) < end, `the open file before the progress ends: ${events.join(', ')}`);
      assert.ok(at(`diagnostics ${uriOf('src/clean.ts')}`) >= 0 && at(`diagnostics ${uriOf('src/clean.ts')}`) < end, 'the clean open file too');
      assert.ok(at(`diagnostics ${uriOf('src/closed0.ts')}`) > end, 'a closed file after it');

      const open = c.diagnostics.filter((p) => p.uri === uriOf('src/open.ts'));
      assert.equal(open.length, 1, 'the open file is published once: its diagnostics did not change when the rest was analysed');
      assert.deepEqual(
        open[0].diagnostics.map((d) => [d.code, d.range.start.line]),
        [['crossslot', 2]],
      );
      assert.deepEqual(c.diagnostics.find((p) => p.uri === uriOf('src/clean.ts'))?.diagnostics, []);
      assert.equal(c.diagnostics.filter((p) => p.uri === uriOf('src/clean.ts')).length, 1);
    } finally {
      c.close();
    }
  });

  test('in a folder of 1,000 files or more, an open file is published from what it imports before the folder is read', async () => {
    const files: Record<string, string> = { 'src/client.ts': cluster, 'src/open.ts': crossslot('profile', 'settings') };
    // Redis files the open one does not import (60: the indexing progress reports every 50), and files without Redis
    for (let i = 0; i < 60; i++) files[`src/closed${i}.ts`] = crossslot(`a${i}`, `b${i}`);
    for (let i = 0; i < 1000; i++) files[`src/plain/p${i}.ts`] = `export const n${i} = ${i};\n`;
    const dir = workspace(files);
    const c = await startTestServer(dir);
    try {
      const uriOf = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
      const events = recordEvents(c);
      await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf('src/open.ts'), languageId: 'typescript', version: 1, text: files['src/open.ts'] } });
      await c.ready();

      const first = events.indexOf(`diagnostics ${uriOf('src/open.ts')}`);
      const report = events.indexOf('progress report');
      assert.ok(report > 0, `the indexing reported its files: ${events.join(', ')}`);
      assert.ok(first >= 0 && first < report, `the open file before any file of the folder's index: ${events.join(', ')}`);
      const open = c.diagnostics.filter((p) => p.uri === uriOf('src/open.ts'));
      assert.equal(open.length, 1, 'published once: the whole index did not change it');
      assert.deepEqual(
        open[0].diagnostics.map((d) => [d.code, d.range.start.line]),
        [['crossslot', 2]],
      );
      assert.ok(c.diagnostics.some((p) => p.uri === uriOf('src/closed59.ts') && p.diagnostics.length === 1), 'the closed files come with the whole index');
    } finally {
      c.close();
    }
  });

  test('with two large folders, an open file in the second is published before the first is indexed whole', async () => {
    const large = (extra: Record<string, string>) => {
      const files: Record<string, string> = { 'src/client.ts': cluster, ...extra };
      for (let i = 0; i < 1000; i++) files[`src/plain/p${i}.ts`] = `export const n${i} = ${i};\n`;
      return files;
    };
    const closed: Record<string, string> = {};
    for (let i = 0; i < 60; i++) closed[`src/closed${i}.ts`] = crossslot(`a${i}`, `b${i}`);
    const first = workspace(large(closed));
    const second = workspace(large({ 'src/open.ts': crossslot('profile', 'settings') }));
    const c = await startTestServer(first, {}, [second]);
    try {
      const events = recordEvents(c);
      const open = pathToFileURL(path.join(second, 'src/open.ts')).href;
      await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: open, languageId: 'typescript', version: 1, text: crossslot('profile', 'settings') } });
      await c.ready();
      const at = events.indexOf(`diagnostics ${open}`);
      const report = events.indexOf('progress report');
      assert.ok(report > 0, `the first folder's index reported its files: ${events.slice(0, 8).join(', ')}`);
      assert.ok(at >= 0 && at < report, `the second folder's open file first: ${events.slice(0, 8).join(', ')}`);
      assert.deepEqual(
        c.diagnostics.filter((p) => p.uri === open).map((p) => p.diagnostics.map((d) => [d.code, d.range.start.line])),
        [[['crossslot', 2]]],
      );
    } finally {
      c.close();
    }
  });
});
