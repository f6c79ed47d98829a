import { HASH_TAGS, HashingPolicy, HashKind, hashInfoOfString, isHashingPolicy, LockTagRule, policyMatch, TagRule } from './hashtag';
import { slotOfHashedBytes } from './slot';

/** Offsets into a file's text (UTF-16 code units, as JS strings and LSP count). */
export interface Span {
  start: number;
  end: number;
}

/**
 * A key as written in code: literal text and holes. A hole stands for a runtime value; `expr` is
 * its source text and `scope` says where that text is evaluated, so two holes are the same value
 * only when both match (same variable in the same function).
 */
export type Segment =
  | { kind: 'lit'; text: string; from?: Origin[] }
  | { kind: 'hole'; expr: string; scope: string; before?: Anchor; after?: Anchor };

/**
 * A place in the source next to a runtime value of a key, where a fix can add text: inside the
 * string that interpolates it (`f"job:{job_id}"`, `` `job:${id}` ``, a format placeholder), or
 * around the operand of a concatenation (`prefix + job_id` → `prefix + "{job:" + job_id + "}"`).
 */
export interface Anchor {
  file: string;
  /** the span object of an expression in the facts (moves with edits) and the offset from its start */
  base: Span;
  delta: number;
  form: 'string' | 'concat';
  /** for 'string': a brace is written twice there; for 'concat': the operator (`+`, Lua `..`) */
  doubled?: boolean;
  op?: string;
}

export function anchorOffset(a: Anchor): number {
  return a.base.start + a.delta;
}

/** Segments with `before` / `after` anchors on a runtime value at their edges, where none is set yet. */
export function anchorEdges(segs: Segment[], before: Anchor | undefined, after: Anchor | undefined): Segment[] {
  if (!segs.length || (!before && !after)) return segs;
  const out = segs.slice();
  const first = out[0];
  if (before && first.kind === 'hole' && !first.before) out[0] = { ...first, before };
  const last = out[out.length - 1];
  if (after && last.kind === 'hole' && !last.after) out[out.length - 1] = { ...last, after };
  return out;
}

/**
 * Where literal characters of a key are written in the source: `text[at, at + length)` is the
 * file's text `delta` characters into the expression at `base` (the span object of the string in
 * the file's facts, which moves with edits), exactly (no escapes in between) - so a fix can edit the
 * key where it is defined: a constant, a builder's template, a prefix.
 */
export interface Origin {
  at: number;
  length: number;
  file: string;
  base: Span;
  delta: number;
  /** a brace is written twice there (an f-string, a str.format template) */
  doubled?: boolean;
}

/** The file offset of an origin's first character. */
export function originOffset(o: Origin): number {
  return o.base.start + o.delta;
}

/** The literal `text`, written verbatim `delta` characters into the expression at `base` of `file`. */
export function sourcedLit(text: string, file: string, base: Span, delta: number, doubled?: boolean): Segment {
  return { kind: 'lit', text, from: text ? [{ at: 0, length: text.length, file, base, delta, ...(doubled ? { doubled } : {}) }] : undefined };
}

/** Characters [start, end) of a literal, with the origins of those characters. */
export function sliceLit(s: Extract<Segment, { kind: 'lit' }>, start: number, end: number): Segment {
  const text = s.text.slice(start, end);
  const from = s.from?.flatMap((o) => {
    const a = Math.max(o.at, start);
    const b = Math.min(o.at + o.length, end);
    return b > a ? [{ ...o, at: a - start, length: b - a, delta: o.delta + (a - o.at) }] : [];
  });
  return from?.length ? { kind: 'lit', text, from } : { kind: 'lit', text };
}

/** Two literals as one, each keeping where its characters are written. */
function joinLits(a: Extract<Segment, { kind: 'lit' }>, b: Extract<Segment, { kind: 'lit' }>): Segment {
  const from = [...(a.from ?? []), ...(b.from ?? []).map((o) => ({ ...o, at: o.at + a.text.length }))];
  return from.length ? { kind: 'lit', text: a.text + b.text, from } : { kind: 'lit', text: a.text + b.text };
}

export interface KeyPattern {
  segments: Segment[];
}

export function literalPattern(text: string): KeyPattern {
  return { segments: text ? [{ kind: 'lit', text }] : [] };
}

/** Joins adjacent literals and drops empty ones so equal patterns have equal segments. */
export function normalizeSegments(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    if (s.kind === 'lit') {
      if (!s.text) continue;
      const last = out[out.length - 1];
      if (last && last.kind === 'lit') out[out.length - 1] = joinLits(last, s);
      else out.push(s);
    } else out.push(s);
  }
  return out;
}

