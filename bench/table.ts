import * as fs from 'fs';
import * as os from 'os';

/** One line of the results table. `verdict` is empty for figures without a budget. */
export interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  budget: string;
  verdict: 'pass' | 'FAIL' | '' | 'not measured';
}

/** A row for something that cannot be measured yet: says why instead of showing a number. */
export function notMeasured(figure: string, budget: string, why: string): Row {
  return { figure, value: `not measured: ${why}`, baseline: '', ratio: '', budget, verdict: 'not measured' };
}

export const verdict = (ok: boolean): Row['verdict'] => (ok ? 'pass' : 'FAIL');

export function seconds(ms: number): string {
  return ms >= 100 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

export function ratio(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 10 ? `${x.toFixed(0)}×` : x >= 1 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`;
}

export function renderTable(rows: Row[]): string {
  const head: Row = { figure: 'figure', value: 'value', baseline: 'baseline', ratio: 'ratio', budget: 'budget', verdict: '' };
  const cells = (r: Row) => [r.figure, r.value, r.baseline, r.ratio, r.budget, r === head ? 'pass/fail' : r.verdict];
  const all = [head, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((s, i) => s.padEnd(widths[i])).join(' | ')} |`;
  return [line(all[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n') + '\n';
}

export function machineDescription(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    // not Linux: os.cpus() has it
  }
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return `${cpu}, ${cores} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}
