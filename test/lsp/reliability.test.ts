import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'node:url';
import { removeWorkspaces, run, workspace } from '../helpers/cli';
import { startTestServer } from '../helpers/lsp';
import { SLOT_OF_METHOD, STATUS_METHOD, StatusParams } from '../../server/src/protocol';
import { spawn } from 'node:child_process';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

/*
 * Reliability (issue "no input can hang, crash or silently disable keyslot"): files nested deeper
 * than the extractors follow, in every language, next to a file with a real finding. The CLI
 * and the server must analyse what they can and say what they could not, never crash.
 */
after(removeWorkspaces);

const NEEDS_FINDING = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)
rc.mget("price:A100", "price:B200")
`;

/**
 * One deep file per language, each a Redis file (so it is parsed, not passed over): a literal
 * nested `n` deep and a `+` chain of `n` terms, one level or term per line.
 */
function deepFiles(n: number): Record<string, string> {
  const nest = (open: string, close: string) => `${open}\n`.repeat(n) + '1\n' + `${close}\n`.repeat(n);
  const chain = (op: string) => Array.from({ length: n }, () => '"a"').join(` ${op}\n`);
  return {
    'deep/nested.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nx = ${nest('[', ']')}\nrc.mget("price:A100", "price:B200")\n`,
    'deep/chain.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nx = (${chain('+')})\n`,
    'deep/nested.js': `const Redis = require("ioredis");\nconst cluster = new Redis.Cluster([]);\nconst x = ${nest('[', ']')};\nconst y = ${chain('+')};\n`,
    'deep/nested.ts': `import Redis from "ioredis";\nconst cluster = new Redis.Cluster([]);\nconst x: unknown = ${nest('(', ')')};\nconst y = ${chain('+')};\n`,
    'deep/nested.go': `package deep\n\nimport "github.com/redis/go-redis/v9"\n\nvar rdb = redis.NewClusterClient(&redis.ClusterOptions{})\nvar x = ${'('.repeat(n)}1${')'.repeat(n)}\nvar y = ${chain('+')}\n`,
    'deep/Nested.java': `import redis.clients.jedis.JedisCluster;\n\nclass Nested {\n  JedisCluster jc;\n  Object x = ${nest('(', ')')};\n  String y = ${chain('+')};\n}\n`,
    'deep/nested.lua': `local x = ${nest('{', '}')}\nlocal y = ${chain('..')}\n`,
  };
}

describe('files nested deeper than the extractors follow', () => {
  test('the CLI analyses them down to the limit, says which, and still reports the other findings with exit 1', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING, ...deepFiles(3500) });
    const r = await run('check', dir, '--format', 'json');
    assert.equal(r.code, 1, r.err);
    const diags = (JSON.parse(r.out) as { diagnostics: { file: string; code: string }[] }).diagnostics;
    // the call after the deep literal in nested.py is still found
    assert.deepEqual(diags.map((d) => `${d.file} ${d.code}`).sort(), ['app.py crossslot', 'deep/nested.py crossslot']);
    assert.match(r.err, /; 7 nested deeper than 200 levels, analysed down to there \(deep\/[^)]*, …\)/, 'all seven deep files, one per language form');
  });

  test('the server keeps the other files current and says at the top of the deep file why it stops', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING, ...deepFiles(3500) });
    const c = await startTestServer(dir);
    try {
      const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
      const app = await c.nextDiagnostics(uri('app.py'), (p) => p.diagnostics.some((d) => d.code === 'crossslot'));
      assert.ok(app);
      const deep = await c.nextDiagnostics(uri('deep/nested.js'), (p) => p.diagnostics.length > 0);
      assert.equal(deep.diagnostics[0].severity, 3);
      assert.match(String(deep.diagnostics[0].message), /nests deeper than 200 levels/);
      // an edit elsewhere is still analysed
      await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('app.py'), languageId: 'python', version: 1, text: NEEDS_FINDING } });
      await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri('app.py'), version: 2 }, contentChanges: [{ text: NEEDS_FINDING.replace('"price:B200"', '"price:A100"') }] });
      const fixed = await c.nextDiagnostics(uri('app.py'), (p) => !p.diagnostics.some((d) => d.code === 'crossslot'));
      assert.ok(fixed);
    } finally {
      c.close();
    }
  });
});

