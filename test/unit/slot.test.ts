import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hashInfoOfString, hashSpanOfBytes, toKeyBytes } from '../../server/src/model/hashtag';
import { crc16, keySlot, SLOT_COUNT, slotOfHashedBytes } from '../../server/src/model/slot';
import { hashOfPattern, patternText, Segment, tagSpanInText } from '../../server/src/model/pattern';
import { entityName } from '../../server/src/model/entity';

const bytes = (s: string) => Buffer.from(s, 'utf8');

/** Bit-by-bit CRC-16/XMODEM, independent of slot.ts's table-driven one. */
function referenceCrc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

test('CRC16 is XMODEM: published check value of "123456789" is 0x31C3', () => {
  assert.equal(crc16(bytes('123456789')), 0x31c3);
  assert.equal(referenceCrc16(bytes('123456789')), 0x31c3);
  assert.equal(crc16(new Uint8Array(0)), 0);
});

test('CRC16 agrees with a bitwise reference on random bytes, including start/end windows', () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
  for (let n = 0; n < 2000; n++) {
    const buf = new Uint8Array(next() % 40);
    for (let i = 0; i < buf.length; i++) buf[i] = next() & 0xff;
    assert.equal(crc16(buf), referenceCrc16(buf));
    const a = buf.length ? next() % buf.length : 0;
    assert.equal(crc16(buf, a, buf.length), referenceCrc16(buf.subarray(a)));
    // keys without braces hash whole: slot is the CRC mod 16384
    if (!buf.includes(0x7b)) assert.equal(keySlot(buf), referenceCrc16(buf) % SLOT_COUNT);
    assert.equal(slotOfHashedBytes(buf), referenceCrc16(buf) % SLOT_COUNT);
  }
});

// Spans and slots from the cluster spec examples (redis-facts.md); slots are the server's answers.
const specExamples: { key: string; kind: string; hashed: string; slot: number }[] = [
  { key: 'foo{}{bar}', kind: 'empty-tag', hashed: 'foo{}{bar}', slot: 8363 },
  { key: 'foo{{bar}}zap', kind: 'tag', hashed: '{bar', slot: 4015 },
  { key: 'foo{bar}{zap}', kind: 'tag', hashed: 'bar', slot: 5061 },
  { key: '{user:1001}:profile', kind: 'tag', hashed: 'user:1001', slot: 5712 },
  { key: '{user:1001}:settings', kind: 'tag', hashed: 'user:1001', slot: 5712 },
  { key: 'user:1001:profile', kind: 'whole', hashed: 'user:1001:profile', slot: 2549 },
];

test('spec examples: kind, hashed bytes and slot', () => {
  for (const ex of specExamples) {
    const b = bytes(ex.key);
    const span = hashSpanOfBytes(b);
    assert.equal(span.kind, ex.kind, ex.key);
    assert.equal(b.subarray(span.start, span.end).toString('utf8'), ex.hashed, ex.key);
    assert.equal(keySlot(ex.key), ex.slot, ex.key);
    assert.equal(keySlot(b), ex.slot, ex.key);
    const info = hashInfoOfString(ex.key);
    assert.equal(info.kind, ex.kind);
    assert.equal(info.hashed, ex.hashed);
    assert.equal(info.tag, ex.kind === 'tag' ? ex.hashed : null);
  }
});

test('hash kinds of edge cases', () => {
  const cases: [string, string, string][] = [
    ['', 'whole', ''],
    ['{}', 'empty-tag', '{}'],
    ['{}x', 'empty-tag', '{}x'],
    ['{{}}', 'tag', '{'],
    ['{a{b}c}', 'tag', 'a{b'],
    ['foo{bar', 'unclosed', 'foo{bar'],
    ['a}b{c', 'unclosed', 'a}b{c'],
    ['}{x}', 'tag', 'x'],
    ['{', 'unclosed', '{'],
    ['}', 'whole', '}'],
  ];
  for (const [key, kind, hashed] of cases) {
    const b = bytes(key);
    const span = hashSpanOfBytes(b);
    assert.equal(span.kind, kind, key);
    assert.equal(b.subarray(span.start, span.end).toString('utf8'), hashed, key);
    assert.equal(hashInfoOfString(key).hashed, hashed, key);
    // the slot is the CRC of the hashed bytes, whatever path slot.ts takes
    assert.equal(keySlot(key), referenceCrc16(bytes(hashed)) % SLOT_COUNT, key);
  }
});

