import type { Target } from '../protocol';
import { requirementOf, Requirement } from '../clients/semantics';
import { Group, KeyUse, repeatedIds } from '../model/keyuse';
import { patternId, patternText, Segment } from '../model/pattern';
import type { RuleContext } from './context';
import { pushTo } from '../model/collections';

export type SameSlot = 'yes' | 'no' | 'unknown';

/** A group judged: its keys, what the library needs of them, and whether they provably share a slot. */
export interface GroupVerdict {
  group: Group;
  /** its keys, including those of commands nested in it, in code order */
  members: KeyUse[];
  requirement: Requirement;
  sameSlot: SameSlot;
  /** one sentence on why sameSlot is what it is */
  reason: string;
  /** for 'no': two keys that are in different slots */
  conflict?: [KeyUse, KeyUse];
}

const MAX_LISTED = 4;

/** A pattern's text, made once per pattern (patterns do not change once made, and rules ask often). */
const texts = new WeakMap<object, string>();
export function textOf(p: KeyUse['pattern'] | Segment[]): string {
  let t = texts.get(p);
  if (t === undefined) texts.set(p, (t = patternText(p)));
  return t;
}

/** A pattern's identity (patternId), made once per pattern. */
const ids = new WeakMap<Segment[], string>();
export function idOf(segs: Segment[]): string {
  let t = ids.get(segs);
  if (t === undefined) ids.set(segs, (t = patternId(segs)));
  return t;
}

export function keyText(u: KeyUse): string {
  return '`' + textOf(u.pattern) + '`';
}

/** `a` (slot 1), `b` (slot 2) and 3 more */
export function listKeys<T>(items: T[], describe: (x: T) => string): string {
  const shown = items.slice(0, MAX_LISTED).map(describe);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : shown.join('');
}

function holeNames(segs: Segment[]): string[] {
  return [...new Set(segs.filter((s) => s.kind === 'hole').map((s) => '`' + (s as { expr: string }).expr + '`'))];
}

/**
 * Groups that stand for the same call: a call of a project function repeats the groups of its
 * body with the arguments in place (Group.repeats). One cause gets one finding, where the text
 * that decides it is written.
 */
export interface Repeats {
  /** the body's group that a call's group repeats */
  body(g: Group): GroupVerdict | undefined;
  /** the calls' groups that repeat a body's group */
  calls(g: Group): GroupVerdict[];
}

export function repeatsIn(verdicts: Map<string, GroupVerdict>): Repeats {
  const calls = new Map<string, GroupVerdict[]>();
  for (const v of verdicts.values()) for (const id of repeatedIds(v.group.repeats)) pushTo(calls, id, v);
  return { body: (g) => repeatedIds(g.repeats).flatMap((id) => verdicts.get(id) ?? [])[0], calls: (g) => calls.get(g.id) ?? [] };
}

/** Whether a group's slot finding belongs to another group that stands for the same call. */
export function reportedElsewhere(v: GroupVerdict, repeats: Repeats | undefined): boolean {
  // a script's KEYS list handed on with nothing known of it (a client adapter's `Eval(ctx, src, keys, args…)`):
  // the code that fills the list decides, not this call
  const handedOn = (m: KeyUse) => v.group.kind === 'script' && m.spread && m.pattern.segments.length === 1 && m.pattern.segments[0].kind === 'hole';
  if (v.sameSlot === 'unknown' && v.members.every((m) => handedOn(m) || m.hash.slot !== null)) return true;
  if (!repeats) return false;
  const body = repeats.body(v.group);
  // at a call of a helper: only what the arguments decide (the helper's keys fail with these values, not in general)
  if (body) return !(v.sameSlot === 'no' && body.sameSlot !== 'no');
  // in the helper: when its keys depend on what it is given, every call that tells is judged where it is
  const calls = repeats.calls(v.group);
  return v.sameSlot === 'unknown' && calls.length > 0 && calls.every((c) => c.sameSlot !== 'unknown');
}

/** Judges every group once, so rules, the CLI and the editor tell the same story. */
export function judgeGroups(ctx: RuleContext): Map<string, GroupVerdict> {
  const byGroup = new Map<string, KeyUse[]>();
  for (const u of ctx.uses) {
    if (!u.group) continue;
    const list = byGroup.get(u.group) ?? [];
    list.push(u);
    byGroup.set(u.group, list);
  }
  const groupById = new Map(ctx.groups.map((g) => [g.id, g]));
  const children = new Map<string, Group[]>();
  for (const g of ctx.groups) if (g.parent) pushTo(children, g.parent, g);
  const out = new Map<string, GroupVerdict>();
  for (const g of ctx.groups) {
    const members = [g, ...(children.get(g.id) ?? [])].flatMap((x) => byGroup.get(x.id) ?? []);
    out.set(g.id, judgeGroup(g, members, g.parent ? groupById.get(g.parent) : undefined, ctx.versionOf, ctx.target));
  }
  return out;
}