describe('bad settings are shown, and the server runs with the rest', () => {
  test('a topology with a gap and an uncompilable exclude glob: an error message, defaults for those two, the severity that is fine applies', async () => {
    const config = { topology: { nodes: [{ name: 'a', slots: ['0-100'] }] }, exclude: ['('.repeat(70_000)], severity: { crossslot: 'warning' } };
    const dir = workspace({ 'app.py': NEEDS_FINDING, 'keyslot.config.json': JSON.stringify(config) });
    const c = await startTestServer(dir);
    try {
      const d = await c.nextDiagnostics(pathToFileURL(path.join(dir, 'app.py')).href, (p) => p.diagnostics.some((x) => x.code === 'crossslot'));
      assert.equal(d.diagnostics.find((x) => x.code === 'crossslot')?.severity, 2, 'the good setting (crossslot as a warning) applies');
      assert.equal((await c.ready()).state, 'ready');
      const shown = c.messages.filter((m) => m.type === 1).map((m) => m.message).join('\n');
      assert.match(shown, /slots 101-16383 belong to no primary/);
      assert.match(shown, /"exclude" glob 1 \(\({40}…\) is left out/);
      // and they stay in the status the editor shows
      const status = c.statuses[c.statuses.length - 1];
      assert.equal(status.settingsProblems?.length, 2, JSON.stringify(status));
      assert.match(status.settingsProblems![0], /slots 101-16383 belong to no primary/);
    } finally {
      c.close();
    }
  });
});

describe('every way a file enters the index follows the scan rules, and the index follows the disk', () => {
  const OTHER = NEEDS_FINDING.replace('price:', 'stock:').replace('price:', 'stock:');
  test('an open file over 1 MiB is not analysed and says why; files under node_modules or .gitignore stay out; closing restores the disk text; a deleted folder takes its files', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING, 'sub/inner/a.py': OTHER, '.gitignore': 'ignored/\n' });
    const c = await startTestServer(dir);
    const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
    const open = (rel: string, text: string) => c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(rel), languageId: 'python', version: 1, text } });
    const crossslot = (rel: string) => c.nextDiagnostics(uri(rel), (p) => p.diagnostics.some((d) => d.code === 'crossslot'));
    const clean = (rel: string) => c.nextDiagnostics(uri(rel), (p) => !p.diagnostics.some((d) => d.code === 'crossslot'));
    try {
      await crossslot('sub/inner/a.py');
      // 1. over the limit: one information diagnostic, no analysis of its (cross-slot) call
      const big = NEEDS_FINDING + `# ${'x'.repeat(2 * 1024 * 1024)}\n`;
      await open('big.py', big);
      const b = await c.nextDiagnostics(uri('big.py'), (p) => p.diagnostics.length > 0);
      assert.deepEqual(b.diagnostics.map((d) => [d.severity, d.code]), [[3, undefined]]);
      assert.match(String(b.diagnostics[0].message), /does not analyse this file: it is over 1 MiB/);
      // 2. paths the scan passes over: opened, they are still not indexed
      await open('node_modules/lib/x.py', NEEDS_FINDING);
      await open('ignored/y.py', NEEDS_FINDING);
      // 3. an unsaved edit, then close: the disk text (with its finding) comes back
      await open('app.py', NEEDS_FINDING);
      await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri('app.py'), version: 2 }, contentChanges: [{ text: NEEDS_FINDING.replace('"price:B200"', '"price:A100"') }] });
      await clean('app.py');
      await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uri('app.py') } });
      await crossslot('app.py');
      // (publishing is in order: had the excluded files been indexed, their findings would be out by now)
      assert.ok(!c.diagnostics.some((d) => /node_modules|ignored/.test(d.uri) && d.diagnostics.length), 'excluded paths have no diagnostics');
      // 4. a deleted folder arrives as one event for the folder
      fs.rmSync(path.join(dir, 'sub'), { recursive: true });
      await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('sub'), type: 3 }] });
      const gone = await c.nextDiagnostics(uri('sub/inner/a.py'), (p) => p.diagnostics.length === 0);
      assert.ok(gone);
    } finally {
      c.close();
    }
  });
});

