import { patternText } from '../model/pattern';
import type { Finding } from './finding';
import { fixHint } from './fixhint';
import { isHashTags, type TagRule } from '../model/hashtag';
import { capital, describeGroup, GroupVerdict, keyText, Repeats, reportedElsewhere, slotVerdict } from './groups';

/*
 * crossslot (certain), crossslot-possible (depends on runtime values), and split-nonatomic (the
 * library splits the call per slot, so it works but is not atomic), for groups that need one slot.
 */
export function crossslotRule(verdicts: Map<string, GroupVerdict>, repeats?: Repeats, rule?: TagRule): Finding[] {
  const out: Finding[] = [];
  /** per transaction or pipeline: its commands that fail on their own (reported as themselves) */
  const failingChildren = new Map<string, Set<string>>();
  // commands first, so a transaction that already fails because of one command is not reported twice
  const ordered = [...verdicts.values()].sort((a, b) => Number(!!b.group.parent) - Number(!!a.group.parent));
  for (const v of ordered) {
    const { group: g, members, requirement } = v;
    if (members.length < 2 && !members.some((m) => m.spread)) continue;
    if (reportedElsewhere(v, repeats)) continue;
    const what = describeGroup(v);
    if (requirement.need === 'split') {
      // only the library's cluster client splits; a client built standalone sends one command (which a proxy may split)
      if (v.sameSlot === 'yes' || (!requirement.byProxy && (g.mode === 'standalone' || g.mode === 'sentinel'))) continue;
      out.push({
        code: 'split-nonatomic',
        // a transaction split behind the code's back loses the atomicity it asked for
        severity: g.kind === 'transaction' ? 'warning' : 'info',
        file: g.file,
        span: g.span,
        message: `${requirement.why}: ${v.reason}; ${what} works on a cluster, but not atomically.`,
        related: members.map((m) => ({ file: m.file, span: m.span, message: `${keyText(m)}${m.hash.slot !== null ? ` (slot ${m.hash.slot})` : ''}` })),
        group: g.id,
      });
      continue;
    }
    if (requirement.need !== 'slot') continue;
    if (v.sameSlot === 'yes') continue;
    if (g.parent && v.sameSlot === 'no') failingChildren.set(g.parent, (failingChildren.get(g.parent) ?? new Set()).add(g.id));
    // a transaction whose MGET fails: reported too only if it still fails once that command is fixed
    // (its other keys against each other, or against the command's keys)
    const children = failingChildren.get(g.id);
    let conflict = v.conflict;
    let reason = v.reason;
    if (children) {
      const rest = [...members.filter((m) => !m.group || !children.has(m.group)), ...[...children].flatMap((c) => members.find((m) => m.group === c) ?? [])];
      const after = slotVerdict(rest);
      if (after.sameSlot !== 'no') continue;
      // at a key of its own, not at the command that is reported already
      conflict = after.conflict && after.conflict[1].group && children.has(after.conflict[1].group) ? [after.conflict[1], after.conflict[0]] : after.conflict;
      reason = after.reason;
    }
    if (v.sameSlot === 'no') {
      const [first, at] = conflict!;
      out.push({
        code: 'crossslot',
        severity: 'error',
        file: at.file,
        span: at.span,
        anchor: g.span,
        message: `${capital(describeGroup(v, false))} fails on a cluster: ${reason}${requirement.why ? ` (${requirement.why})` : ''}; ${fixHint(members, g.kind === 'command' ? g.command : undefined, rule)}.`,
        related: [first, ...members.filter((m) => m !== at && m !== first)].map((m) => ({ file: m.file, span: m.span, message: `${keyText(m)} ${m.hash.slot !== null ? `is in slot ${m.hash.slot}` : `hashes \`${hashedText(m, rule)}\``}` })),
        group: g.id,
      });
    } else {
      const at = members.find((m) => m.hash.slot === null) ?? members[0];
      out.push({
        code: 'crossslot-possible',
        severity: 'warning',
        file: at.file,
        span: at.span,
        anchor: g.span,
        message: `${capital(what)} may fail on a cluster: ${v.reason}${requirement.why ? ` (${requirement.why})` : ''}; ${fixHint(members, g.kind === 'command' ? g.command : undefined, rule)}.`,
        related: members.filter((m) => m !== at).map((m) => ({ file: m.file, span: m.span, message: `${keyText(m)} ${m.hash.slot !== null ? `is in slot ${m.hash.slot}` : `hashes \`${hashedText(m, rule)}\``}` })),
        group: g.id,
      });
    }
  }
  return out;
}

/** The hashed part as written: `{user:${uid}}` for a tag, the whole key otherwise. */
/** What a key hashes: its `{tag}` with the braces, or the part another tag rule reads, or the whole key. */
function hashedText(m: GroupVerdict['members'][number], rule: TagRule | undefined): string {
  const text = patternText(m.hash.hashed);
  return m.hash.kind === 'tag' && (!rule || isHashTags(rule)) ? `{${text}}` : text;
}
