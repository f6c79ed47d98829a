import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { checkFolder } from '../../server/src/index/check';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { extractFile } from '../../server/src/index/analyze';
import { languageOfPath } from '../../server/src/extract/parser';
import { fixContext, TagFix, tagFixFor } from '../../server/src/fix/tagfix';
import type { TextEdit } from '../../server/src/lsp/keyedit';
import type { KeyUse } from '../../server/src/model/keyuse';
import { patternText } from '../../server/src/model/pattern';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { useClusterNode } from '../helpers/redis';

/*
 * The tag fix on keys written the way applications write them - a namespace constant, builders,
 * f-strings, str.format, Sprintf, String.format, concatenation, template literals - one workspace
 * per language under test/fixtures/tagfix. Every fix keyslot offers is applied to a copy: the
 * edits only add braces, and land where the keys are defined; every file still parses; the
 * findings are gone; the fixed keys, rendered with sample values, share a slot by CLUSTER KEYSLOT
 * on a real node; and the recorded renames say what moved.
 */
after(removeWorkspaces);
const node = useClusterNode();
const root = path.join(__dirname, '..', 'fixtures', 'tagfix');

function readAll(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, readAll(dir, r));
    else out[r] = fs.readFileSync(path.join(dir, r), 'utf8');
  }
  return out;
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** A key with each runtime value replaced by a sample (the same for the same expression). */
function render(u: KeyUse): string {
  return u.pattern.segments.map((s) => (s.kind === 'lit' ? s.text : `7${s.expr.replace(/\W/g, '')}`)).join('');
}

function isSubsequence(a: string, b: string): boolean {
  let i = 0;
  for (const c of b) if (c === a[i]) i++;
  return i === a.length;
}

const FIXABLE = /^(crossslot|crossslot-possible|pipeline-cross-node)$/;

/** Where each workspace's keys are defined: the fixes edit these files, and each of them. */
const DEFINED_IN: Record<string, string[]> = { python: ['app/keys.py', 'app/jobs.py'], go: ['store/orders.go'], node: ['src/queue.js', 'src/sessions.js'], java: ['src/main/java/com/example/shop/Profiles.java'] };

interface Case {
  name: string;
  files: Record<string, string>;
  /** where the keys are defined: the fixes edit these files, and each of them (unset: not checked) */
  definedIn?: string[];
}

const CASES: Case[] = [
  ...fs.readdirSync(root).sort().map((lang) => ({ name: lang, files: readAll(path.join(root, lang)), definedIn: DEFINED_IN[lang] })),
  // the bundled example: every fix it offers, applied one after another
  { name: 'examples/shop', files: readAll(path.join(__dirname, '..', '..', 'examples', 'shop')) },
];

