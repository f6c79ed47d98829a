import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { checkFolder } from '../../server/src/index/check';
import { DEFAULT_SETTINGS } from '../../server/src/protocol';
import { extractFile } from '../../server/src/index/analyze';
import { languageOfPath } from '../../server/src/extract/parser';
import { tagFixFor, usesWrittenIn } from '../../server/src/fix/tagfix';
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
const DEFINED_IN: Record<string, string[]> = { python: ['app/keys.py', 'app/jobs.py'], go: ['store/orders.go'], node: ['src/sessions.js'], java: ['src/main/java/com/example/shop/Profiles.java'] };

describe('the tag fix, applied on real-style code in every language', () => {
  for (const lang of fs.readdirSync(root).sort()) {
    test(lang, async () => {
      const files = readAll(path.join(root, lang));
      let dir = workspace(files);
      let r = await checkFolder(dir, [dir], DEFAULT_SETTINGS);
      const edited = new Set<string>();
      const findings = r.findings.filter((f) => FIXABLE.test(f.code));
      assert.ok(findings.length > 0, 'the fixture has findings to fix');
      // fix one finding at a time, as a user would, until none is left
      for (let round = 0; round < 5; round++) {
        const finding = r.findings.find((f) => FIXABLE.test(f.code));
        if (!finding) break;
        const v = r.verdicts.get(finding.group!)!;
        const result = tagFixFor(v.members, { writtenIn: usesWrittenIn(r.uses), text: (f) => r.texts.get(f), sameText: (u) => r.uses.filter((x) => patternText(x.pattern) === patternText(u.pattern)) });
        assert.ok('fix' in result, `a fix for ${finding.file}:${finding.code}: ${'reason' in result ? result.reason : ''}`);
        const { fix } = result;
        assert.ok(fix.edits.every((e) => DEFINED_IN[lang].includes(e.file)), `the fix edits where the keys are defined (${DEFINED_IN[lang]}), not the calls: ${JSON.stringify(fix.edits)}`);
        for (const e of fix.edits) edited.add(e.file);
        const next = { ...files };
        for (const file of new Set(fix.edits.map((e) => e.file))) {
          const before = r.texts.get(file)!;
          const fixed = apply(before, fix.edits.filter((e) => e.file === file));
          // only insertions: braces, or a tag's opening `{name:` - in a string, or concatenated next to a value
          for (const e of fix.edits.filter((x) => x.file === file)) {
            assert.equal(e.start, e.end, 'an insertion');
            assert.match(e.text, /^(\{+|\}+|\{+\w+:|"\{\w+:" (\+|\.\.) | (\+|\.\.) "\}")$/, `${file}: ${e.text}`);
          }
          const language = languageOfPath(file)!;
          const was = (await extractFile(file, before, language)).syntaxErrors;
          assert.equal((await extractFile(file, fixed, language)).syntaxErrors, was, `${file} still parses:\n${fixed}`);
          next[file] = fixed;
          files[file] = fixed;
        }
        // each renamed key gets the tag, and only gains text
        assert.ok(fix.renames.length > 0 && fix.renames.every((m) => m.to.includes(`{${fix.tag}}`) && isSubsequence(m.from, m.to)), JSON.stringify(fix.renames));
        dir = workspace(next);
        r = await checkFolder(dir, [dir], DEFAULT_SETTINGS);
        // every group whose keys are tagged now has them in one slot on a real server
        for (const g of r.verdicts.values()) {
          const keys = [...new Set(g.members.map(render))];
          if (keys.length < 2 || g.members.some((m) => m.hash.kind !== 'tag')) continue;
          const slots = (await node().pipeline(keys.map((k) => ['CLUSTER', 'KEYSLOT', k]))) as number[];
          assert.equal(new Set(slots).size, 1, `${keys.join(', ')} are in slots ${slots.join(', ')}`);
        }
      }
      assert.deepEqual(r.findings.filter((f) => FIXABLE.test(f.code)).map((f) => `${f.file}: ${f.message}`), [], 'every finding is fixed');
      assert.deepEqual([...edited].sort(), [...DEFINED_IN[lang]].sort());
      const grouped = r.uses.filter((u) => u.group);
      assert.ok(grouped.every((u) => u.hash.kind === 'tag'), `every key used together with others is tagged: ${grouped.filter((u) => u.hash.kind !== 'tag').map((u) => `${u.file}:${render(u)}`)}`);
    });
  }
});
