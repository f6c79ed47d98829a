import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { languageOfPath } from '../../server/src/extract/parser';
import { analyze, extractFile } from '../../server/src/index/analyze';
import { FolderIndex } from '../../server/src/index/folder';
import { EditCache } from '../../server/src/index/reparse';
import { topologyOf } from '../../server/src/index/config';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { Finding, runRules } from '../../server/src/rules';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * The language server updates its analysis edit by edit (only what an edit can affect is redone).
 * After every edit the incremental state must equal a fresh analysis of the same texts, and its
 * findings those of the batch pipeline the CLI runs.
 */
const KEYS = `PREFIX = "cart"


def cart_key(uid):
    return f"{PREFIX}:{uid}"


def profile_key(uid):
    return f"{{user:{uid}}}:profile"
`;
const SHOP = `from redis.cluster import RedisCluster
from app.keys import cart_key, profile_key

rc = RedisCluster(host="h", port=1, read_from_replicas=True)

LUA = """
redis.call('GET', KEYS[1])
redis.call('SET', 'audit:' .. ARGV[1], 1)
"""
audit = rc.register_script(LUA)


def load(uid):
    return rc.mget(cart_key(uid), profile_key(uid))


def save(uid):
    rc.set(profile_key(uid), "x")
    audit(keys=[profile_key(uid)], args=[uid])


def save_then_read(uid):
    save(uid)
    return rc.get(profile_key(uid))


def batch(uid):
    p = rc.pipeline()
    p.get("{user:1}:a")
    p.get("{user:2}:b")
    p.execute()
`;
const OTHER = `from redis.cluster import RedisCluster
from app.shop import save

rc = RedisCluster(host="h", port=1)
replica = RedisCluster(host="h", port=1, read_from_replicas=True)


def hot():
    rc.mget("{t:1}:a", "{t:1}:b", "{t:1}:c")
    rc.sunion("{7}:x", "{7}:y")


def refresh(uid):
    save(uid)
    return replica.get(f"{{user:{uid}}}:profile")
`;
const STATS = `const Redis = require("ioredis");
const { statKey } = require("./keys");
const cluster = new Redis.Cluster([]);
async function hits(id) {
  return cluster.mget(statKey(id), "{stat:1}:total");
}
`;
const JS_KEYS = `function statKey(id) {
  return "{stat:" + id + "}:hits";
}
module.exports = { statKey };
`;

after(removeWorkspaces);

const settings = { ...DEFAULT_SETTINGS, hotTag: { threshold: 2 } };

/** Everything the index answers from, in a comparable form (Maps and Sets as arrays). */
function snapshot(f: FolderIndex): string {
  const s = f.state;
  const at = (u: { file: string; span: { start: number } }) => `${u.file}@${u.span.start}`;
  const byId = <T>(xs: [string, T][]) => xs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(
    {
      uses: s.uses,
      groups: byId(s.groups.map((g) => [g.id, g])),
      scripts: byId([...s.scripts]),
      waits: s.waits,
      flowCalls: s.flowCalls,
      findings: s.findings,
      byFile: byId([...f.findingsByFile()]),
      verdicts: byId([...s.verdicts].map(([id, v]) => [id, { ...v, members: v.members.map(at), conflict: v.conflict?.map(at) }])),
      same: s.uses.map((u) => [f.samePattern(u).map(at), f.sameText(u).map(at), f.usesIn(u.file).length]),
    },
    (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v),
  );
}

/** A new index over the same texts, in the same file order, analysed in one go. */
async function fresh(a: FolderIndex): Promise<FolderIndex> {
  const b = new FolderIndex(a.root, a.settings);
  for (const [rel, text] of a.texts) await b.setText(rel, text);
  await b.reanalyze();
  return b;
}

/** The CLI's batch analysis and rules over the same texts (group ids differ: they are renumbered there). */
async function batchFindings(a: FolderIndex): Promise<string[]> {
  const facts = [];
  for (const [rel, text] of a.texts) facts.push(await extractFile(rel, text, languageOfPath(rel)!));
  const an = await analyze(facts, { extraClientNames: settings.clients.extraNames, replicaClients: settings.replicaClients });
  const r = runRules(an.uses, an.groups, { topology: topologyOf(settings.topology), versionOf: () => null, hotTagThreshold: settings.hotTag.threshold, severity: settings.severity, scripts: an.scripts, waits: an.waits, flowCalls: an.flowCalls, textOf: (file) => a.texts.get(file) });
  return r.findings.map(findingKey).sort();
}

