import type { KeyMapResult } from '../../../server/src/protocol';
import type { HeatmapData } from './messages';

/*
 * What the heatmap shows, computed from the key map (no VS Code API here: the unit tests run it).
 * On real code most key patterns get their slot from a runtime value (`{user:${id}}:…`): those
 * spread over all 16,384 slots, one entity per slot, and each primary holds its share of slots;
 * the ones with a fixed slot (a literal key, a fixed tag) are on the grid, and a fixed tag that
 * many patterns share is the hotspot to look at first.
 */
export const SLOTS = 16384;
/** pattern names sent per slot, for the cell's hover text */
const NAMES_PER_SLOT = 6;
const HOTTEST = 10;

/** Per-slot counts and names from the key map; topology from the first folder. */
export function heatmapData(map: KeyMapResult): HeatmapData {
  const patterns = new Array<number>(SLOTS).fill(0);
  const uses = new Array<number>(SLOTS).fill(0);
  const names: Record<number, string[]> = {};
  const allNames: Record<number, string[]> = {};
  let varies = 0;
  let total = 0;
  for (const f of map.folders) {
    for (const p of f.patterns) {
      total++;
      if (p.slot === null) {
        varies++;
        continue;
      }
      patterns[p.slot]++;
      uses[p.slot] += p.uses.length;
      const n = (names[p.slot] ??= []);
      if (n.length < NAMES_PER_SLOT) n.push(p.pattern);
      (allNames[p.slot] ??= []).push(p.pattern);
    }
  }
  const topology = map.folders[0]?.topology ?? [];
  const ownerOf = (slot: number) => topology.find((r) => slot >= r.start && slot <= r.end)?.node ?? '';
  const primaries = [...new Set(topology.map((r) => r.node))].map((node) => {
    const ranges = topology.filter((r) => r.node === node);
    const slots = ranges.reduce((n, r) => n + r.end - r.start + 1, 0);
    let fixed = 0;
    for (const r of ranges) for (let s = r.start; s <= r.end; s++) fixed += patterns[s];
    return { node, start: Math.min(...ranges.map((r) => r.start)), end: Math.max(...ranges.map((r) => r.end)), fixed, spread: Math.round((varies * slots) / SLOTS) };
  });
  const hottest = patterns
    .map((n, slot) => ({ slot, n }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.slot - b.slot)
    .slice(0, HOTTEST)
    .map(({ slot, n }) => {
      const live = map.folders[0]?.liveKeys?.[slot];
      return { slot, node: ownerOf(slot), patterns: n, names: (allNames[slot] ?? []).slice(0, NAMES_PER_SLOT), ...(live !== undefined ? { live } : {}) };
    });
  return { type: 'data', patterns, uses, names, varies, total, topology, primaries, hottest };
}
