/** Messages between the extension and the heatmap webview. */
export interface HeatmapData {
  type: 'data';
  /** key patterns per slot (16,384 entries) */
  patterns: number[];
  /** key uses per slot */
  uses: number[];
  /** a few pattern names per slot that has any */
  names: Record<number, string[]>;
  /** patterns whose slot depends on runtime values (not on the grid) */
  varies: number;
  total: number;
  topology: { start: number; end: number; node: string }[];
  /**
   * Per primary: the fixed-slot patterns it holds, and its share of the patterns whose slot a runtime
   * value decides (spread over all slots, one entity per slot: each primary gets its share of slots)
   */
  primaries: { node: string; start: number; end: number; fixed: number; spread: number }[];
  /** the slots with the most fixed-slot patterns, most first: where a fixed tag piles keys onto one slot */
  hottest: { slot: number; node: string; patterns: number; names: string[]; /** keys in the slot in the live cluster (keyslot.cluster) */ live?: number }[];
}

export type FromWebview = { type: 'ready' } | { type: 'rendered'; slotsWithKeys: number } | { type: 'select'; slot: number };
