import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Hover, Location, Range, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { KeyMapResult } from '../../server/src/protocol';
import { extractFile } from '../../server/src/index/analyze';
import { readPlan } from '../../server/src/live/migrate';
import * as fs from 'fs';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { startTestServer, TestClient } from '../helpers/lsp';
import { useClusterNode } from '../helpers/redis';

/*
 * The language server over the real protocol (in process, two streams), on a small workspace.
 * Slots are CLUSTER KEYSLOT facts (redis-facts.md): {user:1001}:profile 5712, user:1001:profile 2549;
 * the keys a quick fix produces are checked with a real cluster-mode Redis.
 */
const CACHE = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def profile(uid):
    return rc.get("{user:1001}:profile")


def load_user():
    return rc.mget("user:1001:profile", "user:1001:settings")


def save_user():
    rc.set("user:1001:profile", "x")
`;
const STATS = `const Redis = require("ioredis");
const cluster = new Redis.Cluster([]);
async function hits() {
  return cluster.get("user:1001:profile");
}
`;

after(removeWorkspaces);

function applyEdit(text: string, edit: WorkspaceEdit, uri: string): string {
  const doc = TextDocument.create(uri, 'x', 0, text);
  const edits = (edit.documentChanges as TextDocumentEdit[]).filter((c) => c.textDocument?.uri === uri).flatMap((c) => c.edits as { range: Range; newText: string }[]);
  return TextDocument.applyEdits(doc, edits);
}

describe('language server (in process, over the protocol)', () => {
  let dir: string;
  let c: TestClient;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
  const node = useClusterNode();

  before(async () => {
    dir = workspace({ 'app/cache.py': CACHE, 'web/stats.js': STATS });
    c = await startTestServer(dir);
  });
  after(() => c.close());

  test('indexes the workspace with progress and publishes the crossslot error with related information', async () => {
    const d = await c.nextDiagnostics(uri('app/cache.py'));
    const cross = d.diagnostics.find((x) => x.code === 'crossslot');
    assert.ok(cross, JSON.stringify(d.diagnostics));
    assert.equal(cross.severity, 1);
    assert.equal(cross.range.start.line, CACHE.split('\n').findIndex((l) => l.includes('user:1001:settings')));
    assert.equal(cross.relatedInformation?.[0].location.uri, uri('app/cache.py'));
    // the code links to its page (docs/codes/crossslot.md)
    assert.match(cross.codeDescription?.href ?? '', /\/docs\/codes\/crossslot\.md$/);
    const kinds = c.progress.map((p) => (p as { value: { kind: string } }).value.kind);
    assert.deepEqual([kinds[0], kinds[kinds.length - 1]], ['begin', 'end']);
    assert.ok(c.progress.some((p) => /2\/2 files/.test(JSON.stringify(p))), JSON.stringify(c.progress));
    // once per index, in the output: the version, the folder, the files, the time
    const logged = c.logs.filter((m) => /indexed/.test(m.message));
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.match(logged[0].message, new RegExp(`^keyslot \\d+\\.\\d+\\.\\d+: indexed ${dir.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: 2 files, \\d+ key uses, in \\d+\\.\\d s$`));
  });

  test('hover on a key shows its slot, tag and owner; on a tagged key the tag', async () => {
    const line = CACHE.split('\n').findIndex((l) => l.includes('{user:1001}:profile'));
    const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri('app/cache.py') }, position: { line, character: CACHE.split('\n')[line].indexOf('{user') + 3 } })) as Hover;
    const md = (h.contents as { value: string }).value;
    assert.match(md, /slot \*\*5712\*\*/);
    assert.match(md, /hash tag `\{user:1001\}`/);
    assert.match(md, /primary 2 \(5461-10922/);
    const line2 = CACHE.split('\n').findIndex((l) => l.includes('rc.set('));
    const h2 = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri('app/cache.py') }, position: { line: line2, character: 14 } })) as Hover;
    const md2 = (h2.contents as { value: string }).value;
    assert.match(md2, /slot \*\*2549\*\*/);
    assert.match(md2, /SET ×1 \(write\)/);
    assert.match(md2, /GET ×1 \(read\)/, 'the same key read in web/stats.js counts too');
    assert.match(md2, /used 3× in 2 files/);
    // the client and how keyslot knows it are the client's hover; the key's stays short
    assert.doesNotMatch(md2, /is a redis-py/);
    const none = await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: uri('app/cache.py') }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
  });

  test('references find the key in every file; highlights stay in the file', async () => {
    const line = CACHE.split('\n').findIndex((l) => l.includes('rc.set('));
    const refs = (await c.conn.sendRequest('textDocument/references', { textDocument: { uri: uri('app/cache.py') }, position: { line, character: 14 }, context: { includeDeclaration: true } })) as Location[];
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
    const mget = lineOf(CACHE, 'rc.mget(');
    assert.deepEqual(refs.map((r) => `${path.basename(r.uri)}:${r.range.start.line}`).sort(), [`cache.py:${line}`, `cache.py:${mget}`, `stats.js:${lineOf(STATS, 'cluster.get(')}`].sort());
    const hl = (await c.conn.sendRequest('textDocument/documentHighlight', { textDocument: { uri: uri('app/cache.py') }, position: { line, character: 14 } })) as { range: { start: { line: number } }; kind: number }[];
    // LSP highlight kinds: 2 read, 3 write
    assert.deepEqual(hl.map((x) => [x.range.start.line, x.kind]), [[mget, 2], [line, 3]]);
    const syms = (await c.conn.sendRequest('workspace/symbol', { query: 'settings' })) as { name: string }[];
    assert.deepEqual(syms.map((s) => s.name), ['user:1001:settings']);
  });

  test('an edit republishes diagnostics; the tag quick fix edits every use of the keys, parses, and co-locates them on real Redis', async () => {
    const doc = uri('app/cache.py');
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc, languageId: 'python', version: 1, text: CACHE } });
    const edited = CACHE.replace('rc.set("user:1001:profile", "x")', 'rc.rename("a:1", "b:2")');
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc, version: 2 }, contentChanges: [{ text: edited }] });
    const d = await c.nextDiagnostics(doc, (p) => p.diagnostics.filter((x) => x.code === 'crossslot').length === 2);
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc, version: 3 }, contentChanges: [{ text: CACHE }] });
    const back = await c.nextDiagnostics(doc, (p) => p.diagnostics.filter((x) => x.code === 'crossslot').length === 1);
    const cross = back.diagnostics.find((x) => x.code === 'crossslot')!;
    assert.ok(d && cross);
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: doc }, range: cross.range, context: { diagnostics: [cross] } })) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred)!;
    assert.match(fix.title, /^Tag with \{user:1001\}: 4 places in 2 files$/);
    const ann = fix.edit!.changeAnnotations!.migration;
    assert.equal(ann.needsConfirmation, true);
    assert.match(ann.description!, /migration/);
    assert.ok(actions.some((a) => a.title === 'Suppress crossslot on this line (keyslot-ignore)'));
    // the renames are recorded for `keyslot migrate`, in the same edit and under the same confirmation
    const plan = (fix.edit!.documentChanges as TextDocumentEdit[]).find((c) => c.textDocument?.uri.endsWith('/keyslot.migrations.json'));
    assert.ok(plan, 'the fix records its renames');
    const planText = (plan.edits[0] as { newText: string }).newText;
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(planFile, planText);
    assert.deepEqual(readPlan(planFile), [
      { from: 'user:1001:profile', to: '{user:1001}:profile' },
      { from: 'user:1001:settings', to: '{user:1001}:settings' },
    ]);
    // and travel with the action for the editor's confirmation, with the uses each rename changes
    assert.deepEqual((fix.data as { renames: unknown[] }).renames, [
      { from: 'user:1001:profile', to: '{user:1001}:profile', uses: 3, files: 2 },
      { from: 'user:1001:settings', to: '{user:1001}:settings', uses: 1, files: 1 },
    ]);
    assert.ok((fix.edit!.documentChanges as { kind?: string; uri?: string }[]).some((c) => c.kind === 'create' && c.uri?.endsWith('/keyslot.migrations.json')), 'created, as it did not exist');
    const fixedPy = applyEdit(CACHE, fix.edit!, doc);
    const fixedJs = applyEdit(STATS, fix.edit!, uri('web/stats.js'));
    assert.match(fixedPy, /rc\.mget\("\{user:1001\}:profile", "\{user:1001\}:settings"\)/);
    assert.match(fixedJs, /cluster\.get\("\{user:1001\}:profile"\)/);
    assert.ok(!(await extractFile('cache.py', fixedPy, 'python')).syntaxErrors, 'the fixed Python parses');
    assert.ok(!(await extractFile('stats.js', fixedJs, 'javascript')).syntaxErrors, 'the fixed JavaScript parses');
    // the fixed keys share a slot on a real server
    const keys = [...fixedPy.matchAll(/"(\{user:1001\}:\w+)"/g)].map((m) => m[1]);
    assert.equal(keys.length, 4);
    const slots = await node().pipeline(keys.map((k) => ['CLUSTER', 'KEYSLOT', k]));
    assert.equal(new Set(slots).size, 1, `fixed keys ${keys.join(', ')} are in slots ${slots.join(', ')}`);
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc, version: 4 }, contentChanges: [{ text: fixedPy }] });
    const after = await c.nextDiagnostics(doc, (p) => !p.diagnostics.some((x) => x.code === 'crossslot'));
    assert.ok(after);
  });

  test('rename changes a literal key everywhere; settings changes apply without a restart', async () => {
    const doc = uri('app/cache.py');
    await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: doc, version: 5 }, contentChanges: [{ text: CACHE }] });
    await c.nextDiagnostics(doc, (p) => p.diagnostics.some((x) => x.code === 'crossslot'));
    const line = CACHE.split('\n').findIndex((l) => l.includes('rc.set('));
    const edit = (await c.conn.sendRequest('textDocument/rename', { textDocument: { uri: doc }, position: { line, character: 14 }, newName: 'user:1001:bio' })) as WorkspaceEdit;
    assert.equal(applyEdit(STATS, edit, uri('web/stats.js')), STATS.replace('user:1001:profile', 'user:1001:bio'));
    c.settings = { severity: { crossslot: 'warning' } };
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const d = await c.nextDiagnostics(doc, (p) => p.diagnostics.some((x) => x.code === 'crossslot' && x.severity === 2));
    assert.ok(d);
    const map = (await c.conn.sendRequest('keyslot/keyMap', {})) as { folders: { patterns: { pattern: string; slot: number | null; reads: number; writes: number }[] }[] };
    const p = map.folders[0].patterns.find((x) => x.pattern === 'user:1001:profile')!;
    assert.deepEqual([p.slot, p.reads, p.writes], [2549, 2, 1]);
  });
});

const REPLICA = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1, read_from_replicas=True)
primary = RedisCluster(host="h", port=1)


def save(uid):
    primary.set(f"{{user:{uid}}}:name", "x")
    return rc.get(f"{{user:{uid}}}:name")
`;

describe('language server: replica reads', () => {
  let dir: string;
  let c: TestClient;
  before(async () => {
    dir = workspace({ 'app.py': REPLICA });
    c = await startTestServer(dir);
  });
  after(() => c.close());

  test('hover on a client shows its routing; the quick fix reads through the primary client and the warning goes', async () => {
    const doc = pathToFileURL(path.join(dir, 'app.py')).href;
    const d = await c.nextDiagnostics(doc);
    const w = d.diagnostics.find((x) => x.code === 'replica-read-after-write')!;
    assert.ok(w, JSON.stringify(d.diagnostics));
    const readLine = REPLICA.split('\n').findIndex((l) => l.includes('rc.get('));
    assert.equal(w.range.start.line, readLine);
    const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: doc }, position: { line: readLine, character: REPLICA.split('\n')[readLine].indexOf('rc.') } })) as Hover;
    const md = (h.contents as { value: string }).value;
    assert.match(md, /reads go to primaries or replicas: read_from_replicas=True/);
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: doc }, range: w.range, context: { diagnostics: [w] } })) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred)!;
    assert.equal(fix.title, 'Read through `primary`, which reads from primaries');
    const edits = fix.edit!.changes![doc];
    const fixed = TextDocument.applyEdits(TextDocument.create(doc, 'python', 1, REPLICA), edits);
    assert.match(fixed, /return primary\.get\(f"\{\{user:\{uid\}\}\}:name"\)/);
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: doc, languageId: 'python', version: 1, text: fixed } });
    const after = await c.nextDiagnostics(doc, (p) => !p.diagnostics.some((x) => x.code === 'replica-read-after-write'));
    assert.ok(after);
  });
});

