import { commonEntity } from '../model/entity';
import type { KeyUse } from '../model/keyuse';
import type { Segment } from '../model/pattern';
import { keyText, listKeys } from './groups';

/** The second half of a crossslot message: the entity tag that would fix it, or why none fits. */
export function fixHint(members: KeyUse[]): string {
  const distinct = [...new Map(members.map((m) => [m.hash.hashId, m])).values()];
  const entity = commonEntity(distinct.map((m) => m.pattern.segments));
  if (entity) return `put the entity tag \`{${entity.text}}\` in every key (\`{${entity.text}}:…\`)`;
  const shared = sharedHole(distinct.map((m) => m.pattern.segments));
  if (shared) {
    const name = entityName(shared.expr);
    return `the keys are about the same \`${shared.expr}\`: tag each with \`{${name}:\${${shared.expr}}}\``;
  }
  return `the keys share no entity (${listKeys(distinct, keyText)}), so a hash tag would only pile unrelated data onto one slot: split the call per key`;
}

/** The one runtime value every pattern contains (`product:${sku}` and `stock:${sku}`), if there is exactly one. */
function sharedHole(patterns: Segment[][]): Extract<Segment, { kind: 'hole' }> | null {
  const holesOf = (segs: Segment[]) => segs.filter((s): s is Extract<Segment, { kind: 'hole' }> => s.kind === 'hole');
  const first = holesOf(patterns[0] ?? []);
  const common = first.filter((h) => patterns.every((p) => holesOf(p).some((o) => o.expr === h.expr && o.scope === h.scope)));
  return common.length === 1 ? common[0] : null;
}

/** `user_id` → user, `userId` → user, `order.id` → order, `sku` → sku */
function entityName(expr: string): string {
  const last = expr.split(/[.\[\]()]+/).filter(Boolean);
  const word = (last.length > 1 && /^(id|ID|Id)$/.test(last[last.length - 1]) ? last[last.length - 2] : last[last.length - 1]) ?? 'entity';
  const base = word.replace(/(_id|Id|ID)$/, '') || word;
  return base.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()).replace(/^_/, '').toLowerCase();
}
