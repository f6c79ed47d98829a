import { Code, Finding, isCode } from './finding';

/*
 * `keyslot-ignore <code>…` in a comment on the finding's line or the line above silences it; so
 * does one at the start of the whole call (for findings on one of a call's keys). Without codes,
 * every code is silenced. Comment markers of every supported language: # // -- /* and block `*`.
 */
const MARKER = 'keyslot-ignore';

/**
 * The codes a line silences: a set, 'all', or null when it has no suppression. Linear in the line:
 * the marker is found first, then a comment start before it (a regex that tried each `-` or `/`
 * of a long comment as the start took seconds on one 100 kB line).
 */
export function suppressionOn(line: string): Set<Code> | 'all' | null {
  let at = line.indexOf(MARKER);
  while (at >= 0 && (isWordChar(line.charCodeAt(at - 1)) || isWordChar(line.charCodeAt(at + MARKER.length)))) at = line.indexOf(MARKER, at + 1);
  if (at < 0) return null;
  const before = line.slice(0, at);
  const commented = before.includes('#') || before.includes('//') || before.includes('--') || before.includes('/*') || /^\s*\*/.test(before);
  if (!commented) return null;
  const codes = new Set<Code>();
  for (const word of line.slice(at + MARKER.length).trim().split(/[\s,]+/)) {
    if (!isCode(word)) break;
    codes.add(word);
  }
  return codes.size ? codes : 'all';
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
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
  const marked = new Map<string, boolean>();
  const hasMarker = (file: string, text: string) => {
    let b = marked.get(file);
    if (b === undefined) marked.set(file, (b = text.includes(MARKER)));
    return b;
  };
  // each line is read once, however many findings sit on it (36k calls on one long line)
  const onLine = new Map<string, Map<number, ReturnType<typeof suppressionOn>>>();
  const suppressionAt = (file: string, n: number, starts: number[], text: string) => {
    let m = onLine.get(file);
    if (!m) onLine.set(file, (m = new Map()));
    let s = m.get(n);
    if (s === undefined) m.set(n, (s = suppressionOn(text.slice(starts[n], n + 1 < starts.length ? starts[n + 1] - 1 : text.length))));
    return s;
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
      // (most files have no suppression at all: one search of the text answers for all their lines)
      const s = hasMarker(file, text) ? suppressionAt(file, n, starts, text) : null;
      if (s === 'all' || s?.has(code)) return true;
    }
    return false;
  };
  return findings.filter((f) => !silenced(f.file, f.span.start, f.code) && !(f.anchor && silenced(f.file, f.anchor.start, f.code)));
}
