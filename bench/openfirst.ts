import * as fs from 'fs';
import * as path from 'path';
import { FolderIndex } from '../server/src/index/folder';
import { listFiles, SourceFile } from '../server/src/index/files';
import { openNeighbourhood } from '../server/src/index/openfirst';
import { DEFAULT_SETTINGS } from '../server/src/protocol';
import type { Finding } from '../server/src/rules';

/*
 * `node --import tsx bench/openfirst.ts DIR [--repo NAME]`
 *
 * How far the open file's first findings at start-up (FolderIndex.analyseOpenFirst: the file and
 * what it reaches through imports) are from the ones the whole folder's index publishes next.
 * For each repository of DIR (one per folder, as `npm run corpus` takes them): every file with
 * findings after the whole index (at most PER_REPO, spread over the list) and as many files with
 * key uses and no findings, each opened alone. A finding is its code and range; "missing" are
 * findings the first publish lacks (they come with the whole index), "extra" are findings it
 * shows that the whole index takes back, "changed" the same place and code saying another thing.
 */

const PER_REPO = 15;

interface Tally {
  files: number;
  same: number;
  missing: number;
  extra: number;
  changed: number;
  full: number;
  nearFiles: number;
  ms: number;
}

const at = (f: Finding) => `${f.code}@${f.span.start}-${f.span.end}`;

function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
}

async function measureRepo(root: string, extraLines: string[]): Promise<Tally> {
  const full = new FolderIndex(root, DEFAULT_SETTINGS);
  await full.indexAll();
  const byFile = new Map<string, Finding[]>();
  for (const f of full.state.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  const withKeys = [...new Set(full.state.uses.map((u) => u.file))].filter((f) => !byFile.has(f)).sort();
  const sample = [...spread([...byFile.keys()].sort(), PER_REPO), ...spread(withKeys, PER_REPO)];
  const files: SourceFile[] = listFiles(root, [root], DEFAULT_SETTINGS.exclude, []);
  const t: Tally = { files: 0, same: 0, missing: 0, extra: 0, changed: 0, full: 0, nearFiles: 0, ms: 0 };
  for (const rel of sample) {
    const text = full.texts.get(rel) ?? fs.readFileSync(path.join(root, rel), 'utf8');
    const overlay = new Map([[rel, text]]);
    const early = new FolderIndex(root, DEFAULT_SETTINGS);
    let first: Finding[] | undefined;
    const t0 = performance.now();
    await early.analyseOpenFirst(files, overlay, () => (first = early.state.findings.filter((f) => f.file === rel)));
    t.ms += performance.now() - t0;
    t.nearFiles += openNeighbourhood(files.filter((f) => f.rel === rel), files, (f) => (f.rel === rel ? text : fs.readFileSync(f.abs, 'utf8'))).length;
    t.files++;
    const last = byFile.get(rel) ?? [];
    t.full += last.length;
    const was = new Map((first ?? []).map((f) => [at(f), f]));
    const now = new Map(last.map((f) => [at(f), f]));
    let differs = false;
    for (const [k, f] of now) {
      const e = was.get(k);
      if (!e) t.missing++;
      else if (e.message !== f.message) t.changed++;
      else continue;
      differs = true;
    }
    for (const [k, f] of was) {
      if (now.has(k)) continue;
      t.extra++;
      differs = true;
      extraLines.push(`${path.basename(root)}\t${rel}:${lineOf(text, f.span.start)}\t${f.code}\t${f.message.slice(0, 140)}`);
    }
    if (!differs) t.same++;
  }
  return t;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dir = args[0];
  const only = args.includes('--repo') ? args[args.indexOf('--repo') + 1] : undefined;
  if (!dir) throw new Error('usage: bench/openfirst.ts DIR [--repo NAME]');
  const repos = fs.readdirSync(dir).filter((r) => (!only || r.includes(only)) && fs.statSync(path.join(dir, r)).isDirectory());
  const rows: [string, Tally][] = [];
  const extras: string[] = [];
  for (const r of repos) {
    rows.push([r, await measureRepo(path.join(dir, r), extras)]);
    const [, t] = rows[rows.length - 1];
    process.stderr.write(`${r}: ${t.same}/${t.files} same, missing ${t.missing}, extra ${t.extra}, changed ${t.changed}\n`);
  }
  const sum: Tally = { files: 0, same: 0, missing: 0, extra: 0, changed: 0, full: 0, nearFiles: 0, ms: 0 };
  console.log('| repository | files opened | first publish = final | findings in final | missing at first | extra at first | changed | files read first (mean) | first analysis (mean) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [r, t] of [...rows, ['all', sum] as [string, Tally]]) {
    if (r !== 'all') for (const k of Object.keys(sum) as (keyof Tally)[]) sum[k] += t[k];
    console.log(`| ${r} | ${t.files} | ${t.same} | ${t.full} | ${t.missing} | ${t.extra} | ${t.changed} | ${(t.nearFiles / Math.max(1, t.files)).toFixed(1)} | ${(t.ms / Math.max(1, t.files)).toFixed(0)} ms |`);
  }
  if (extras.length) console.log(`\nFindings the first publish shows and the whole index takes back:\n${extras.join('\n')}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