describe('the server answers while it indexes', () => {
  // a separate process (the shipped `keyslot lsp --stdio`): in one process the test client and the
  // server share an event loop, so a blocked server could not be seen
  test('slotOf, which needs no index, is answered while a large folder is being indexed', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`svc/m${i}.py`] = NEEDS_FINDING.replace(/price:/g, `p${i}:`) + `def f${i}(uid):\n    return rc.get(f"user:{uid}:x${i}")\n`.repeat(60);
    const dir = workspace(files);
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'keyslot.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const events: string[] = [];
    let readied!: () => void;
    const indexed = new Promise<void>((r) => (readied = r));
    conn.onNotification(STATUS_METHOD, (st: StatusParams) => {
      events.push(`status ${st.state}`);
      if (st.state === 'ready') readied();
    });
    conn.onRequest('window/workDoneProgress/create', () => null);
    conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    conn.onRequest('client/registerCapability', () => null);
    conn.onNotification('window/logMessage', () => undefined);
    let began!: () => void;
    const begun = new Promise<void>((r) => (began = r));
    conn.onNotification('$/progress', (p: { value: { kind: string } }) => {
      events.push(`progress ${p.value.kind}`);
      // the first report comes from the file loop: the folder is being indexed now
      if (p.value.kind === 'report') began();
    });
    conn.listen();
    try {
      const uri = pathToFileURL(dir).href;
      await conn.sendRequest('initialize', { processId: null, rootUri: uri, workspaceFolders: [{ uri, name: 'ws' }], capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } } });
      await conn.sendNotification('initialized', {});
      await begun;
      const answer = (await conn.sendRequest(SLOT_OF_METHOD, { key: 'price:A100' })) as { slot: number };
      events.push('slotOf answered');
      assert.equal(answer.slot, 566);
      await indexed;
      const at = (e: string) => events.indexOf(e);
      assert.ok(at('slotOf answered') < at('progress end'), events.join(', '));
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
    } finally {
      conn.dispose();
      child.kill();
    }
  });
});

describe('a client that answers the server\'s requests with errors', () => {
  test('refused file watching, settings and progress: the server still indexes and publishes (an editor must not crash it)', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING });
    const c = await startTestServer(dir, {}, [], ['client/registerCapability', 'workspace/configuration', 'window/workDoneProgress/create']);
    try {
      const d = await c.nextDiagnostics(pathToFileURL(path.join(dir, 'app.py')).href, (p) => p.diagnostics.some((x) => x.code === 'crossslot'));
      assert.ok(d);
      // and it still answers
      assert.equal(((await c.conn.sendRequest(SLOT_OF_METHOD, { key: 'price:A100' })) as { slot: number }).slot, 566);
    } finally {
      c.close();
    }
  });
});

describe('workspace folders', () => {
  test('a folder inside another is analysed once, with its own settings; a folder that does not exist does not stop the others', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING, 'inner/app.py': NEEDS_FINDING, 'inner/keyslot.config.json': JSON.stringify({ severity: { crossslot: 'warning' } }) });
    const c = await startTestServer(dir, {}, [path.join(dir, 'inner'), path.join(dir, 'no-such-folder')]);
    try {
      const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
      await c.ready();
      await c.nextDiagnostics(uri('app.py'), (p) => p.diagnostics.some((d) => d.code === 'crossslot'));
      const inner = await c.nextDiagnostics(uri('inner/app.py'), (p) => p.diagnostics.length > 0);
      assert.deepEqual(inner.diagnostics.map((d) => [d.code, d.severity]), [['crossslot', 2]], 'one finding, at the inner folder\'s severity');
      assert.ok(c.diagnostics.filter((d) => d.uri === uri('inner/app.py')).every((d) => d.diagnostics.every((x) => x.severity === 2)), 'never published with the outer settings');
      assert.match(c.messages.map((m) => m.message).join('\n'), /cannot index .*no-such-folder/);
    } finally {
      c.close();
    }
  });
});