const findingKey = (x: Finding) => JSON.stringify([x.file, x.span, x.code, x.severity, x.message, x.related, x.anchor]);
const codesIn = (f: FolderIndex, rel: string) => (f.findingsByFile().get(rel) ?? []).map((x) => x.code).sort();

describe('incremental analysis (language server) equals a fresh one', () => {
  test('after each edit of a sequence: key builders, constants, scripts, names, syntax errors, new and removed files', async () => {
    const dir = workspace({ 'app/keys.py': KEYS, 'app/shop.py': SHOP, 'app/other.py': OTHER, 'web/stats.js': STATS, 'web/keys.js': JS_KEYS });
    const f = new FolderIndex(dir, settings);
    await f.indexAll();
    const check = async (what: string) => {
      assert.equal(snapshot(f), snapshot(await fresh(f)), `after ${what}: incremental state differs from a fresh analysis`);
      assert.deepEqual(f.state.findings.map(findingKey).sort(), await batchFindings(f), `after ${what}: findings differ from the batch (CLI) pipeline`);
    };
    const edit = async (rel: string, change: (t: string) => string) => {
      await f.setText(rel, change(f.texts.get(rel)!));
      await f.reanalyze();
    };
    await check('indexing');
    assert.deepEqual(codesIn(f, 'app/shop.py'), ['crossslot', 'replica-read-after-write', 'script-undeclared-key']);

    // an edit elsewhere leaves an unaffected file's findings as they were (the same list, not redone)
    const otherBefore = f.findingsByFile().get('app/other.py');
    assert.ok(otherBefore?.length);
    await edit('web/stats.js', (t) => t.replace('"{stat:1}:total"', '"stat:1:total"'));
    await check('an edit of a JavaScript file');
    assert.equal(f.findingsByFile().get('app/other.py'), otherBefore);

    // the key builder used by another file: its keys now share the tag, the crossslot error goes
    await edit('app/keys.py', (t) => t.replace('return f"{PREFIX}:{uid}"', 'return f"{{user:{uid}}}:{PREFIX}"'));
    await check('an edit of a key builder in another file');
    assert.deepEqual(codesIn(f, 'app/shop.py'), ['replica-read-after-write', 'script-undeclared-key']);

    // a constant the builder reads
    await edit('app/keys.py', (t) => t.replace('PREFIX = "cart"', 'PREFIX = "basket"'));
    await check('an edit of a constant');
    assert.ok(f.state.uses.some((u) => u.file === 'app/shop.py' && /basket/.test(JSON.stringify(u.pattern))));

    // the JavaScript key builder, typed character by character (positions move under everything after it)
    for (const c of ['x', 'y']) {
      await edit('web/keys.js', (t) => t.replace('}:hits', `}:hits${c}`));
      await check(`typing ${c} in a JavaScript key builder`);
    }

    // the function another file calls writes another key now: the stale read there goes
    assert.ok(codesIn(f, 'app/other.py').includes('replica-read-after-write'));
    await edit('app/shop.py', (t) => t.replace('rc.set(profile_key(uid), "x")', 'rc.set(cart_key(uid), "x")'));
    await check('an edit of a function another file calls');
    assert.ok(!codesIn(f, 'app/other.py').includes('replica-read-after-write'), JSON.stringify(f.findingsByFile().get('app/other.py')));

    // inside the embedded Lua script: the undeclared key changes
    await edit('app/shop.py', (t) => t.replace("'audit:' .. ARGV[1]", "KEYS[1] .. ':audit'"));
    await check('an edit inside a Lua script');

    // text typed above everything in a file
    await edit('app/shop.py', (t) => `# header\n${t}`);
    await check('an edit at the top of a file');

    // a second definition of a builder another file resolves without an import hint
    await edit('app/other.py', (t) => `${t}\n\ndef cart_key(uid):\n    return "other:" + uid\n`);
    await check('a new definition of a name another file looks up');

    // a syntax error, then its fix
    await edit('app/keys.py', (t) => t.replace('def profile_key(uid):', 'def profile_key(uid'));
    await check('a syntax error');
    await edit('app/keys.py', (t) => t.replace('def profile_key(uid', 'def profile_key(uid):'));
    await check('fixing the syntax error');

    // a new file, then a removed one
    await f.setText('app/extra.py', 'from redis.cluster import RedisCluster\nrc = RedisCluster()\n\ndef f(uid):\n    rc.mget("a:" + uid, "b:" + uid)\n');
    await f.reanalyze();
    await check('a new file');
    assert.ok(codesIn(f, 'app/extra.py').length);
    f.remove('app/keys.py');
    await f.reanalyze();
    await check('removing the key builders');
    assert.ok(!f.state.uses.some((u) => u.file === 'app/shop.py' && /basket/.test(JSON.stringify(u.pattern))));
  });
});