/** `{user:${uid}}:profile` - holes print as `${expression}` (the CLI JSON form). */
export function patternText(p: KeyPattern | Segment[]): string {
  const segs = Array.isArray(p) ? p : p.segments;
  return segs.map((s) => (s.kind === 'lit' ? s.text : '${' + s.expr + '}')).join('');
}

/** Identity of a pattern including hole scopes: equal ids mean the same runtime key. */
export function patternId(segs: Segment[]): string {
  return segs.map((s) => (s.kind === 'lit' ? JSON.stringify(s.text) : `\${${s.scope}|${s.expr}}`)).join('');
}

export function isLiteral(p: KeyPattern | Segment[]): boolean {
  const segs = Array.isArray(p) ? p : p.segments;
  return segs.every((s) => s.kind === 'lit');
}

export interface PatternHash {
  /** as in hashtag.ts; for patterns the first `{` and `}` are looked for in literal text only */
  kind: HashKind;
  /** the hashed part (tag or whole key) */
  hashed: Segment[];
  /** the tag's segments when kind is 'tag' */
  tag: Segment[] | null;
  /** slot when the hashed part is fully literal, else null (symbolic) */
  slot: number | null;
  /** identity of the hashed part: two patterns with equal ids are in the same slot whatever the values */
  hashId: string;
}

type Place = { seg: number; off: number };

/**
 * Where the rule's tag opens and closes in a pattern's literal text. A key whose leading literal
 * text is too short to show the rule's prefix is taken as not having it (the value decides).
 */
function findTag(segs: Segment[], rule: LockTagRule): { open: Place | null; close: Place | null; kind: HashKind } {
  const lead = segs[0]?.kind === 'lit' ? segs[0].text : '';
  if (!lead.startsWith(rule.prefix)) return { open: null, close: null, kind: 'whole' };
  const find = (ch: string, from: Place): Place | null => {
    for (let i = from.seg; i < segs.length; i++) {
      const s = segs[i];
      if (s.kind !== 'lit') continue;
      const o = s.text.indexOf(ch, i === from.seg ? from.off : 0);
      if (o >= 0) return { seg: i, off: o };
    }
    return null;
  };
  const open = find(rule.open, { seg: 0, off: 0 });
  if (!open) return { open: null, close: null, kind: 'whole' };
  let end = open;
  for (let i = 0; i <= rule.skip; i++) {
    const next = { seg: end.seg, off: end.off + 1 };
    const c = find(rule.close, next);
    if (!c) return { open, close: null, kind: 'unclosed' };
    // right after the last one, with no runtime value between: an empty part
    if (c.seg === next.seg && c.off === next.off) return { open, close: null, kind: 'empty-tag' };
    end = c;
  }
  return { open, close: end, kind: 'tag' };
}

/*
 * Holes are assumed to hold no `{` or `}`: ids, names and numbers do not, and assuming otherwise
 * would make every pattern with a hole unknowable. The literal braces decide the tag.
 */
export function hashOfPattern(p: KeyPattern, rule: TagRule = HASH_TAGS): PatternHash {
  const segs = normalizeSegments(p.segments);
  if (isLiteral(segs)) {
    const text = segs.map((s) => (s as { text: string }).text).join('');
    const info = hashInfoOfString(text, rule);
    const bytes = Buffer.from(text, 'utf8');
    const slot = info.kind === 'unmatched' ? null : slotOfHashedBytes(bytes.subarray(info.start, info.end));
    const hashed: Segment[] = info.hashed ? [{ kind: 'lit', text: info.hashed }] : [];
    return { kind: info.kind, hashed, tag: info.kind === 'tag' ? hashed : null, slot, hashId: info.kind === 'unmatched' ? `unmatched:${patternId(segs)}` : patternId(hashed) };
  }
  if (isHashingPolicy(rule)) return policyHashOfPattern(segs, rule);
  // the first `{` in literal text, then the first `}` after it (or the rule's own characters)
  const { open, close, kind: found } = findTag(segs, rule);
  let kind: HashKind = found;
  let hashed: Segment[];
  if (!open || !close) hashed = segs;
  else {
    const inner: Segment[] = [];
    for (let i = open.seg; i <= close.seg; i++) {
      const s = segs[i];
      if (s.kind === 'hole') {
        inner.push(s);
        continue;
      }
      const a = i === open.seg ? open.off + 1 : 0;
      const b = i === close.seg ? close.off : s.text.length;
      inner.push({ kind: 'lit', text: s.text.slice(a, b) });
    }
    hashed = normalizeSegments(inner);
    if (hashed.length === 0) {
      kind = 'empty-tag';
      hashed = segs;
    }
  }
  let slot: number | null = null;
  if (isLiteral(hashed)) {
    const text = hashed.map((s) => (s as { text: string }).text).join('');
    slot = slotOfHashedBytes(Buffer.from(text, 'utf8'));
  }
  return { kind, hashed, tag: kind === 'tag' ? hashed : null, slot, hashId: patternId(hashed) };
}

