import { HASH_TAGS, TagRule } from '../model/hashtag';
import type { ScriptInfo } from '../index/analyze';
import type { KeyUse } from '../model/keyuse';
import { hashOfPattern, normalizeSegments, PatternHash, patternText, Segment } from '../model/pattern';
import { ownerOf, Topology } from '../model/topology';
import type { Finding, Related, Severity } from './finding';
import { GroupVerdict, keyText } from './groups';
import { pushTo } from '../model/collections';

const KEYS_REF = /^KEYS\s*\[\s*(\d+|[^\]]+)\s*\]$/;
/** A key that is evidently not one of KEYS: an argument, or a value read from Redis. */
const FROM_OUTSIDE_KEYS = /^(ARGV\s*\[|redis\.p?call\s*\()/;

/*
 * script-undeclared-key: Lua that touches a key not passed in KEYS. A script runs on the node of
 * its first key; there the server refuses keys of other nodes ("non local key"), and with a
 * `#!lua` shebang (without allow-cross-slot-keys) keys of any other slot. By the documented rule a
 * script should only touch KEYS. Each call site is judged with the keys it passes: a derived key
 * `KEYS[1] .. ':log'` becomes `{user:${uid}}:cart:log` at a call passing `{user:${uid}}:cart`.
 */
export function scriptRule(uses: KeyUse[], verdicts: Map<string, GroupVerdict>, scripts: Map<string, ScriptInfo>, topology: Topology, rule: TagRule = HASH_TAGS): Finding[] {
  const callsOf = new Map<string, GroupVerdict[]>();
  for (const v of verdicts.values()) {
    if (v.group.kind !== 'script' || !v.group.script) continue;
    pushTo(callsOf, v.group.script, v);
  }
  const out: Finding[] = [];
  for (const u of uses) {
    if (u.language !== 'lua' && !u.script) continue;
    const segs = u.pattern.segments;
    if (segs.length === 1 && segs[0].kind === 'hole' && KEYS_REF.test(segs[0].expr)) continue; // KEYS[n] itself
    // a bare name the analysis cannot follow (a loop variable over KEYS, a parameter, a table
    // lookup, `unpack(t)`) says nothing about where the key came from; ARGV and text do
    if (segs.length === 1 && segs[0].kind === 'hole' && !FROM_OUTSIDE_KEYS.test(segs[0].expr)) continue;
    const info = u.script ? scripts.get(u.script) : undefined;
    out.push(judge(u, u.script ? callsOf.get(u.script) ?? [] : [], !!info?.shebang && !info.allowCrossSlotKeys, topology, rule));
  }
  return out;
}

type Outcome = 'non-local' | 'cross-slot' | 'same-node' | 'same-slot' | 'unknown';

interface AtCall {
  call: GroupVerdict;
  /** the key as this call makes it */
  hash: PatternHash;
  text: string;
  outcome: Outcome;
}

/** The key's pattern at one call: KEYS[n] replaced by the n-th key the call passes. */
function atCall(u: KeyUse, call: GroupVerdict, strict: boolean, topology: Topology, rule: TagRule): AtCall {
  let complete = true;
  const segs: Segment[] = u.pattern.segments.flatMap((s) => {
    const m = s.kind === 'hole' ? KEYS_REF.exec(s.expr) : null;
    if (!m) return [s];
    const passed = call.members[Number(m[1]) - 1];
    if (!passed || passed.spread) {
      complete = false;
      return [s];
    }
    return passed.pattern.segments;
  });
  const hash = hashOfPattern({ segments: normalizeSegments(segs) }, rule);
  const text = '`' + patternText(segs) + '`';
  const first = call.members[0];
  let outcome: Outcome = 'unknown';
  if (complete && first && !first.spread) {
    if (hash.hashId === first.hash.hashId) outcome = 'same-slot';
    else if (hash.slot !== null && first.hash.slot !== null) {
      if (ownerOf(topology, hash.slot) !== ownerOf(topology, first.hash.slot)) outcome = 'non-local';
      else if (hash.slot !== first.hash.slot) outcome = strict ? 'cross-slot' : 'same-node';
      else outcome = 'same-slot';
    }
  }
  return { call, hash, text, outcome };
}

function judge(u: KeyUse, calls: GroupVerdict[], strict: boolean, topology: Topology, rule: TagRule): Finding {
  const ref = u.pattern.segments.find((s): s is Extract<Segment, { kind: 'hole' }> => s.kind === 'hole' && KEYS_REF.test(s.expr));
  const base = ref ? `${keyText(u)} is derived from ${ref.expr} but not passed in KEYS` : `The script touches ${keyText(u)}, which is not in KEYS`;
  const results = calls.map((c) => atCall(u, c, strict, topology, rule));
  const related: Related[] = results.map((r) => ({
    file: r.call.group.file,
    span: r.call.group.span,
    message: `called with KEYS ${r.call.members.map(keyText).join(', ') || '(none)'}: the key is ${r.text}${r.hash.slot !== null ? ` (slot ${r.hash.slot})` : ''}`,
  }));
  const finding = (severity: Severity, why: string): Finding => ({ code: 'script-undeclared-key', severity, file: u.file, span: u.span, message: `${base}: ${why}`, related });
  const first = (o: Outcome) => results.find((r) => r.outcome === o);
  const nonLocal = first('non-local');
  if (nonLocal) {
    const runs = nonLocal.call.members[0];
    return finding('error', `at the call passing ${keyText(runs)} it is ${nonLocal.text} in slot ${nonLocal.hash.slot} on ${ownerOf(topology, nonLocal.hash.slot!)}, but the script runs on ${ownerOf(topology, runs.hash.slot!)} (under ${topology.source}), so the server refuses it ("Script attempted to access a non local key"); pass it in KEYS with the same hash tag.`);
  }
  const crossSlot = first('cross-slot');
  if (crossSlot)
    return finding('error', `the script has a \`#!lua\` shebang, so all its keys must be in one slot, but at the call passing ${keyText(crossSlot.call.members[0])} it is ${crossSlot.text} in slot ${crossSlot.hash.slot}, not ${crossSlot.call.members[0].hash.slot}; pass it in KEYS with the same hash tag.`);
  if (results.length && results.every((r) => r.outcome === 'same-slot'))
    return finding('info', `it is in the slot of the script's first key at every call (${results[0].text}), so it works on a cluster; pass it in KEYS to follow the rule that scripts touch only KEYS.`);
  const sameNode = first('same-node');
  if (sameNode && results.every((r) => r.outcome === 'same-node' || r.outcome === 'same-slot'))
    return finding('warning', `${sameNode.text} is in slot ${sameNode.hash.slot}, on the same primary as the script's first key only by chance of ${topology.source}; resharding breaks it; pass it in KEYS.`);
  if (ref) {
    const untagged = results.map((r) => r.call.members[Number(KEYS_REF.exec(ref.expr)![1]) - 1]).find((m) => m && m.hash.kind !== 'tag');
    const why = untagged ? `; ${keyText(untagged)} passed as ${ref.expr} has none` : results.length ? '' : '; no call of this script was found to tell';
    return finding('warning', `it shares ${ref.expr}'s slot only if ${ref.expr} carries a hash tag${why}; pass it in KEYS.`);
  }
  const argv = u.pattern.segments.some((s) => s.kind === 'hole' && /^ARGV/.test(s.expr)) ? ' It is built from ARGV.' : '';
  return finding('warning', `on a cluster a script can only reach keys of the node it runs on, and only keys passed in KEYS are sure to be there; pass \`${patternText(u.pattern)}\` in KEYS.${argv}`);
}
