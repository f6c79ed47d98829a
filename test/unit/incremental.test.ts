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