/** Where the hash tag's literal braces (the rule's characters) are in patternText(segs), [start, end) with them; null without a tag. */
export function tagSpanInText(segs: Segment[], rule: TagRule = HASH_TAGS): [number, number] | null {
  if (isHashingPolicy(rule)) {
    const t = policyTag(normalizeSegments(segs), rule);
    return t?.kind === 'tag' ? [t.textStart, t.textEnd] : null;
  }
  const { open, close, kind } = findTag(segs, rule);
  if (kind !== 'tag' || !open || !close) return null;
  const at = (p: Place) => segs.slice(0, p.seg).reduce((n, s) => n + (s.kind === 'hole' ? s.expr.length + 3 : s.text.length), 0) + p.off;
  return [at(open), at(close) + 1];
}

/*
 * A hashing policy on a pattern with runtime values. A regex can treat a value's characters any
 * way, so the pattern is matched with each value written as sample ids of digits and of letters
 * and digits; where every sample takes the same rule and the tag starts and ends at the same
 * literal characters or value edges, that is the pattern's tag. Otherwise the slot depends on the
 * values in a way keyslot cannot tell, and the whole pattern is taken as hashed (symbolic).
 */
const POLICY_SAMPLES = ['1001', '7f3a9c'];

interface PolicyTag {
  kind: HashKind;
  hashed: Segment[];
  /** the tag's offsets in patternText(segs) */
  textStart: number;
  textEnd: number;
}

function policyTag(segs: Segment[], p: HashingPolicy): PolicyTag | null {
  let agreed: (PolicyTag & { id: string }) | null = null;
  for (const sample of POLICY_SAMPLES) {
    // for each character of the sample key: its segment, its offset there (-1 in a value), and its offset in patternText
    const owner: { seg: number; off: number; text: number }[] = [];
    let key = '';
    let text = 0;
    segs.forEach((s, i) => {
      if (s.kind === 'lit') {
        for (let o = 0; o < s.text.length; o++) owner.push({ seg: i, off: o, text: text + o });
        key += s.text;
        text += s.text.length;
      } else {
        for (let o = 0; o < sample.length; o++) owner.push({ seg: i, off: -1, text });
        key += sample;
        text += s.expr.length + 3;
      }
    });
    owner.push({ seg: segs.length, off: 0, text });
    const m = policyMatch(key, p);
    let found: PolicyTag & { id: string };
    if (!m) found = { kind: 'unmatched', hashed: segs, textStart: 0, textEnd: text, id: 'unmatched' };
    else {
      const a = owner[m.start];
      const b = owner[m.end];
      // a tag that starts or ends inside a value takes part of it: what part depends on the value
      const edge = (o: { seg: number; off: number }, at: number) => o.off >= 0 || o.seg >= segs.length || owner[at - 1]?.seg !== o.seg;
      if (m.end > m.start && (!edge(a, m.start) || !edge(b, m.end))) return null;
      const hashed: Segment[] = [];
      for (let i = a.seg; i < segs.length && (i < b.seg || (i === b.seg && b.off > 0)); i++) {
        const s = segs[i];
        if (s.kind === 'hole') hashed.push(s);
        else hashed.push({ kind: 'lit', text: s.text.slice(i === a.seg && a.off > 0 ? a.off : 0, i === b.seg ? b.off : s.text.length) });
      }
      const norm = normalizeSegments(hashed);
      const whole = m.start === 0 && m.end === key.length;
      found = { kind: whole ? 'whole' : 'tag', hashed: whole ? segs : norm, textStart: a.text, textEnd: b.text, id: `${m.rule}:${patternId(norm)}` };
    }
    if (agreed && agreed.id !== found.id) return null;
    agreed = found;
  }
  return agreed;
}

function policyHashOfPattern(segs: Segment[], p: HashingPolicy): PatternHash {
  const t = policyTag(segs, p) ?? { kind: 'whole' as HashKind, hashed: segs };
  let slot: number | null = null;
  if (t.kind !== 'unmatched' && isLiteral(t.hashed)) slot = slotOfHashedBytes(Buffer.from(t.hashed.map((s) => (s as { text: string }).text).join(''), 'utf8'));
  return { kind: t.kind, hashed: t.hashed, tag: t.kind === 'tag' ? t.hashed : null, slot, hashId: t.kind === 'unmatched' ? `unmatched:${patternId(segs)}` : patternId(t.hashed) };
}

/** A pattern's text with every runtime value written `${…}`: its shape, whatever the variables are called. */
export function patternShape(segs: Segment[]): string {
  return segs.map((s) => (s.kind === 'lit' ? s.text : '${…}')).join('');
}
