import type { KeyUse } from '../model/keyuse';
import { colonParts, commonEntity, Entity } from '../model/entity';
import { hashOfPattern, Origin, originOffset, patternText, Segment } from '../model/pattern';
import { insertTagEdits, TextEdit } from '../lsp/keyedit';

/*
 * The entity hash-tag fix, made where the keys are defined. A key's literal characters remember
 * where they are written (Origin), so `{` and `}` go into the constant, the builder's template or
 * the prefix the user would edit by hand - once - rather than into each use. Every other key that
 * is written with the same text changes too; those of the same entity family get their closing
 * brace as well, and a key the edit would break (an opening brace without its closing one) makes
 * the fix refuse, with the reason.
 */

export interface TagFix {
  entity: Entity;
  edits: TextEdit[];
  /** old → new name of every key pattern the edits change, for `keyslot migrate` */
  renames: { from: string; to: string }[];
  /** how many separate pieces of source text the edits touch */
  places: number;
}

export type TagFixResult = { fix: TagFix } | { reason: string };

export interface FixContext {
  /** the key uses with a literal character written in `file` (see usesWrittenIn) */
  writtenIn(file: string): KeyUse[];
  /** the current text of a file */
  text(file: string): string | undefined;
  /** the uses written with the same key text as `u` (other copies of a literal key) */
  sameText(u: KeyUse): KeyUse[];
}

/** A brace to insert before character `at` of literal segment `seg` of a key (`at` may be the literal's length: after its last character). */
interface Insertion {
  seg: number;
  at: number;
  brace: '{' | '}';
}

const MAX_ROUNDS = 6;

/** The fix that gives the keys of a group one entity tag, or why there is none. */
export function tagFixFor(members: KeyUse[], ctx: FixContext): TagFixResult {
  const entity = commonEntity([...new Map(members.map((m) => [patternText(m.pattern), m.pattern.segments])).values()]);
  if (!entity) return { reason: 'the keys share no entity (a common `namespace:id` prefix) to tag' };
  const targets = new Map<KeyUse, Insertion[]>();
  const pending = members.flatMap((m) => ctx.sameText(m));
  for (let round = 0; round < MAX_ROUNDS && pending.length; round++) {
    for (const u of pending.splice(0)) {
      if (targets.has(u) || taggedWith(u, entity)) continue;
      if (u.hash.kind !== 'whole') return { reason: `\`${patternText(u.pattern)}\` already has a hash tag: a person decides which one stays` };
      const ins = insertionsFor(u, entity);
      if (typeof ins === 'string') return { reason: ins };
      targets.set(u, ins);
    }
    const edits = sourceEdits(targets, ctx);
    if (typeof edits === 'string') return { reason: edits };
    // every key the edits reach: the family's other keys (written with the same prefix) are tagged too
    for (const u of reached(edits, ctx)) {
      if (targets.has(u) || taggedWith(u, entity)) continue;
      const after = hashOfPattern({ segments: applied(u, edits) });
      if (after.kind === 'tag') continue;
      if (startsWithEntity(u, entity) && u.hash.kind === 'whole') pending.push(u);
      else return { reason: `the edit would also change \`${patternText(u.pattern)}\` (${u.file}) into \`${patternText(applied(u, edits))}\`` };
    }
    if (!pending.length) {
      const all = [...new Set([...targets.keys(), ...reached(edits, ctx)])];
      const renames = new Map<string, string>();
      for (const u of all) {
        const to = patternText(applied(u, edits));
        const from = patternText(u.pattern);
        if (to !== from) renames.set(from, to);
      }
      const list = [...edits.values()].map((x) => x.edit);
      if (!list.length) return { reason: 'the keys already carry the tag' };
      return { fix: { entity, edits: list, renames: [...renames].map(([from, to]) => ({ from, to })), places: new Set([...edits.values()].map((x) => x.place)).size } };
    }
  }
  return { reason: 'the keys of this entity are written in too many connected places' };
}

function taggedWith(u: KeyUse, entity: Entity): boolean {
  return u.hash.kind === 'tag' && !!u.hash.tag && patternText(u.hash.tag) === entity.text;
}

/** Whether a key starts with an entity of the same shape (`user:${userId}` is `user:${uid}` in another function). */
function startsWithEntity(u: KeyUse, entity: Entity): boolean {
  const mine = colonParts(u.pattern.segments);
  const its = colonParts(entity.segments);
  const shape = (part: Segment[]) => part.map((s) => (s.kind === 'lit' ? JSON.stringify(s.text) : '$')).join('');
  return mine.length >= its.length && its.every((p, i) => shape(mine[i]) === shape(p));
}

/** `{` before the key's first character, `}` after its entity (before the entity's colon count + 1-th literal `:`, or at the end). */
function insertionsFor(u: KeyUse, entity: Entity): Insertion[] | string {
  const segs = u.pattern.segments;
  if (segs[0]?.kind !== 'lit') return `\`${patternText(u.pattern)}\` starts with a runtime value: the tag's \`{\` has no text to go before`;
  let colons = entity.text.split(':').length - 1;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.kind !== 'lit') continue;
    for (let c = 0; c < s.text.length; c++) if (s.text[c] === ':' && colons-- === 0) return [{ seg: 0, at: 0, brace: '{' }, { seg: i, at: c, brace: '}' }];
  }
  const last = segs.length - 1;
  if (segs[last].kind !== 'lit') return `\`${patternText(u.pattern)}\` ends with its entity's runtime value: the tag's \`}\` has no text to go after`;
  return [{ seg: 0, at: 0, brace: '{' }, { seg: last, at: (segs[last] as { text: string }).text.length, brace: '}' }];
}

