import type { Language } from '../extract/ir';
import type { KeyUse } from '../model/keyuse';
import type { Segment } from '../model/pattern';

/*
 * Edits inside the source of a key expression: where its literal characters are, so a hash tag
 * can be inserted (`"user:" + uid + ":profile"` → `"{user:" + uid + "}:profile"`) with the
 * escaping of each form (f-string and .format `{{`, template literal, Sprintf, Lua, .redis).
 */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

interface Region {
  /** file offset of the first literal character */
  start: number;
  end: number;
  /** braces in this literal are written doubled (f-string, str.format) */
  doubledBraces: boolean;
}

/** Literal character runs of a key expression, in order; interpolations and format specifiers are left out. */
export function literalRegions(text: string, start: number, end: number, language: Language): Region[] | null {
  const src = text.slice(start, end);
  const out: Region[] = [];
  if (language === 'redis') {
    const q = src[0] === '"' || src[0] === "'" ? 1 : 0;
    return [{ start: start + q, end: end - q, doubledBraces: false }];
  }
  const isFormatCall = /\.format\s*\(/.test(src);
  let i = 0;
  while (i < src.length) {
    let prefix = '';
    if (language === 'python') {
      const m = /^([rRbBuUfF]{1,2})(?=['"])/.exec(src.slice(i));
      if (m && (i === 0 || !/\w/.test(src[i - 1]))) {
        prefix = m[1].toLowerCase();
        i += m[1].length;
      }
    }
    const q = src[i];
    if (!(q === '"' || q === "'" || (q === '`' && language !== 'python' && language !== 'lua'))) {
      i++;
      continue;
    }
    const triple = language === 'python' && src.startsWith(q.repeat(3), i);
    const close = triple ? q.repeat(3) : q;
    i += close.length;
    const fstring = prefix.includes('f');
    const doubled = fstring || (language === 'python' && isFormatCall);
    let runStart = i;
    const flush = (to: number) => {
      if (to > runStart) out.push({ start: start + runStart, end: start + to, doubledBraces: doubled });
    };
    while (i < src.length && !src.startsWith(close, i)) {
      if (src[i] === '\\' && !prefix.includes('r')) {
        i += 2;
        continue;
      }
      // interpolations: f"{x}", `${x}`, "%d", "{}".format, "%s" % x
      const interp =
        (fstring || (language === 'python' && isFormatCall)) && src[i] === '{' && src[i + 1] !== '{'
          ? matchBrace(src, i)
          : (q === '`' || language === 'kotlin') && src.startsWith('${', i)
            ? matchBrace(src, i + 1)
            : language === 'kotlin' && src[i] === '$' && /[A-Za-z_]/.test(src[i + 1] ?? '')
              ? i + 1 + /^\w*/.exec(src.slice(i + 1))![0].length
              : (language === 'go' || language === 'java' || language === 'kotlin' || (language === 'python' && !fstring)) && src[i] === '%'
                ? printfEnd(src, i)
                : -1;
      if (interp > i) {
        flush(i);
        i = interp;
        runStart = i;
        continue;
      }
      if (doubled && (src.startsWith('{{', i) || src.startsWith('}}', i))) {
        i += 2;
        continue;
      }
      i++;
    }
    flush(i);
    i += close.length;
  }
  return out;
}

function matchBrace(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

function printfEnd(src: string, at: number): number {
  const m = /^%[-+ #0]*(\d+|\*)?(\.(\d+|\*))?[a-zA-Z]/.exec(src.slice(at));
  if (!m || m[0] === '%%') return -1;
  return at + m[0].length;
}

/** The literal characters of regions, read from the file (braces undoubled). */
function regionText(text: string, regions: Region[]): string {
  return regions.map((r) => (r.doubledBraces ? text.slice(r.start, r.end).replace(/\{\{/g, '{').replace(/\}\}/g, '}') : text.slice(r.start, r.end))).join('');
}

function patternLiterals(segs: Segment[]): string {
  return segs.map((s) => (s.kind === 'lit' ? s.text : '')).join('');
}

/** File offset of the n-th (0-based) occurrence of `ch` among the literal characters; regions must be brace-free there. */
function nthLiteral(text: string, regions: Region[], ch: string, n: number): { offset: number; region: Region } | null {
  let seen = 0;
  for (const r of regions) {
    for (let i = r.start; i < r.end; i++) {
      if (text[i] === ch && seen++ === n) return { offset: i, region: r };
    }
  }
  return null;
}

/**
 * The edits that put `{entity}` around the start of a key whose pattern begins with the entity
 * (`user:${uid}:profile` → `{user:${uid}}:profile`), or null when the source cannot be edited
 * safely (the literal text lives elsewhere, in a constant or a key builder).
 */
export function insertTagEdits(u: KeyUse, text: string, entity: Segment[]): TextEdit[] | null {
  const segs = u.pattern.segments;
  if (segs[0]?.kind !== 'lit' || entity[0]?.kind !== 'lit') return null;
  const regions = literalRegions(text, u.span.start, u.span.end, u.language);
  if (!regions || regions.length === 0) return null;
  if (regionText(text, regions) !== patternLiterals(segs)) return null;
  // the key must start with this literal: only a string prefix and quotes before it
  if (!/^(?:[rRbBuUfF]{0,2}["'`]{1,3})?$/.test(text.slice(u.span.start, regions[0].start))) return null;
  // the entity ends before the (colons in it + 1)-th literal ':' of the key, or at the key's end
  const colons = patternLiterals(entity).split(':').length - 1;
  const closeAt = nthLiteral(text, regions, ':', colons);
  const last = regions[regions.length - 1];
  const open = regions[0].doubledBraces ? '{{' : '{';
  const closeRegion = closeAt?.region ?? last;
  const close = closeRegion.doubledBraces ? '}}' : '}';
  return [
    { file: u.file, start: regions[0].start, end: regions[0].start, text: open },
    { file: u.file, start: closeAt ? closeAt.offset : last.end, end: closeAt ? closeAt.offset : last.end, text: close },
  ];
}

/** `purchase:{1001}` → `{purchase:1001}`: moves the tag's `{` to the start of the key. */
export function widenTagEdits(u: KeyUse, text: string): TextEdit[] | null {
  const segs = u.pattern.segments;
  if (segs[0]?.kind !== 'lit' || segs[0].text.indexOf('{') <= 0) return null;
  const regions = literalRegions(text, u.span.start, u.span.end, u.language);
  if (!regions || regions.length === 0 || regionText(text, regions) !== patternLiterals(segs)) return null;
  const brace = nthLiteral(text, regions, '{', 0);
  if (!brace || brace.region !== regions[0]) return null;
  const width = regions[0].doubledBraces ? 2 : 1;
  const ns = text.slice(regions[0].start, brace.offset);
  if (!/^[\w.-]+:$/.test(ns)) return null;
  return [
    { file: u.file, start: regions[0].start, end: regions[0].start, text: text.slice(brace.offset, brace.offset + width) },
    { file: u.file, start: brace.offset, end: brace.offset + width, text: '' },
  ];
}

/**
 * Where a key's hash tag `{…}` is written in the source, braces included: the literal runs only
 * (an interpolation inside the tag keeps its own colour). Empty when the key's text does not sit
 * in place (a constant, a key builder), so braces in other strings are never marked.
 */
export function hashTagRanges(u: KeyUse, text: string): { start: number; end: number }[] {
  if (u.hash.kind !== 'tag') return [];
  const regions = literalRegions(text, u.span.start, u.span.end, u.language);
  if (!regions?.length || regionText(text, regions) !== patternLiterals(u.pattern.segments)) return [];
  let open = -1;
  let close = -1;
  for (const r of regions) {
    // in f-strings and .format templates a literal brace is written twice
    const width = r.doubledBraces ? 2 : 1;
    for (let i = r.start; i < r.end && close < 0; i += text[i] === '{' || text[i] === '}' ? width : 1) {
      if (open < 0 && text[i] === '{') open = i;
      else if (open >= 0 && text[i] === '}') close = i + width;
    }
    if (close >= 0) break;
  }
  if (open < 0 || close < 0) return [];
  return regions.flatMap((r) => (r.end > open && r.start < close ? [{ start: Math.max(r.start, open), end: Math.min(r.end, close) }] : []));
}

/** The comment that silences a code on the line above, in the file's language. */
export function suppressComment(language: Language, code: string): string {
  const marker = language === 'python' || language === 'redis' ? '#' : language === 'lua' ? '--' : '//';
  return `${marker} keyslot-ignore ${code}`;
}
