// Runs inside the heatmap webview (a browser context): draws the slots, answers hover and keys.
import type { FromWebview, HeatmapData } from './messages';

declare function acquireVsCodeApi(): { postMessage(m: FromWebview): void; getState(): unknown; setState(s: unknown): void };

const vscode = acquireVsCodeApi();
const SIDE = 128;
const CELL = 5;
/** lower bounds of the colour levels; the last matches hot-tag's default threshold */
const LEVELS = [1, 2, 5, 10];

const canvas = document.getElementById('grid') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const summary = document.getElementById('summary')!;
const detail = document.getElementById('detail')!;
const legend = document.getElementById('legend')!;
const measureSelect = document.getElementById('measure') as HTMLSelectElement;
const primariesTable = document.getElementById('primaries') as HTMLTableElement;
const hottestTable = document.getElementById('hottest') as HTMLTableElement;

const saved = (vscode.getState() ?? {}) as { measure?: 'patterns' | 'uses'; focus?: number };
let measure: 'patterns' | 'uses' = saved.measure ?? 'patterns';
let focus = saved.focus ?? 0;
let data: HeatmapData | undefined;
measureSelect.value = measure;

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function palette() {
  return {
    empty: cssVar('--vscode-editorWidget-background', '#252526'),
    levels: [cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-green', '#89d185'), cssVar('--vscode-charts-orange', '#d18616'), cssVar('--vscode-charts-red', '#f14c4c')],
    border: cssVar('--vscode-foreground', '#cccccc'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
  };
}

function level(n: number): number {
  let l = -1;
  for (let i = 0; i < LEVELS.length; i++) if (n >= LEVELS[i]) l = i;
  return l;
}

function ownerOf(slot: number): { start: number; end: number; node: string } | undefined {
  return data?.topology.find((r) => slot >= r.start && slot <= r.end);
}

function draw(): void {
  if (!data) return;
  const colours = palette();
  const counts = data[measure];
  for (let s = 0; s < counts.length; s++) {
    const l = level(counts[s]);
    ctx.fillStyle = l < 0 ? colours.empty : colours.levels[l];
    ctx.fillRect((s % SIDE) * CELL, Math.floor(s / SIDE) * CELL, CELL, CELL);
  }
  // primary boundaries: an edge wherever two neighbouring cells belong to different primaries
  ctx.fillStyle = colours.border;
  for (let s = 0; s < counts.length; s++) {
    const x = (s % SIDE) * CELL;
    const y = Math.floor(s / SIDE) * CELL;
    if (s >= SIDE && ownerOf(s) !== ownerOf(s - SIDE)) ctx.fillRect(x, y, CELL, 1);
    if (s % SIDE !== 0 && ownerOf(s) !== ownerOf(s - 1)) ctx.fillRect(x, y, 1, CELL);
  }
  ctx.strokeStyle = colours.focus;
  ctx.lineWidth = 2;
  if (document.activeElement === canvas) ctx.strokeRect((focus % SIDE) * CELL - 1, Math.floor(focus / SIDE) * CELL - 1, CELL + 2, CELL + 2);
  drawLegend(colours);
}

function drawLegend(colours: ReturnType<typeof palette>): void {
  legend.replaceChildren();
  const what = measure === 'patterns' ? 'patterns' : 'uses';
  const entries: [string, string][] = [[colours.empty, `no ${what}`]];
  LEVELS.forEach((lo, i) => entries.push([colours.levels[i], i === LEVELS.length - 1 ? `${lo}+` : LEVELS[i + 1] - 1 === lo ? `${lo}` : `${lo}–${LEVELS[i + 1] - 1}`]));
  for (const [colour, label] of entries) {
    const span = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = colour;
    span.append(swatch, label);
    legend.append(span);
  }
  for (const r of data?.topology ?? []) {
    const span = document.createElement('span');
    span.textContent = `${r.node}: ${r.start}–${r.end}`;
    legend.append(span);
  }
}

/** A table of rows of text, with a caption and a header row: what the grid shows, for a screen reader and at a glance. */
function fillTable(table: HTMLTableElement, caption: string, head: string[], rows: string[][]): void {
  table.replaceChildren();
  table.createCaption().textContent = caption;
  const h = table.createTHead().insertRow();
  for (const x of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = x;
    h.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const x of r) tr.insertCell().textContent = x;
  }
}

function tables(): void {
  if (!data) return;
  fillTable(
    primariesTable,
    'Key patterns per primary',
    ['primary', 'slots', 'fixed slot', 'slot from runtime values (their share)'],
    data.primaries.map((p) => [p.node, `${p.start}–${p.end}`, String(p.fixed), String(p.spread)]),
  );
  // with keyslot.cluster: the keys each slot holds in the live cluster, beside what the code puts there
  const live = data.hottest.some((h) => h.live !== undefined);
  fillTable(
    hottestTable,
    data.hottest.length ? 'Busiest fixed slots (a fixed tag piles every key of it here)' : 'No key pattern has a fixed slot',
    data.hottest.length ? ['slot', 'primary', 'patterns', ...(live ? ['keys live'] : []), 'some of them'] : [],
    data.hottest.map((h) => [String(h.slot), h.node, String(h.patterns), ...(live ? [h.live === undefined ? '–' : String(h.live)] : []), h.names.join(', ')]),
  );
}

function describe(slot: number): string {
  if (!data) return '';
  const owner = ownerOf(slot);
  const names = data.names[slot] ?? [];
  const n = data.patterns[slot];
  const head = `Slot ${slot}${owner ? ` · ${owner.node} (${owner.start}–${owner.end})` : ''}`;
  if (n === 0) return `${head}\nno key patterns`;
  const more = n > names.length ? `, and ${n - names.length} more` : '';
  return `${head}\n${n} key pattern${n === 1 ? '' : 's'}, ${data.uses[slot]} use${data.uses[slot] === 1 ? '' : 's'}: ${names.join(', ')}${more}\nEnter or click lists them in the Redis Keys view.`;
}

function summarize(): void {
  if (!data) return;
  const counts = data.patterns;
  let busiest = 0;
  let used = 0;
  for (let s = 0; s < counts.length; s++) {
    if (counts[s] > 0) used++;
    if (counts[s] > counts[busiest]) busiest = s;
  }
  const placed = data.total - data.varies;
  const parts = [`${data.total} key pattern${data.total === 1 ? '' : 's'}: ${placed} with a fixed slot, in ${used} slot${used === 1 ? '' : 's'}`];
  if (data.varies) parts.push(`${data.varies} get${data.varies === 1 ? 's' : ''} the slot from a runtime value: spread over all slots, one entity per slot (each primary's share is in the table)`);
  if (counts[busiest] > 1) parts.push(`the busiest slot, ${busiest}, holds ${counts[busiest]} patterns${counts[busiest] >= LEVELS[LEVELS.length - 1] ? ' (a hotspot: one tag carries many keys)' : ''}`);
  summary.textContent = parts.join('; ') + '.';
}

function cellAt(e: MouseEvent): number | undefined {
  const rect = canvas.getBoundingClientRect();
  const x = Math.floor(((e.clientX - rect.left) / rect.width) * SIDE);
  const y = Math.floor(((e.clientY - rect.top) / rect.height) * SIDE);
  return x >= 0 && x < SIDE && y >= 0 && y < SIDE ? y * SIDE + x : undefined;
}

function moveFocus(to: number): void {
  focus = Math.max(0, Math.min(SIDE * SIDE - 1, to));
  vscode.setState({ measure, focus });
  detail.textContent = describe(focus);
  draw();
}

canvas.addEventListener('mousemove', (e) => {
  const s = cellAt(e);
  if (s !== undefined) detail.textContent = describe(s);
});
canvas.addEventListener('click', (e) => {
  const s = cellAt(e);
  if (s === undefined) return;
  moveFocus(s);
  vscode.postMessage({ type: 'select', slot: s });
});
canvas.addEventListener('focus', () => moveFocus(focus));
canvas.addEventListener('blur', draw);
canvas.addEventListener('keydown', (e) => {
  const step: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -SIDE, ArrowDown: SIDE, PageUp: -16 * SIDE, PageDown: 16 * SIDE };
  if (e.key in step) moveFocus(focus + step[e.key]);
  else if (e.key === 'Home') moveFocus(0);
  else if (e.key === 'End') moveFocus(SIDE * SIDE - 1);
  else if (e.key === 'Enter' || e.key === ' ') vscode.postMessage({ type: 'select', slot: focus });
  else return;
  e.preventDefault();
});
measureSelect.addEventListener('change', () => {
  measure = measureSelect.value === 'uses' ? 'uses' : 'patterns';
  vscode.setState({ measure, focus });
  draw();
});
// a theme change restyles the page; the canvas reads the new colours
new MutationObserver(draw).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (e: MessageEvent<HeatmapData>) => {
  if (e.data?.type !== 'data') return;
  data = e.data;
  summarize();
  tables();
  draw();
  vscode.postMessage({ type: 'rendered', slotsWithKeys: data.patterns.filter((n) => n > 0).length });
});
vscode.postMessage({ type: 'ready' });
