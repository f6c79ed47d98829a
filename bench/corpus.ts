import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { DiagnosticJson } from '../server/src/cli/output';

/*
 * `npm run corpus -- DIR [--baseline KEYSLOT_CHECKOUT] [--repo NAME] [--misses]`
 *
 * Recall of keyslot on real repositories, against labels a person wrote by reading the code
 * (bench/corpus/labels/*.tsv, format in bench/corpus/LABELING.md). DIR holds one checked-out
 * repository per label file, named OWNER__NAME. A benchmark, not a test: the repositories are
 * fetched by hand and CI has no network.
 *
 * Precision: labellers mark every Redis call in each file they choose, so a key use in such a file
 * that no label explains (same command, on the call's line or the LINES_AFTER below) is counted false.
 *
 * A label is found when keyslot reports a key use of the same command in the same file whose
 * line is within the label's call (the command's line up to LINES_AFTER lines below, where the
 * arguments of a call broken over lines sit), or a group (multi-key command, script call) at that
 * call whose keys are written elsewhere. A look-alike label (command NONE) is a false key
 * use when any key use sits on its line.
 *
 * Diagnostics: a person judged each diagnostic true, false or debatable by reading the code
 * (bench/corpus/judgements/*.tsv: path, line, code, verdict, reason). A diagnostic takes the
 * verdict of the next unused row with its path, line and code; one with none is "unjudged"
 * (`--misses` lists them, to be judged and added). Precision is true / (true + false).
 */

const LINES_AFTER = 4;
const LABELS = path.join(__dirname, 'corpus', 'labels');
const JUDGEMENTS = path.join(__dirname, 'corpus', 'judgements');

/** A diagnostic as `keyslot check --format json` prints it. */
type Diagnostic = DiagnosticJson;

type Verdict = 'true' | 'false' | 'debatable' | 'unjudged';

/** Verdicts by `path:line:code`, in file order (a repeated diagnostic has a row per repeat). */
function readJudgements(repo: string): Map<string, Verdict[]> {
  const file = path.join(JUDGEMENTS, `${repo}.tsv`);
  const out = new Map<string, Verdict[]>();
  if (!fs.existsSync(file)) return out;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const head = lines.shift()!.split('\t');
  const [p, l, c, v] = ['path', 'line', 'code', 'verdict'].map((n) => head.indexOf(n));
  if ([p, l, c, v].some((i) => i < 0)) throw new Error(`${file}: needs columns path, line, code, verdict`);
  lines.forEach((row, n) => {
    const f = row.split('\t');
    if (!['true', 'false', 'debatable'].includes(f[v])) throw new Error(`${file}:${n + 2}: verdict must be true, false or debatable, not '${f[v]}'`);
    const key = `${f[p]}:${f[l]}:${f[c]}`;
    out.set(key, [...(out.get(key) ?? []), f[v] as Verdict]);
  });
  return out;
}

/** Per code: verdict counts and exact repeats (same range and code). */
type DiagTally = Map<string, Record<Verdict | 'repeats' | 'all', number>>;

const FIXABLE = /^(crossslot|crossslot-possible|pipeline-cross-node)$/;
/** the reason tagfix.ts gives when the keys have no entity to tag */
const NO_ENTITY = /share no entity|list whose members are not known|known only at run time/;

/** Per fixable code: findings, those whose keys have an entity, and those offered the tag fix (older checkouts print no fix field). */
type FixTally = Map<string, { all: number; entity: number; offered: number; reported: boolean }>;

function tallyFixes(repo: string, diags: Diagnostic[], tally: FixTally, listed: string[]): void {
  for (const d of diags) {
    if (!FIXABLE.test(d.code)) continue;
    const t = tally.get(d.code) ?? { all: 0, entity: 0, offered: 0, reported: false };
    tally.set(d.code, t);
    t.all++;
    if (d.fix === undefined && d.noFix === undefined) continue;
    t.reported = true;
    if (d.noFix && NO_ENTITY.test(d.noFix)) continue;
    t.entity++;
    if (d.fix) t.offered++;
    else listed.push(`NOFIX ${repo} ${d.file}:${d.line} ${d.code}: ${d.noFix}`);
  }
}

