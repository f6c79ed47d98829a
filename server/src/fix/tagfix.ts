import { isHashingPolicy, isHashTags, LockTagRule, TagRule } from '../model/hashtag';
import type { KeyUse } from '../model/keyuse';
import { colonParts, commonEntity, entityName, namespaceOf, sharedHoles } from '../model/entity';
import { Anchor, anchorOffset, hashOfPattern, originOffset, patternText, Segment } from '../model/pattern';
import { insertTagEdits, TextEdit } from '../lsp/keyedit';
import { pushTo } from '../model/collections';
import { textOf } from '../rules/groups';
import { filesWritingTo, PlacesIn } from '../index/written';

/*
 * The entity hash-tag fix, made where the keys are defined. A key's literal characters remember
 * where they are written (Origin), and its runtime values where text can go next to them (Anchor),
 * so the tag goes into the constant, the builder's template, the format string or the prefix the
 * user would edit by hand - once - rather than into each use.
 *
 * Two kinds of entity: a common `namespace:id` prefix (`user:${uid}:profile`, `user:${uid}:settings`
 * → `{user:${uid}}:…`), and a runtime value every key contains (`arq:job:${job_id}`,
 * `arq:result:${job_id}` → `arq:job:{job:${job_id}}`, as the crossslot message advises). Every other
 * key written with the same text changes too; those of the same family get the whole tag, and a key
 * the edit would break (an opening brace without its closing one) makes the fix refuse, with the reason.
 */

export interface TagFix {
  /** the tag's text, without braces */
  tag: string;
  edits: TextEdit[];
  /** old → new name of every key pattern the edits change (for `keyslot migrate`), with the uses it changes */
  renames: Rename[];
  /** how many separate pieces of source text the edits touch */
  places: number;
}

/** A key pattern the fix renames, and how many of the folder's key uses (in how many files) that changes. */
export interface Rename {
  from: string;
  to: string;
  uses: number;
  files: number;
}

export type TagFixResult = { fix: TagFix } | { reason: string };

/**
 * For a fixed tag (no runtime value in it), how many key patterns the folder would have on its one
 * slot once the fix is applied, when that reaches the hot-tag threshold; else undefined. `tagged`
 * gives the uses that carry a literal tag already (FolderIndex.usesTagged).
 */
export function hotAfter(fix: TagFix, tagged: (tag: string) => KeyUse[], threshold: number): number | undefined {
  if (fix.tag.includes('${')) return undefined;
  const patterns = new Set(fix.renames.map((m) => m.to));
  for (const u of tagged(fix.tag)) patterns.add(patternText(u.pattern));
  return patterns.size >= threshold ? patterns.size : undefined;
}

export interface FixContext {
  /** the key uses with a literal character or an anchor in `file` (see usesWrittenIn) */
  writtenIn(file: string): KeyUse[];
  /** the current text of a file */
  text(file: string): string | undefined;
  /** the uses written with the same key text as `u` (other copies of a literal key) */
  sameText(u: KeyUse): KeyUse[];
  /** the keys of every group (multi-key call, transaction, script call) a use of `u`'s text is in */
  groupsWith?(u: KeyUse): KeyUse[][];
  /** the uses writtenIn(file) whose text an edit at one of `positions` changes, in the same order (from places sorted once per file) */
  writtenAt(file: string, positions: number[]): KeyUse[];
  /** how the deployment finds the hashed part of a key; the fix writes Redis's `{…}` hash tags only */
  tagRule?: TagRule;
}

/** Dragonfly's lock-tag flags as a person would write them. */
function lockTagText(rule: LockTagRule): string {
  const flags = [rule.open !== '{' ? `--locktag_delimiter=${rule.open}` : '', rule.skip ? `--locktag_skip_n_end_delimiters=${rule.skip}` : '', rule.prefix ? `--locktag_prefix=${rule.prefix}` : ''];
  return flags.filter(Boolean).join(' ');
}

/** What the tag wraps: a prefix of `parts` colon-separated parts, or the run of segments from one runtime value to another. */
type Entity = { kind: 'prefix'; tag: string; parts: Segment[][] } | { kind: 'value'; tag: string; name: string; first: string; last: string; between: string };

/** Text to add to a key: at character `at` of its literal segment `seg`, or before / after its runtime value `seg`. */
type Insertion = { seg: number; text: string } & ({ at: number } | { side: 'before' | 'after' });

const MAX_ROUNDS = 6;

