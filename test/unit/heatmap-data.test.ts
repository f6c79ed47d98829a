import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatmapData } from '../../client/src/webview/data';
import type { KeyMapPattern, KeyMapResult } from '../../server/src/protocol';
import { keySlot as calculateSlot } from '../../server/src/model/slot';

/*
 * The heatmap's figures from a key map: fixed-slot patterns on the grid and per primary, the
 * patterns whose slot a runtime value decides shared out by each primary's slots, and the busiest
 * fixed slots (where a fixed tag piles keys) first.
 */
const pattern = (p: string, slot: number | null): KeyMapPattern => ({ pattern: p, tag: null, tagShape: null, tagSpan: null, tagUnknown: false, slot, namespace: '', reads: 1, writes: 0, findings: 0, uses: [] });

test('fixed slots per primary, runtime-decided patterns shared by slots, the busiest fixed slots first', () => {
  const feed = calculateSlot('{feed}');
  const map: KeyMapResult = {
    folders: [
      {
        uri: 'file:///w',
        files: 1,
        findings: 0,
        topology: [
          { start: 0, end: 8191, node: 'primary 1' },
          { start: 8192, end: 16383, node: 'primary 2' },
        ],
        patterns: [
          ...[1, 2, 3].map((n) => pattern(`{feed}:page:${n}`, feed)),
          pattern('price:A100', calculateSlot('price:A100')),
          ...[1, 2, 3, 4].map((n) => pattern(`user:\${id}:${n}`, null)),
        ],
      },
    ],
  };
  const d = heatmapData(map);
  assert.equal(d.varies, 4);
  assert.equal(d.total, 8);
  const holder = (slot: number) => (slot <= 8191 ? 'primary 1' : 'primary 2');
  const fixed = (node: string) => [feed, feed, feed, calculateSlot('price:A100')].filter((s) => holder(s) === node).length;
  assert.deepEqual(d.primaries, [
    { node: 'primary 1', start: 0, end: 8191, fixed: fixed('primary 1'), spread: 2 },
    { node: 'primary 2', start: 8192, end: 16383, fixed: fixed('primary 2'), spread: 2 },
  ]);
  assert.deepEqual(d.hottest[0], { slot: feed, node: holder(feed), patterns: 3, names: ['{feed}:page:1', '{feed}:page:2', '{feed}:page:3'] });
  assert.equal(d.hottest.length, 2);
  // with a live cluster: its keys per slot beside the code's patterns
  map.folders[0].liveKeys = { [feed]: 1200 };
  assert.equal(heatmapData(map).hottest[0].live, 1200);
  assert.equal(heatmapData(map).hottest[1].live, undefined);
});
