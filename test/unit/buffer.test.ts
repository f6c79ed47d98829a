import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { EditorBuffer, editorBuffers } from '../../server/src/lsp/buffer';
import { TextShift } from '../../server/src/lsp/textshift';

/*
 * The server's open buffers (EditorBuffer) must read exactly as the library's TextDocument after
 * any sequence of incremental edits an editor can send; and TextShift must move offsets between two versions of a text so that the same
 * characters are found at both ends.
 */

/** a small deterministic generator, so a failure names its seed */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['', 'a', 'key', '\n', 'x\ny', '\n\n', 'r.get("{u:1}:a")', '  ', 'é', '😀'];

/** an edit at places that exist (the library's document mis-applies ranges past the last line; editors do not send them) */
function randomChange(doc: TextDocument, next: () => number): TextDocumentContentChangeEvent {
  const pos = () => {
    const line = Math.floor(next() * doc.lineCount);
    const length = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\n$/, '').length;
    return { line, character: Math.floor(next() * (length + 1)) };
  };
  return { range: { start: pos(), end: pos() }, text: PIECES[Math.floor(next() * PIECES.length)] };
}

describe('EditorBuffer', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`reads as TextDocument after 300 random edits (seed ${seed})`, () => {
      const next = random(seed);
      const start = 'import redis\nr = redis.Redis()\n\nr.mget("a", "b")\n';
      let reference = TextDocument.create('file:///a.py', 'python', 1, start);
      const buffer = new EditorBuffer('file:///a.py', 'python', 1, start);
      for (let v = 2; v < 302; v++) {
        // some edits come two to a notification, as editors send multi-cursor typing
        const changes = [randomChange(reference, next)];
        if (next() < 0.2) {
          // each change of a notification is in the text the ones before it made
          const between = TextDocument.update(TextDocument.create(reference.uri, 'python', 0, reference.getText()), changes, 0);
          changes.push(randomChange(between, next));
        }
        reference = TextDocument.update(reference, changes, v);
        assert.equal(buffer.update(changes, v), true);
        // read only now and then: the buffer joins its lines when read
        if (v % 7 === 0 || v > 290) {
          assert.equal(buffer.getText(), reference.getText(), `text after edit ${v}`);
          assert.equal(buffer.lineCount, reference.lineCount);
          const text = reference.getText();
          for (let k = 0; k < 20; k++) {
            const offset = Math.floor(next() * (text.length + 3)) - 1;
            assert.deepEqual(buffer.positionAt(offset), reference.positionAt(offset), `positionAt(${offset})`);
            const position = { line: Math.floor(next() * (reference.lineCount + 1)), character: Math.floor(next() * 15) };
            assert.equal(buffer.offsetAt(position), reference.offsetAt(position), `offsetAt(${JSON.stringify(position)})`);
          }
        }
      }
      assert.equal(buffer.version, 301);
    });
  }

  test('a carriage return leaves the document to the library, with every edit applied', () => {
    const docs = editorBuffers();
    const config = (docs as unknown as { _configuration: { create: typeof TextDocument.create; update: typeof TextDocument.update } })._configuration;
    const created = config.create('file:///b.ts', 'typescript', 1, 'a\nb\n');
    assert.ok(created instanceof EditorBuffer);
    const edited = config.update(created, [{ range: { start: { line: 1, character: 1 }, end: { line: 1, character: 1 } }, text: '\r\nc' }], 2);
    assert.equal(edited.getText(), 'a\nb\r\nc\n');
    assert.deepEqual(edited.positionAt(5), { line: 2, character: 0 });
    assert.ok(!(config.create('file:///c.ts', 'typescript', 1, 'a\r\nb') instanceof EditorBuffer));
  });
});

describe('TextShift', () => {
  test('finds the same characters on both sides of one edit, and nothing inside it', () => {
    const analysed = 'r.get("{u:1}:a")\nr.mget("{u:1}:a", "{u:1}:b")\n';
    const current = 'r.get("{u:1}:a")\n// typed\nr.mget("{u:1}:a", "u:1:b")\n';
    const shift = new TextShift(analysed, current);
    let inside = 0;
    for (let o = 0; o <= analysed.length; o++) {
      const moved = shift.toCurrent(o);
      if (moved === undefined) {
        inside++;
        continue;
      }
      // (an offset is a place between characters: at the change's start it is right before different ones)
      if (o < analysed.length && (o < shift.start || o >= shift.analysedEnd)) assert.equal(current[moved], analysed[o], `the character at ${o}`);
      assert.equal(shift.toAnalysed(moved), o, `offset ${o} and back`);
    }
    // no place between the start of `r.mget` (the typed line goes before it) and the deleted `}`
    assert.equal(inside, analysed.lastIndexOf('}:b') - analysed.indexOf('r.mget'));
    const key = analysed.indexOf('"{u:1}:b"');
    // the key that was edited has no place now; the one before the edit is where it was
    assert.equal(shift.spanToCurrent({ start: key, end: key + 9 }), undefined);
    assert.deepEqual(shift.spanToCurrent({ start: 6, end: 15 }), { start: 6, end: 15 });
    assert.equal(current.slice(shift.toCurrent(analysed.length - 1)!), '\n');
  });
});