/**
 * The fix that gives the keys of a group one entity tag, or why there is none. A value's tag goes
 * into the literal text around it (a prefix constant) where that breaks no other key, else right
 * next to the value in each key's own expression.
 */
export function tagFixFor(members: KeyUse[], ctx: FixContext, prefixParts?: number): TagFixResult {
  if (ctx.tagRule && isHashingPolicy(ctx.tagRule)) return { reason: 'the deployment hashes by its custom hashing policy, not by `{…}` hash tags: give the keys of the group the same part where the policy reads the tag' };
  if (ctx.tagRule && !isHashTags(ctx.tagRule)) return { reason: `the deployment hashes Dragonfly lock tags (${lockTagText(ctx.tagRule)}), not \`{…}\` hash tags: put the entity where the lock tag is read, in every key of the group` };
  const entity = prefixParts ? prefixEntity(members[0], prefixParts) : entityOf(members);
  if (typeof entity === 'string') return { reason: entity };
  const first = attempt(members, entity, ctx, false);
  if ('fix' in first || entity.kind !== 'value') return first;
  const next = attempt(members, entity, ctx, true);
  return 'fix' in next ? next : first;
}

function attempt(members: KeyUse[], entity: Entity, ctx: FixContext, nextToValues: boolean): TagFixResult {
  const targets = new Map<KeyUse, Insertion[]>();
  const pending = members.flatMap((m) => ctx.sameText(m));
  for (let round = 0; round < MAX_ROUNDS && pending.length; round++) {
    for (const u of pending.splice(0)) {
      if (targets.has(u) || taggedWith(u, entity)) continue;
      if (u.hash.kind !== 'whole') return { reason: `\`${patternText(u.pattern)}\` already has a hash tag: a person decides which one stays` };
      const ins = insertionsFor(u, entity, nextToValues);
      if (typeof ins === 'string') return { reason: ins };
      targets.set(u, ins);
    }
    const edits = sourceEdits(targets, ctx);
    if (typeof edits === 'string') return { reason: edits };
    // every key the edits reach: the family's other keys (written with the same text) get the whole tag too
    for (const u of reached(edits, ctx)) {
      if (targets.has(u) || taggedWith(u, entity)) continue;
      if (hashOfPattern({ segments: applied(u, edits) }).kind === 'tag' && u.hash.kind === 'whole') continue;
      if (u.hash.kind === 'whole' && typeof insertionsFor(u, entity, nextToValues) !== 'string') pending.push(u);
      else return { reason: `the edit would also change \`${patternText(u.pattern)}\` (${u.file}) into \`${patternText(applied(u, edits))}\`` };
    }
    if (!pending.length) {
      if (!edits.size) return { reason: 'the keys already carry the tag' };
      const changed = [...new Set([...targets.keys(), ...reached(edits, ctx)])];
      const renames = new Map<string, { to: string; uses: number; files: Set<string> }>();
      for (const u of changed) {
        const from = patternText(u.pattern);
        const to = patternText(applied(u, edits));
        if (to === from) continue;
        const r = renames.get(from) ?? renames.set(from, { to, uses: 0, files: new Set() }).get(from)!;
        r.uses++;
        r.files.add(u.file);
      }
      const conflict = splitElsewhere(changed, edits, ctx, entity.kind === 'value');
      if (conflict) return { reason: conflict };
      return {
        fix: {
          tag: entity.tag,
          edits: [...edits.values()].map((x) => x.edit),
          renames: [...renames].map(([from, r]) => ({ from, to: r.to, uses: r.uses, files: r.files.size })),
          places: new Set([...edits.values()].map((x) => x.place)).size,
        },
      };
    }
  }
  return { reason: 'the keys of this entity are written in too many connected places' };
}

/**
 * The first `parts` colon-separated parts of a key as its entity (`user:${uid}` of
 * `user:${uid}:profile`): what the refactor on one key offers. The namespace must be literal text.
 */
function prefixEntity(u: KeyUse, parts: number): Entity | string {
  const all = colonParts(u.pattern.segments);
  if (all.length < parts || !all[0].length || all[0].some((s) => s.kind !== 'lit') || all.slice(0, parts).some((p) => !p.length)) return `\`${patternText(u.pattern)}\` has no \`namespace:id\` prefix of ${parts} parts`;
  const prefix = all.slice(0, parts);
  return { kind: 'prefix', tag: prefix.map((p) => patternText(p)).join(':'), parts: prefix };
}

