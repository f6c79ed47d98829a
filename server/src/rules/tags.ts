import type { KeyUse } from '../model/keyuse';
import { namespaceOf } from '../model/entity';
import type { Segment } from '../model/pattern';
import type { Finding } from './finding';
import { keyText, listKeys, textOf as patternText } from './groups';
import { pushTo } from '../model/collections';

/** empty-tag: `{}` first, or a `{` that never closes - the whole key is hashed, probably not what was meant. */
export function emptyTagRule(uses: KeyUse[]): Finding[] {
  const out: Finding[] = [];
  for (const u of oncePerStatement(uses)) {
    const k = u.hash.kind;
    if (k !== 'empty-tag' && k !== 'unclosed') continue;
    const slot = u.hash.slot !== null ? ` (slot ${u.hash.slot})` : '';
    const message =
      k === 'empty-tag'
        ? `${keyText(u)} starts its hash tag with an empty \`{}\`, so Redis hashes the whole key${slot} and ignores any later tag; put the entity inside the first braces.`
        : `${keyText(u)} opens a hash tag with \`{\` that never closes, so Redis hashes the whole key${slot}; close the tag.`;
    out.push({ code: 'empty-tag', severity: 'warning', file: u.file, span: u.span, message, related: [] });
  }
  return out;
}

/** One use per key pattern and group: `multi().lpush(key).ltrim(key)` is one place to fix, not two. */
function oncePerStatement(uses: KeyUse[]): KeyUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    const id = `${u.file}\0${u.group ?? u.span.start}\0${patternText(u.pattern)}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** A tag is bare when nothing in it names what it identifies: `{1001}`, `{${id}}`. */
export function isBareTag(tag: Segment[]): boolean {
  return !tag.some((s) => s.kind === 'lit' && /[A-Za-z_]/.test(s.text));
}

/** The literal text right before the tag (`purchase:` in `purchase:{1001}`), as a namespace. */
function namespaceBeforeTag(u: KeyUse): string {
  const first = u.pattern.segments[0];
  if (!first || first.kind !== 'lit') return '';
  const before = first.text.slice(0, first.text.indexOf('{'));
  return before.replace(/[:._-]+$/, '');
}

/**
 * bare-tag: unrelated namespaces that use the same bare id as their tag share one slot
 * (`purchase:{1001}` and `employee:{1001}`). Reported once per tag, at its first use, with the
 * others as related places. A tag over the family's own name (`{${prefix}}state`,
 * `q:{${name}}:jobs`) is what tags are for, however many keys the family has.
 */
export function bareTagRule(uses: KeyUse[]): Finding[] {
  const byTag = new Map<string, KeyUse[]>();
  for (const u of uses) {
    if (u.hash.kind !== 'tag' || !u.hash.tag || !isBareTag(u.hash.tag) || !looksLikeId(u.hash.tag)) continue;
    pushTo(byTag, patternText(u.hash.tag), u);
  }
  const out: Finding[] = [];
  for (const [tag, list] of byTag) {
    const patterns = firstUseOfEach(list);
    const namespaces = [...new Set(patterns.map(namespaceBeforeTag))];
    if (namespaces.length < 2) continue;
    const [first, ...others] = patterns;
    const ns = namespaceBeforeTag(first);
    const fix = ns ? `\`{${ns}:${tag}}\`` : `a tag that names the entity, such as \`{user:${tag}}\``;
    out.push({
      code: 'bare-tag',
      severity: 'warning',
      file: first.file,
      span: first.span,
      message: `The bare tag \`{${tag}}\` puts ${listKeys(namespaces.map((n) => (n ? `\`${n}\`` : 'untagged-prefix')), (x) => x)} keys of the same id in one slot; use ${fix}.`,
      related: others.map((o) => ({ file: o.file, span: o.span, message: `${keyText(o)} shares the tag \`{${tag}}\`` })),
    });
  }
  return out;
}

/** A tag that is an id (`{1001}`, `{${user_id}}`, `{${order.id}}`), not a name (`{${prefix}}`, `{${queue}}`). */
function looksLikeId(tag: Segment[]): boolean {
  return tag.every((s) => (s.kind === 'lit' ? /^[\d:._-]*$/.test(s.text) : ID_NAME.test(s.expr)));
}

const ID_NAME = /(^|[._[\]])(id|uid|uuid|pk|key_id)\W*$|[a-z](Id|ID|_id|Uid|UUID)\W*$/;

/** The first use (in file and position order, then list order) of each distinct key pattern, in that order. */
function firstUseOfEach(list: KeyUse[]): KeyUse[] {
  const before = (a: KeyUse, ai: number, b: KeyUse, bi: number) => (a.file !== b.file ? a.file < b.file : a.span.start !== b.span.start ? a.span.start < b.span.start : ai < bi);
  const first = new Map<string, [KeyUse, number]>();
  list.forEach((u, i) => {
    const t = patternText(u.pattern);
    const f = first.get(t);
    if (!f || before(u, i, f[0], f[1])) first.set(t, [u, i]);
  });
  return [...first.values()].sort(([a, ai], [b, bi]) => (before(a, ai, b, bi) ? -1 : 1)).map(([u]) => u);
}

/**
 * hot-tag: one tag holds more distinct key patterns than the threshold - a hotspot slot. Keys of
 * test code carry no production traffic and are not counted (`isTest`, from keyslot.tests).
 */
export function hotTagRule(uses: KeyUse[], threshold: number, isTest?: (file: string) => boolean): Finding[] {
  const byTag = new Map<string, KeyUse[]>();
  for (const u of uses) {
    if (isTest?.(u.file)) continue;
    // a tag over a runtime value (`{user:${uid}}`) spreads one entity per slot; only a fixed tag piles everything onto one
    if (u.hash.kind !== 'tag' || !u.hash.tag || u.hash.slot === null) continue;
    const t = patternText(u.hash.tag);
    pushTo(byTag, t, u);
  }
  const out: Finding[] = [];
  for (const [tag, list] of byTag) {
    const patterns = firstUseOfEach(list);
    if (patterns.length <= threshold) continue;
    const namespaces = new Set(patterns.map((u) => namespaceOf(u.pattern.segments) || patternText(u.pattern)));
    const first = patterns[0];
    const where = `all of them land in slot ${first.hash.slot}`;
    out.push({
      code: 'hot-tag',
      severity: 'warning',
      file: first.file,
      span: first.span,
      message: `The hash tag \`{${tag}}\` is used by ${patterns.length} key patterns in ${namespaces.size} namespace${namespaces.size === 1 ? '' : 's'} (threshold ${threshold}), and ${where}: a hotspot; tag only the keys that multi-key calls use together.`,
      related: patterns.slice(1).map((p) => ({ file: p.file, span: p.span, message: `${keyText(p)} uses \`{${tag}}\`` })),
    });
  }
  return out;
}