test('hashInfoOfString: UTF-16 offsets vs UTF-8 byte offsets with multi-byte text before the tag', () => {
  // 'é' is 2 UTF-8 bytes / 1 UTF-16 unit; '中' 3 / 1; '😀' 4 / 2.
  const cases: { key: string; charStart: number; charEnd: number; start: number; end: number; tag: string }[] = [
    { key: 'é{ü:1}x', charStart: 2, charEnd: 5, start: 3, end: 7, tag: 'ü:1' },
    { key: '中文:{user:7}', charStart: 4, charEnd: 10, start: 8, end: 14, tag: 'user:7' },
    { key: '😀{a}', charStart: 3, charEnd: 4, start: 5, end: 6, tag: 'a' },
    { key: 'x😀é{🚀}', charStart: 5, charEnd: 7, start: 8, end: 12, tag: '🚀' },
  ];
  for (const c of cases) {
    const info = hashInfoOfString(c.key);
    assert.equal(info.kind, 'tag', c.key);
    assert.deepEqual(
      { charStart: info.charStart, charEnd: info.charEnd, start: info.start, end: info.end, tag: info.tag },
      { charStart: c.charStart, charEnd: c.charEnd, start: c.start, end: c.end, tag: c.tag },
      c.key,
    );
    assert.equal(c.key.slice(info.charStart, info.charEnd), c.tag);
    const b = bytes(c.key);
    assert.equal(b.subarray(info.start, info.end).toString('utf8'), c.tag);
    const span = hashSpanOfBytes(b);
    assert.deepEqual({ kind: span.kind, start: span.start, end: span.end }, { kind: info.kind, start: info.start, end: info.end });
  }
  // whole-key hashing: offsets cover everything
  const whole = hashInfoOfString('ключ:1');
  assert.deepEqual([whole.kind, whole.charStart, whole.charEnd, whole.start, whole.end], ['whole', 0, 6, 0, 10]);
});

test('strings are hashed as their UTF-8 bytes (lone surrogates as U+FFFD, as Buffer.from does)', () => {
  assert.deepEqual([...toKeyBytes('\ud800')], [0xef, 0xbf, 0xbd]);
  for (const key of ['\ud800{x}', 'a\udc00b', '{\ud83d}', 'é€😀', '{}\ud800']) {
    const b = Buffer.from(key, 'utf8');
    assert.equal(keySlot(key), keySlot(b), JSON.stringify(key));
    assert.equal(keySlot(new Uint8Array(b)), keySlot(b), 'plain Uint8Array and Buffer agree');
  }
  const u = new Uint8Array([0x78, 0x7b, 0xff, 0x00, 0x7d, 0x79]);
  assert.equal(keySlot(u), referenceCrc16(new Uint8Array([0xff, 0x00])) % SLOT_COUNT);
});

/*
 * Dragonfly's lock tags (its CLUSTER KEYSLOT page and the --locktag_* flag help): the same rule as
 * Redis by default, a prefix that keys must start with to have a tag at all, and a delimiter
 * character with a number of closing delimiters to skip. The figures are the documentation's.
 */