/** Candidate entities of one key for the refactor: `namespace:id`, and longer prefixes up to the key less its last part. */
export function entityChoices(u: KeyUse): number[] {
  const n = colonParts(u.pattern.segments).length;
  const out: number[] = [];
  for (let parts = 2; parts <= Math.max(2, n - 1) && parts <= 3; parts++) if (typeof prefixEntity(u, parts) !== 'string') out.push(parts);
  return out;
}

/**
 * A group elsewhere whose keys share a slot now and would not after the edits (`cart:${id}:coupon`
 * deleted with `cart:${id}:items` there, tagged `{user:${id}}` here): which entity the key belongs to
 * is a design decision, so the fix says so rather than trade one CROSSSLOT for another.
 */
function splitElsewhere(changed: KeyUse[], edits: Map<string, Placed>, ctx: FixContext, foreignTag: boolean): string | undefined {
  if (!ctx.groupsWith) return undefined;
  const moving = new Set(changed.map((u) => patternText(u.pattern)));
  const hashes = new Map<KeyUse, ReturnType<typeof hashOfPattern>>();
  const hashAfter = (m: KeyUse) => {
    let h = hashes.get(m);
    if (!h) hashes.set(m, (h = hashOfPattern({ segments: applied(m, edits) })));
    return h;
  };
  // uses of one key text that read the same after the edits are in the same groups: one look each
  const looked = new Set<string>();
  for (const u of changed) {
    const mine = hashAfter(u);
    const text = patternText(u.pattern);
    const seen = `${text}\0${mine.hashId}`;
    if (looked.has(seen)) continue;
    looked.add(seen);
    // a key given another namespace's entity (`cart:${id}:coupon` → `cart:{user:${id}}:coupon`) while it is also used with
    // keys of its own namespace's entity (`{cart:${id}}:items`) would leave that family for good: it belongs there first
    const tag = mine.tag ? patternText(mine.tag) : '';
    const ns = foreignTag && mine.kind === 'tag' ? namespaceOf(u.pattern.segments) : '';
    const own = (m: KeyUse) => m.hash.kind === 'tag' && patternText(m.hash.tag ?? []).startsWith(`${ns}:`) && patternText(m.hash.tag ?? []) !== tag;
    // (a key used in a thousand places is in a thousand groups: what does not change per group is worked out above)
    for (const members of ctx.groupsWith(u)) {
      const after = new Map(members.map((m) => [hashAfter(m).hashId, m]));
      if (new Set(members.map((m) => m.hash.hashId)).size === 1 && after.size > 1) {
        const other = members.find((m) => patternText(m.pattern) !== text) ?? members[0];
        return `\`${text}\` is also used together with \`${patternText(other.pattern)}\` (${other.file}), which would then be in another slot: decide which entity the keys belong to`;
      }
      const tagged = ns ? members.find((m) => own(m) && !moving.has(patternText(m.pattern))) : undefined;
      if (tagged)
        return `\`${text}\` is also used together with \`${patternText(tagged.pattern)}\` (${tagged.file}), tagged \`{${patternText(tagged.hash.tag ?? [])}}\`: decide which entity the key belongs to`;
    }
  }
  return undefined;
}

/** The entity the keys share, or why they share none. */
function entityOf(members: KeyUse[]): Entity | string {
  const patterns = [...new Map(members.map((m) => [patternText(m.pattern), m.pattern.segments])).values()];
  const prefix = commonEntity(patterns);
  if (prefix) return { kind: 'prefix', tag: prefix.text, parts: colonParts(prefix.segments) };
  if (members.some((m) => m.spread)) return 'the keys come from a list whose members are not known';
  // a key that is a runtime value as a whole (read from SCAN, passed in): there is no name in the code to tag
  const whole = members.find((m) => m.pattern.segments.length === 1 && m.pattern.segments[0].kind === 'hole');
  if (whole) return `\`${patternText(whole.pattern)}\` is a key name known only at run time, with no text in the code to tag`;
  const shared = sharedHoles(patterns);
  if (!shared.length) return 'the keys share no entity (a common `namespace:id` prefix or runtime value) to tag';
  const first = shared[0].expr;
  const last = shared[shared.length - 1].expr;
  // the values and what is written between them, when every key writes it the same way; else the first value alone
  const betweens = new Set(patterns.map((p) => patternText(runOf(p, first, last) ?? [])));
  const [end, between] = betweens.size === 1 ? [last, [...betweens][0]] : [first, '${' + first + '}'];
  const name = entityName(first);
  return { kind: 'value', tag: `${name}:${between}`, name, first, last: end, between };
}