const INFRA = `from redis.cluster import RedisCluster


def make_client(**kw):
    return RedisCluster(**kw)
`;
const STORE = `from app.infra import make_client


class Store:
    def __init__(self, conn=None):
        self._c = conn

    def load(self, uid):
        return self._c.get(f"user:{uid}")


store = Store(make_client(host="h"))
`;
const HANDED = `class Limiter:
    def __init__(self, client):
        self.client = client

    def hit(self, key):
        self.client.hincrby("hits", key)
        return self.client.get(key)
`;

describe('language server: what the value analysis knows about a receiver', () => {
  let dir: string;
  let c: TestClient;
  before(async () => {
    dir = workspace({ 'app/infra.py': INFRA, 'app/store.py': STORE, 'lib/limiter.py': HANDED });
    c = await startTestServer(dir);
  });
  after(() => c.close());

  // on the client of `needle` (`self._c` of `self._c.get(`)
  const hover = async (rel: string, text: string, needle: string) => {
    const line = text.split('\n').findIndex((l) => l.includes(needle));
    const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, rel)).href }, position: { line, character: text.split('\n')[line].indexOf(needle) + needle.indexOf('.') + 2 } })) as Hover | null;
    assert.ok(h, `no hover at ${rel}:${line + 1}`);
    return (h.contents as { value: string }).value;
  };

  test('a client handed in through a constructor parameter and built by a factory in another module: the chain, with its places', async () => {
    await c.ready();
    const md = await hover('app/store.py', STORE, 'self._c.get(');
    assert.match(md, /`self\._c` is a redis-py cluster client:/);
    // each step names its line: the field assignment, the argument at the caller, the factory's return
    assert.match(md, /`self\._c` = `conn` at app\/store\.py:6/);
    assert.match(md, /parameter `conn` of `Store` = `make_client\(host="h"\)` at app\/store\.py:12/);
    assert.match(md, /`RedisCluster\(\*\*kw\)` at app\/infra\.py:5/);
  });

  test('a receiver known only by its Redis-only methods says medium confidence', async () => {
    const md = await hover('lib/limiter.py', HANDED, 'self.client.get(');
    assert.match(md, /`self\.client` is a redis-py client \(medium confidence\): `self\.client` calls Redis-only `hincrby` \(redis-py\) at lib\/limiter\.py:6/);
  });
});