/** One group's verdict; `members` are its keys and its nested commands' keys, in workspace order (sorted here by position). */
export function judgeGroup(g: Group, members: KeyUse[], parent: Group | undefined, versionOf: RuleContext['versionOf'], target: Target = 'oss-cluster'): GroupVerdict {
  members.sort((a, b) => a.span.start - b.span.start);
  const requirement = requirementOf(g, parent, versionOf(g.file, g.library), target);
  return { group: g, members, requirement, ...slotVerdict(members) };
}

/** yes: provably one slot; no: two known slots differ; unknown: depends on runtime values. */
export function slotVerdict(members: KeyUse[]): { sameSlot: SameSlot; reason: string; conflict?: [KeyUse, KeyUse] } {
  const known = members.filter((m) => m.hash.slot !== null);
  const slots = new Set(known.map((m) => m.hash.slot));
  if (slots.size > 1) {
    const firstOfSlot = [...slots].map((s) => known.find((m) => m.hash.slot === s)!);
    return { sameSlot: 'no', reason: `${listKeys(firstOfSlot, (u) => `${keyText(u)} (slot ${u.hash.slot})`)} are in different slots`, conflict: [firstOfSlot[0], firstOfSlot[1]] };
  }
  // the same runtime values inside different text: equal slots only by a 1-in-16,384 coincidence
  const bySignature = new Map<string, KeyUse>();
  for (const m of members) {
    const sig = holeSignature(m.hash.hashed);
    if (!sig) continue;
    const other = bySignature.get(sig);
    if (other && other.hash.hashId !== m.hash.hashId)
      return {
        sameSlot: 'no',
        reason: `${keyText(other)} and ${keyText(m)} hash different text around the same ${holeNames(m.hash.hashed).join(', ')}, so they are in different slots for all but about 1 in 16,384 values`,
        conflict: [other, m],
      };
    bySignature.set(sig, m);
  }
  const refused = members.find((m) => m.hash.kind === 'unmatched');
  if (refused) return { sameSlot: 'unknown', reason: `${keyText(refused)} matches no rule of the hashing policy, so the database refuses it` };
  const spread = members.find((m) => m.spread);
  if (spread) return { sameSlot: 'unknown', reason: `the keys come from ${keyText(spread)}, a list whose members are not known` };
  const perCall = members.find((m) => m.perCall);
  if (perCall) return { sameSlot: 'unknown', reason: `${keyText(perCall)} is queued by a helper that each call may give another value` };
  if (members.length === 0) return { sameSlot: 'yes', reason: 'no keys' };
  if (known.length === members.length) return { sameSlot: 'yes', reason: `every key is in slot ${[...slots][0]}` };
  const ids = new Set(members.map((m) => m.hash.hashId));
  if (ids.size === 1) {
    const hashed = members[0].hash.hashed;
    const what = members[0].hash.kind === 'tag' ? `the tag \`{${patternText(hashed)}}\`` : `\`${patternText(hashed)}\``;
    return { sameSlot: 'yes', reason: `every key hashes ${what} over the same ${holeNames(hashed).join(', ')}, so they share a slot whatever the value` };
  }
  const unknown = members.filter((m) => m.hash.slot === null);
  const deps = [...new Set(unknown.flatMap((m) => holeNames(m.hash.hashed)))];
  return { sameSlot: 'unknown', reason: `the slots depend on the runtime values of ${listKeys(deps, (d) => d)}` };
}

/** The holes of a hashed part, in order, with their scopes: equal signatures mean the same runtime values. */
function holeSignature(segs: Segment[]): string {
  return segs.map((s) => (s.kind === 'hole' ? `${s.scope}|${s.expr}` : '')).filter(Boolean).join('\0');
}

/** `MGET of `a` and `b``, `the ioredis pipeline`; without the keys when the message lists them anyway. */
export function describeGroup(v: GroupVerdict, withKeys = true): string {
  const g = v.group;
  const lib = g.library === 'redis-cli' || g.library === 'lua' ? '' : `${g.library} `;
  const of = withKeys ? ` of ${listKeys(v.members, keyText)}` : '';
  switch (g.kind) {
    case 'command':
      return `${g.command?.toUpperCase()}${of}`;
    case 'script':
      return withKeys ? `the script call with KEYS ${listKeys(v.members, keyText)}` : 'the script call';
    case 'watch':
      return `WATCH${of}`;
    case 'transaction':
      return `the ${lib}transaction`;
    case 'pipeline':
      return `the ${lib}pipeline`;
    case 'framework':
      return `${g.framework?.name ?? 'the framework'}'s ${g.framework?.what ?? 'queue'}${g.framework?.queue ? ` ${g.framework.queue}` : ''}`;
  }
}

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