/*
 * An open file is edited statement by statement: the statements an edit did not touch keep their
 * facts, their key uses stay the same objects (with scope ids brought up to date when they moved),
 * and the rules re-run only for the groups, tags and flows whose keys changed.
 */
const ORDERS = `from redis.cluster import RedisCluster
from app.shop import save

rc = RedisCluster(host="h", port=1, read_from_replicas=True)
TAG = "{order:1}"
rc.mget("{m:1}:a", "{m:2}:b")


def first(oid):
    return rc.mget(f"{{order:{oid}}}:a", f"{{order:{oid}}}:b")


def second(oid):
    p = rc.pipeline()
    p.get("{t:1}:a")
    p.get("{t:1}:b")
    p.get("{t:1}:c")
    p.execute()
    return rc.mget(TAG + ":x", TAG + ":y")


def third(oid):
    rc.sunion("{9}:x", "{9}:y")
    save(oid)
    return rc.get(f"{{user:{oid}}}:profile")


def fourth(oid):
    return rc.mget("{order:2}:a", "{order:2}:b")


def okey(oid):
    k = f"{{order:{oid}}}"
    return k + ":x"


def fifth(oid):
    rc.mget(okey(oid), f"{{order:{oid}}}:y")
    pipe.get("{p:1}:b")


pipe = rc.pipeline()


def sixth(oid):
    pipe.get("{p:1}:a")
    pipe.execute()
`;