const KEYS_PY = `CART_PREFIX = "cart:"


def items_key(user_id):
    return f"{CART_PREFIX}{user_id}:items"


def total_key(user_id):
    return CART_PREFIX + str(user_id) + ":total"
`;
const CART_PY = `from redis.cluster import RedisCluster

from app.keys import items_key, total_key

rc = RedisCluster(host="h", port=1)


def move(user_id):
    rc.rename(items_key(user_id), total_key(user_id))


def common(a, b):
    return rc.sinter(f"tags:{a}", f"tags:{b}")
`;

describe('language server: the tag fix where keys are defined', () => {
  let dir: string;
  let c: TestClient;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;

  before(async () => {
    dir = workspace({ 'app/keys.py': KEYS_PY, 'app/cart.py': CART_PY });
    c = await startTestServer(dir);
  });
  after(() => c.close());

  test('edits the constant and the builders once, not the call; the finding goes once applied', async () => {
    const d = await c.nextDiagnostics(uri('app/cart.py'), (p) => p.diagnostics.some((x) => x.code === 'crossslot'));
    const cross = d.diagnostics.find((x) => x.code === 'crossslot')!;
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri('app/cart.py') }, range: cross.range, context: { diagnostics: [cross] } })) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred)!;
    assert.equal(fix.title, 'Tag with {cart:${user_id}}: 3 places in 1 file');
    const changed = (fix.edit!.documentChanges as TextDocumentEdit[]).filter((x) => x.textDocument && !x.textDocument.uri.endsWith('.json')).map((x) => x.textDocument.uri);
    assert.deepEqual(changed, [uri('app/keys.py')], 'the call is not edited');
    const fixed = applyEdit(KEYS_PY, fix.edit!, uri('app/keys.py'));
    assert.equal(fixed, KEYS_PY.replace('"cart:"', '"{cart:"').replace('{user_id}:items', '{user_id}}}:items').replace('":total"', '"}:total"'));
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('app/keys.py'), languageId: 'python', version: 1, text: fixed } });
    const after = await c.nextDiagnostics(uri('app/cart.py'), (p) => !p.diagnostics.some((x) => x.code === 'crossslot'));
    assert.ok(after);
  });

  test('where no tag fits, the action is there but disabled, with the reason', async () => {
    const d = await c.nextDiagnostics(uri('app/cart.py'), (p) => p.diagnostics.some((x) => x.code === 'crossslot-possible'));
    const possible = d.diagnostics.find((x) => x.code === 'crossslot-possible')!;
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri('app/cart.py') }, range: possible.range, context: { diagnostics: [possible] } })) as CodeAction[];
    const disabled = actions.find((a) => a.disabled);
    assert.ok(disabled, JSON.stringify(actions.map((a) => a.title)));
    assert.match(disabled.disabled!.reason, /share no entity/);
    assert.ok(!disabled.edit);
  });
});

