/**
 * Hash-tag extraction exactly as the Redis Cluster spec (`keyHashSlot` in redis src/cluster.c):
 * find the first `{`; if a `}` follows it with at least one byte between, only those bytes are
 * hashed; otherwise (no `{`, no closing `}`, or an empty `{}` first) the whole key is hashed.
 * Works on bytes: offsets are byte offsets into the UTF-8 encoding of the key.
 */
export type HashKind = 'tag' | 'whole' | 'empty-tag' | 'unclosed' | 'unmatched';

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
export interface LockTagRule {
  open: string;
  close: string;
  skip: number;
  prefix: string;
}

/**
 * Redis Enterprise's custom hashing policy (its "Database clustering" page): up to 32 PCRE rules,
 * each with a `tag` named group, tried in order and anchored at the start of the key; the first
 * that matches decides what is hashed, and a key that none matches is refused.
 */
export interface HashingPolicy {
  policy: string[];
}

export type TagRule = LockTagRule | HashingPolicy;

export const HASH_TAGS: TagRule = { open: '{', close: '}', skip: 0, prefix: '' };

export function isHashingPolicy(rule: TagRule): rule is HashingPolicy {
  return 'policy' in rule;
}

export function isHashTags(rule: TagRule): boolean {
  return !isHashingPolicy(rule) && rule.open === '{' && rule.close === '}' && rule.skip === 0 && rule.prefix === '';
}

/** Where a rule finds the tag, in words (`the text between the first \`:\` and the next`). */
export function lockTagWhere(rule: TagRule): string {
  if (isHashingPolicy(rule)) return `the \`tag\` group of the first hashing-policy rule that matches the key`;
  const closing = rule.skip ? `the ${ordinal(rule.skip + 1)} \`${rule.close}\` after it` : `the next \`${rule.close}\``;
  return `the text between the first \`${rule.open}\` and ${closing}${rule.prefix ? `, in keys that start with \`${rule.prefix}\`` : ''}`;
}

const compiled = new Map<string, RegExp>();

/** A policy rule as a JS regex: PCRE's `(?P<tag>…)` is written `(?<tag>…)`; sticky, as PCRE_ANCHORED; with indices. Throws on what JS cannot read. */
export function policyRegex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    re = new RegExp(source.replace(/\(\?P</g, '(?<'), 'dy');
    compiled.set(source, re);
  }
  return re;
}

/** The rule of the policy that decides a key, and the tag's UTF-16 offsets in it; null when no rule matches (the key is refused). */
export function policyMatch(key: string, p: HashingPolicy): { rule: number; start: number; end: number } | null {
  for (let i = 0; i < p.policy.length; i++) {
    const re = policyRegex(p.policy[i]);
    re.lastIndex = 0;
    const m = re.exec(key);
    if (!m) continue;
    // a `tag` group that took no part in the match hashes nothing, as PCRE gives an unset group as empty
    const at = m.indices?.groups?.tag;
    return { rule: i, start: at ? at[0] : 0, end: at ? at[1] : 0 };
  }
  return null;
}

function ordinal(n: number): string {
  return n === 2 ? 'second' : n === 3 ? 'third' : `${n}th`;
}

/** The same rule on a JS string. */
export function hashInfoOfString(key: string, rule: TagRule = HASH_TAGS): StringHashInfo {
  if (isHashingPolicy(rule)) return policyHashInfo(key, rule);
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

/** A hashing policy's hashed part: a tag shorter than the key is a 'tag'; the whole key is 'whole'; no rule: 'unmatched'. */
function policyHashInfo(key: string, p: HashingPolicy): StringHashInfo {
  const m = policyMatch(key, p);
  const [charStart, charEnd] = m ? [m.start, m.end] : [0, key.length];
  const kind: HashKind = !m ? 'unmatched' : charStart === 0 && charEnd === key.length ? 'whole' : 'tag';
  const start = Buffer.byteLength(key.slice(0, charStart), 'utf8');
  const end = start + Buffer.byteLength(key.slice(charStart, charEnd), 'utf8');
  const hashed = key.slice(charStart, charEnd);
  return { kind, start, end, charStart, charEnd, hashed, tag: kind === 'tag' ? hashed : null };
}
