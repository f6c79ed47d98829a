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

/** bare-tag: unrelated namespaces that use the same bare tag share one slot. */
export function bareTagRule(uses: KeyUse[]): Finding[] {
  const byTag = new Map<string, KeyUse[]>();
  for (const u of uses) {
    if (u.hash.kind !== 'tag' || !u.hash.tag || !isBareTag(u.hash.tag)) continue;
    const t = patternText(u.hash.tag);
    pushTo(byTag, t, u);
  }
  const out: Finding[] = [];
  for (const [tag, list] of byTag) {
    const patterns = [...new Map(list.map((u) => [patternText(u.pattern), u])).values()];
    for (const u of oncePerStatement(list)) {
      const ns = namespaceBeforeTag(u);
      const others = patterns.filter((p) => patternText(p.pattern) !== patternText(u.pattern));
      const fix = ns ? `\`{${ns}:${tag}}\`` : `a tag that names the entity, such as \`{user:${tag}}\``;
      const sharing = others.length ? ` (so does ${listKeys(others, keyText)})` : '';
      out.push({
        code: 'bare-tag',
        severity: 'warning',
        file: u.file,
        span: u.span,
        message: `The hash tag \`{${tag}}\` in ${keyText(u)} has no namespace, so every key tagged \`{${tag}}\` lands in one slot whatever its namespace${sharing}; use ${fix}.`,
        related: others.map((o) => ({ file: o.file, span: o.span, message: `${keyText(o)} shares the tag \`{${tag}}\`` })),
      });
    }
  }
  return out;
}

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

/** hot-tag: one tag holds more distinct key patterns than the threshold - a hotspot slot. */
export function hotTagRule(uses: KeyUse[], threshold: number): Finding[] {
  const byTag = new Map<string, KeyUse[]>();
  for (const u of uses) {
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