describe('language server: "Add entity hash tag" on any key', () => {
  let dir: string;
  let c: TestClient;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
  const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def order_items(order_id, n):
    return rc.lrange(f"order:{order_id}:items:{n}", 0, -1)
`;

  before(async () => {
    dir = workspace({ 'app/orders.py': APP });
    c = await startTestServer(dir);
  });
  after(() => c.close());

  test('offers each entity the key could be tagged with, as a refactor; none on a tagged key', async () => {
    await c.ready();
    const line = APP.split('\n').findIndex((l) => l.includes('rc.lrange'));
    const at = { line, character: APP.split('\n')[line].indexOf('order:') + 2 };
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri('app/orders.py') }, range: { start: at, end: at }, context: { diagnostics: [], only: ['refactor'] } })) as CodeAction[];
    assert.deepEqual(actions.map((a) => [a.title, a.kind]), [
      ['Add entity hash tag {order:${order_id}}: 1 place in 1 file', 'refactor.rewrite'],
      ['Add entity hash tag {order:${order_id}:items}: 1 place in 1 file', 'refactor.rewrite'],
    ]);
    assert.equal(applyEdit(APP, actions[0].edit!, uri('app/orders.py')), APP.replace('f"order:{order_id}:items:{n}"', 'f"{{order:{order_id}}}:items:{n}"'));
    assert.equal(applyEdit(APP, actions[1].edit!, uri('app/orders.py')), APP.replace('f"order:{order_id}:items:{n}"', 'f"{{order:{order_id}:items}}:{n}"'));
    const tagged = APP.replace('f"order:{order_id}:items:{n}"', 'f"{{order:{order_id}}}:items:{n}"');
    const analysed = c.nextStatus();
    await c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri('app/orders.py'), languageId: 'python', version: 1, text: tagged } });
    await analysed;
    const none = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri('app/orders.py') }, range: { start: at, end: at }, context: { diagnostics: [], only: ['refactor'] } })) as CodeAction[];
    assert.deepEqual(none, []);
  });
});

describe('language server: a tag fix that makes a hot tag says so', () => {
  let dir: string;
  let c: TestClient;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;
  const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def promote():
    rc.lmove("queue:emails:waiting", "queue:emails:active")
`;

  before(async () => {
    dir = workspace({ 'app/queue.py': APP });
    c = await startTestServer(dir, { hotTag: { threshold: 2 } });
  });
  after(() => c.close());

  test('a fixed tag reaching the hot-tag threshold is named in the title', async () => {
    const d = await c.nextDiagnostics(uri('app/queue.py'), (p) => p.diagnostics.some((x) => x.code === 'crossslot'));
    const cross = d.diagnostics.find((x) => x.code === 'crossslot')!;
    const actions = (await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri('app/queue.py') }, range: cross.range, context: { diagnostics: [cross] } })) as CodeAction[];
    assert.equal(actions.find((a) => a.isPreferred)?.title, 'Tag with {queue:emails}: 2 places in 1 file (a fixed tag: 2 key patterns on one slot)');
  });
});