/** The segments from the runtime value `first` to `last` (inclusive), or null when the key lacks them. */
function runOf(segs: Segment[], first: string, last: string): Segment[] | null {
  const i = segs.findIndex((s) => s.kind === 'hole' && s.expr === first);
  let j = -1;
  for (let k = segs.length - 1; k >= i && i >= 0; k--) if (segs[k].kind === 'hole' && (segs[k] as { expr: string }).expr === last) j = k;
  return i >= 0 && j >= i ? segs.slice(i, j + 1) : null;
}

function taggedWith(u: KeyUse, entity: Entity): boolean {
  return u.hash.kind === 'tag' && !!u.hash.tag && patternText(u.hash.tag) === entity.tag;
}

/** Whether a key starts with an entity of the same shape (`user:${userId}` is `user:${uid}` in another function). */
function startsWith(u: KeyUse, parts: Segment[][]): boolean {
  const mine = colonParts(u.pattern.segments);
  const shape = (part: Segment[]) => part.map((s) => (s.kind === 'lit' ? JSON.stringify(s.text) : '$')).join('');
  return mine.length >= parts.length && parts.every((p, i) => shape(mine[i]) === shape(p));
}

/** Where the tag's braces go in one key, or why they cannot; `nextToValues`: a value's tag goes right next to it, not into the text around it. */
function insertionsFor(u: KeyUse, entity: Entity, nextToValues: boolean): Insertion[] | string {
  const segs = u.pattern.segments;
  const key = patternText(u.pattern);
  if (entity.kind === 'value') {
    const i = segs.findIndex((s) => s.kind === 'hole' && s.expr === entity.first);
    const run = runOf(segs, entity.first, entity.last);
    if (i < 0 || !run || patternText(run) !== entity.between) return `\`${key}\` does not contain \`${entity.between}\``;
    const j = i + run.length - 1;
    // next to the literal text around the values where there is some, else next to the values themselves
    const before: Insertion = !nextToValues && i > 0 && segs[i - 1].kind === 'lit' ? { seg: i - 1, at: (segs[i - 1] as { text: string }).text.length, text: `{${entity.name}:` } : { seg: i, side: 'before', text: `{${entity.name}:` };
    const after: Insertion = !nextToValues && j + 1 < segs.length && segs[j + 1].kind === 'lit' ? { seg: j + 1, at: 0, text: '}' } : { seg: j, side: 'after', text: '}' };
    return [before, after];
  }
  if (!startsWith(u, entity.parts)) return `\`${key}\` does not start with \`${entity.tag}\``;
  // a key that starts with a runtime value (a configured prefix) opens the tag right before that value
  const open: Insertion = segs[0]?.kind === 'lit' ? { seg: 0, at: 0, text: '{' } : { seg: 0, side: 'before', text: '{' };
  // `}` before the entity's colon count + 1-th literal `:`, or at the end
  let colons = entity.tag.split(':').length - 1;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.kind !== 'lit') continue;
    for (let c = 0; c < s.text.length; c++) if (s.text[c] === ':' && colons-- === 0) return [open, { seg: i, at: c, text: '}' }];
  }
  const last = segs.length - 1;
  const end: Insertion = segs[last].kind === 'lit' ? { seg: last, at: (segs[last] as { text: string }).text.length, text: '}' } : { seg: last, side: 'after', text: '}' };
  return [open, end];
}

type Placed = { edit: TextEdit; place: string };

/** The source edits for the targets' insertions, keyed by file, offset and text; or why they cannot be made. */
function sourceEdits(targets: Map<KeyUse, Insertion[]>, ctx: FixContext): Map<string, Placed> | string {
  const out = new Map<string, Placed>();
  for (const [u, ins] of targets) {
    const placed: Placed[] = [];
    for (const i of ins) {
      const p = 'at' in i ? atLiteral(u, i, ctx) : atValue(u, i);
      if (typeof p === 'string') {
        // a literal key whose text is not written as it is anywhere (escapes): edited where it is used
        const inline = inlineEdits(u, ins, ctx);
        if (!inline) return p;
        placed.length = 0;
        placed.push(...inline);
        break;
      }
      placed.push(...p);
    }
    for (const p of placed) out.set(`${p.edit.file}@${p.edit.start}@${p.edit.text}`, p);
  }
  return out;
}

