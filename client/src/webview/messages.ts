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
}

export type FromWebview = { type: 'ready' } | { type: 'rendered'; slotsWithKeys: number } | { type: 'select'; slot: number };