type Placed = { edit: TextEdit; place: string };

/** The source edits for the targets' insertions, keyed by file and offset; or why they cannot be made. */
function sourceEdits(targets: Map<KeyUse, Insertion[]>, ctx: FixContext): Map<string, Placed> | string {
  const out = new Map<string, Placed>();
  for (const [u, ins] of targets) {
    const placed: Placed[] = [];
    let ok = true;
    for (const i of ins) {
      const seg = u.pattern.segments[i.seg] as Extract<Segment, { kind: 'lit' }>;
      // the character the brace goes before, or (at the end) the one it goes after
      const c = i.at < seg.text.length ? i.at : i.at - 1;
      const origins = (seg.from ?? []).filter((o) => o.at <= c && c < o.at + o.length);
      if (!origins.length) {
        ok = false;
        break;
      }
      for (const o of origins) {
        const text = ctx.text(o.file);
        const start = originOffset(o);
        if (text === undefined || text.slice(start, start + o.length) !== seg.text.slice(o.at, o.at + o.length)) return `${o.file} changed since it was analysed`;
        const pos = start + (i.at - o.at);
        placed.push({ edit: { file: o.file, start: pos, end: pos, text: o.doubled ? i.brace + i.brace : i.brace }, place: `${o.file}@${o.base.start}` });
      }
    }
    if (!ok) {
      // a key whose text is not written as it is anywhere (escapes): edited where it is used, when it is a literal there
      const text = ctx.text(u.file);
      const inline = text === undefined ? null : insertTagEdits(u, text, tagSegments(u, ins));
      if (!inline) return `\`${patternText(u.pattern)}\` is not written as it is in one place (escapes, or text computed at run time)`;
      placed.length = 0;
      for (const e of inline) placed.push({ edit: e, place: `${u.file}@${u.span.start}` });
    }
    for (const p of placed) out.set(`${p.edit.file}@${p.edit.start}@${p.edit.text}`, p);
  }
  return out;
}

/** The entity part of a key as insertTagEdits wants it: its segments before the closing brace. */
function tagSegments(u: KeyUse, ins: Insertion[]): Segment[] {
  const close = ins[1];
  const segs = u.pattern.segments.slice(0, close.seg + 1).map((s, i) => (i === close.seg && s.kind === 'lit' ? { kind: 'lit' as const, text: s.text.slice(0, close.at) } : s));
  return segs.filter((s) => s.kind !== 'lit' || s.text);
}

/** Uses with a literal character written at an edited place. */
function reached(edits: Map<string, Placed>, ctx: FixContext): KeyUse[] {
  const byFile = new Map<string, number[]>();
  for (const { edit } of edits.values()) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit.start]);
  const out = new Set<KeyUse>();
  for (const file of byFile.keys())
    for (const u of ctx.writtenIn(file)) if (u.pattern.segments.some((s) => s.kind === 'lit' && s.from?.some((o) => covers(o, byFile.get(o.file))))) out.add(u);
  return [...out];
}

/** An index of uses by the files their literal characters are written in, for FixContext.writtenIn. */
export function usesWrittenIn(uses: KeyUse[]): (file: string) => KeyUse[] {
  const byFile = new Map<string, KeyUse[]>();
  for (const u of uses)
    for (const file of new Set(u.pattern.segments.flatMap((s) => (s.kind === 'lit' ? (s.from ?? []).map((o) => o.file) : [])))) {
      const l = byFile.get(file);
      if (l) l.push(u);
      else byFile.set(file, [u]);
    }
  return (file) => byFile.get(file) ?? [];
}

function covers(o: Origin, positions: number[] | undefined): boolean {
  if (!positions) return false;
  const start = originOffset(o);
  return positions.some((p) => p >= start && p <= start + o.length);
}

/** A use's key as it reads once the edits are made. */
function applied(u: KeyUse, edits: Map<string, Placed>): Segment[] {
  return u.pattern.segments.map((s) => {
    if (s.kind !== 'lit' || !s.from) return s;
    const inserts = new Map<number, string>();
    for (const o of s.from) {
      const start = originOffset(o);
      for (const { edit } of edits.values()) {
        if (edit.file !== o.file || edit.start < start || edit.start > start + o.length) continue;
        const at = o.at + (edit.start - start);
        const brace = edit.text[0];
        if (!(inserts.get(at) ?? '').includes(brace)) inserts.set(at, (inserts.get(at) ?? '') + brace);
      }
    }
    if (!inserts.size) return s;
    let text = '';
    for (let i = 0; i <= s.text.length; i++) text += (inserts.get(i) ?? '').split('').sort((a, b) => (a === '}' ? -1 : b === '}' ? 1 : 0)).join('') + (s.text[i] ?? '');
    return { kind: 'lit', text };
  });
}