test('Dragonfly lock tags: the documented examples', () => {
  const slotOf = (key: string, rule?: Parameters<typeof hashInfoOfString>[1]) => {
    const info = hashInfoOfString(key, rule);
    return slotOfHashedBytes(bytes(key).subarray(info.start, info.end));
  };
  // default flags: as Redis
  assert.equal(slotOf('somekey'), 11058);
  assert.equal(slotOf('{user1}.following'), 8106);
  // --locktag_prefix=pre: `{user1}.a` does not start with pre, so it is hashed whole
  const pre = { open: '{', close: '}', skip: 0, prefix: 'pre' };
  assert.equal(slotOf('{user1}.a', pre), 5959);
  assert.equal(hashInfoOfString('pre{user1}.a', pre).hashed, 'user1');
  // --locktag_delimiter=: --locktag_skip_n_end_delimiters=2: the lock tag of `:a:b:c:d:e` is `a:b:c`
  const colon2 = { open: ':', close: ':', skip: 2, prefix: '' };
  assert.equal(hashInfoOfString(':a:b:c:d:e', colon2).hashed, 'a:b:c');
  // too few delimiters, or an empty part on the way: the whole key
  assert.equal(hashInfoOfString(':a:b', colon2).kind, 'unclosed');
  assert.equal(hashInfoOfString(':a::c:d', colon2).kind, 'empty-tag');
  const colon = { open: ':', close: ':', skip: 0, prefix: '' };
  assert.equal(hashInfoOfString('user:1001:profile', colon).hashed, '1001');
  assert.equal(hashInfoOfString('user:1001', colon).kind, 'unclosed');
});

test('lock tags on keys with runtime values: found in the literal text around them', () => {
  const colon = { open: ':', close: ':', skip: 0, prefix: '' };
  const seg = (...parts: (string | { hole: string })[]): { segments: Segment[] } => ({ segments: parts.map((p): Segment => (typeof p === 'string' ? { kind: 'lit', text: p } : { kind: 'hole', expr: p.hole, scope: 'f' })) });
  const a = hashOfPattern(seg('user:', { hole: 'uid' }, ':profile'), colon);
  const b = hashOfPattern(seg('order:', { hole: 'uid' }, ':items'), colon);
  assert.equal(a.kind, 'tag');
  assert.equal(a.hashId, b.hashId, 'both hash `${uid}`');
  assert.deepEqual(tagSpanInText(seg('user:', { hole: 'uid' }, ':profile').segments, colon), [4, 12]);
  assert.equal(hashOfPattern(seg('profile:', { hole: 'uid' }), colon).kind, 'unclosed');
  // a prefix the literal text cannot show yet: taken as absent
  assert.equal(hashOfPattern(seg({ hole: 'ns' }, '{user}:x'), { open: '{', close: '}', skip: 0, prefix: 'app' }).kind, 'whole');
  // Redis's rule is unchanged by all this
  assert.equal(hashOfPattern(seg('user:{', { hole: 'uid' }, '}:profile')).kind, 'tag');
  assert.equal(hashOfPattern(seg('user:', { hole: 'uid' }, ':profile')).kind, 'whole');
});

/*
 * Redis Enterprise's custom hashing policy (its "Database clustering" page): PCRE rules with a `tag`
 * group, tried in order, anchored at the start of the key (PCRE_ANCHORED); the first that matches
 * decides what is hashed; a key that none matches is refused. Its default rules:
 * `.*\{(?<tag>.*)\}.*` then `(?<tag>.*)`.
 */