function judge(repo: string, diags: Diagnostic[], tally: DiagTally, listed: string[]): void {
  const verdicts = readJudgements(repo);
  const seen = new Set<string>();
  for (const d of diags) {
    const t = tally.get(d.code) ?? { true: 0, false: 0, debatable: 0, unjudged: 0, repeats: 0, all: 0 };
    tally.set(d.code, t);
    t.all++;
    const range = `${d.file}:${d.line}:${d.column}:${d.endLine}:${d.endColumn}:${d.code}`;
    if (seen.has(range)) t.repeats++;
    seen.add(range);
    const v = verdicts.get(`${d.file}:${d.line}:${d.code}`)?.shift() ?? 'unjudged';
    t[v]++;
    // the false ones still there are the work list of "Real code II"
    if (v === 'unjudged' || v === 'false') listed.push(`${v.toUpperCase()} ${repo} ${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`);
  }
}

interface Label {
  repo: string;
  commit: string;
  path: string;
  line: number;
  lang: string;
  command: string;
  keys: string;
  idioms: string[];
  note: string;
}

interface KeyRow {
  file: string;
  line: number;
  command: string;
  /** for a key of a multi-key or script call: the call's line */
  call?: number;
}

interface RunResult {
  /** key uses, then the calls of groups whose keys sit elsewhere */
  keys: KeyRow[];
  /** the key uses alone */
  useRows: KeyRow[];
  uses: number;
  diagnostics: number;
  diagnosticList: Diagnostic[];
  files: number;
  ms: number;
  error?: string;
}

/** A Markdown table (README and notes paste it as it is). */
function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function readLabels(file: string): Label[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const head = lines.shift()!.split('\t');
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const c = { repo: col('repo'), commit: col('commit'), path: col('path'), line: col('line'), lang: col('lang'), command: col('command'), keys: col('keys'), idioms: col('idioms'), note: col('note') };
  return lines.map((l, n) => {
    const f = l.split('\t');
    const line = Number(f[c.line]);
    if (!Number.isInteger(line) || line < 1) throw new Error(`${file}:${n + 2}: bad line number ${f[c.line]}`);
    return {
      repo: f[c.repo],
      commit: f[c.commit],
      path: f[c.path],
      line,
      lang: f[c.lang],
      command: (f[c.command] ?? '').trim().toUpperCase(),
      keys: f[c.keys] ?? '',
      idioms: (f[c.idioms] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      note: f[c.note] ?? '',
    };
  });
}

function runCheck(keyslot: string, dir: string): RunResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(keyslot, 'bin', 'keyslot.js'), 'check', dir, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0) return { keys: [], useRows: [], uses: 0, diagnostics: 0, diagnosticList: [], files: 0, ms, error: `exit ${r.status}: ${(r.stderr || '').split('\n').slice(-3).join(' ')}` };
  const out = JSON.parse(r.stdout) as { files: number; keys: (KeyRow & { group: string | null })[]; groups?: { id: string; kind: string; file: string; line: number; command?: string }[]; diagnostics: Diagnostic[] };
  // a multi-key call or script call is found at its call even when its keys are written elsewhere (a list built above)
  const groups = new Map((out.groups ?? []).map((g) => [g.id, g]));
  const atCall = out.keys.flatMap((k) => {
    const g = k.group ? groups.get(k.group) : undefined;
    return g && g.line !== k.line ? [{ file: g.file, line: g.line, command: g.command ?? k.command }] : [];
  });
  // a key written lines below its call (a long argument list) is explained by a label at the call, as the label is found there
  const useRows = out.keys.map((k) => {
    const g = k.group ? groups.get(k.group) : undefined;
    return { file: k.file, line: k.line, command: k.command, call: g && /^(command|script)$/.test(g.kind) && g.file === k.file ? g.line : undefined };
  });
  return { keys: [...useRows, ...atCall], useRows, uses: out.keys.length, diagnostics: out.diagnostics.length, diagnosticList: out.diagnostics, files: out.files, ms };
}

