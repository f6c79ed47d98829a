import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { NO_KWARGS } from '../../server/src/extract/base';
import type { CallSite, Expr, FileFacts } from '../../server/src/extract/ir';
import { packCalls, unpackCalls } from '../../server/src/extract/packed';
import { languageOfPath } from '../../server/src/extract/parser';
import { callsReadElsewhere } from '../../server/src/clients/calls';
import { extractFile } from '../../server/src/index/analyze';

/*
 * A batch run packs each file's calls after extraction and unpacks them for the file's turn in
 * analyze() (extract/packed.ts). What comes back must be the same calls: equal values, the same
 * objects shared where they were shared, the shared NO_KWARGS itself. Checked on every source
 * file of the fixtures and the example, and on values the extractors rarely make.
 */
const repo = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return languageOfPath(p) ? [p] : [];
  });
}

/** Every object and array reachable from `root`, in a fixed walk order (so two equal graphs line up). */
function objectsOf(root: unknown): object[] {
  const out: object[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(root);
  return out;
}

/** How the walk meets objects again: for each visit, the index of the object visited (shared ones repeat). */
function sharing(root: unknown): number[] {
  const index = new Map(objectsOf(root).map((o, i) => [o, i]));
  const visits: number[] = [];
  const done = new Set<object>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object') return;
    visits.push(index.get(v)!);
    if (done.has(v)) return;
    done.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(root);
  return visits;
}

function roundTrip(calls: CallSite[], source: string): CallSite[] {
  return unpackCalls(packCalls(calls, source));
}

describe('packed calls', () => {
  const files = [...sourceFiles(path.join(repo, 'test', 'fixtures')), ...sourceFiles(path.join(repo, 'examples', 'shop'))];

  test('come back equal, with the same sharing, for every fixture and example file', async () => {
    let calls = 0;
    let shared = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const facts = await extractFile(path.relative(repo, file), text, languageOfPath(file)!);
      const back = roundTrip(facts.calls, text);
      assert.deepStrictEqual(back, facts.calls, file);
      assert.deepStrictEqual(sharing(back), sharing(facts.calls), `${file}: objects shared differently`);
      const noKwargs = (cs: CallSite[]) => cs.map((c) => c.call.kwargs === NO_KWARGS);
      assert.deepStrictEqual(noKwargs(back), noKwargs(facts.calls), `${file}: NO_KWARGS not kept`);
      calls += facts.calls.length;
      shared += facts.calls.filter((c) => c.call.callee.k === 'attr' && facts.calls.some((d) => d.call === (c.call.callee as { object: Expr }).object)).length;
    }
    // the fixtures do have chained calls, so sharing was really checked
    assert.ok(calls > 1000, `${calls} calls`);
    assert.ok(shared > 10, `${shared} chained calls`);
  });

  test('keep numbers, strings, undefined fields and texts that are not the source under the span', () => {
    const source = 'r.set("k:é", 1)';
    const span = { start: 0, end: source.length };
    const odd: Expr = { span: { start: 6, end: 11 }, text: 'not the source', k: 'str', value: 'k:é\u{1F600}' };
    const call: Expr = {
      span,
      text: source,
      k: 'call',
      callee: { span: { start: 0, end: 5 }, text: 'r.set', k: 'attr', object: { span: { start: 0, end: 1 }, text: 'r', k: 'name', name: 'r' }, name: 'set' },
      args: [odd, { span: { start: 13, end: 14 }, text: '1', k: 'num', value: -0 }, { span: { start: 13, end: 14 }, text: '1', k: 'num', value: 1.5 }, { span: { start: 13, end: 14 }, text: '1', k: 'num', value: -(2 ** 45) }, { span: { start: 13, end: 14 }, text: '1', k: 'num', value: -7 }],
      kwargs: { ex: { span: { start: 2, end: 1 }, text: '', k: 'other' } },
      isNew: false,
      id: 3,
    };
    const sites: CallSite[] = [{ call, scope: 'module', boundAs: undefined }, { call, scope: 'f' }];
    const back = roundTrip(sites, source);
    assert.deepStrictEqual(back, sites);
    assert.ok(Object.is((back[0].call as { args: { value: number }[] }).args[1].value, -0));
    assert.strictEqual(back[0].call, back[1].call);
    assert.ok('boundAs' in back[0] && !('boundAs' in back[1]));
  });

  test('refuse what is not plain data', () => {
    const source = 'x()';
    const bad = { span: { start: 0, end: 3 }, text: source, k: 'other', extra: new Map() } as unknown as Expr;
    assert.throws(() => packCalls([{ call: bad as never, scope: 'module' }], source), /only plain objects/);
  });
});

describe('calls other files read', () => {
  const facts = (file: string, text: string): Promise<FileFacts> => extractFile(file, text, languageOfPath(file)!);

  test('Lettuce and Redisson routing config calls stay; other calls go', async () => {
    const f = await facts(
      'Conn.java',
      `import io.lettuce.core.ReadFrom;
class Conn {
  void open(RedisClusterClient client, Config config) {
    StatefulRedisClusterConnection<String, String> c = client.connect();
    c.setReadFrom(ReadFrom.REPLICA);
    config.setReadMode(ReadMode.MASTER);
    config.useSingleServer().setAddress("redis://x");
    System.out.println(c.sync().get("k"));
  }
}`,
    );
    const kept = callsReadElsewhere(f).map((s) => (s.call.callee.k === 'attr' ? s.call.callee.name : s.call.text));
    assert.deepStrictEqual(kept.sort(), ['setReadFrom', 'setReadMode', 'useSingleServer']);
    assert.ok(f.calls.length > kept.length + 3);
  });

  test('a call a function literal is passed to stays (a typed pipeline parameter names its group by it)', async () => {
    const f = await facts(
      'pipe.go',
      `package p
import "github.com/redis/go-redis/v9"
func run(ctx context.Context, rdb *redis.ClusterClient) {
	rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		pipe.Set(ctx, "a", 1, 0)
		return nil
	})
	fmt.Println("done")
}`,
    );
    assert.deepStrictEqual(
      callsReadElsewhere(f).map((s) => s.call.text.split('(')[0]),
      ['rdb.Pipelined'],
    );
  });
});
