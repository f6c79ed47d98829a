/** Which primary owns which slots: the configured layout, or the split `redis-cli --cluster create` makes. */
export interface SlotRange {
  start: number;
  end: number;
  /** a name for the primary, for messages ('primary 1', or the configured node name) */
  node: string;
}

export interface Topology {
  ranges: SlotRange[];
  /** how the user gets told where this came from */
  source: string;
}

export const SLOTS = 16384;

/**
 * The even split of `redis-cli --cluster create` (clusterManagerCommandCreate): each primary
 * gets 16384/N slots, the boundaries rounded as it rounds them, the last one takes the rest.
 * For 3 primaries: 0-5460, 5461-10922, 10923-16383.
 */
export function evenSplit(primaries: number): Topology {
  if (!Number.isInteger(primaries) || primaries < 1 || primaries > SLOTS) throw new RangeError(`primaries must be an integer from 1 to ${SLOTS}, not ${primaries}`);
  const perNode = SLOTS / primaries;
  const ranges: SlotRange[] = [];
  let first = 0;
  let cursor = 0;
  for (let i = 0; i < primaries; i++) {
    let last = Math.round(cursor + perNode - 1);
    if (last > SLOTS - 1 || i === primaries - 1) last = SLOTS - 1;
    if (last < first) last = first;
    ranges.push({ start: first, end: last, node: `primary ${i + 1}` });
    first = last + 1;
    cursor += perNode;
  }
  return { ranges, source: `the even split of ${primaries} primar${primaries === 1 ? 'y' : 'ies'}` };
}

/** Checks that configured ranges cover every slot exactly once; throws with the first problem. */
export function fromRanges(ranges: SlotRange[], source: string): Topology {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let next = 0;
  for (const r of sorted) {
    if (!Number.isInteger(r.start) || !Number.isInteger(r.end) || r.start < 0 || r.end >= SLOTS || r.end < r.start) throw new RangeError(`slot range ${r.start}-${r.end} of ${r.node} is not within 0-${SLOTS - 1}`);
    if (r.start < next) throw new RangeError(`slot ${r.start} is assigned twice (${r.node})`);
    if (r.start > next) throw new RangeError(`slots ${next}-${r.start - 1} belong to no primary`);
    next = r.end + 1;
  }
  if (next < SLOTS) throw new RangeError(`slots ${next}-${SLOTS - 1} belong to no primary`);
  return { ranges: sorted, source };
}

export function ownerOf(t: Topology, slot: number): string {
  let lo = 0;
  let hi = t.ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t.ranges[mid].start <= slot) lo = mid;
    else hi = mid - 1;
  }
  return t.ranges[lo].node;
}
