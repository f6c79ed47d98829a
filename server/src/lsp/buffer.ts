import { Position, Range, TextDocumentContentChangeEvent, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';

/**
 * An editor's buffer that takes edits as lines and makes its text only when asked. The library's
 * document rebuilds its whole text at every edit (a 5,000-line file: about 0.7 ms a keystroke), so
 * a burst of 60 edits cost 40 ms before keyslot analysed anything; here an edit splices the lines
 * it touches, and the text is joined once, when the burst is analysed. A text with a carriage
 * return (`\r\n` or a lone `\r` line break) is left to the library's document.
 */
export class EditorBuffer implements TextDocument {
  private text: string | undefined;
  private lines: string[] | undefined;
  private lineStarts: number[] | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    text: string,
  ) {
    this.text = text;
  }

  get lineCount(): number {
    return this.lines ? this.lines.length : this.starts().length;
  }

  getText(range?: Range): string {
    if (this.text === undefined) this.text = this.lines!.join('\n');
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  offsetAt(position: Position): number {
    const starts = this.starts();
    const text = this.getText();
    if (position.line >= starts.length) return text.length;
    if (position.line < 0) return 0;
    const start = starts[position.line];
    const end = position.line + 1 < starts.length ? starts[position.line + 1] - 1 : text.length;
    return Math.max(start, Math.min(start + position.character, end));
  }

  positionAt(offset: number): Position {
    const starts = this.starts();
    offset = Math.max(0, Math.min(offset, this.getText().length));
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] > offset) hi = mid;
      else lo = mid + 1;
    }
    const line = lo - 1;
    return { line, character: offset - starts[line] };
  }

  getLineRange(line: number): Range {
    const starts = this.starts();
    const l = Math.max(0, Math.min(line, starts.length - 1));
    const end = l + 1 < starts.length ? starts[l + 1] - 1 : this.getText().length;
    return line < 0 ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : { start: { line: l, character: 0 }, end: { line: l, character: end - starts[l] } };
  }

  getEOLCharacters(line: number): string {
    const starts = this.starts();
    return line >= 0 && line + 1 < starts.length ? '\n' : '';
  }

  /** Applies the edits to the lines; false, changing nothing, when one brings a carriage return (the caller uses the library's document). */
  update(changes: TextDocumentContentChangeEvent[], version: number): boolean {
    if (changes.some((c) => c.text.includes('\r'))) return false;
    for (const c of changes) {
      if (!('range' in c)) {
        this.text = c.text;
        this.lines = undefined;
        this.lineStarts = undefined;
        continue;
      }
      this.lines ??= this.getText().split('\n');
      const lines = this.lines;
      const [from, to] = ordered(c.range.start, c.range.end);
      const clamp = (p: Position) => {
        const line = Math.max(0, Math.min(p.line, lines.length - 1));
        const character = p.line >= lines.length ? lines[line].length : Math.max(0, Math.min(p.character, lines[line].length));
        return { line, character };
      };
      const a = clamp(from);
      const b = clamp(to);
      const joined = lines[a.line].slice(0, a.character) + c.text + lines[b.line].slice(b.character);
      const replacement = joined.includes('\n') ? joined.split('\n') : [joined];
      if (replacement.length === 1 && a.line === b.line) lines[a.line] = joined;
      else lines.splice(a.line, b.line - a.line + 1, ...replacement);
      this.text = undefined;
      this.lineStarts = undefined;
    }
    this.version = version;
    return true;
  }

  private starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const text = this.getText();
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return (this.lineStarts = starts);
  }
}

function ordered(a: Position, b: Position): [Position, Position] {
  return a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
}

/** The open documents, as EditorBuffers where the text allows (see EditorBuffer). */
export function editorBuffers(): TextDocuments<TextDocument> {
  return new TextDocuments<TextDocument>({
    create: (uri, languageId, version, content) => (content.includes('\r') ? TextDocument.create(uri, languageId, version, content) : new EditorBuffer(uri, languageId, version, content)),
    update: (document, changes, version) => {
      if (document instanceof EditorBuffer) {
        if (document.update(changes, version)) return document;
        return TextDocument.update(TextDocument.create(document.uri, document.languageId, document.version, document.getText()), changes, version);
      }
      return TextDocument.update(document, changes, version);
    },
  });
}
