/**
 * Hash-tag extraction exactly as the Redis Cluster spec (`keyHashSlot` in redis src/cluster.c):
 * find the first `{`; if a `}` follows it with at least one byte between, only those bytes are
 * hashed; otherwise (no `{`, no closing `}`, or an empty `{}` first) the whole key is hashed.
 * Works on bytes: offsets are byte offsets into the UTF-8 encoding of the key.
 */
export type HashKind = 'tag' | 'whole' | 'empty-tag' | 'unclosed';

export interface HashSpan {
  kind: HashKind;
  /** byte offset of the first hashed byte */
  start: number;
  /** byte offset one past the last hashed byte */
  end: number;
}

const OPEN = 0x7b;
const CLOSE = 0x7d;

export function hashSpanOfBytes(key: Uint8Array): HashSpan {
  const open = key.indexOf(OPEN);
  if (open < 0) return { kind: 'whole', start: 0, end: key.length };
  const close = key.indexOf(CLOSE, open + 1);
  if (close < 0) return { kind: 'unclosed', start: 0, end: key.length };
  if (close === open + 1) return { kind: 'empty-tag', start: 0, end: key.length };
  return { kind: 'tag', start: open + 1, end: close };
}

export function toKeyBytes(key: string | Uint8Array): Uint8Array {
  // Buffer.from encodes lone surrogates as U+FFFD (EF BF BD), as every Node Redis client sends them.
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
}

export interface StringHashInfo extends HashSpan {
  /** the hashed part as text */
  hashed: string;
  /** the tag (text between the braces) when kind is 'tag', else null */
  tag: string | null;
  /** UTF-16 offsets of the hashed part in the JS string */
  charStart: number;
  charEnd: number;
}

/** The same rule on a JS string; `{` and `}` are ASCII so char offsets map one to one. */
export function hashInfoOfString(key: string): StringHashInfo {
  const open = key.indexOf('{');
  let kind: HashKind;
  let charStart = 0;
  let charEnd = key.length;
  if (open < 0) kind = 'whole';
  else {
    const close = key.indexOf('}', open + 1);
    if (close < 0) kind = 'unclosed';
    else if (close === open + 1) kind = 'empty-tag';
    else {
      kind = 'tag';
      charStart = open + 1;
      charEnd = close;
    }
  }
  const start = Buffer.byteLength(key.slice(0, charStart), 'utf8');
  const end = start + Buffer.byteLength(key.slice(charStart, charEnd), 'utf8');
  const hashed = key.slice(charStart, charEnd);
  return { kind, start, end, charStart, charEnd, hashed, tag: kind === 'tag' ? hashed : null };
}
