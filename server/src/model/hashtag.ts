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

/**
 * Which part of a key is hashed. Redis: the first `{…}` (HASH_TAGS). Dragonfly generalises it into
 * lock tags, and its CLUSTER KEYSLOT and cluster routing follow them (`LockTagOptions::Tag` in
 * dragonfly src/server/common.cc): only keys starting with `prefix` have a tag; it starts after the
 * first `open` and ends at the `skip + 1`-th `close` after it; a missing or empty part means the
 * whole key. With `--locktag_delimiter=:` both are `:`, so `user:1001:profile` hashes `1001`.
 * The characters are ASCII, so character and byte offsets agree on where they are.
 */
export interface TagRule {
  open: string;
  close: string;
  skip: number;
  prefix: string;
}

export const HASH_TAGS: TagRule = { open: '{', close: '}', skip: 0, prefix: '' };

export function isHashTags(rule: TagRule): boolean {
  return rule.open === '{' && rule.close === '}' && rule.skip === 0 && rule.prefix === '';
}

/** Where a rule finds the tag, in words (`the text between the first \`:\` and the next`). */
export function lockTagWhere(rule: TagRule): string {
  const closing = rule.skip ? `the ${ordinal(rule.skip + 1)} \`${rule.close}\` after it` : `the next \`${rule.close}\``;
  return `the text between the first \`${rule.open}\` and ${closing}${rule.prefix ? `, in keys that start with \`${rule.prefix}\`` : ''}`;
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

/** The same rule on a JS string. */
export function hashInfoOfString(key: string, rule: TagRule = HASH_TAGS): StringHashInfo {
  let kind: HashKind;
  let charStart = 0;
  let charEnd = key.length;
  const open = key.startsWith(rule.prefix) ? key.indexOf(rule.open) : -1;
  if (open < 0) kind = 'whole';
  else {
    kind = 'tag';
    let end = open;
    for (let i = 0; i <= rule.skip; i++) {
      const next = end + 1;
      end = key.indexOf(rule.close, next);
      if (end < 0) {
        kind = 'unclosed';
        break;
      }
      if (end === next) {
        kind = 'empty-tag';
        break;
      }
    }
    if (kind === 'tag') {
      charStart = open + 1;
      charEnd = end;
    }
  }
  const start = Buffer.byteLength(key.slice(0, charStart), 'utf8');
  const end = start + Buffer.byteLength(key.slice(charStart, charEnd), 'utf8');
  const hashed = key.slice(charStart, charEnd);
  return { kind, start, end, charStart, charEnd, hashed, tag: kind === 'tag' ? hashed : null };
}
