import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { checkFolder } from '../../server/src/index/check';
import { loadConfig } from '../../server/src/index/config';
import { LineMap } from '../../server/src/index/scan';
import { suppressionOn } from '../../server/src/rules/suppress';

/*
 * Rule fixtures: every folder under test/fixtures/rules is one workspace (its own manifests and
 * keyslot.config.json). A line that should carry findings says so in a comment:
 *   `finding: crossslot error; bare-tag`   (code, optionally the severity; several separated by ;)
 * Every other line must have none - which is how the negatives (tagged keys, same-variable tags,
 * split commands, suppressions) are checked. Findings are placed on their line of start.
 */
const root = path.join(__dirname, '..', 'fixtures', 'rules');

function listAll(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listAll(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('rule findings in fixtures, per language and library', () => {
  for (const ws of fs.readdirSync(root).sort()) {
    test(ws, async () => {
      const dir = path.join(root, ws);
      const { settings } = loadConfig(dir);
      const r = await checkFolder(dir, [dir], settings);
      const want = new Map<string, string[]>();
      for (const file of listAll(dir)) {
        const rel = path.relative(dir, file).split(path.sep).join('/');
        fs.readFileSync(file, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const m = /\bfinding:(.*)$/.exec(line);
            if (m) want.set(`${rel}:${i + 1}`, m[1].split(';').map((s) => s.trim()).filter(Boolean));
          });
      }
      const got = new Map<string, string[]>();
      for (const f of r.findings) {
        const line = new LineMap(r.texts.get(f.file)!).position(f.span.start).line;
        const k = `${f.file}:${line}`;
        got.set(k, [...(got.get(k) ?? []), `${f.code} ${f.severity}`]);
      }
      const problems: string[] = [];
      for (const k of [...new Set([...want.keys(), ...got.keys()])].sort()) {
        const w = want.get(k) ?? [];
        const g = got.get(k) ?? [];
        // an expectation without a severity matches any severity
        const unmatched = [...g];
        const missing: string[] = [];
        for (const e of w) {
          const i = unmatched.findIndex((x) => x === e || x.split(' ')[0] === e);
          if (i < 0) missing.push(e);
          else unmatched.splice(i, 1);
        }
        if (missing.length || unmatched.length) {
          const msgs = r.findings.filter((f) => `${f.file}:${new LineMap(r.texts.get(f.file)!).position(f.span.start).line}` === k).map((f) => `      ${f.code}: ${f.message}`);
          problems.push(`${k}: want [${w.join('; ')}], got [${g.join('; ')}]\n${msgs.join('\n')}`);
        }
      }
      assert.equal(problems.length, 0, `\n${problems.join('\n')}`);
      assert.ok(r.uses.length > 0, 'the fixture has key uses');
    });
  }
});

test('keyslot-ignore is read the same on long and odd lines: after a comment start, as a whole word', () => {
  const dashes = '-'.repeat(200_000);
  assert.equal(suppressionOn(`rc.mget(a, b)  # ${dashes}`), null);
  assert.deepEqual(suppressionOn(`rc.mget(a, b)  # ${dashes} keyslot-ignore crossslot`), new Set(['crossslot']));
  assert.equal(suppressionOn(`rc.mget(a, b)  -- keyslot-ignore`), 'all');
  assert.deepEqual(suppressionOn(`  * keyslot-ignore bare-tag, hot-tag`), new Set(['bare-tag', 'hot-tag']));
  // not in a comment, or part of another word
  assert.equal(suppressionOn(`key = "keyslot-ignore crossslot"`), null);
  assert.equal(suppressionOn(`# mykeyslot-ignore crossslot`), null);
  // the first word that is not a code ends the list
  assert.deepEqual(suppressionOn(`// keyslot-ignore crossslot because the tests run standalone`), new Set(['crossslot']));
});
