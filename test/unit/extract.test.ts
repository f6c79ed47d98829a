import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { scan, ScanResult, LineMap } from '../../server/src/index/scan';
import { patternText } from '../../server/src/model/pattern';
import { slotVerdict } from '../../server/src/rules/groups';

/*
 * Fixtures say what a careful reader expects, line by line, in a comment:
 *   `expect: CMD pattern [=slot]; CMD pattern | group KIND SAMESLOT`
 * A line with no `expect:` must have no key uses, which is how look-alikes (dicts, maps, HTTP
 * clients) are checked. `expect-lua:` lists uses inside Lua source embedded in the file. Slots
 * written with `=` are CLUSTER KEYSLOT values from a real server (redis-facts.md).
 */
const root = path.join(__dirname, '..', 'fixtures', 'extract');

interface Expectation {
  uses: string[];
  group?: string;
}

function expectations(text: string): { lines: Map<number, Expectation>; lua: string[] } {
  const lines = new Map<number, Expectation>();
  const lua: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /expect:(.*)$/.exec(line);
    const l = /expect-lua:(.*)$/.exec(line);
    if (l) lua.push(...l[1].split(';').map((s) => s.replace(/@\d+/, '').trim()).filter(Boolean));
    if (!m) return;
    // `| group KIND SAMESLOT` ends the uses (a subcommand prints as `XGROUP|CREATE`)
    const [uses, group] = m[1].split(/\|\s*(?=group\b)/);
    lines.set(i + 1, { uses: uses.split(';').map((s) => s.trim()).filter(Boolean), group: group?.replace(/^\s*group\s+/, '').trim() });
  });
  return { lines, lua };
}

let result: ScanResult;

before(async () => {
  result = await scan(root, [root]);
});

describe('key uses in fixtures, per language and library', () => {
  const files = ['python', 'node', 'go', 'java', 'lua', 'redis'].flatMap((dir) => listAll(path.join(root, dir)));
  for (const abs of files) {
    const rel = path.relative(root, abs).split(path.sep).join('/');
    test(rel, () => {
      const text = fs.readFileSync(abs, 'utf8');
      const { lines, lua } = expectations(text);
      const lm = new LineMap(text);
      const uses = result.uses.filter((u) => u.file === rel);
      const hostUses = uses.filter((u) => u.language !== 'lua' || rel.endsWith('.lua'));
      const byLine = new Map<number, string[]>();
      for (const u of hostUses) {
        const line = lm.position(u.span.start).line;
        const use = `${u.command.toUpperCase()} ${patternText(u.pattern)}`;
        // the slot is compared where the fixture states one
        const withSlot = (lines.get(line)?.uses ?? []).some((w) => w.startsWith(use + ' =')) ? `${use} =${u.hash.slot}` : use;
        byLine.set(line, [...(byLine.get(line) ?? []), withSlot]);
      }
      const allLines = new Set([...lines.keys(), ...byLine.keys()]);
      for (const line of [...allLines].sort((a, b) => a - b)) {
        const want = (lines.get(line)?.uses ?? []).slice().sort();
        const got = (byLine.get(line) ?? []).slice().sort();
        assert.deepEqual(got, want, `${rel}:${line}: ${text.split('\n')[line - 1].trim()}`);
      }
      for (const [line, exp] of lines) {
        if (!exp.group) continue;
        const groups = result.groups.filter((g) => g.file === rel && lm.position(g.span.start).line === line && !g.parent);
        const got = groups.map((g) => {
          const ids = new Set([g.id, ...result.groups.filter((c) => c.parent === g.id).map((c) => c.id)]);
          return `${g.kind} ${slotVerdict(result.uses.filter((u) => u.group && ids.has(u.group))).sameSlot}`;
        });
        assert.ok(got.includes(exp.group), `${rel}:${line}: want group '${exp.group}', got [${got.join(', ')}]`);
      }
      if (!rel.endsWith('.lua')) {
        const luaUses = uses.filter((u) => u.language === 'lua');
        assert.deepEqual(luaUses.map((u) => `${u.command.toUpperCase()} ${patternText(u.pattern)}`).sort(), lua.slice().sort(), `${rel}: embedded Lua`);
        // positions map back into the host file: the span covers the key expression itself
        for (const u of luaUses) assert.match(text.slice(u.span.start, u.span.end), /^KEYS\[\d\]/, `${rel}: Lua span of ${patternText(u.pattern)}`);
      }
    });
  }
});

function listAll(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listAll(path.join(dir, e.name)) : /\.(py|js|ts|go|java|kt|lua|redis)$/.test(e.name) ? [path.join(dir, e.name)] : []));
}
