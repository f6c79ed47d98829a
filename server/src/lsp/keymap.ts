import type { Group, KeyUse } from '../model/keyuse';
import type { Finding } from '../rules/finding';

/**
 * The key use each finding is counted on, so the key map's counts add up to the Problems panel's:
 * the use the finding starts at; else the first key of its group (a crossslot on the call, a
 * transaction over its commands' keys); else a use at one of its related places. A finding about
 * no key (rq on a cluster connection) is counted on none. Returns per use how many findings it owns.
 */
export function findingOwners(uses: readonly KeyUse[], groups: readonly Group[], findings: readonly Finding[]): Map<KeyUse, number> {
  const at = new Map<string, KeyUse>();
  const inGroup = new Map<string, KeyUse>();
  const parentOf = new Map(groups.map((g) => [g.id, g.parent]));
  const byPosition = [...uses].sort((a, b) => a.file.localeCompare(b.file) || a.span.start - b.span.start);
  for (const u of byPosition) {
    const where = `${u.file}:${u.span.start}`;
    if (!at.has(where)) at.set(where, u);
    // the first key of a group, and of the transaction or pipeline around it
    for (let g = u.group ?? undefined; g; g = parentOf.get(g)) if (!inGroup.has(g)) inGroup.set(g, u);
  }
  const out = new Map<KeyUse, number>();
  for (const x of findings) {
    const owner = at.get(`${x.file}:${x.span.start}`) ?? (x.group ? inGroup.get(x.group) : undefined) ?? x.related.map((r) => at.get(`${r.file}:${r.span.start}`)).find((u) => u);
    if (owner) out.set(owner, (out.get(owner) ?? 0) + 1);
  }
  return out;
}