describe('language server: findings in the key hover only for editors that do not show them', () => {
  const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def prices():
    return rc.mget("price:A100", "price:B200")
`;
  const hoverOn = async (c: TestClient, dir: string) => {
    await c.ready();
    const line = APP.split('\n').findIndex((l) => l.includes('price:B200'));
    const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'app.py')).href }, position: { line, character: APP.split('\n')[line].indexOf('price:B200') + 2 } })) as Hover;
    return (h.contents as { value: string }).value;
  };

  test('an editor that says it shows diagnostics in hovers (VS Code) gets the key alone; others get the finding too', async () => {
    const dir = workspace({ 'app.py': APP });
    const vscodeLike = await startTestServer(dir, {}, [], [], { diagnosticsInHover: true });
    const other = await startTestServer(dir);
    try {
      const short = await hoverOn(vscodeLike, dir);
      assert.match(short, /slot \*\*186\*\*/);
      assert.doesNotMatch(short, /crossslot/);
      assert.match(await hoverOn(other, dir), /\*\*crossslot\*\* \(error\): MGET fails on a cluster/);
    } finally {
      vscodeLike.close();
      other.close();
    }
  });
});

describe('language server: the key map', () => {
  const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def a(id, user_id, uid, userId, prefix):
    rc.get(f"session:{id}")
    rc.get(f"{{cart:{user_id}}}:items")
    rc.get(f"{{user:{uid}}}:profile")
    rc.get(f"{{user:{userId}}}:settings")
    rc.get(f"{prefix}:jobs")
`;

  test('tags by shape, their span from the literal braces, "tag unknown" apart, and a preview of each use', async () => {
    const dir = workspace({ 'app.py': APP });
    const c = await startTestServer(dir);
    try {
      await c.ready();
      const map = (await c.conn.sendRequest('keyslot/keyMap', {})) as KeyMapResult;
      const by = (p: string) => map.folders[0].patterns.find((x) => x.pattern === p)!;
      // `${id}` has braces, but no tag
      assert.deepEqual([by('session:${id}').tagSpan, by('session:${id}').tagShape, by('session:${id}').tagUnknown], [null, null, false]);
      // the whole tag, its closing brace included, not cut at the `}` of `${user_id}`
      const cart = by('{cart:${user_id}}:items');
      assert.equal(cart.pattern.slice(...cart.tagSpan!), '{cart:${user_id}}');
      // one entity whatever the variable is called
      assert.equal(by('{user:${uid}}:profile').tagShape, 'user:${…}');
      assert.equal(by('{user:${userId}}:settings').tagShape, 'user:${…}');
      assert.equal(by('${prefix}:jobs').tagUnknown, true);
      assert.equal(by('session:${id}').uses[0].preview, 'rc.get(f"session:{id}")');
    } finally {
      c.close();
    }
  });
});