test('a Redis Enterprise hashing policy: the first rule that matches decides, anchored at the start', () => {
  const slotOf = (key: string, rule?: Parameters<typeof hashInfoOfString>[1]) => {
    const info = hashInfoOfString(key, rule);
    return slotOfHashedBytes(bytes(key).subarray(info.start, info.end));
  };
  const defaults = { policy: ['.*\\{(?<tag>.*)\\}.*', '(?<tag>.*)'] };
  assert.equal(slotOf('foo{bar}baz', defaults), slotOf('bar'));
  assert.equal(slotOf('{bar}baz', defaults), slotOf('foo{bar}', defaults));
  assert.equal(hashInfoOfString('somekey', defaults).kind, 'whole');
  assert.equal(slotOf('somekey', defaults), 11058);
  // the leading `.*` is greedy: with two tags the policy hashes the last; Redis takes the first
  assert.equal(hashInfoOfString('a{b}c{d}e', defaults).hashed, 'd');
  assert.equal(hashInfoOfString('a{b}c{d}e').hashed, 'b');
  // a tag of the key's first two parts; PCRE's `(?P<tag>…)` is read too
  const entity = { policy: ['(?P<tag>[^:]+:[^:]+):.*'] };
  assert.equal(hashInfoOfString('user:1001:profile', entity).hashed, 'user:1001');
  assert.equal(slotOf('user:1001:profile', entity), slotOf('user:1001:settings', entity));
  // anchored: `\d+` does not match `ab12` from its third character; no rule matches, the key is refused
  const digits = { policy: ['(?<tag>\\d+)'] };
  assert.equal(hashInfoOfString('12ab', digits).hashed, '12');
  assert.equal(hashInfoOfString('ab12', digits).kind, 'unmatched');
  assert.equal(hashInfoOfString('user:1001', entity).kind, 'unmatched');
});

test('a hashing policy on keys with runtime values: a tag only where every sample value agrees', () => {
  const seg = (...parts: (string | { hole: string })[]): Segment[] => parts.map((p): Segment => (typeof p === 'string' ? { kind: 'lit', text: p } : { kind: 'hole', expr: p.hole, scope: 'f' }));
  const entity = { policy: ['(?<tag>[^:]+:[^:]+):.*', '(?<tag>.*)'] };
  const profile = hashOfPattern({ segments: seg('user:', { hole: 'uid' }, ':profile') }, entity);
  const settings = hashOfPattern({ segments: seg('user:', { hole: 'uid' }, ':settings') }, entity);
  assert.equal(profile.kind, 'tag');
  assert.equal(patternText(profile.tag!), 'user:${uid}');
  assert.equal(profile.hashId, settings.hashId, 'both hash `user:${uid}`');
  assert.notEqual(profile.hashId, hashOfPattern({ segments: seg('cart:', { hole: 'uid' }, ':items') }, entity).hashId);
  assert.deepEqual(tagSpanInText(seg('user:', { hole: 'uid' }, ':profile'), entity), [0, 11]);
  // a literal tag: a slot
  assert.equal(hashOfPattern({ segments: seg('user:9:', { hole: 'field' }) }, entity).slot, hashOfPattern({ segments: seg('user:9:x') }, entity).slot);
  // a rule that takes digits only: a value of letters takes the next rule, so the slot depends on the value
  const numeric = { policy: ['user:(?<tag>\\d+):.*', '(?<tag>.*)'] };
  const n = hashOfPattern({ segments: seg('user:', { hole: 'uid' }, ':profile') }, numeric);
  assert.equal(n.kind, 'whole');
  assert.equal(n.slot, null);
  assert.equal(tagSpanInText(seg('user:', { hole: 'uid' }, ':profile'), numeric), null);
  // a tag that ends inside a value (its first two characters) takes part of it: unknown, hashed whole
  assert.equal(hashOfPattern({ segments: seg('k:', { hole: 'id' }) }, { policy: ['k:(?<tag>..).*'] }).kind, 'whole');
  // no rule for the key whatever the value: refused
  assert.equal(hashOfPattern({ segments: seg('order:', { hole: 'id' }) }, { policy: ['user:(?<tag>.*)'] }).kind, 'unmatched');
});

describe('entity names for a tag', () => {
  test('from the variable a key is about, in snake case', () => {
    const cases: [string, string][] = [
      ['user_id', 'user'],
      ['userId', 'user'],
      ['userID', 'user'],
      ['order.id', 'order'],
      ['job["user_id"]', 'user'],
      ['sku', 'sku'],
      ['accountName', 'account_name'],
      ['PREFIX', 'prefix'],
      ['KEY_PREFIX', 'key_prefix'],
      ['HTTPHost', 'http_host'],
      ['shard2Key', 'shard2_key'],
    ];
    for (const [expr, name] of cases) assert.equal(entityName(expr), name, expr);
  });
});
