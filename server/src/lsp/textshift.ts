/**
 * How an editor's newer text of a file differs from the text keyslot last analysed: the one span
 * that changed (everything before it is where it was; everything after it moved by the length the
 * edits added). Hover and code actions answer from the last analysis while someone types, instead
 * of waiting for the analysis of a text the next keystroke makes stale; this moves their offsets
 * between the two texts. A place inside the changed span has no counterpart (undefined).
 */
export class TextShift {
  /** first offset that differs */
  readonly start: number;
  /** end of the changed span in the analysed text, and in the current one */
  readonly analysedEnd: number;
  readonly currentEnd: number;

  constructor(analysed: string, current: string) {
    const max = Math.min(analysed.length, current.length);
    let start = 0;
    while (start < max && analysed.charCodeAt(start) === current.charCodeAt(start)) start++;
    let tail = 0;
    while (tail < max - start && analysed.charCodeAt(analysed.length - 1 - tail) === current.charCodeAt(current.length - 1 - tail)) tail++;
    this.start = start;
    this.analysedEnd = analysed.length - tail;
    this.currentEnd = current.length - tail;
  }

  /** An offset in the current text → the same place in the analysed text. */
  toAnalysed(offset: number): number | undefined {
    return move(offset, this.start, this.currentEnd, this.analysedEnd - this.currentEnd);
  }

  /** An offset in the analysed text → the same place in the current text. */
  toCurrent(offset: number): number | undefined {
    return move(offset, this.start, this.analysedEnd, this.currentEnd - this.analysedEnd);
  }

  /** A span of the analysed text in the current one, when neither end is inside the change. */
  spanToCurrent(span: { start: number; end: number }): { start: number; end: number } | undefined {
    // a span that encloses the change whole (a function being edited) has moved ends but is not the same text
    if (span.start < this.start && span.end > this.analysedEnd) return undefined;
    const start = this.toCurrent(span.start);
    const end = this.toCurrent(span.end);
    return start === undefined || end === undefined ? undefined : { start, end };
  }
}

function move(offset: number, start: number, end: number, delta: number): number | undefined {
  if (offset <= start) return offset;
  if (offset >= end) return offset + delta;
  return undefined;
}