/** Text added at a character of a literal: everywhere that character is written. */
function atLiteral(u: KeyUse, i: Insertion & { at: number }, ctx: FixContext): Placed[] | string {
  const seg = u.pattern.segments[i.seg] as Extract<Segment, { kind: 'lit' }>;
  // the character the text goes before, or (at the end) the one it goes after
  const c = i.at < seg.text.length ? i.at : i.at - 1;
  const origins = (seg.from ?? []).filter((o) => o.at <= c && c < o.at + o.length);
  if (!origins.length) return `\`${patternText(u.pattern)}\` is not written as it is in one place (escapes, or text computed at run time)`;
  const out: Placed[] = [];
  for (const o of origins) {
    const text = ctx.text(o.file);
    const start = originOffset(o);
    if (text === undefined || text.slice(start, start + o.length) !== seg.text.slice(o.at, o.at + o.length)) return `${o.file} changed since it was analysed`;
    const pos = start + (i.at - o.at);
    out.push({ edit: { file: o.file, start: pos, end: pos, text: o.doubled ? i.text.replace(/[{}]/g, '$&$&') : i.text }, place: `${o.file}@${o.base.start}` });
  }
  return out;
}

/** Text added next to a runtime value: inside the string that interpolates it, or concatenated to it. */
function atValue(u: KeyUse, i: Insertion & { side: 'before' | 'after' }): Placed[] | string {
  const seg = u.pattern.segments[i.seg] as Extract<Segment, { kind: 'hole' }>;
  const a: Anchor | undefined = i.side === 'before' ? seg.before : seg.after;
  if (!a) return `\`${patternText(u.pattern)}\` has no text ${i.side} \`${seg.expr}\` where the tag could go`;
  const pos = anchorOffset(a);
  let text = i.text;
  if (a.form === 'string') text = a.doubled ? text.replace(/[{}]/g, '$&$&') : text;
  else text = i.side === 'before' ? `${JSON.stringify(text)} ${a.op ?? '+'} ` : ` ${a.op ?? '+'} ${JSON.stringify(text)}`;
  return [{ edit: { file: a.file, start: pos, end: pos, text }, place: `${a.file}@${a.base.start}` }];
}

/** The legacy path: braces inserted into a literal key written at its use (prefix entities only). */
function inlineEdits(u: KeyUse, ins: Insertion[], ctx: FixContext): Placed[] | null {
  const close = ins[1];
  if (ins[0].text !== '{' || !('at' in close)) return null;
  const text = ctx.text(u.file);
  const entity = u.pattern.segments.slice(0, close.seg + 1).map((s, i) => (i === close.seg && s.kind === 'lit' ? { kind: 'lit' as const, text: s.text.slice(0, close.at) } : s)).filter((s) => s.kind !== 'lit' || s.text);
  const edits = text === undefined ? null : insertTagEdits(u, text, entity);
  return edits ? edits.map((e) => ({ edit: e, place: `${u.file}@${u.span.start}` })) : null;
}

/** Uses with a literal character or a runtime value's anchor at an edited place. */
const reachedByEdits = new WeakMap<Map<string, Placed>, KeyUse[]>();

function reached(edits: Map<string, Placed>, ctx: FixContext): KeyUse[] {
  const known = reachedByEdits.get(edits);
  if (known) return known;
  const byFile = new Map<string, number[]>();
  for (const { edit } of edits.values()) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit.start]);
  const out = new Set<KeyUse>();
  for (const [file, positions] of byFile) for (const u of ctx.writtenAt(file, positions)) out.add(u);
  const list = [...out];
  reachedByEdits.set(edits, list);
  return list;
}

/*
 * A round's edits are made once (sourceEdits) and then read many times: every key they reach, every
 * member of every group those keys are in (a key used in a hundred files is in a hundred groups).
 * What they do to each key, and which edits are in which file, are kept per edits map.
 */
const appliedByEdits = new WeakMap<Map<string, Placed>, Map<KeyUse, Segment[]>>();
const editsByFile = new WeakMap<Map<string, Placed>, Map<string, TextEdit[]>>();

function editsIn(edits: Map<string, Placed>, file: string): TextEdit[] {
  let byFile = editsByFile.get(edits);
  if (!byFile) {
    byFile = new Map();
    for (const { edit } of edits.values()) {
      const l = byFile.get(edit.file);
      if (l) l.push(edit);
      else byFile.set(edit.file, [edit]);
    }
    editsByFile.set(edits, byFile);
  }
  return byFile.get(file) ?? [];
}