describe('the tag fix, applied on real-style code in every language and on examples/shop', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const files = { ...c.files };
      let dir = workspace(files);
      let r = await checkFolder(dir, [dir], DEFAULT_SETTINGS);
      const edited = new Set<string>();
      const fixed = new Set<string>();
      const ctxOf = (x: typeof r) => fixContext(x.uses, () => [...x.verdicts.values()].map((v) => v.members), (f) => x.texts.get(f));
      assert.ok(r.findings.some((f) => FIXABLE.test(f.code)), 'the workspace has findings to fix');
      // fix one finding at a time, as a user would, while one has a fix
      for (let round = 0; round < 20; round++) {
        const candidates = r.findings.filter((f) => FIXABLE.test(f.code)).map((f) => ({ f, result: tagFixFor(r.verdicts.get(f.group!)!.members, ctxOf(r)) }));
        if (c.definedIn) for (const { f, result } of candidates) assert.ok('fix' in result, `a fix for ${f.file}:${f.code}: ${'reason' in result ? result.reason : ''}`);
        const next = candidates.find((x) => 'fix' in x.result);
        if (!next) break;
        const fix = (next.result as { fix: TagFix }).fix;
        fixed.add(fix.tag);
        if (c.definedIn) assert.ok(fix.edits.every((e) => c.definedIn!.includes(e.file)), `the fix edits where the keys are defined (${c.definedIn}), not the calls: ${JSON.stringify(fix.edits)}`);
        for (const e of fix.edits) edited.add(e.file);
        for (const file of new Set(fix.edits.map((e) => e.file))) {
          const before = r.texts.get(file)!;
          const after = apply(before, fix.edits.filter((e) => e.file === file));
          // only insertions: braces, or a tag's opening `{name:` - in a string, or concatenated next to a value (`"{" + ` before a configured prefix)
          for (const e of fix.edits.filter((x) => x.file === file)) {
            assert.equal(e.start, e.end, 'an insertion');
            assert.match(e.text, /^(\{+|\}+|\{+\w+:|"\{(\w+:)?" (\+|\.\.) | (\+|\.\.) "\}")$/, `${file}: ${e.text}`);
          }
          const language = languageOfPath(file)!;
          const was = (await extractFile(file, before, language)).syntaxErrors;
          assert.equal((await extractFile(file, after, language)).syntaxErrors, was, `${file} still parses:\n${after}`);
          files[file] = after;
        }
        // each renamed key gets the tag, and only gains text
        assert.ok(fix.renames.length > 0 && fix.renames.every((m) => m.to.includes(`{${fix.tag}}`) && isSubsequence(m.from, m.to)), JSON.stringify(fix.renames));
        // the renamed keys, with sample values, are in one slot on a real server
        const keys = [...new Set(fix.renames.map((m) => m.to.replace(/\$\{([^}]*)\}/g, (_, e: string) => `7${e.replace(/\W/g, '')}`)))];
        const slots = (await node().pipeline(keys.map((k) => ['CLUSTER', 'KEYSLOT', k]))) as number[];
        assert.equal(new Set(slots).size, 1, `${keys.join(', ')} are in slots ${slots.join(', ')}`);
        const before = new Map([...r.verdicts].map(([id, v]) => [id, v.sameSlot]));
        dir = workspace(files);
        r = await checkFolder(dir, [dir], DEFAULT_SETTINGS);
        // no group that shared a slot stops sharing it
        for (const [id, v] of r.verdicts) assert.ok(!(before.get(id) === 'yes' && v.sameSlot !== 'yes'), `${id} shared a slot before ${fix.tag}: ${v.reason}`);
      }
      assert.ok(fixed.size > 0, 'some fix was applied');
      // what is left has no fix: its keys share no entity
      const left = r.findings.filter((f) => FIXABLE.test(f.code)).map((f) => tagFixFor(r.verdicts.get(f.group!)!.members, ctxOf(r)));
      assert.deepEqual(left.filter((x) => 'fix' in x), [], 'no finding with a fix is left');
      if (c.definedIn) {
        assert.equal(left.length, 0, 'every finding is fixed');
        assert.deepEqual([...edited].sort(), [...c.definedIn].sort());
        const grouped = r.uses.filter((u) => u.group);
        assert.ok(grouped.every((u) => u.hash.kind === 'tag'), `every key used together with others is tagged: ${grouped.filter((u) => u.hash.kind !== 'tag').map((u) => `${u.file}:${render(u)}`)}`);
      }
    });
  }
});

describe('the tag fix refuses what a person must decide', () => {
  test("a key is not moved to another namespace's entity when it is also used with its own namespace's tagged keys", async () => {
    const dir = workspace({
      'app/cart.py': `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def header(user_id):
    return rc.mget(f"{{user:{user_id}}}:profile", f"cart:{user_id}:coupon")


def clear(user_id):
    return rc.rename(f"{{cart:{user_id}}}:items", f"cart:{user_id}:coupon")
`,
      'requirements.txt': 'redis==5.0.4\n',
    });
    const r = await checkFolder(dir, [dir], DEFAULT_SETTINGS);
    const ctx = fixContext(r.uses, () => [...r.verdicts.values()].map((v) => v.members), (f) => r.texts.get(f));
    const text = r.texts.get('app/cart.py')!;
    const at = (needle: string) => r.findings.find((f) => f.code === 'crossslot' && text.slice(0, f.span.start).split('\n').length === text.split('\n').findIndex((l) => l.includes(needle)) + 1)!;
    const header = tagFixFor(r.verdicts.get(at('mget').group!)!.members, ctx);
    assert.ok('reason' in header && /\{cart:\$\{user_id\}\}/.test(header.reason) && /decide which entity/.test(header.reason), JSON.stringify(header));
    const clear = tagFixFor(r.verdicts.get(at('rename').group!)!.members, ctx);
    assert.ok('fix' in clear && clear.fix.tag === 'cart:${user_id}', JSON.stringify(clear));
  });
});