/** The same command as the label: scripts run as EVAL or EVALSHA alike, Redisson uses `getX.op`. */
function sameCommand(label: string, found: string): boolean {
  // subcommands print as `XGROUP|CREATE`; labels write `XGROUP CREATE`
  const f = found.toUpperCase().replace('|', ' ');
  if (f === label) return true;
  const script = /^(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)$/;
  if (script.test(label) && script.test(f)) return true;
  // redis-py's and valkey-py's incr() / decr() send INCRBY / DECRBY (with an amount of 1)
  if ((label === 'INCR' && f === 'INCRBY') || (label === 'DECR' && f === 'DECRBY')) return true;
  // Redisson object accessors are recorded as the accessor and the operation (getBucket.set)
  if (f.includes('.') || /^GET[A-Z]+$/.test(f)) return true;
  return false;
}

function found(label: Label, byFile: Map<string, KeyRow[]>): boolean {
  const rows = byFile.get(label.path) ?? [];
  return rows.some((k) => k.line >= label.line && k.line <= label.line + LINES_AFTER && sameCommand(label.command, k.command));
}

function lookalikeHit(label: Label, byFile: Map<string, KeyRow[]>): boolean {
  return (byFile.get(label.path) ?? []).some((k) => k.line === label.line);
}

interface Tally {
  found: number;
  total: number;
}