/** A use's key as it reads once the edits are made (the text they add, without the quoting of a concatenation). */
function applied(u: KeyUse, edits: Map<string, Placed>): Segment[] {
  let known = appliedByEdits.get(edits);
  if (!known) appliedByEdits.set(edits, (known = new Map()));
  let segs = known.get(u);
  if (!segs) known.set(u, (segs = applyEdits(u, edits)));
  return segs;
}

function applyEdits(u: KeyUse, edits: Map<string, Placed>): Segment[] {
  const added = (e: TextEdit, doubled?: boolean, concat?: boolean) => {
    let t = concat ? JSON.parse(e.text.replace(/^\s*[+.]+\s*|\s*[+.]+\s*$/g, '')) : e.text;
    if (doubled) t = t.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
    return t as string;
  };
  const out: Segment[] = [];
  // one edit is one insertion into a key, though it sits both at the end of a literal and before a value
  const used = new Set<TextEdit>();
  for (const s of u.pattern.segments) {
    if (s.kind === 'hole') {
      const at = (a: Anchor | undefined) =>
        a
          ? editsIn(edits, a.file)
              .filter((e) => e.start === anchorOffset(a) && !used.has(e))
              .map((e) => {
                used.add(e);
                return added(e, a.doubled, a.form === 'concat');
              })
          : [];
      out.push(...at(s.before).map((text): Segment => ({ kind: 'lit', text })), s, ...at(s.after).map((text): Segment => ({ kind: 'lit', text })));
      continue;
    }
    const inserts = new Map<number, string[]>();
    for (const o of s.from ?? []) {
      const start = originOffset(o);
      for (const e of editsIn(edits, o.file)) {
        if (e.start < start || e.start > start + o.length || used.has(e)) continue;
        used.add(e);
        const at = o.at + (e.start - start);
        const text = added(e, o.doubled);
        const l = inserts.get(at) ?? [];
        if (!l.includes(text)) inserts.set(at, [...l, text]);
      }
    }
    let text = '';
    // at one place a closing brace comes before an opening one (`…}` of one tag, `{` of the next)
    for (let i = 0; i <= s.text.length; i++) text += (inserts.get(i) ?? []).sort((a, b) => Number(a.startsWith('{')) - Number(b.startsWith('{'))).join('') + (s.text[i] ?? '');
    out.push({ kind: 'lit', text });
  }
  return out;
}

/**
 * A FixContext over an analysed folder: its key uses, the keys of each of its groups, and its texts.
 * Its indexes are built when first asked (a code action on a 16,000-key folder should not pay for
 * the ones it does not need); `sameText` may come from the folder's own index.
 */
export function fixContext(uses: KeyUse[], groups: () => Iterable<KeyUse[]>, text: (file: string) => string | undefined, sameText?: (u: KeyUse) => KeyUse[], tagRule?: TagRule): FixContext {
  let byText: Map<string, KeyUse[]> | undefined;
  let groupsByText: Map<string, KeyUse[][]> | undefined;
  let writtenIn: ((file: string) => KeyUse[]) | undefined;
  const places = new Map<string, PlacesIn>();
  const written = (file: string) => (writtenIn ??= usesWrittenIn(uses))(file);
  return {
    writtenIn: written,
    // a fix on a folder with thousands of keys per file asks this once per edit: the places are sorted once per file
    writtenAt: (file, positions) => {
      let p = places.get(file);
      if (!p) places.set(file, (p = new PlacesIn(file, written(file))));
      return p.at(positions);
    },
    text,
    sameText:
      sameText ??
      ((u) => {
        if (!byText) {
          byText = new Map();
          for (const x of uses) pushTo(byText, textOf(x.pattern), x);
        }
        return byText.get(textOf(u.pattern)) ?? [u];
      }),
    groupsWith: (u) => {
      if (!groupsByText) {
        groupsByText = new Map();
        for (const members of groups()) for (const t of new Set(members.map((m) => textOf(m.pattern)))) pushTo(groupsByText, t, members);
      }
      return groupsByText.get(textOf(u.pattern)) ?? [];
    },
    tagRule,
  };
}

/** An index of uses by the files their literal characters and anchors are in, for FixContext.writtenIn. */
export function usesWrittenIn(uses: KeyUse[]): (file: string) => KeyUse[] {
  const byFile = new Map<string, KeyUse[]>();
  for (const u of uses)
    for (const file of filesWritingTo(u)) {
      const l = byFile.get(file);
      if (l) l.push(u);
      else byFile.set(file, [u]);
    }
  return (file) => byFile.get(file) ?? [];
}
