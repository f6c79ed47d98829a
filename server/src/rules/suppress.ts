import { Code, Finding, isCode } from './finding';

/*
 * `keyslot-ignore <code>…` in a comment on the finding's line or the line above silences it; so
 * does one at the start of the whole call (for findings on one of a call's keys). Without codes,
 * every code is silenced. Comment markers of every supported language: # // -- /* and block `*`.
 */
const COMMENT = /(?:#|\/\/|--|\/\*|^\s*\*)[^\n]*?\bkeyslot-ignore\b([^\n]*)/;

/** The codes a line silences: a set, 'all', or null when it has no suppression. */
export function suppressionOn(line: string): Set<Code> | 'all' | null {
  const m = COMMENT.exec(line);
  if (!m) return null;
  const codes = new Set<Code>();
  for (const word of m[1].trim().split(/[\s,]+/)) {
    if (!isCode(word)) break;
    codes.add(word);
  }
  return codes.size ? codes : 'all';
}

/** Line starts of a file's text, kept by callers that judge the same texts again (`lines`). */
export type LineCache = Map<string, { starts: number[]; text: string }>;

export function unsuppressed(findings: Finding[], textOf: (file: string) => string | undefined, lines: LineCache = new Map()): Finding[] {
  const lineInfo = (file: string) => {
    let l = lines.get(file);
    if (!l || l.text !== (textOf(file) ?? '')) {
      const text = textOf(file) ?? '';
      const starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      lines.set(file, (l = { starts, text }));
    }
    return l;
  };
  const silenced = (file: string, offset: number, code: Code): boolean => {
    const { starts, text } = lineInfo(file);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    for (const n of [lo, lo - 1]) {
      if (n < 0) continue;
      const s = suppressionOn(text.slice(starts[n], n + 1 < starts.length ? starts[n + 1] - 1 : text.length));
      if (s === 'all' || s?.has(code)) return true;
    }
    return false;
  };
  return findings.filter((f) => !silenced(f.file, f.span.start, f.code) && !(f.anchor && silenced(f.file, f.anchor.start, f.code)));
}