describe('statement-level reuse in an open file', () => {
  test('edits above, between and inside statements; calls added and removed; a function renamed and moved; a suppression comment', async () => {
    const dir = workspace({ 'app/keys.py': KEYS, 'app/shop.py': SHOP, 'app/orders.py': ORDERS });
    const f = new FolderIndex(dir, settings);
    await f.indexAll();
    const rel = 'app/orders.py';
    const check = async (what: string) => {
      assert.equal(snapshot(f), snapshot(await fresh(f)), `after ${what}: incremental state differs from a fresh analysis`);
      assert.deepEqual(f.state.findings.map(findingKey).sort(), await batchFindings(f), `after ${what}: findings differ from the batch (CLI) pipeline`);
    };
    const edit = async (what: string, change: (t: string) => string) => {
      const before = f.texts.get(rel)!;
      const after = change(before);
      assert.notEqual(after, before, `${what}: the edit changes nothing`);
      await f.setText(rel, after);
      await f.reanalyze();
      await check(what);
    };
    // opening the file (same text): parsed, analysed and edited and undone to warm up, ending as it was
    const opened = f.usesIn(rel).length;
    await f.setText(rel, f.texts.get(rel)!);
    await f.reanalyze();
    await check('opening the file');
    assert.equal(f.usesIn(rel).length, opened);

    // an edit at the end keeps the first function's key uses as the same objects
    const firstUses = f.usesIn(rel).filter((u) => u.flow.endsWith(`fn@${f.texts.get(rel)!.indexOf('def first')}`));
    assert.equal(firstUses.length, 2);
    await edit('a changed key in the last function', (t) => t.replace('"{order:2}:b"', '"order:2:b"'));
    assert.ok(codesIn(f, rel).includes('crossslot'));
    for (const u of firstUses) assert.ok(f.usesIn(rel).includes(u), 'an unchanged statement keeps its key use objects');

    // a line above everything: every statement moves, scope ids and flows are renamed, the objects stay
    await edit('a line at the top', (t) => `# orders\n${t}`);
    for (const u of firstUses) assert.ok(f.usesIn(rel).includes(u), 'a moved statement keeps its key use objects');
    assert.ok(firstUses.every((u) => u.flow.endsWith(`fn@${f.texts.get(rel)!.indexOf('def first')}`)), 'their flows name the moved function');

    await edit('a call added above the others (call ids after it change)', (t) => t.replace('TAG = "{order:1}"', 'TAG = "{order:1}"\nrc.mget("{t:1}:q", "{t:1}:r")'));
    await edit('the call removed again', (t) => t.replace('\nrc.mget("{t:1}:q", "{t:1}:r")', ''));
    await edit('a call added inside a pipeline', (t) => t.replace('    p.get("{t:1}:c")\n', '    p.get("{t:1}:c")\n    p.get("t:1:d")\n'));
    assert.ok(codesIn(f, rel).includes('crossslot'));
    await edit('the call removed from the pipeline', (t) => t.replace('    p.get("t:1:d")\n', ''));
    await edit('a constant two statements use changes', (t) => t.replace('TAG = "{order:1}"', 'TAG = "order:1"'));
    await edit('a function renamed', (t) => t.replace('def third(oid):', 'def third_renamed(oid):'));
    await edit('two functions swapped', (t) => {
      const a = t.indexOf('def second');
      const b = t.indexOf('def third');
      const c = t.indexOf('def fourth');
      return t.slice(0, a) + t.slice(b, c) + t.slice(a, b) + t.slice(c);
    });
    await edit('a function moved to the top', (t) => {
      const a = t.indexOf('def fourth');
      const fourth = t.slice(a);
      const at = t.indexOf('def first');
      return t.slice(0, at) + fourth.trimEnd() + '\n\n\n' + t.slice(at, a).trimEnd() + '\n';
    });
    const cross = (f.findingsByFile().get(rel) ?? []).filter((x) => x.code === 'crossslot');
    assert.ok(cross.length);
    // a comment changes no facts, but suppresses a finding on the line below it
    const line = f.texts.get(rel)!.lastIndexOf('\n', cross[0].span.start) + 1;
    await edit('a suppression comment', (t) => `${t.slice(0, line)}    # keyslot-ignore crossslot\n${t.slice(line)}`);
    assert.equal((f.findingsByFile().get(rel) ?? []).filter((x) => x.code === 'crossslot').length, cross.length - 1);
    await edit('the suppression comment removed', (t) => t.replace('    # keyslot-ignore crossslot\n', ''));
    assert.equal((f.findingsByFile().get(rel) ?? []).filter((x) => x.code === 'crossslot').length, cross.length);
    // the same above a statement of its own: that statement is not extracted or interpreted again
    await edit('a suppression comment above a top-level call', (t) => t.replace('rc.mget("{m:1}', '# keyslot-ignore crossslot\nrc.mget("{m:1}'));
    assert.equal((f.findingsByFile().get(rel) ?? []).filter((x) => x.code === 'crossslot').length, cross.length - 1);
    await edit('that comment removed', (t) => t.replace('# keyslot-ignore crossslot\n', ''));
    // typed character by character inside a key, then a syntax error and its fix
    for (const c of ['x', 'y', 'z']) await edit(`typing ${c} in a key`, (t) => t.replace('}:profile', `}:profile${c}`));
    await edit('a syntax error', (t) => t.replace('def first(oid):', 'def first(oid'));
    await edit('fixing the syntax error', (t) => t.replace('def first(oid', 'def first(oid):'));
    // another file the edited one calls into
    await f.setText('app/shop.py', f.texts.get('app/shop.py')!.replace('rc.set(profile_key(uid), "x")', 'rc.set(cart_key(uid), "x")'));
    await f.reanalyze();
    await check('an edit of a function the open file calls');
    // what other statements' calls read: a key builder's local value, a pipeline another function made first, the client's options
    await edit('a key builder\'s local value', (t) => t.replace('k = f"{{order:{oid}}}"', 'k = f"order:{oid}"'));
    assert.ok(codesIn(f, rel).includes('crossslot'));
    // (the same calls: the other function's results are kept, but it makes the pipeline now)
    await edit('the first use of a shared pipeline moved to the client', (t) => t.replace('    pipe.get("{p:1}:b")\n', '    rc.get("{p:1}:b")\n'));
    await edit('and back', (t) => t.replace('    rc.get("{p:1}:b")\n', '    pipe.get("{p:1}:b")\n'));
    await edit('the first use of a shared pipeline removed', (t) => t.replace('    pipe.get("{p:1}:b")\n', ''));
    await edit('and put back', (t) => t.replace('f"{{order:{oid}}}:y")\n', 'f"{{order:{oid}}}:y")\n    pipe.get("{p:2}:b")\n'));
    await edit('the client\'s options', (t) => t.replace('read_from_replicas=True', 'read_from_replicas=False'));
    // other files change what the open file's calls read
    await f.setText('app/keys.py', f.texts.get('app/keys.py')!.replace('return f"{PREFIX}:{uid}"', 'return f"{{user:{uid}}}:{PREFIX}"'));
    await f.reanalyze();
    await check('an edit of a key builder in another file');
    await f.setText('app/keys.py', `${f.texts.get('app/keys.py')!}\n\ndef okey(oid):\n    return "k"\n`);
    await f.reanalyze();
    await check('a new definition in another file of a name the open file defines');
    await edit('a line at the top again', (t) => `# more\n${t}`);
    await edit('the last line removed', (t) => t.slice(0, t.trimEnd().lastIndexOf('\n') + 1));
  });
});