const pct = (t: Tally) => (t.total ? `${((100 * t.found) / t.total).toFixed(1)} %` : '-');
const bump = (m: Map<string, Tally>, k: string, hit: boolean) => {
  const t = m.get(k) ?? { found: 0, total: 0 };
  t.total++;
  if (hit) t.found++;
  m.set(k, t);
};

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const flag = (name: string) => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const baseline = opt('--baseline');
  const only = opt('--repo');
  const showMisses = flag('--misses');
  const dir = args[0];
  if (!dir || !fs.existsSync(dir)) {
    process.stderr.write('usage: npm run corpus -- DIR [--baseline KEYSLOT_CHECKOUT] [--repo OWNER__NAME] [--misses]\n  DIR holds the labelled repositories, one folder OWNER__NAME each (bench/corpus/README.md)\n');
    process.exit(2);
  }
  const here = path.join(__dirname, '..');
  const runs: { name: string; root: string }[] = [{ name: 'now', root: here }];
  if (baseline) runs.unshift({ name: 'baseline', root: path.resolve(baseline) });

  const files = fs.readdirSync(LABELS).filter((f) => f.endsWith('.tsv')).sort();
  const perRepo: (string | number)[][] = [];
  const totals = runs.map(() => ({ all: { found: 0, total: 0 } as Tally, lang: new Map<string, Tally>(), idiom: new Map<string, Tally>(), lookalike: { found: 0, total: 0 } as Tally, precision: { found: 0, total: 0 } as Tally, files: 0, ms: 0, diags: 0, uses: 0, byCode: new Map() as DiagTally, fixes: new Map() as FixTally }));
  const misses: string[] = [];
  for (const lf of files) {
    const name = lf.replace(/\.tsv$/, '');
    if (only && only !== name) continue;
    const labels = readLabels(path.join(LABELS, lf));
    const repoDir = path.join(dir, name);
    if (!fs.existsSync(repoDir)) {
      process.stderr.write(`corpus: ${repoDir} is missing: skipped (fetch ${labels[0]?.repo} at ${labels[0]?.commit})\n`);
      continue;
    }
    const row: (string | number)[] = [name];
    runs.forEach((run, ri) => {
      const res = runCheck(run.root, repoDir);
      if (res.error) process.stderr.write(`corpus: ${run.name} on ${name}: ${res.error}\n`);
      const byFile = new Map<string, KeyRow[]>();
      for (const k of res.keys) {
        const l = byFile.get(k.file);
        if (l) l.push(k);
        else byFile.set(k.file, [k]);
      }
      const t = totals[ri];
      const repo: Tally = { found: 0, total: 0 };
      const look: Tally = { found: 0, total: 0 };
      for (const label of labels) {
        if (label.command === 'NONE') {
          const hit = lookalikeHit(label, byFile);
          look.total++;
          if (hit) look.found++;
          if (hit && showMisses && ri === runs.length - 1) misses.push(`FALSE ${name} ${label.path}:${label.line} (${label.note})`);
          continue;
        }
        const hit = found(label, byFile);
        repo.total++;
        if (hit) repo.found++;
        bump(t.lang, label.lang, hit);
        for (const i of label.idioms) bump(t.idiom, i, hit);
        if (!hit && showMisses && ri === runs.length - 1) misses.push(`MISS ${name} ${label.path}:${label.line} ${label.command} [${label.idioms.join(',')}] ${label.keys}  -- ${label.note}`);
      }
      // precision: every Redis call of a labelled file is labelled, so a key use there that no label explains is a false one
      const labelled = new Map<string, Label[]>();
      for (const label of labels) if (label.command !== 'NONE') labelled.set(label.path, [...(labelled.get(label.path) ?? []), label]);
      const prec: Tally = { found: 0, total: 0 };
      for (const u of res.useRows) {
        const ls = labelled.get(u.file);
        if (!ls) continue;
        prec.total++;
        const explains = (l: Label, line: number | undefined) => line !== undefined && line >= l.line && line <= l.line + LINES_AFTER && sameCommand(l.command, u.command);
        if (ls.some((l) => explains(l, u.line) || explains(l, u.call))) prec.found++;
        else if (showMisses && ri === runs.length - 1) misses.push(`UNLABELLED ${name} ${u.file}:${u.line} ${u.command.toUpperCase()}`);
      }
      t.precision.found += prec.found;
      t.precision.total += prec.total;
      t.all.found += repo.found;
      t.all.total += repo.total;
      t.lookalike.found += look.found;
      t.lookalike.total += look.total;
      t.files += res.files;
      t.ms += res.ms;
      t.diags += res.diagnostics;
      judge(name, res.diagnosticList, t.byCode, ri === runs.length - 1 && showMisses ? misses : []);
      tallyFixes(name, res.diagnosticList, t.fixes, ri === runs.length - 1 && showMisses ? misses : []);
      t.uses += res.uses;
      row.push(`${repo.found}/${repo.total} (${pct(repo)})`, `${prec.found}/${prec.total} (${pct(prec)})`, `${look.found}/${look.total}`, res.uses, res.diagnostics, res.files, Math.round(res.ms));
    });
    perRepo.push(row);
  }
  const cols = runs.flatMap((r) => (runs.length > 1 ? [`${r.name} recall`, `${r.name} precision`, `${r.name} false`, `${r.name} uses`, `${r.name} diags`, 'files', 'ms'] : ['recall', 'precision in labelled files', 'look-alike hits', 'key uses', 'diagnostics', 'files', 'ms']));
  process.stdout.write(`\n## Per repository\n\n${table(['repository', ...cols], perRepo)}\n`);
  const keysOf = (m: Map<string, Tally>[]) => [...new Set(m.flatMap((x) => [...x.keys()]))].sort();
  const langs = keysOf(totals.map((t) => t.lang));
  process.stdout.write(`\n## Per language\n\n${table(['language', ...runs.map((r) => `${r.name} recall`)], langs.map((l) => [l, ...totals.map((t) => { const x = t.lang.get(l) ?? { found: 0, total: 0 }; return `${x.found}/${x.total} (${pct(x)})`; })]))}\n`);
  const idioms = keysOf(totals.map((t) => t.idiom));
  process.stdout.write(`\n## Per idiom\n\n${table(['idiom', ...runs.map((r) => `${r.name} recall`)], idioms.map((l) => [l, ...totals.map((t) => { const x = t.idiom.get(l) ?? { found: 0, total: 0 }; return `${x.found}/${x.total} (${pct(x)})`; })]))}\n`);
  process.stdout.write(
    `\n## Overall\n\n${table(
      ['run', 'recall', 'precision in labelled files', 'look-alike lines with a key use', 'key uses', 'diagnostics', 'files', 'cold check s', 'files/s'],
      runs.map((r, i) => {
        const t = totals[i];
        return [r.name, `${t.all.found}/${t.all.total} (${pct(t.all)})`, `${t.precision.found}/${t.precision.total} (${pct(t.precision)})`, `${t.lookalike.found}/${t.lookalike.total}`, t.uses, t.diags, t.files, (t.ms / 1000).toFixed(1), (t.files / (t.ms / 1000)).toFixed(0)];
      }),
    )}\n`,
  );
  const codes = [...new Set(totals.flatMap((t) => [...t.byCode.keys()]))].sort();
  const judged = (x: Record<Verdict | 'repeats' | 'all', number>) => `${x.true}/${x.true + x.false}${x.true + x.false ? ` (${((100 * x.true) / (x.true + x.false)).toFixed(1)} %)` : ''}`;
  const sum = (t: (typeof totals)[number]) => {
    const s: Record<Verdict | 'repeats' | 'all', number> = { true: 0, false: 0, debatable: 0, unjudged: 0, repeats: 0, all: 0 };
    for (const x of t.byCode.values()) for (const k of Object.keys(s) as (keyof typeof s)[]) s[k] += x[k];
    return s;
  };
  const zero = { true: 0, false: 0, debatable: 0, unjudged: 0, repeats: 0, all: 0 };
  process.stdout.write(
    `\n## Diagnostics, judged by hand\n\nprecision = true / (true + false); repeats = same range and code as another\n\n${table(
      ['code', ...runs.flatMap((r) => [`${r.name} diagnostics`, 'precision', 'debatable', 'unjudged', 'repeats'])],
      [...codes, 'all'].map((c) => [
        c,
        ...totals.flatMap((t) => {
          const x = c === 'all' ? sum(t) : (t.byCode.get(c) ?? zero);
          return [x.all, judged(x), x.debatable, x.unjudged, x.repeats];
        }),
      ]),
    )}\n`,
  );
  const fixCodes = [...new Set(totals.flatMap((t) => [...t.fixes.keys()]))].sort();
  const fixCell = (t: (typeof totals)[number], c: string | undefined) => {
    const xs = c ? [t.fixes.get(c)].filter((x) => !!x) : [...t.fixes.values()];
    if (!xs.some((x) => x!.reported)) return ['–', '–'];
    const all = xs.reduce((a, x) => a + x!.all, 0);
    const entity = xs.reduce((a, x) => a + x!.entity, 0);
    const offered = xs.reduce((a, x) => a + x!.offered, 0);
    return [`${entity}/${all}`, `${offered}/${entity}${entity ? ` (${((100 * offered) / entity).toFixed(1)} %)` : ''}`];
  };
  process.stdout.write(
    `\n## The tag fix\n\nwith an entity = findings whose keys share a \`namespace:id\` prefix or a runtime value; offered = the fix keyslot offers for them ('–': that checkout does not report fixes)\n\n${table(
      ['code', ...runs.flatMap((r) => [`${r.name} with an entity`, 'fix offered'])],
      [...fixCodes, undefined].map((c) => [c ?? 'all', ...totals.flatMap((t) => fixCell(t, c))]),
    )}\n`,
  );
  if (showMisses) process.stdout.write(`\n## Misses (${misses.length})\n\n${misses.join('\n')}\n`);
}

main();
