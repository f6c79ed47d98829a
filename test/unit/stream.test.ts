import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lazy, writeJson } from '../../server/src/cli/stream';
import { parserFor } from '../../server/src/extract/parser';
import { SyntaxTree } from '../../server/src/extract/tree';

/*
 * The pieces the cold index writes and passes around: JSON written in pieces must be byte for byte
 * what JSON.stringify(value, null, 2) gives, and a tree copied into a reused, larger buffer must
 * read back as one copied into a fresh one.
 */
const written = (v: unknown, depth?: number): string => {
  let s = '';
  writeJson(v, (x) => (s += x), depth);
  return s;
};

describe('writeJson', () => {
  const values: unknown[] = [
    { version: 1, root: '/r', files: 3, keys: [{ file: 'a.py', line: 1, tag: null, group: undefined, nested: { x: [1, [2, []], {}] } }], groups: [], diagnostics: [{}] },
    [],
    {},
    [undefined, null, 'x\ny "q"', 0.5, -0, true, [[[]]], { a: undefined }],
    { a: { b: { c: { d: [1, { e: 'f' }] } } }, u: undefined, s: 'ü €' },
    'plain',
    42,
    null,
  ];
  for (const [i, v] of values.entries())
    for (const depth of [0, 1, 2, 4, 9])
      test(`value ${i}, depth ${depth}`, () => {
        assert.equal(written(v, depth), JSON.stringify(v, null, 2) + '\n');
      });

  test('a Lazy is written as the array of its items', () => {
    const items = [{ a: 1 }, { b: [2, 3] }, undefined];
    const lazy = { keys: new Lazy((function* () {
      yield* items;
    })()), empty: new Lazy([]) };
    assert.equal(written(lazy), JSON.stringify({ keys: items, empty: [] }, null, 2) + '\n');
  });

  test('long documents come out in several pieces, the same bytes', () => {
    const big = { keys: Array.from({ length: 30000 }, (_, i) => ({ file: `f${i}.py`, line: i, pattern: 'k'.repeat(40) })) };
    const pieces: string[] = [];
    writeJson(big, (s) => pieces.push(s));
    assert.ok(pieces.length > 1);
    assert.equal(pieces.join(''), JSON.stringify(big, null, 2) + '\n');
  });
});

describe('SyntaxTree buffers', () => {
  test('a tree copied into a reused larger buffer reads as one in a fresh buffer', async () => {
    const parser = await parserFor('python');
    const src = 'import redis\nr = redis.Redis()\ndef f(uid):\n    r.set(f"user:{uid}", 1)\n    return r.get("k")\n';
    const tree = parser.parse(src)!;
    try {
      const fresh = SyntaxTree.fromTree(tree, src).data();
      const big = new ArrayBuffer(fresh.buffer.byteLength * 3);
      new Uint8Array(big).fill(0xab);
      const reused = SyntaxTree.fromTree(tree, src, (bytes) => (bytes <= big.byteLength ? big : undefined)).data(false);
      assert.equal(reused.buffer, big);
      const a = SyntaxTree.fromData(fresh, tree.language, src);
      const b = SyntaxTree.fromData(reused, tree.language, src);
      assert.equal(b.count, a.count);
      const dump = (t: SyntaxTree) => {
        const out: string[] = [];
        const walk = (n: ReturnType<SyntaxTree['node']>, depth: number) => {
          out.push(`${depth} ${n.type} ${n.startIndex}-${n.endIndex} ${n.text.length}`);
          for (const c of n.children) if (c) walk(c, depth + 1);
        };
        walk(t.rootNode, 0);
        return out;
      };
      assert.deepEqual(dump(b), dump(a));
    } finally {
      tree.delete();
    }
  });
});
