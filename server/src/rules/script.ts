import type { KeyUse } from '../model/keyuse';
import { patternText } from '../model/pattern';
import { ownerOf, Topology } from '../model/topology';
import type { Finding } from './finding';
import { GroupVerdict, keyText } from './groups';

const KEYS_REF = /^KEYS\s*\[\s*(\d+|[^\]]+)\s*\]$/;

/**
 * script-undeclared-key: Lua that touches a key not passed in KEYS. On a cluster the server only
 * lets a script reach keys of its own node (and by the documented rule, only keys in KEYS).
 * A key derived from KEYS[n] (`KEYS[1] .. ':log'`) shares KEYS[n]'s slot only when KEYS[n] has a tag.
 */
export function scriptRule(uses: KeyUse[], verdicts: Map<string, GroupVerdict>, topology: Topology): Finding[] {
  const callsOf = new Map<string, GroupVerdict[]>();
  for (const v of verdicts.values()) {
    if (v.group.kind !== 'script' || !v.group.script) continue;
    callsOf.set(v.group.script, [...(callsOf.get(v.group.script) ?? []), v]);
  }
  const out: Finding[] = [];
  for (const u of uses) {
    if (u.language !== 'lua' && !u.script) continue;
    const keysHoles = u.pattern.segments.filter((s) => s.kind === 'hole' && KEYS_REF.test(s.expr));
    const calls = u.script ? callsOf.get(u.script) ?? [] : [];
    if (keysHoles.length > 0 && u.pattern.segments.length === 1) continue; // KEYS[n] itself
    if (keysHoles.length > 0) {
      out.push(derivedKey(u, (keysHoles[0] as { expr: string }).expr, calls));
      continue;
    }
    out.push(undeclaredKey(u, calls, topology));
  }
  return out;
}

function derivedKey(u: KeyUse, ref: string, calls: GroupVerdict[]): Finding {
  const n = Number(KEYS_REF.exec(ref)![1]);
  const passed = Number.isInteger(n) ? calls.map((c) => c.members[n - 1]).filter((m): m is KeyUse => !!m) : [];
  const untagged = passed.find((m) => m.hash.kind !== 'tag');
  const allTagged = passed.length > 0 && !untagged && passed.length === calls.length;
  const base = `${keyText(u)} is derived from ${ref} but not passed in KEYS`;
  if (allTagged)
    return {
      code: 'script-undeclared-key',
      severity: 'info',
      file: u.file,
      span: u.span,
      message: `${base}; it shares ${ref}'s slot because every caller passes a tagged key (${keyText(passed[0])}), but pass it in KEYS to follow the cluster rule for scripts.`,
      related: passed.map((m) => ({ file: m.file, span: m.span, message: `${ref} here is ${keyText(m)}` })),
    };
  const why = untagged ? `; ${keyText(untagged)} passed as ${ref} has no hash tag, so the derived key can be on another slot` : passed.length ? '' : '; no caller of this script was found to tell whether it does';
  return {
    code: 'script-undeclared-key',
    severity: 'warning',
    file: u.file,
    span: u.span,
    message: `${base}: it shares ${ref}'s slot only if ${ref} carries a hash tag${why}; pass it in KEYS.`,
    related: passed.map((m) => ({ file: m.file, span: m.span, message: `${ref} here is ${keyText(m)}` })),
  };
}

function undeclaredKey(u: KeyUse, calls: GroupVerdict[], topology: Topology): Finding {
  const base = `The script touches ${keyText(u)}, which is not in KEYS`;
  const related = calls.map((c) => ({ file: c.group.file, span: c.group.span, message: `the script is called here with KEYS ${c.members.map(keyText).join(', ') || '(none)'}` }));
  if (u.hash.slot !== null && calls.length > 0) {
    const keyNode = ownerOf(topology, u.hash.slot);
    // where each call runs: the node of its first key, when known
    const runsOn = calls.map((c) => (c.members[0]?.hash.slot != null ? ownerOf(topology, c.members[0].hash.slot) : null));
    if (runsOn.every((n) => n !== null && n !== keyNode))
      return {
        code: 'script-undeclared-key',
        severity: 'error',
        file: u.file,
        span: u.span,
        message: `${base}: it is in slot ${u.hash.slot} on ${keyNode}, but under ${topology.source} the script runs on ${[...new Set(runsOn)].join(', ')} where its KEYS are, so the server refuses it ("Script attempted to access a non local key"); pass it in KEYS with the same hash tag.`,
        related,
      };
    if (runsOn.some((n) => n === null) || calls.some((c) => c.members.length === 0))
      return { code: 'script-undeclared-key', severity: 'warning', file: u.file, span: u.span, message: `${base}: the script runs on the node of its first KEYS entry (or a random node without KEYS), so reaching ${keyText(u)} depends on where that is; pass it in KEYS.`, related };
    return {
      code: 'script-undeclared-key',
      severity: 'warning',
      file: u.file,
      span: u.span,
      message: `${base}: it works only while slot ${u.hash.slot} and the script's KEYS share ${keyNode}, which resharding can change; pass it in KEYS.`,
      related,
    };
  }
  const what = u.pattern.segments.some((s) => s.kind === 'hole' && /^ARGV/.test(s.expr)) ? ' (built from ARGV)' : '';
  return {
    code: 'script-undeclared-key',
    severity: 'warning',
    file: u.file,
    span: u.span,
    message: `${base}${what}: on a cluster a script can only reach keys of the node it runs on, and only keys passed in KEYS are guaranteed to be there; pass \`${patternText(u.pattern)}\` in KEYS.`,
    related,
  };
}
