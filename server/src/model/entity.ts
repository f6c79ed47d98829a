import { normalizeSegments, patternId, patternText, Segment } from './pattern';

/*
 * The entity a set of keys is about: the longest common `:`-delimited prefix of their patterns,
 * when it has a name and an identity (`user:1001`, `user:${uid}`, `cart:7`). A namespace alone
 * (`user`) is not an entity: a `{user}` tag would put every user on one slot.
 */

/** A pattern as `:`-separated parts, each part its segments; braces are dropped (an existing tag does not change the entity). */
export function colonParts(segs: Segment[]): Segment[][] {
  const parts: Segment[][] = [[]];
  for (const s of segs) {
    if (s.kind === 'hole') {
      parts[parts.length - 1].push(s);
      continue;
    }
    const pieces = s.text.replace(/[{}]/g, '').split(':');
    pieces.forEach((p, i) => {
      if (i > 0) parts.push([]);
      if (p) parts[parts.length - 1].push({ kind: 'lit', text: p });
    });
  }
  return parts.map(normalizeSegments);
}

export interface Entity {
  /** the prefix's segments, ready to become a tag */
  segments: Segment[];
  text: string;
}

/** The entity every pattern starts with, or null when they share none (two users' keys, or unrelated keys). */
export function commonEntity(patterns: Segment[][]): Entity | null {
  if (patterns.length === 0) return null;
  const split = patterns.map(colonParts);
  const shortest = Math.min(...split.map((p) => p.length));
  let n = 0;
  while (n < shortest && split.every((p) => patternId(p[n]) === patternId(split[0][n]))) n++;
  if (n < 2) return null;
  const prefix = split[0].slice(0, n);
  if (prefix.some((p) => p.length === 0)) return null;
  const segments: Segment[] = [];
  prefix.forEach((p, i) => {
    if (i > 0) segments.push({ kind: 'lit', text: ':' });
    segments.push(...p);
  });
  const norm = normalizeSegments(segments);
  return { segments: norm, text: patternText(norm) };
}

/** The part of a pattern before its first `:` (its namespace), or '' when it has none. */
export function namespaceOf(segs: Segment[]): string {
  const parts = colonParts(segs);
  return parts[0].every((s) => s.kind === 'lit') && parts.length > 1 ? patternText(parts[0]) : '';
}

/** The runtime values every pattern contains (`product:${sku}` and `stock:${sku}`), by their text, in order. */
export function sharedHoles(patterns: Segment[][]): Extract<Segment, { kind: 'hole' }>[] {
  const holesOf = (segs: Segment[]) => segs.filter((s): s is Extract<Segment, { kind: 'hole' }> => s.kind === 'hole');
  const first = holesOf(patterns[0] ?? []);
  const common = first.filter((h) => patterns.every((p) => holesOf(p).some((o) => o.expr === h.expr)));
  return [...new Map(common.map((h) => [h.expr, h])).values()];
}

/** `user_id` → user, `userId` → user, `order.id` → order, `sku` → sku, `accountName` → account_name, `PREFIX` → prefix, `HTTPHost` → http_host */
export function entityName(expr: string): string {
  const last = expr.split(/[.\[\]()'"`]+/).filter(Boolean);
  const word = (last.length > 1 && /^(id|ID|Id)$/.test(last[last.length - 1]) ? last[last.length - 2] : last[last.length - 1]) ?? 'entity';
  const base = word.replace(/(_id|Id|ID)$/, '') || word;
  // words start at a capital after a small letter or digit, and at the last capital of a run before a small letter
  return base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