describe('language server: key map counts', () => {
  // a cross-slot call (reported on the call, not on a key), a transaction over two commands, a script
  // call, a tag on a runtime value alone and a hot tag: each diagnostic is counted once, on one use
  const FILES: Record<string, string> = {
    'app/cart.py': `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def header(uid):
    rc.mget("price:A100", "price:B200")
    with rc.pipeline(transaction=True) as p:
        p.get(f"user:{uid}:profile")
        p.get(f"cart:{uid}:items")
        p.execute()
    rc.eval("return 1", 2, f"stock:{uid}", "stock:all")
    rc.get(f"{{{uid}}}:session")
`,
    'web/stats.js': `const Redis = require("ioredis");
const cluster = new Redis.Cluster([]);
async function hits(id) {
  await cluster.mget("views:" + id, "likes:" + id);
  return cluster.get("price:A100");
}
module.exports = { hits };
`,
  };

  test('the key map counts each diagnostic once, on one use, per file as the Problems panel does', async () => {
    const dir = workspace(FILES);
    const c = await startTestServer(dir);
    try {
      await c.ready();
      const map = (await c.conn.sendRequest('keyslot/keyMap', {})) as KeyMapResult;
      const published = new Map<string, number>();
      for (const rel of Object.keys(FILES)) {
        const uri = pathToFileURL(path.join(dir, rel)).href;
        published.set(uri, (await c.nextDiagnostics(uri)).diagnostics.length);
      }
      const counted = new Map<string, number>();
      for (const p of map.folders[0].patterns) for (const u of p.uses) counted.set(u.uri, (counted.get(u.uri) ?? 0) + u.findings);
      assert.ok([...published.values()].reduce((a, b) => a + b, 0) >= 4, JSON.stringify([...published]));
      assert.deepEqual(counted, published);
      assert.equal(map.folders[0].findings, [...published.values()].reduce((a, b) => a + b, 0));
      // a pattern's count is its uses' counts
      for (const p of map.folders[0].patterns) assert.equal(p.findings, p.uses.reduce((n, u) => n + u.findings, 0), p.pattern);
    } finally {
      c.close();
    }
  });
});