describe('fuzz: hostile files and random edits (bounded, seeded)', () => {
  test('300 random edits over real fixture files and hostile new files: no error response, and the last state equals a fresh check of the same texts', async () => {
    const fixtures = path.join(__dirname, '..', 'fixtures', 'rules');
    const sources: Record<string, string> = {
      'py/app.py': fs.readFileSync(path.join(fixtures, 'python-redis-py', 'app.py'), 'utf8'),
      'js/stock.js': fs.readFileSync(path.join(fixtures, 'node-ioredis', 'src', 'stock.js'), 'utf8'),
      'go/orders.go': fs.readFileSync(path.join(fixtures, 'go-redis-v9-18', 'store', 'orders.go'), 'utf8'),
    };
    const dir = workspace(sources);
    const c = await startTestServer(dir);
    // a small deterministic generator (mulberry32): the same run every time
    let seed = 20261205;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    const SNIPPETS = ['(', ')', '{', '}', '"', "'", '`', '\r', '\n', '\0', '\uFFFD', '{user:', '}:x', 'rc.mget("a", "b")', 'await ', '# keyslot-ignore', '// keyslot-ignore crossslot', '['.repeat(300), '"a" + '.repeat(300), 'x'.repeat(5000), '\u{1F600}'];
    const texts = new Map(Object.entries(sources));
    const versions = new Map<string, number>();
    const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
    try {
      await c.ready();
      for (const rel of texts.keys()) {
        versions.set(rel, 1);
        await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(rel), languageId: rel.endsWith('.py') ? 'python' : rel.endsWith('.js') ? 'javascript' : 'go', version: 1, text: texts.get(rel) } });
      }
      for (let i = 0; i < 300; i++) {
        const rel = pick([...texts.keys()]);
        const text = texts.get(rel)!;
        const at = Math.floor(rand() * (text.length + 1));
        const cut = rand() < 0.4 ? Math.floor(rand() * 40) : 0;
        const next = text.slice(0, at) + (rand() < 0.7 ? pick(SNIPPETS) : '') + text.slice(Math.min(text.length, at + cut));
        texts.set(rel, next);
        const v = versions.get(rel)! + 1;
        versions.set(rel, v);
        await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(rel), version: v }, contentChanges: [{ text: next }] });
        if (i % 25 === 0) {
          // requests in between edits are answered, never with an error
          const lines = next.split('\n');
          const line = Math.floor(rand() * lines.length);
          await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri(rel) }, position: { line, character: Math.floor(rand() * (lines[line].length + 1)) } });
          await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri(rel) }, range: { start: { line, character: 0 }, end: { line, character: 0 } }, context: { diagnostics: [] } });
        }
      }
      // the end state: what the editor shows is what a fresh check of the same texts says
      const final = workspace(Object.fromEntries(texts));
      const cli = JSON.parse((await run('check', final, '--format', 'json')).out) as { diagnostics: { file: string; line: number; column: number; code: string }[] };
      for (const rel of texts.keys()) {
        const want = cli.diagnostics.filter((d) => d.file === rel).map((d) => `${d.line}:${d.column} ${d.code}`).sort();
        const key = (p: { diagnostics: { range: { start: { line: number; character: number } }; code?: unknown }[] }) => p.diagnostics.filter((d) => d.code).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`).sort();
        const got = await c.nextDiagnostics(uri(rel), (p) => JSON.stringify(key(p)) === JSON.stringify(want));
        assert.deepEqual(key(got), want, rel);
      }
    } finally {
      c.close();
    }
  });
});

describe('start-up', () => {
  test('the workspace is indexed once: the configuration notification an editor sends at start changes nothing, so it indexes nothing', async () => {
    const dir = workspace({ 'app.py': NEEDS_FINDING });
    const c = await startTestServer(dir);
    try {
      await c.ready();
      const begins = () => c.progress.filter((p) => (p as { value: { kind: string } }).value.kind === 'begin').length;
      assert.equal(begins(), 1);
      // the status that follows it is the answer; then a real change does index again
      const answered = c.nextStatus();
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
      assert.equal((await answered).state, 'ready');
      assert.equal(begins(), 1, 'no second indexing');
      c.settings = { severity: { crossslot: 'warning' } };
      await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
      const d = await c.nextDiagnostics(pathToFileURL(path.join(dir, 'app.py')).href, (p) => p.diagnostics.some((x) => x.code === 'crossslot' && x.severity === 2));
      assert.ok(d);
      assert.equal(begins(), 2, 'a changed setting indexes again');
    } finally {
      c.close();
    }
  });
});