/** Every source file under a folder (Java too: it is extracted whole). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : languageOfPath(p) && languageOfPath(p) !== 'redis' ? [p] : [];
  });
}

const plain = (f: unknown) => JSON.parse(JSON.stringify(f, (_k, v: unknown) => (v instanceof Map ? [...v] : v)));

describe('re-extraction of an edited file equals extracting its whole text', () => {
  const root = path.join(__dirname, '..', '..');
  const files = [...sources(path.join(root, 'examples', 'shop')), ...sources(path.join(root, 'test', 'fixtures', 'rules'))];

  test(`${files.length} example and fixture files, each edited at the top, middle and end`, async () => {
    assert.ok(files.length > 20);
    for (const abs of files) {
      const language = languageOfPath(abs)!;
      const edits = new EditCache();
      let text = fs.readFileSync(abs, 'utf8');
      const steps: [string, (t: string) => string][] = [
        ['as read', (t) => t],
        // a comment line at the top moves every statement and scope id below it
        ['a line at the top', (t) => (language === 'python' ? '# note\n' : language === 'lua' ? '-- note\n' : '// note\n') + t],
        ['a character in the middle of a string', (t) => t.replace(/(["'])([^"'\n]{2})/, '$1x$2')],
        ['a new call near the end (call ids after it change)', (t) => insertCall(t, language)],
        ['deleting the first line', (t) => t.slice(t.indexOf('\n') + 1)],
      ];
      for (const [what, change] of steps) {
        text = change(text);
        const incremental = await extractFile(abs, text, language, 'module', edits);
        const whole = await extractFile(abs, text, language);
        assert.deepEqual(plain(incremental), plain(whole), `${path.relative(root, abs)}: ${what}`);
      }
    }
  });
});

/** A statement with a Redis call, placed before the last top-level statement (or at the end). */
function insertCall(t: string, language: string): string {
  const call = language === 'python' ? 'r.get("k:1")\n' : language === 'go' ? 'var _ = r.Get(ctx, "k:1")\n' : language === 'lua' ? "redis.call('GET', 'k:1')\n" : 'r.get("k:1");\n';
  const lines = t.split('\n');
  for (let i = lines.length - 1; i > 0; i--) if (/^\S/.test(lines[i]) && !/^[})\]]/.test(lines[i])) return [...lines.slice(0, i), call + lines[i], ...lines.slice(i + 1)].join('\n');
  return t + '\n' + call;
}
