import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FolderIndex } from '../../server/src/index/folder';
import type { KeyUse } from '../../server/src/model/keyuse';
import { anchorOffset, originOffset } from '../../server/src/model/pattern';

/*
 * The tag fix asks which keys an edit changes: the uses whose literal text spans the edit's
 * position, or whose runtime value is anchored there. The folder answers from sorted places
 * (WrittenIn.at); it must answer exactly as looking through every use written in the file does,
 * on real-style workspaces, at every place a key is written and around it.
 */
const roots = [path.join(__dirname, '..', '..', 'examples', 'shop'), path.join(__dirname, '..', 'fixtures', 'vscode-monorepo')];

/** The plain reading of "an edit at one of these positions changes the use". */
function byLooking(uses: KeyUse[], file: string, positions: number[]): KeyUse[] {
  return uses.filter((u) =>
    u.pattern.segments.some((s) =>
      s.kind === 'lit'
        ? (s.from ?? []).some((o) => o.file === file && positions.some((p) => p >= originOffset(o) && p <= originOffset(o) + o.length))
        : [s.before, s.after].some((a) => a?.file === file && positions.includes(anchorOffset(a))),
    ),
  );
}

describe('keys by where they are written', () => {
  for (const root of roots) {
    test(`${path.basename(root)}: the uses an edit reaches, at every place a key is written`, async () => {
      const f = new FolderIndex(root);
      await f.indexAll();
      let asked = 0;
      let reached = 0;
      for (const file of f.texts.keys()) {
        const uses = f.writtenIn(file);
        // every start and end of a place, one before and after it, and a few pairs
        const places = new Set<number>();
        for (const u of uses)
          for (const s of u.pattern.segments) {
            const spans = s.kind === 'lit' ? (s.from ?? []).filter((o) => o.file === file).map((o) => [originOffset(o), originOffset(o) + o.length]) : [s.before, s.after].filter((a) => a?.file === file).map((a) => [anchorOffset(a!), anchorOffset(a!)]);
            for (const [a, b] of spans) for (const p of [a - 1, a, b, b + 1]) places.add(p);
          }
        const list = [...places].sort((a, b) => a - b);
        for (const p of list) {
          const got = f.writtenAt(file, [p]);
          assert.deepEqual(got, byLooking(uses, file, [p]), `${file} at ${p}`);
          asked++;
          reached += got.length;
        }
        for (let k = 0; k + 7 < list.length; k += 5) assert.deepEqual(f.writtenAt(file, [list[k + 7], list[k]]), byLooking(uses, file, [list[k], list[k + 7]]), `${file} at ${list[k]} and ${list[k + 7]}`);
      }
      assert.ok(asked > 50 && reached > 20, `asked at ${asked} places, ${reached} uses reached`);
    });
  }
});