describe('language server: hover on KEYS[n] in a script', () => {
  const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)

LUA = """
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[2], v)
"""
copy = rc.register_script(LUA)


def move(uid):
    copy(keys=[f"{{user:{uid}}}:a", f"{{user:{uid}}}:b"])
`;

  test('shows the keys the calls pass there, not a slot for a made-up value', async () => {
    const dir = workspace({ 'app.py': APP });
    const c = await startTestServer(dir);
    try {
      await c.ready();
      const line = APP.split('\n').findIndex((l) => l.includes("'SET', KEYS[2]"));
      const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'app.py')).href }, position: { line, character: APP.split('\n')[line].indexOf('KEYS[2]') + 2 } })) as Hover;
      const md = (h.contents as { value: string }).value;
      assert.match(md, /`KEYS\[2\]` of the script/);
      assert.match(md, /`\{user:\$\{uid\}\}:b` \(tag `\{user:\$\{uid\}\}`\) at \[app\.py:12\]/);
      assert.doesNotMatch(md, /1001/);
    } finally {
      c.close();
    }
  });
});

describe('language server: where keyslot connects is the user\'s setting', () => {
  test('a "cluster" in keyslot.config.json is refused with the reason, and nothing is connected to', async () => {
    const dir = workspace({ 'app.py': 'from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.get("a")\n', 'keyslot.config.json': JSON.stringify({ cluster: '127.0.0.1:1' }) });
    const c = await startTestServer(dir);
    try {
      await c.ready();
      assert.ok(c.messages.some((m) => /"cluster" is read from the editor's settings only/.test(m.message)), JSON.stringify(c.messages));
      assert.ok(!c.logs.some((m) => /cluster at 127\.0\.0\.1:1/.test(m.message)), 'no connection was tried');
    } finally {
      c.close();
    }
  });
});

describe('language server: hover on the text keys are built from', () => {
  test('on a prefix constant, the key patterns it is part of and how often each is used', async () => {
    const dir = workspace({ 'app/keys.py': KEYS_PY, 'app/cart.py': CART_PY });
    const c = await startTestServer(dir);
    try {
      await c.ready();
      const line = KEYS_PY.split('\n').findIndex((l) => l.startsWith('CART_PREFIX'));
      const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'app/keys.py')).href }, position: { line, character: KEYS_PY.split('\n')[line].indexOf('cart:') + 1 } })) as Hover;
      const md = (h.contents as { value: string }).value;
      assert.match(md, /part of 2 key patterns/);
      assert.match(md, /`cart:\$\{user_id\}:items` \(no hash tag\), used 1×/);
      assert.match(md, /`cart:\$\{str\(user_id\)\}:total`|`cart:\$\{user_id\}:total`/);
      // the range is the literal it is written in
      assert.deepEqual(h.range?.start, { line, character: KEYS_PY.split('\n')[line].indexOf('cart:') });
    } finally {
      c.close();
    }
  });
});
